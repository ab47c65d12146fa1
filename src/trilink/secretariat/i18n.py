"""Content in English, Korean and Japanese, per field, with a fallback order; UI strings.

A translatable field is a mapping ``{"en": ..., "ko": ..., "ja": ...}``; any subset may be
present. Reading picks the requested language, then the fallback order (English first, because it
is the cooperation's working language, then Korean, then Japanese) and reports which language was
used so the UI can mark untranslated text.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["FALLBACK", "LANGS", "UI", "VALUES", "label", "pick", "pick_with_lang", "t"]

LANGS: tuple[str, ...] = ("en", "ko", "ja")
FALLBACK: tuple[str, ...] = ("en", "ko", "ja")


def pick_with_lang(text: Mapping[str, str] | None, lang: str) -> tuple[str, str]:
    """The text in ``lang`` or its first fallback, and the language actually used."""
    if not text:
        return "", lang
    for code in (lang, *FALLBACK):
        value = text.get(code)
        if value:
            return value, code
    return "", lang


def pick(text: Mapping[str, str] | None, lang: str) -> str:
    """The text in ``lang`` or its first fallback."""
    return pick_with_lang(text, lang)[0]


#: UI strings; every key has all three languages (a test checks this).
UI: dict[str, dict[str, str]] = {
    "app_title": {"en": "Trilateral Secretariat", "ko": "한미일 사무국", "ja": "日米韓事務局"},
    "dashboard": {"en": "Dashboard", "ko": "대시보드", "ja": "ダッシュボード"},
    "workstreams": {"en": "Workstreams", "ko": "의제", "ja": "議題"},
    "commitments": {"en": "Commitments", "ko": "약속 사항", "ja": "コミットメント"},
    "meetings": {"en": "Meetings", "ko": "회의", "ja": "会議"},
    "exercises": {"en": "Exercises", "ko": "훈련", "ja": "訓練"},
    "documents": {"en": "Documents", "ko": "문서", "ja": "文書"},
    "audit": {"en": "Audit log", "ko": "감사 기록", "ja": "監査ログ"},
    "overdue": {"en": "Overdue", "ko": "기한 초과", "ja": "期限超過"},
    "due_soon": {"en": "Due soon", "ko": "기한 임박", "ja": "期限間近"},
    "all": {"en": "All", "ko": "전체", "ja": "すべて"},
    "login": {"en": "Log in", "ko": "로그인", "ja": "ログイン"},
    "logout": {"en": "Log out", "ko": "로그아웃", "ja": "ログアウト"},
    "username": {"en": "User name", "ko": "사용자 이름", "ja": "ユーザー名"},
    "password": {"en": "Password", "ko": "비밀번호", "ja": "パスワード"},
    "title": {"en": "Title", "ko": "제목", "ja": "件名"},
    "owners": {"en": "Owners", "ko": "담당국", "ja": "担当国"},
    "deadline": {"en": "Deadline", "ko": "기한", "ja": "期限"},
    "status": {"en": "Status", "ko": "상태", "ja": "状態"},
    "progress": {"en": "Progress", "ko": "진척도", "ja": "進捗"},
    "visibility": {"en": "Visible to", "ko": "공개 대상", "ja": "公開先"},
    "history": {"en": "History", "ko": "변경 이력", "ja": "変更履歴"},
    "agenda": {"en": "Agenda", "ko": "안건", "ja": "議事次第"},
    "minutes": {"en": "Minutes", "ko": "회의록", "ja": "議事録"},
    "outcomes": {"en": "Outcomes", "ko": "결과", "ja": "成果"},
    "create_commitment": {
        "en": "Create commitment",
        "ko": "약속 사항 생성",
        "ja": "コミットメントを作成",
    },
    "add_outcome": {"en": "Add outcome", "ko": "결과 추가", "ja": "成果を追加"},
    "save": {"en": "Save", "ko": "저장", "ja": "保存"},
    "approve": {"en": "Approve", "ko": "승인", "ja": "承認"},
    "lock": {"en": "Lock", "ko": "잠금", "ja": "確定"},
    "language": {"en": "Language", "ko": "언어", "ja": "言語"},
    "none": {"en": "Nothing here.", "ko": "항목이 없습니다.", "ja": "項目はありません。"},
    "error": {"en": "Error", "ko": "오류", "ja": "エラー"},
    "upcoming": {"en": "Upcoming meetings", "ko": "예정된 회의", "ja": "今後の会議"},
    "calendar": {"en": "Calendar feed", "ko": "캘린더 피드", "ja": "カレンダー配信"},
    "kind": {"en": "Kind", "ko": "유형", "ja": "種類"},
    "text": {"en": "Text", "ko": "내용", "ja": "内容"},
    "when": {"en": "When", "ko": "일시", "ja": "日時"},
    "who": {"en": "Who", "ko": "작성자", "ja": "実行者"},
    "action": {"en": "Action", "ko": "작업", "ja": "操作"},
    "sub_commitments": {"en": "Sub-commitments", "ko": "하위 약속", "ja": "下位コミットメント"},
    "milestones": {"en": "Milestones", "ko": "이정표", "ja": "マイルストーン"},
    "evidence": {"en": "Evidence", "ko": "근거 자료", "ja": "根拠資料"},
    "domains": {"en": "Domains", "ko": "영역", "ja": "領域"},
    "participants": {"en": "Participants", "ko": "참가국", "ja": "参加国"},
    "scenario": {"en": "Scenario", "ko": "시나리오", "ja": "シナリオ"},
    "after_action": {"en": "After-action figures", "ko": "사후 검토 수치", "ja": "事後検証の数値"},
    "versions": {"en": "Versions", "ko": "버전", "ja": "版"},
    "presenter": {"en": "Presenter", "ko": "발표자", "ja": "発表者"},
    "minutes_unit": {"en": "min", "ko": "분", "ja": "分"},
    "untranslated": {"en": "untranslated", "ko": "미번역", "ja": "未翻訳"},
    "review_due": {"en": "Review due", "ko": "검토 예정", "ja": "見直し時期"},
    "new_meeting": {"en": "New meeting", "ko": "새 회의", "ja": "新しい会議"},
    "start_local": {"en": "Start (local time)", "ko": "시작 (현지 시각)", "ja": "開始（現地時刻）"},
    "time_zone": {"en": "Time zone", "ko": "시간대", "ja": "タイムゾーン"},
    "duration": {"en": "Duration (min)", "ko": "소요 시간 (분)", "ja": "所要時間（分）"},
    "location": {"en": "Location", "ko": "장소", "ja": "場所"},
    "add_agenda_item": {"en": "Add agenda item", "ko": "안건 추가", "ja": "議題を追加"},
    "search": {"en": "Search", "ko": "검색", "ja": "検索"},
    "filter": {"en": "Filter", "ko": "필터 적용", "ja": "絞り込み"},
    "any": {"en": "any", "ko": "전체", "ja": "すべて"},
    "key": {"en": "Key", "ko": "식별 키", "ja": "キー"},
    "description": {"en": "Description", "ko": "설명", "ja": "説明"},
    "new_workstream": {"en": "New workstream", "ko": "새 의제", "ja": "新しい議題"},
    "new_commitment": {"en": "New commitment", "ko": "새 약속 사항", "ja": "新しいコミットメント"},
    "edit": {"en": "Edit", "ko": "편집", "ja": "編集"},
    "attendees": {"en": "Attendees", "ko": "참석자", "ja": "出席者"},
    "add_attendee": {"en": "Add attendee", "ko": "참석자 추가", "ja": "出席者を追加"},
    "remove": {"en": "Remove", "ko": "삭제", "ja": "削除"},
    "end_local": {"en": "End (local time)", "ko": "종료 (현지 시각)", "ja": "終了（現地時刻）"},
    "user_optional": {
        "en": "User name (optional)",
        "ko": "사용자 이름 (선택)",
        "ja": "ユーザー名（任意）",
    },
    "parent": {"en": "Parent commitment", "ko": "상위 약속", "ja": "上位コミットメント"},
    "workstream": {"en": "Workstream", "ko": "의제", "ja": "議題"},
    "weight": {"en": "Weight", "ko": "가중치", "ja": "重み"},
    "review_date": {"en": "Review date", "ko": "검토일", "ja": "見直し日"},
    "deadline_note": {"en": "Deadline note", "ko": "기한 메모", "ja": "期限の注記"},
    "deadline_local": {
        "en": "Deadline (local time in zone)",
        "ko": "기한 (해당 시간대 현지 시각)",
        "ja": "期限（選んだタイムゾーンの現地時刻）",
    },
    "deadline_text": {
        "en": "or as text (2025-12-31, year end)",
        "ko": "또는 텍스트 (2025-12-31, year end)",
        "ja": "または文字で（2025-12-31, year end）",
    },
    "add_milestone": {"en": "Add milestone", "ko": "이정표 추가", "ja": "マイルストーンを追加"},
    "complete": {"en": "Mark done", "ko": "완료 처리", "ja": "完了にする"},
    "due": {"en": "Due", "ko": "예정일", "ja": "期日"},
    "add_evidence": {"en": "Add evidence", "ko": "근거 자료 추가", "ja": "根拠資料を追加"},
    "url": {"en": "Link (URL)", "ko": "링크 (URL)", "ja": "リンク（URL）"},
    "label": {"en": "Label", "ko": "표시 이름", "ja": "表示名"},
    "timeline": {"en": "Timeline", "ko": "일정표", "ja": "タイムライン"},
    "today": {"en": "today", "ko": "오늘", "ja": "今日"},
    "series": {"en": "Meeting series", "ko": "정례 회의", "ja": "定例会議"},
    "new_series": {"en": "New meeting series", "ko": "새 정례 회의", "ja": "新しい定例会議"},
    "rule": {"en": "Recurrence", "ko": "반복 규칙", "ja": "繰り返し"},
    "anchor": {"en": "First meeting (local)", "ko": "첫 회의 (현지)", "ja": "初回（現地時刻）"},
    "generate_until": {
        "en": "Create meetings until",
        "ko": "다음 날짜까지 회의 생성",
        "ja": "この日までの会議を作成",
    },
    "settings": {"en": "Settings", "ko": "설정", "ja": "設定"},
    "change_password": {"en": "Change password", "ko": "비밀번호 변경", "ja": "パスワード変更"},
    "current_password": {"en": "Current password", "ko": "현재 비밀번호", "ja": "現在のパスワード"},
    "new_password": {"en": "New password", "ko": "새 비밀번호", "ja": "新しいパスワード"},
    "rotate_token": {
        "en": "New calendar link (the old one stops working)",
        "ko": "새 캘린더 링크 (이전 링크는 더 이상 작동하지 않음)",
        "ja": "新しいカレンダーリンク（古いリンクは使えなくなります）",
    },
    "deactivate": {"en": "Deactivate", "ko": "비활성화", "ja": "無効化"},
    "inactive": {"en": "inactive", "ko": "비활성", "ja": "無効"},
    "reset_password": {"en": "Set password", "ko": "비밀번호 설정", "ja": "パスワード設定"},
    "my_zone": {"en": "Show times in", "ko": "시각 표시 기준", "ja": "時刻の表示"},
    "times_in": {"en": "Times in", "ko": "표시 시간대", "ja": "表示タイムゾーン"},
    "notifications": {"en": "Notifications", "ko": "알림", "ja": "通知"},
    "mark_read": {"en": "Mark all read", "ko": "모두 읽음 처리", "ja": "すべて既読にする"},
    "unread": {"en": "unread", "ko": "읽지 않음", "ja": "未読"},
    "follow": {"en": "Follow", "ko": "팔로우", "ja": "フォローする"},
    "unfollow": {"en": "Unfollow", "ko": "팔로우 해제", "ja": "フォロー解除"},
    "users": {"en": "Users", "ko": "사용자", "ja": "ユーザー"},
    "new_user": {"en": "New user", "ko": "새 사용자", "ja": "新しいユーザー"},
    "role": {"en": "Role", "ko": "역할", "ja": "役割"},
    "nation": {"en": "Nation", "ko": "국가", "ja": "国"},
    "display_name": {"en": "Display name", "ko": "표시 이름", "ja": "表示名"},
    "email": {"en": "E-mail", "ko": "이메일", "ja": "メール"},
    "attachments": {"en": "Attachments", "ko": "첨부 파일", "ja": "添付ファイル"},
    "upload": {"en": "Upload", "ko": "업로드", "ja": "アップロード"},
    "file": {"en": "File", "ko": "파일", "ja": "ファイル"},
    "new_version": {"en": "New version", "ko": "새 버전", "ja": "新しい版"},
    "note": {"en": "Note", "ko": "메모", "ja": "メモ"},
    "body": {"en": "Text", "ko": "본문", "ja": "本文"},
    "new_document": {"en": "New document", "ko": "새 문서", "ja": "新しい文書"},
    "issued_on": {"en": "Issued on", "ko": "발표일", "ja": "発表日"},
    "source_url": {"en": "Source (URL)", "ko": "출처 (URL)", "ja": "出典（URL）"},
    "new_exercise": {"en": "New exercise", "ko": "새 훈련", "ja": "新しい訓練"},
    "name": {"en": "Name", "ko": "이름", "ja": "名称"},
    "starts_on": {"en": "Starts on", "ko": "시작일", "ja": "開始日"},
    "ends_on": {"en": "Ends on", "ko": "종료일", "ja": "終了日"},
    "scenario_file": {
        "en": "or upload a scenario (TOML)",
        "ko": "또는 시나리오 업로드 (TOML)",
        "ja": "またはシナリオをアップロード（TOML）",
    },
    "attach_run": {
        "en": "Attach a run (timeline.json)",
        "ko": "실행 결과 첨부 (timeline.json)",
        "ja": "実行結果を添付（timeline.json）",
    },
    "launch": {"en": "Launch", "ko": "발사", "ja": "発射"},
    "first_notice": {"en": "First launch notice", "ko": "최초 발사 통보", "ja": "最初の発射通報"},
    "first_area_warning": {
        "en": "First area warning",
        "ko": "최초 지역 경보",
        "ja": "最初の地域警報",
    },
    "alone": {"en": "alone (no partners)", "ko": "단독 (공유 없음)", "ja": "単独（共有なし）"},
    "areas_warned": {"en": "Areas warned", "ko": "경보 지역", "ja": "警報地域"},
    "areas_truth": {"en": "Areas threatened", "ko": "실제 위협 지역", "ja": "実際の脅威地域"},
    "final_impact": {"en": "Final impact", "ko": "최종 낙하", "ja": "最終落下"},
    "messages": {"en": "Messages", "ko": "메시지", "ja": "メッセージ"},
    "seconds_after": {
        "en": "seconds after launch",
        "ko": "발사 후 초",
        "ja": "発射後の秒数",
    },
    "api_docs": {"en": "API docs", "ko": "API 문서", "ja": "API 文書"},
    "revision": {"en": "Revision", "ko": "개정판", "ja": "改訂版"},
    "approvals": {"en": "Approvals", "ko": "승인 현황", "ja": "承認状況"},
    "write_minutes": {
        "en": "Edit minutes (saves a new revision)",
        "ko": "회의록 편집 (새 개정판 저장)",
        "ja": "議事録を編集（新しい改訂版を保存）",
    },
    "create": {"en": "Create", "ko": "생성", "ja": "作成"},
    "set_done": {"en": "done", "ko": "완료", "ja": "完了"},
    "upcoming_only": {"en": "Upcoming only", "ko": "예정된 회의만", "ja": "今後の会議のみ"},
    "changes": {"en": "Changes", "ko": "변경 내용", "ja": "変更内容"},
    "object": {"en": "Record", "ko": "대상", "ja": "対象"},
}


def t(key: str, lang: str) -> str:
    """A UI string in ``lang`` (falls back like content; unknown keys show the key)."""
    entry = UI.get(key)
    if entry is None:
        return key
    return pick(entry, lang) or key


#: Labels of coded values (statuses, kinds, domains, views); codes stay English in data and API.
VALUES: dict[str, dict[str, str]] = {
    "draft": {"en": "draft", "ko": "초안", "ja": "草案"},
    "open": {"en": "open", "ko": "진행 전", "ja": "未着手"},
    "in_progress": {"en": "in progress", "ko": "진행 중", "ja": "進行中"},
    "at_risk": {"en": "at risk", "ko": "지연 위험", "ja": "遅延リスク"},
    "done": {"en": "done", "ko": "완료", "ja": "完了"},
    "cancelled": {"en": "cancelled", "ko": "취소", "ja": "中止"},
    "scheduled": {"en": "scheduled", "ko": "예정", "ja": "予定"},
    "held": {"en": "held", "ko": "개최됨", "ja": "開催済み"},
    "approved": {"en": "approved", "ko": "승인됨", "ja": "承認済み"},
    "locked": {"en": "locked", "ko": "확정됨", "ja": "確定済み"},
    "information": {"en": "information", "ko": "정보", "ja": "情報"},
    "decision": {"en": "decision", "ko": "결정", "ja": "決定"},
    "commitment": {"en": "commitment", "ko": "약속", "ja": "コミットメント"},
    "active": {"en": "active", "ko": "활성", "ja": "活動中"},
    "paused": {"en": "paused", "ko": "보류", "ja": "保留"},
    "closed": {"en": "closed", "ko": "종료", "ja": "終了"},
    "planned": {"en": "planned", "ko": "계획됨", "ja": "計画中"},
    "conducted": {"en": "conducted", "ko": "실시됨", "ja": "実施済み"},
    "joint_statement": {"en": "joint statement", "ko": "공동성명", "ja": "共同声明"},
    "agreement": {"en": "agreement", "ko": "협정", "ja": "取決め"},
    "framework": {"en": "framework", "ko": "프레임워크", "ja": "枠組み"},
    "other": {"en": "other", "ko": "기타", "ja": "その他"},
    "air_missile_defence": {
        "en": "air and missile defence",
        "ko": "방공·미사일 방어",
        "ja": "防空・ミサイル防衛",
    },
    "maritime": {"en": "maritime", "ko": "해양", "ja": "海洋"},
    "cyber": {"en": "cyber", "ko": "사이버", "ja": "サイバー"},
    "space": {"en": "space", "ko": "우주", "ja": "宇宙"},
    "all": {"en": "all", "ko": "전체", "ja": "すべて"},
    "overdue": {"en": "overdue", "ko": "기한 초과", "ja": "期限超過"},
    "due_soon": {"en": "due soon", "ko": "기한 임박", "ja": "期限間近"},
    "review_due": {"en": "review due", "ko": "검토 예정", "ja": "見直し時期"},
    "viewer": {"en": "viewer", "ko": "열람자", "ja": "閲覧者"},
    "staff": {"en": "staff", "ko": "실무자", "ja": "担当者"},
    "approver": {"en": "approver", "ko": "승인권자", "ja": "承認者"},
    "admin": {"en": "admin", "ko": "관리자", "ja": "管理者"},
    "summit": {"en": "summit", "ko": "정상회의", "ja": "首脳会談"},
    "foreign_ministerial": {"en": "foreign ministerial", "ko": "외교장관회의", "ja": "外相会合"},
    "defense_ministerial": {"en": "defense ministerial", "ko": "국방장관회의", "ja": "防衛相会談"},
    "dtt": {"en": "defense trilateral talks", "ko": "3자 안보회의", "ja": "日米韓防衛実務者協議"},
    "working_group": {"en": "working group", "ko": "실무그룹", "ja": "作業部会"},
    "head_of_delegation": {"en": "head of delegation", "ko": "수석대표", "ja": "首席代表"},
    "member": {"en": "member", "ko": "대표단원", "ja": "代表団員"},
    "observer": {"en": "observer", "ko": "옵서버", "ja": "オブザーバー"},
}


def label(value: str, lang: str) -> str:
    """The label of a coded value in ``lang`` (unknown codes are shown as they are)."""
    entry = VALUES.get(value)
    return pick(entry, lang) if entry else value
