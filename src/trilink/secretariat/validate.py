"""Input validation: every value that enters the secretariat passes through here.

Errors name the field and say what is wrong in one line. Text is stored as text and templates
escape it on output; a complete HTML tag (``<b>``, ``<img ...>``) is still refused, while plain
``<`` and ``&`` (``budget < target``) are fine. Control characters and bidirectional override
characters (which can make a title read differently from what it is) are refused. Dates and
instants must lie in the years 1900 to 2200, so no calendar arithmetic can overflow.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trilink import NATIONS
from trilink.secretariat.errors import ValidationError
from trilink.secretariat.i18n import LANGS

__all__ = [
    "MAX_BODY",
    "MAX_TITLE",
    "MAX_YEAR",
    "MIN_YEAR",
    "ROLES",
    "check_choice",
    "check_key",
    "check_text",
    "check_url",
    "check_year",
    "i18n_field",
    "nations",
    "parse_date",
    "parse_deadline",
    "timezone",
]

MAX_TITLE = 500
MAX_BODY = 100_000
ROLES: tuple[str, ...] = ("viewer", "staff", "approver", "admin")
#: the window of accepted dates: wide enough for history and long plans, far from datetime's edges
MIN_YEAR = 1900
MAX_YEAR = 2200

# A complete tag or comment; "budget < target" is text.
_TAG = re.compile(r"<[/!?]?[A-Za-z][^<>]*>|<!--")
# C0 and C1 controls (tab and newlines allowed), and the bidi embeddings, overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def check_text(field: str, value: Any, *, limit: int = MAX_TITLE, required: bool = True) -> str:
    """A plain-text value: a string, not too long, no control characters, no markup."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{field}: expected text, got {type(value).__name__}")
    if len(value) > limit:
        raise ValidationError(f"{field}: too long ({len(value)} characters; at most {limit})")
    text: str = value.strip()
    if required and not text:
        raise ValidationError(f"{field}: must not be empty")
    if _CONTROL.search(text):
        raise ValidationError(f"{field}: contains control characters or bidirectional overrides")
    if _TAG.search(text):
        raise ValidationError(f"{field}: HTML markup is not allowed in text fields")
    return text


def i18n_field(
    field: str, value: Any, *, limit: int = MAX_TITLE, required: bool = True
) -> dict[str, str]:
    """A translatable field: a plain string (taken as English) or ``{lang: text}``."""
    if isinstance(value, str) or value is None:
        value = {"en": value or ""}
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field}: expected text or an object of en/ko/ja texts")
    out: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in LANGS:
            raise ValidationError(f"{field}: unknown language {lang!r} (use en, ko, ja)")
        clean = check_text(f"{field}.{lang}", text, limit=limit, required=False)
        if clean:
            out[lang] = clean
    if required and not out:
        raise ValidationError(f"{field}: must not be empty")
    return out


def nations(field: str, value: Any, *, allow_empty: bool = False) -> tuple[str, ...]:
    """A set of nations (``"KOR,JPN"``, a list, or ``"all"``) in canonical order."""
    if value is None or value == "all" or value == ["all"]:
        items: Iterable[Any] = NATIONS
    elif isinstance(value, str):
        items = [v for v in re.split(r"[,\s]+", value) if v]
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    else:
        raise ValidationError(f"{field}: expected nation codes such as KOR,USA,JPN")
    found = set()
    for item in items:
        if not isinstance(item, str):
            raise ValidationError(f"{field}: nation codes must be text")
        code = item.strip().upper()
        if code not in NATIONS:
            raise ValidationError(
                f"{field}: unknown nation {item[:20]!r} (use {', '.join(NATIONS)})"
            )
        found.add(code)
    if not found and not allow_empty:
        raise ValidationError(f"{field}: name at least one nation")
    return tuple(n for n in NATIONS if n in found)


def check_choice(field: str, value: Any, choices: Iterable[str]) -> str:
    """One of a fixed set of values."""
    options = tuple(choices)
    if value not in options:
        shown = str(value)[:40]
        raise ValidationError(f"{field}: {shown!r} is not one of {', '.join(options)}")
    return str(value)


