"""Recurring series across years and time zones (Seoul, Tokyo, Washington, Honolulu)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from trilink.secretariat.errors import ValidationError
from trilink.secretariat.models import User
from trilink.secretariat.recurrence import Rule, occurrences, parse_rule, to_utc
from trilink.secretariat.services import Secretariat

UNTIL = dt.datetime(2030, 12, 31, tzinfo=dt.UTC)


def test_parse_rules() -> None:
    assert parse_rule("annually") == Rule("yearly")
    assert parse_rule("Every 2 years") == Rule("yearly", 2)
    assert parse_rule("quarterly") == Rule("monthly", 3)
    assert parse_rule("third week of April") == Rule("yearly", 1, 4, 3, None)
    assert parse_rule("last Friday of May") == Rule("yearly", 1, 5, -1, 4)
    assert parse_rule("annually on the 2nd tuesday of november") == Rule("yearly", 1, 11, 2, 1)
    for bad in (
        "fortnightly-ish",
        "thirteenth week of April",
        "every 0 years",
        "third week of Smarch",
    ):
        with pytest.raises(ValidationError, match="cannot read"):
            parse_rule(bad)


@pytest.mark.parametrize(
    ("tz", "utc_hours"),
    [
        # 10:00 local every year; Seoul/Tokyo are UTC+9 with no DST, Honolulu UTC-10 with no DST
        ("Asia/Seoul", {1}),
        ("Asia/Tokyo", {1}),
        ("Pacific/Honolulu", {20}),
        # Washington observes DST: third week of April is always EDT (UTC-4) ...
        ("America/New_York", {14}),
    ],
)
def test_third_week_of_april_across_years(tz: str, utc_hours: set[int]) -> None:
    anchor = dt.datetime(2024, 4, 16, 10, 0)  # a Tuesday
    starts = occurrences(parse_rule("third week of April"), anchor, ZoneInfo(tz), until=UNTIL)
    assert len(starts) == 7  # 2024..2030
    for start in starts:
        local = start.astimezone(ZoneInfo(tz))
        assert local.month == 4 and local.weekday() == 1 and 15 <= local.day <= 21
        assert (local.hour, local.minute) == (10, 0)
        assert start.hour in utc_hours
    assert [s.astimezone(ZoneInfo(tz)).day for s in starts] == [16, 15, 21, 20, 18, 17, 16]


def test_local_time_is_kept_across_daylight_saving() -> None:
    # monthly 09:00 in Washington: UTC offset alternates between -5 (EST) and -4 (EDT)
    ny = ZoneInfo("America/New_York")
    starts = occurrences(
        parse_rule("monthly"),
        dt.datetime(2024, 1, 10, 9, 0),
        ny,
        until=dt.datetime(2024, 12, 31, tzinfo=dt.UTC),
    )
    assert [s.astimezone(ny).hour for s in starts] == [9] * 12
    assert [s.hour for s in starts] == [14, 14, 13, 13, 13, 13, 13, 13, 13, 13, 14, 14]
    # the same instant is 23:00 or 22:00 in Seoul depending on Washington's DST
    seoul = {s.astimezone(ZoneInfo("Asia/Seoul")).hour for s in starts}
    assert seoul == {22, 23}


def test_annual_on_leap_day_and_dst_gap() -> None:
    starts = occurrences(
        parse_rule("annually"), dt.datetime(2024, 2, 29, 12, 0), ZoneInfo("Asia/Tokyo"), until=UNTIL
    )
    assert [s.astimezone(ZoneInfo("Asia/Tokyo")).date().isoformat() for s in starts[:2]] == [
        "2024-02-29",
        "2025-02-28",
    ]
    # 02:30 does not exist in Washington on 2025-03-09: it moves forward by the gap
    utc = to_utc(dt.datetime(2025, 3, 9, 2, 30), ZoneInfo("America/New_York"))
    assert utc.astimezone(ZoneInfo("America/New_York")).hour == 3


def test_series_generation_is_idempotent(users: dict[str, User], svc) -> None:  # type: ignore[no-untyped-def]
    s: Secretariat = svc(users["usa_staff"])
    series = s.create_series(
        "dtt",
        "dtt",
        "Defense Trilateral Talks",
        rule="third week of April",
        tz="Pacific/Honolulu",
        anchor="2024-04-16T09:00",
        duration_min=240,
    )
    made = s.generate_meetings(series.id, "2027-12-31")
    assert len(made) == 4
    assert s.generate_meetings(series.id, "2027-12-31") == []
    assert len(s.generate_meetings(series.id, "2028-12-31")) == 1
    m = s.list_meetings(series_id=series.id)[0]
    assert m.ends_at - m.starts_at == dt.timedelta(hours=4)
    assert m.starts_at == dt.datetime(2024, 4, 16, 19, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="time zone"):
        s.create_series(
            "x", "dtt", "x", rule="annually", tz="Mars/Olympus", anchor="2024-01-01T09:00"
        )
