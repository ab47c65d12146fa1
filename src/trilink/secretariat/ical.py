"""iCalendar feeds: meetings and commitment deadlines a user may see.

A feed is always built through a :class:`Secretariat` bound to the user, so it obeys the same
access check as every page. An item that cannot be written (a date outside what iCalendar and
Python's datetime can represent, stored before input was checked) is left out of the feed rather
than breaking every user's calendar. Feeds are fetched by URL with a per-user token (calendar
clients cannot log in); the token can be rotated.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Alarm, Calendar, Event

from trilink.secretariat.i18n import pick, t
from trilink.secretariat.models import Commitment, Meeting
from trilink.secretariat.services import Secretariat
from trilink.secretariat.validate import MAX_YEAR, MIN_YEAR

__all__ = ["PRODID", "build_calendar"]

PRODID = "-//trilink//secretariat//EN"
_STATUS = {"draft": "TENTATIVE", "scheduled": "CONFIRMED", "held": "CONFIRMED"}


def build_calendar(svc: Secretariat, lang: str = "en", *, host: str = "trilink.local") -> bytes:
    """The user's calendar: visible meetings and open commitments' deadlines."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", t("app_title", lang))
    stamp = svc.now()
    for m in svc.list_meetings():
        try:
            cal.add_component(_meeting_event(m, stamp, lang, host))
        except (OverflowError, ValueError):
            continue
    for c in svc.list_commitments():
        if c.deadline is None or c.status in ("done", "cancelled"):
            continue
        try:
            cal.add_component(_deadline_event(c, stamp, lang, host))
        except (OverflowError, ValueError):
            continue
    data: bytes = cal.to_ical()
    return data


def _meeting_event(m: Meeting, stamp: dt.datetime, lang: str, host: str) -> Event:
    if not _sane(m.starts_at) or not _sane(m.ends_at):
        raise ValueError("meeting time out of range")
    ev = Event()
    ev.add("uid", f"meeting-{m.id}@{host}")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", m.starts_at)
    ev.add("dtend", m.ends_at)
    ev.add("summary", pick(m.title, lang))
    if m.location:
        ev.add("location", m.location)
    ev.add("status", "CANCELLED" if m.status == "cancelled" else _STATUS[m.status])
    ev.add("categories", ["meeting"])
    ev.add("x-trilink-visible-to", ",".join(m.visible_to))
    return ev


def _deadline_event(c: Commitment, stamp: dt.datetime, lang: str, host: str) -> Event:
    assert c.deadline is not None
    if not _sane(c.deadline):
        raise ValueError("deadline out of range")
    ev = Event()
    ev.add("uid", f"commitment-{c.id}-deadline@{host}")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", c.deadline)
    ev.add("dtend", c.deadline + dt.timedelta(minutes=1))
    ev.add("summary", f"{t('deadline', lang)}: {pick(c.title, lang)}")
    ev.add("description", f"{t('owners', lang)}: {c.owners}")
    ev.add("categories", ["deadline"])
    ev.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", pick(c.title, lang))
    alarm.add("trigger", dt.timedelta(days=-7))
    ev.add_component(alarm)
    return ev


def _sane(when: dt.datetime) -> bool:
    return MIN_YEAR <= when.year <= MAX_YEAR