def check_key(field: str, value: Any) -> str:
    """A stable identifier: lower case letters, digits, '.', '_' and '-'."""
    if not isinstance(value, str) or not _KEY.match(value):
        raise ValidationError(f"{field}: use 1-64 lower-case letters, digits, '.', '_' or '-'")
    return value


def check_url(field: str, value: Any) -> str:
    """An http(s) URL (never ``javascript:`` or ``data:``)."""
    text = check_text(field, value, limit=2000)
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError(f"{field}: must be an http or https URL")
    return text


def timezone(field: str, value: Any) -> ZoneInfo:
    """An IANA time zone such as Asia/Seoul."""
    if not isinstance(value, str) or not value or ".." in value or value.startswith("/"):
        raise ValidationError(f"{field}: expected an IANA time zone such as Asia/Seoul")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{field}: unknown time zone {value[:60]!r}") from exc


def check_year(field: str, year: int) -> int:
    """A year inside the accepted window (1900 to 2200)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"{field}: year {year} is outside {MIN_YEAR} to {MAX_YEAR}")
    return year


def parse_date(field: str, value: Any) -> dt.date:
    """A calendar date ``YYYY-MM-DD`` in the years 1900 to 2200."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        check_year(field, value.year)
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValidationError(f"{field}: {str(value)[:40]!r} is not a date (use YYYY-MM-DD)")
    check_year(field, int(value.strip()[:4]))
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationError(f"{field}: {value!r} is not a real date ({exc})") from exc


def _end_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz).astimezone(dt.UTC)


def parse_deadline(
    field: str, value: Any, *, now: dt.datetime, tz: dt.tzinfo = dt.UTC
) -> dt.datetime | None:
    """A deadline as an aware UTC datetime in the years 1900 to 2200 (see :func:`_deadline`)."""
    found = _deadline(field, value, now=now, tz=tz)
    if found is not None:
        check_year(field, found.year)
    return found


def _deadline(
    field: str, value: Any, *, now: dt.datetime, tz: dt.tzinfo = dt.UTC
) -> dt.datetime | None:
    """A deadline as an aware UTC datetime.

    Accepts ISO dates (end of that day in ``tz``), ISO datetimes with an offset, ``YYYY-MM``
    (end of month), ``end of YYYY`` and ``year end`` / ``by year end`` (end of the current year
    by the injected clock), or nothing. Anything else is refused with an example.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValidationError(f"{field}: datetime needs a time zone offset")
        check_year(field, value.year)  # before astimezone, which could overflow at the edges
        return value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return _end_of_day(value, tz)
    if not isinstance(value, str) or len(value) > 64:
        raise ValidationError(f"{field}: expected a date such as 2025-12-31")
    text = value.strip().lower()
    m = re.fullmatch(r"(?:by )?(?:the )?(?:end of (?:the )?year|year[- ]end)", text)
    if m:
        return _end_of_day(dt.date(now.astimezone(tz).year, 12, 31), tz)
    m = re.fullmatch(r"(?:by )?(?:the )?end of (\d{4})", text)
    if m:
        return _end_of_day(dt.date(check_year(field, int(m.group(1))), 12, 31), tz)
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m:
        year, month = check_year(field, int(m.group(1))), int(m.group(2))
        if not 1 <= month <= 12:
            raise ValidationError(f"{field}: {value!r} has no month {month}")
        return _end_of_day(dt.date(year, month, calendar.monthrange(year, month)[1]), tz)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return _end_of_day(parse_date(field, text), tz)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[t ][\d:.]+(z|[+-]\d{2}:?\d{2})", text):
        check_year(field, int(text[:4]))
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("z", "Z"))
        except ValueError as exc:
            raise ValidationError(
                f"{field}: {value!r} is not a real date and time ({exc})"
            ) from exc
        return parsed.astimezone(dt.UTC)
    raise ValidationError(
        f"{field}: cannot read {value[:40]!r} as a deadline "
        "(use 2025-12-31, 2025-12, 2025-12-31T09:00+09:00, 'end of 2025' or 'year end')"
    )
