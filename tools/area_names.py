"""Codes and en/ko/ja names of the warning areas, used by ``tools/build_areas.py``."""

from __future__ import annotations

__all__ = ["JP_PREFECTURES", "KR_SIDO", "US_AREAS"]

#: ISO 3166-2 number -> (English, Korean, Japanese), for JP-01..JP-47.
JP_PREFECTURES: dict[int, tuple[str, str, str]] = {
    1: ("Hokkaido", "홋카이도", "北海道"),
    2: ("Aomori", "아오모리현", "青森県"),
    3: ("Iwate", "이와테현", "岩手県"),
    4: ("Miyagi", "미야기현", "宮城県"),
    5: ("Akita", "아키타현", "秋田県"),
    6: ("Yamagata", "야마가타현", "山形県"),
    7: ("Fukushima", "후쿠시마현", "福島県"),
    8: ("Ibaraki", "이바라키현", "茨城県"),
    9: ("Tochigi", "도치기현", "栃木県"),
    10: ("Gunma", "군마현", "群馬県"),
    11: ("Saitama", "사이타마현", "埼玉県"),
    12: ("Chiba", "지바현", "千葉県"),
    13: ("Tokyo", "도쿄도", "東京都"),
    14: ("Kanagawa", "가나가와현", "神奈川県"),
    15: ("Niigata", "니가타현", "新潟県"),
    16: ("Toyama", "도야마현", "富山県"),
    17: ("Ishikawa", "이시카와현", "石川県"),
    18: ("Fukui", "후쿠이현", "福井県"),
    19: ("Yamanashi", "야마나시현", "山梨県"),
    20: ("Nagano", "나가노현", "長野県"),
    21: ("Gifu", "기후현", "岐阜県"),
    22: ("Shizuoka", "시즈오카현", "静岡県"),
    23: ("Aichi", "아이치현", "愛知県"),
    24: ("Mie", "미에현", "三重県"),
    25: ("Shiga", "시가현", "滋賀県"),
    26: ("Kyoto", "교토부", "京都府"),
    27: ("Osaka", "오사카부", "大阪府"),
    28: ("Hyogo", "효고현", "兵庫県"),
    29: ("Nara", "나라현", "奈良県"),
    30: ("Wakayama", "와카야마현", "和歌山県"),
    31: ("Tottori", "돗토리현", "鳥取県"),
    32: ("Shimane", "시마네현", "島根県"),
    33: ("Okayama", "오카야마현", "岡山県"),
    34: ("Hiroshima", "히로시마현", "広島県"),
    35: ("Yamaguchi", "야마구치현", "山口県"),
    36: ("Tokushima", "도쿠시마현", "徳島県"),
    37: ("Kagawa", "가가와현", "香川県"),
    38: ("Ehime", "에히메현", "愛媛県"),
    39: ("Kochi", "고치현", "高知県"),
    40: ("Fukuoka", "후쿠오카현", "福岡県"),
    41: ("Saga", "사가현", "佐賀県"),
    42: ("Nagasaki", "나가사키현", "長崎県"),
    43: ("Kumamoto", "구마모토현", "熊本県"),
    44: ("Oita", "오이타현", "大分県"),
    45: ("Miyazaki", "미야자키현", "宮崎県"),
    46: ("Kagoshima", "가고시마현", "鹿児島県"),
    47: ("Okinawa", "오키나와현", "沖縄県"),
}

#: Korean administrative (statistical) sido code in the source -> (ISO 3166-2, en, ko, ja).
#: The source predates two renamings; the ISO codes are the current ones (Gangwon KR-51 since
#: 2023, Jeonbuk KR-52 since 2024).
KR_SIDO: dict[str, tuple[str, str, str, str]] = {
    "11": ("KR-11", "Seoul", "서울특별시", "ソウル特別市"),
    "26": ("KR-26", "Busan", "부산광역시", "釜山広域市"),
    "27": ("KR-27", "Daegu", "대구광역시", "大邱広域市"),
    "28": ("KR-28", "Incheon", "인천광역시", "仁川広域市"),
    "29": ("KR-29", "Gwangju", "광주광역시", "光州広域市"),
    "30": ("KR-30", "Daejeon", "대전광역시", "大田広域市"),
    "31": ("KR-31", "Ulsan", "울산광역시", "蔚山広域市"),
    "36": ("KR-50", "Sejong", "세종특별자치시", "世宗特別自治市"),
    "41": ("KR-41", "Gyeonggi", "경기도", "京畿道"),
    "42": ("KR-51", "Gangwon", "강원특별자치도", "江原特別自治道"),
    "43": ("KR-43", "North Chungcheong", "충청북도", "忠清北道"),
    "44": ("KR-44", "South Chungcheong", "충청남도", "忠清南道"),
    "45": ("KR-52", "Jeonbuk", "전북특별자치도", "全北特別自治道"),
    "46": ("KR-46", "South Jeolla", "전라남도", "全羅南道"),
    "47": ("KR-47", "North Gyeongsang", "경상북도", "慶尚北道"),
    "48": ("KR-48", "South Gyeongsang", "경상남도", "慶尚南道"),
    "50": ("KR-49", "Jeju", "제주특별자치도", "済州特別自治道"),
}

#: US areas in the theatre: ISO 3166-2 -> (en, ko, ja).
US_AREAS: dict[str, tuple[str, str, str]] = {
    "US-GU": ("Guam", "괌", "グアム"),
    "US-MP": ("Northern Mariana Islands", "북마리아나 제도", "北マリアナ諸島"),
    "US-HI": ("Hawaii", "하와이주", "ハワイ州"),
    "US-AK": ("Alaska", "알래스카주", "アラスカ州"),
}
