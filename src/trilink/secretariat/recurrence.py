"""Recurring meeting rules, generated as local wall time in the series' time zone.

Rules are short phrases a secretariat writes: ``annually``, ``every 2 years``, ``monthly``,
``quarterly``, ``every 6 months``, ``weekly``, ``every 2 weeks``, ``third week of April``,
``third Tuesday of April``, ``last Friday of May``. "Nth week of <month>" means the Nth
occurrence of the anchor's weekday in that month (so a Tuesday anchor gives the third Tuesday).
The time of day comes from the anchor and is kept as *local* time: a 10:00 Washington meeting
stays at 10:00 across daylight-saving changes, so its UTC instant moves by an hour.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from trilink.secretariat.errors import ValidationError

__all__ = ["Rule", "occurrences", "parse_rule", "to_utc"]

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_ORD_NUM = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}


@dataclass(frozen=True)
class Rule:
    """A parsed rule. ``nth``/``weekday`` select a weekday within ``month`` (yearly only)."""

    freq: str  # yearly | monthly | weekly
    interval: int = 1
    month: int | None = None
    nth: int | None = None
    weekday: int | None = None  # None: take the anchor's weekday


def parse_rule(text: str) -> Rule:
    """Parse a rule phrase; unknown phrases get an error listing what is understood."""
    s = " ".join(str(text).lower().split())
    if s in ("annually", "yearly", "every year"):
        return Rule("yearly")
    if s in ("monthly", "every month"):
        return Rule("monthly")
    if s == "quarterly":
        return Rule("monthly", 3)
    if s in ("weekly", "every week"):
        return Rule("weekly")
    m = re.fullmatch(r"every (\d{1,2}) (year|month|week)s?", s)
    if m and int(m.group(1)) >= 1:
        freq = {"year": "yearly", "month": "monthly", "week": "weekly"}[m.group(2)]
        return Rule(freq, int(m.group(1)))
    ords = "|".join([*_ORDINALS, *_ORD_NUM])
    m = re.fullmatch(
        rf"(?:(?:annually|yearly|every year) (?:in|on) )?(?:the )?({ords}) (\w+) (?:of|in) (\w+)", s
    )
    if m and m.group(3) in _MONTHS:
        nth = _ORDINALS.get(m.group(1)) or _ORD_NUM[m.group(1)]
        what = m.group(2)
        if what == "week":
            return Rule("yearly", 1, _MONTHS[m.group(3)], nth, None)
        if what in _WEEKDAYS:
            return Rule("yearly", 1, _MONTHS[m.group(3)], nth, _WEEKDAYS[what])
    raise ValidationError(
        f"rule: cannot read {str(text)[:60]!r} (use 'annually', 'every 2 years', 'quarterly', "
        "'monthly', 'weekly', 'third week of April' or 'last Friday of May')"
    )


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date | None:
    days = [
        dt.date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if dt.date(year, month, d).weekday() == weekday
    ]
    if nth == -1:
        return days[-1]
    return days[nth - 1] if nth <= len(days) else None


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def to_utc(local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Local wall time -> UTC.

    With ``fold=0`` (PEP 495) an ambiguous time (clocks going back) is its first occurrence, and
    a time skipped by a DST jump is read with the offset before the jump, i.e. it moves forward
    by the gap (02:30 on a spring-forward night becomes 03:30).
    """
    return local.replace(tzinfo=tz, fold=0).astimezone(dt.UTC)


def occurrences(
    rule: Rule, anchor: dt.datetime, tz: ZoneInfo, *, until: dt.datetime, limit: int = 500
) -> list[dt.datetime]:
    """UTC start instants from the naive local ``anchor`` up to the aware ``until`` (inclusive)."""
    if anchor.tzinfo is not None:
        raise ValueError("anchor must be naive local wall time")
    out: list[dt.datetime] = []
    step = 0
    while len(out) < limit:
        if rule.freq == "weekly":
            day: dt.date | None = anchor.date() + dt.timedelta(weeks=step * rule.interval)
        elif rule.freq == "monthly":
            day = _add_months(anchor.date(), step * rule.interval)
        elif rule.month is None:
            year = anchor.year + step * rule.interval
            day = dt.date(
                year, anchor.month, min(anchor.day, calendar.monthrange(year, anchor.month)[1])
            )
        else:
            year = anchor.year + step * rule.interval
            weekday = anchor.weekday() if rule.weekday is None else rule.weekday
            day = _nth_weekday(year, rule.month, weekday, rule.nth or 1)
        step += 1
        if day is None:  # e.g. no fifth Tuesday this year
            if step > limit * 2:
                break
            continue
        start = to_utc(dt.datetime.combine(day, anchor.time()), tz)
        if start > until:
            break
        if day >= anchor.date():
            out.append(start)
    return out
