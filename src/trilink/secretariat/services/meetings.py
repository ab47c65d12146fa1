"""Meeting series, meetings and their agendas."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from trilink.secretariat.access import visible_filter
from trilink.secretariat.errors import ConflictError, ValidationError, not_found
from trilink.secretariat.models import (
    AgendaItem,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    Minutes,
    User,
    Workstream,
)
from trilink.secretariat.recurrence import occurrences, parse_rule, to_utc
from trilink.secretariat.services.base import ServiceBase, snapshot
from trilink.secretariat.validate import (
    check_choice,
    check_key,
    check_text,
    check_year,
    i18n_field,
    nations,
    parse_date,
    timezone,
)

__all__ = ["ATTENDEE_ROLES", "MEETING_STATUSES", "SERIES_KINDS", "MeetingServices"]

MEETING_STATUSES = ("draft", "scheduled", "held", "cancelled")
ATTENDEE_ROLES = ("head_of_delegation", "member", "observer")
SERIES_KINDS = (
    "summit",
    "foreign_ministerial",
    "defense_ministerial",
    "dtt",
    "working_group",
    "other",
)


class MeetingServices(ServiceBase):
    """Series, meetings and agenda items; a meeting whose minutes are locked cannot change."""

    def create_series(
        self,
        key: str,
        kind: str,
        title: Any,
        *,
        rule: str,
        tz: str,
        anchor: str,
        duration_min: int = 120,
        location: str = "",
        workstream_id: int | None = None,
        visible_to: Any = "all",
    ) -> MeetingSeries:
        """Add a recurring meeting series (meetings come from :meth:`generate_meetings`)."""
        self._staff()
        parse_rule(rule)
        timezone("tz", tz)
        _local(anchor)
        if workstream_id is not None:
            self._get(Workstream, workstream_id)
        s = MeetingSeries(
            key=check_key("key", key),
            kind=check_choice("kind", kind, SERIES_KINDS),
            title=i18n_field("title", title),
            rule=rule,
            tz=tz,
            anchor_local=_local(anchor).isoformat(timespec="minutes"),
            duration_min=_duration(duration_min),
            location=check_text("location", location, limit=200, required=False),
            workstream_id=workstream_id,
            created_at=self.now(),
        )
        return self._add_shared(s, visible_to, "series")

    def update_series(
        self,
        s_id: int,
        *,
        title: Any = None,
        kind: str | None = None,
        rule: str | None = None,
        tz: str | None = None,
        anchor: str | None = None,
        duration_min: int | None = None,
        location: str | None = None,
        visible_to: Any = None,
    ) -> MeetingSeries:
        """Change a series (``None``: unchanged); meetings already generated keep their times.
        Sharing can only be widened."""
        s, before = self._edit(MeetingSeries, s_id)
        if title is not None:
            s.title = i18n_field("title", title)
        if kind is not None:
            s.kind = check_choice("kind", kind, SERIES_KINDS)
        if rule is not None:
            parse_rule(rule)
            s.rule = rule
        if tz is not None:
            timezone("tz", tz)
            s.tz = tz
        if anchor is not None:
            s.anchor_local = _local(anchor).isoformat(timespec="minutes")
        if duration_min is not None:
            s.duration_min = _duration(duration_min)
        if location is not None:
            s.location = check_text("location", location, limit=200, required=False)
        return self._updated(s, before, visible_to)

    def series_list(self) -> list[MeetingSeries]:
        """Visible series."""
        return self._list(MeetingSeries, MeetingSeries.key)

    def series(self, s_id: int) -> MeetingSeries:
        """One visible series."""
        return self._get(MeetingSeries, s_id)

    def series_by_key(self, key: str) -> MeetingSeries:
        """One visible series by key."""
        return self._by_key(MeetingSeries, key)

    def generate_meetings(self, s_id: int, until: Any) -> list[Meeting]:
        """Create the series' meetings up to ``until`` (a date); existing ones are kept."""
        self._staff()
        s = self._get(MeetingSeries, s_id)
        tz = timezone("tz", s.tz)
        end = dt.datetime.combine(parse_date("until", until), dt.time(23, 59), tzinfo=tz)
        starts = occurrences(parse_rule(s.rule), _local(s.anchor_local), tz, until=end)
        existing = set(
            self.session.scalars(select(Meeting.starts_at).where(Meeting.series_id == s.id))
        )
        made = []
        for start in starts:
            if start in existing:
                continue
            m = Meeting(
                series_id=s.id,
                title=dict(s.title),
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=s.duration_min),
                tz=s.tz,
                location=s.location,
                status="scheduled",
                created_at=self.now(),
            )
            m.set_visible_to(s.visible_to)
            self.session.add(m)
            self.record_audit("generate", m, None, m.visible_to)
            made.append(m)
        return made

    def create_meeting(
        self,
        title: Any,
        *,
        start: str,
        tz: str,
        duration_min: int = 120,
        location: str = "",
        status: str = "scheduled",
        series_id: int | None = None,
        visible_to: Any = "all",
        key: str | None = None,
    ) -> Meeting:
        """Add a stand-alone meeting; ``start`` is local wall time in ``tz``."""
        self._staff()
        zone = timezone("tz", tz)
        if series_id is not None:
            self._get(MeetingSeries, series_id)
        starts = to_utc(_local(start), zone)
        m = Meeting(
            key=check_key("key", key) if key is not None else None,
            series_id=series_id,
            title=i18n_field("title", title),
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=_duration(duration_min)),
            tz=tz,
            location=check_text("location", location, limit=200, required=False),
            status=check_choice("status", status, MEETING_STATUSES),
            created_at=self.now(),
        )
        return self._add_shared(m, visible_to, "meeting")

    def meeting(self, m_id: int) -> Meeting:
        """One visible meeting."""
        return self._get(Meeting, m_id)

    def meeting_by_key(self, key: str) -> Meeting:
        """One visible meeting by key."""
        return self._by_key(Meeting, key)

    def list_meetings(
        self, *, after: dt.datetime | None = None, series_id: int | None = None
    ) -> list[Meeting]:
        """Visible meetings by start time."""
        stmt = select(Meeting).where(visible_filter(self.user, Meeting))
        if after is not None:
            stmt = stmt.where(Meeting.starts_at >= after)
        if series_id is not None:
            if self.visible_id(MeetingSeries, series_id) is None:
                return []  # a hidden series filters like a missing one
            stmt = stmt.where(Meeting.series_id == series_id)
        return list(self.session.scalars(stmt.order_by(Meeting.starts_at, Meeting.id)))

    def add_agenda_item(
        self, m_id: int, title: Any, *, presenter: str = "", duration_min: int = 15
    ) -> AgendaItem:
        """Append an agenda item with presenter and duration."""
        self._staff()
        m = self._get(Meeting, m_id)
        self._not_locked(m)
        item = AgendaItem(
            meeting_id=m.id,
            position=len(m.agenda) + 1,
            title=i18n_field("title", title),
            presenter=check_text("presenter", presenter, limit=200, required=False),
            duration_min=_duration(duration_min),
        )
        self._add(item, m.visible_to)
        return item

    def update_meeting(
        self,
        m_id: int,
        *,
        title: Any = None,
        start: str | None = None,
        end: str | None = None,
        tz: str | None = None,
        location: str | None = None,
        status: str | None = None,
        visible_to: Any = None,
    ) -> Meeting:
        """Change a meeting; ``start``/``end`` are local wall times in ``tz`` (the meeting's own
        zone when not given). Sharing can only be widened."""
        m, before = self._edit(Meeting, m_id)
        self._not_locked(m)
        zone_name = m.tz if tz is None else tz
        zone = timezone("tz", zone_name)
        length = m.ends_at - m.starts_at
        if title is not None:
            m.title = i18n_field("title", title)
        if start is not None:
            m.starts_at = to_utc(_local(start), zone)
        elif tz is not None:  # the same wall time, now in the new zone
            m.starts_at = to_utc(
                m.starts_at.astimezone(timezone("tz", m.tz)).replace(tzinfo=None), zone
            )
        if end is not None:
            m.ends_at = to_utc(_local(end, "end"), zone)
        else:
            m.ends_at = m.starts_at + length
        if m.ends_at <= m.starts_at:
            raise ValidationError("end: must be after the start")
        m.tz = zone_name
        if location is not None:
            m.location = check_text("location", location, limit=200, required=False)
        if status is not None:
            m.status = check_choice("status", status, MEETING_STATUSES)
        return self._updated(m, before, visible_to)

    def add_attendee(
        self,
        m_id: int,
        *,
        role: str,
        nation: str | None = None,
        name: str = "",
        username: str | None = None,
    ) -> MeetingAttendee:
        """Add an attendee: a user (by user name) or a free-text name, with nation and role.

        The attendee's nation must be one the meeting is shared with.
        """
        self._staff()
        m = self._get(Meeting, m_id)
        self._not_locked(m)
        user = None
        if username:
            user = self.session.scalars(select(User).where(User.username == username)).first()
            if user is None or not user.active:
                raise ValidationError("username: no such active user")
            if nation is not None and nations("nation", [nation]) != (user.nation,):
                raise ValidationError("nation: differs from the user's own nation")
            code = user.nation
            label = check_text("name", name or user.display_name or user.username, limit=200)
        else:
            found = nations("nation", [nation] if nation else [])
            if len(found) != 1:
                raise ValidationError("nation: expected one of KOR, USA, JPN")
            code = found[0]
            label = check_text("name", name, limit=200)
        if code not in m.visible_to:
            raise ValidationError(
                f"nation: this meeting is not shared with {code}; widen its sharing first"
            )
        a = MeetingAttendee(
            meeting_id=m.id,
            user_id=user.id if user is not None else None,
            name=label,
            nation=code,
            role=check_choice("role", role, ATTENDEE_ROLES),
        )
        self._add(a, m.visible_to)
        return a

    def remove_attendee(self, m_id: int, a_id: int) -> None:
        """Remove an attendee of a visible meeting (a hidden meeting's attendee is not found)."""
        self._staff()
        m = self._get(Meeting, m_id)
        a = self.session.get(MeetingAttendee, a_id)
        if a is None or a.meeting_id != m.id:
            raise not_found()
        self._not_locked(m)
        before = snapshot(a)
        m.attendees.remove(a)  # delete-orphan: the row goes at the flush
        self.record_audit("delete", a, before, m.visible_to, after={})

    def attendees(self, m_id: int) -> list[MeetingAttendee]:
        """The attendees of a visible meeting."""
        return list(self._get(Meeting, m_id).attendees)

    def minutes(self, m_id: int) -> Minutes | None:
        """The minutes of a visible meeting, if any."""
        m = self._get(Meeting, m_id)
        return self._minutes_of(m)

    def _minutes_of(self, m: Meeting) -> Minutes | None:
        return self.session.scalars(select(Minutes).where(Minutes.meeting_id == m.id)).first()

    def _not_locked(self, m: Meeting) -> None:
        mins = self._minutes_of(m)
        if mins is not None and mins.state == "locked":
            raise ConflictError("the minutes of this meeting are locked; nothing can be changed")


def _duration(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 24 * 60 * 7:
        raise ValidationError("duration_min: expected whole minutes from 1 to 10080")
    return value


def _local(value: Any, field: str = "start") -> dt.datetime:
    if not isinstance(value, str) or len(value) > 32:
        raise ValidationError(f"{field}: expected local time YYYY-MM-DDTHH:MM")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationError(
            f"{field}: {value!r} is not a real local date and time ({exc})"
        ) from exc
    if parsed.tzinfo is not None:
        raise ValidationError(f"{field}: give local wall time without an offset, plus tz")
    check_year(field, parsed.year)
    return parsed
