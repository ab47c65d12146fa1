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
}


def label(value: str, lang: str) -> str:
    """The label of a coded value in ``lang`` (unknown codes are shown as they are)."""
    entry = VALUES.get(value)
    return pick(entry, lang) if entry else value
