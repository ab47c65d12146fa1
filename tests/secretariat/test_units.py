"""Small units: validation, i18n fallback, password hashing."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest

from trilink.secretariat.errors import ValidationError
from trilink.secretariat.i18n import LANGS, UI, catalogue, pick, pick_with_lang, t
from trilink.secretariat.services import hash_password, verify_password
from trilink.secretariat.validate import check_url, i18n_field, nations, parse_deadline

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def test_every_ui_string_exists_in_every_language() -> None:
    missing = [(k, lang) for k, v in UI.items() for lang in LANGS if not v.get(lang)]
    assert missing == []
    assert t("commitments", "ko") == "약속 사항" and t("commitments", "xx") == "Commitments"


def test_the_message_catalogue_is_shipped_and_checked() -> None:
    shipped = resources.files("trilink.secretariat").joinpath("messages.toml").read_text("utf-8")
    ui, values = catalogue(shipped)
    assert ui is not UI and ui == UI and len(values) > 40
    assert all(set(entry) == set(LANGS) for entry in [*ui.values(), *values.values()])
    with pytest.raises(ValueError, match=r"ui.save lacks \['ja'\]"):
        catalogue('[ui]\nsave = { en = "Save", ko = "저장" }\n[values]\n')


def test_content_fallback_order() -> None:
    text = {"ko": "우주 안보", "ja": "宇宙安全保障"}
    assert pick_with_lang(text, "ja") == ("宇宙安全保障", "ja")
    assert pick_with_lang(text, "en") == ("우주 안보", "ko")  # en missing: ko before ja
    assert pick({"ja": "only"}, "en") == "only"
    assert pick({}, "en") == "" and pick(None, "ko") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-12-31", dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=dt.UTC)),
        ("2024-02", dt.datetime(2024, 2, 29, 23, 59, 59, tzinfo=dt.UTC)),
        ("year end", dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=dt.UTC)),
        (
            "operational by year end"[len("operational ") :],
            dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        ),
        ("end of 2027", dt.datetime(2027, 12, 31, 23, 59, 59, tzinfo=dt.UTC)),
        ("2025-12-31T09:00+09:00", dt.datetime(2025, 12, 31, 0, 0, tzinfo=dt.UTC)),
        ("2025-12-31T09:00Z", dt.datetime(2025, 12, 31, 9, 0, tzinfo=dt.UTC)),
        (None, None),
    ],
)
def test_deadlines(text: str | None, expected: dt.datetime | None) -> None:
    assert parse_deadline("deadline", text, now=NOW) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-02-30",
        "2025-13",
        "31/12/2025",
        "soon",
        "2025-12-31T25:00+00:00",
        "2025-12-31T09:00",
        20251231,
    ],
)
def test_impossible_deadlines(text: object) -> None:
    with pytest.raises(ValidationError, match="deadline"):
        parse_deadline("deadline", text, now=NOW)


def test_nations_and_texts() -> None:
    assert nations("n", "jpn, kor") == ("KOR", "JPN")
    assert nations("n", "all") == ("KOR", "USA", "JPN")
    for bad in ("KOR,CHN", ["USA", 7], "", 42):
        with pytest.raises(ValidationError):
            nations("n", bad)
    assert i18n_field("title", "Plain") == {"en": "Plain"}
    with pytest.raises(ValidationError, match="unknown language"):
        i18n_field("title", {"fr": "Bonjour"})
    with pytest.raises(ValidationError, match="control characters"):
        i18n_field("title", "bell\x07")
    for bad_url in ("javascript:alert(1)", "data:text/html,x", "ftp://x.test/", "https://"):
        with pytest.raises(ValidationError):
            check_url("url", bad_url)


def test_password_hashing() -> None:
    stored = hash_password("correct horse", n=2**4)
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong horse", stored)
    assert not verify_password("correct horse", "garbage")
    assert not verify_password("correct horse", stored.replace("$16$", "$15$"))


def test_every_value_label_exists_in_every_language() -> None:
    from trilink.secretariat.i18n import VALUES, label
    from trilink.secretariat.services import (
        COMMITMENT_STATUSES,
        COMMITMENT_VIEWS,
        DOCUMENT_KINDS,
        DOMAINS,
        MEETING_STATUSES,
        OUTCOME_KINDS,
        WORKSTREAM_STATUSES,
    )

    codes = {*COMMITMENT_STATUSES, *COMMITMENT_VIEWS, *DOCUMENT_KINDS, *DOMAINS, *MEETING_STATUSES}
    codes |= {*OUTCOME_KINDS, *WORKSTREAM_STATUSES, "approved", "locked", "planned", "conducted"}
    assert codes <= set(VALUES)
    assert [(c, lang) for c in codes for lang in LANGS if not VALUES[c].get(lang)] == []
    assert label("in_progress", "ja") == "進行中" and label("mystery", "ko") == "mystery"


def test_deadlines_outside_the_window_are_refused_before_any_arithmetic() -> None:
    edge = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    for value in (edge, dt.date(9999, 12, 31), "9999-12-31", "end of 0000", "2201-01"):
        with pytest.raises(ValidationError, match="outside 1900 to 2200"):
            parse_deadline("deadline", value, now=NOW)
    assert parse_deadline("deadline", "2200-12-31", now=NOW) is not None
