"""iCalendar feed: parsed back with the icalendar library; access-checked."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from trilink.secretariat.ical import build_calendar
from trilink.secretariat.models import User


def test_feed_parses_back_and_obeys_visibility(users: dict[str, User], svc) -> None:  # type: ignore[no-untyped-def]
    s = svc(users["kor_staff"])
    shared = s.create_meeting(
        {"en": "Summit", "ko": "정상회의"},
        start="2025-08-18T10:00",
        tz="America/New_York",
        location="Camp David",
    )
    secret = s.create_meeting(
        "KOR-only prep", start="2025-08-17T10:00", tz="Asia/Seoul", visible_to="KOR"
    )
    c = s.create_commitment(
        {"en": "Hotline", "ja": "ホットライン"}, owners="all", deadline="2025-12-31"
    )
    s.create_commitment("Closed", owners="all", deadline="2025-06-01", status="done")

    cal = Calendar.from_ical(build_calendar(svc(users["jpn_viewer"]), "ja"))
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert f"meeting-{shared.id}@trilink.local" in events
    assert f"meeting-{secret.id}@trilink.local" not in events  # JPN may not see it
    ev = events[f"meeting-{shared.id}@trilink.local"]
    assert ev.decoded("DTSTART") == dt.datetime(2025, 8, 18, 14, 0, tzinfo=dt.UTC)
    assert str(ev["SUMMARY"]) == "Summit"  # no Japanese text: falls back to English
    assert str(ev["LOCATION"]) == "Camp David"
    deadline = events[f"commitment-{c.id}-deadline@trilink.local"]
    assert str(deadline["SUMMARY"]) == "期限: ホットライン"
    assert deadline.decoded("DTSTART") == dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert len(list(deadline.walk("VALARM"))) == 1
    assert len(events) == 2  # the done commitment has no deadline entry

    kor = Calendar.from_ical(build_calendar(svc(users["kor_viewer"]), "ko"))
    summaries = {str(e["SUMMARY"]) for e in kor.walk("VEVENT")}
    assert {"정상회의", "KOR-only prep"} <= summaries
