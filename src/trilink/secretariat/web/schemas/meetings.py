"""Meeting series, meetings and agenda items."""

from typing import Any, Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import (
    AgendaItem,
    Meeting,
    MeetingSeries,
    Minutes,
)
from trilink.secretariat.web.schemas.common import (
    DateTime,
    I18nIn,
    Nations,
    OrmOut,
    StrictIn,
    StrictPatch,
    iso,
    patch_of,
)
from trilink.secretariat.web.schemas.minutes import MinutesOut
from trilink.secretariat.web.schemas.outcomes import OutcomeOut

__all__ = [
    "AgendaIn",
    "AgendaItemOut",
    "AttendeeIn",
    "AttendeeOut",
    "CreatedAgendaItem",
    "GenerateIn",
    "MeetingDetailOut",
    "MeetingIn",
    "MeetingOut",
    "MeetingPatch",
    "SeriesIn",
    "SeriesOut",
    "SeriesPatch",
]


class SeriesIn(StrictIn):
    key: str
    kind: str
    title: I18nIn
    rule: str
    tz: str
    anchor: str = Field(description="first occurrence, local wall time YYYY-MM-DDTHH:MM")
    duration_min: int = 120
    location: str = ""
    workstream_id: int | None = None
    visible_to: Nations = "all"


@patch_of(SeriesIn, "title kind rule tz anchor duration_min location visible_to")
class SeriesPatch(StrictPatch):
    """Fields to change (left out: unchanged); meetings already generated keep their times;
    ``visible_to`` can only be widened."""


class SeriesOut(OrmOut):
    id: int
    key: str
    kind: str
    title: str
    rule: str
    tz: str
    anchor: str = Field(description="first occurrence, local wall time YYYY-MM-DDTHH:MM")
    duration_min: int
    visible_to: list[str]

    @classmethod
    def of(cls, s: MeetingSeries, lang: str) -> Self:
        return cls.copy_of(s, title=pick(s.title, lang), anchor=s.anchor_local)


class GenerateIn(StrictIn):
    until: str


class MeetingIn(StrictIn):
    title: I18nIn
    start: str = Field(description="local wall time YYYY-MM-DDTHH:MM in tz")
    tz: str
    duration_min: int = 120
    location: str = ""
    status: str = "scheduled"
    series_id: int | None = None
    visible_to: Nations = "all"
    key: str | None = None


class AgendaIn(StrictIn):
    title: I18nIn
    presenter: str = ""
    duration_min: int = 15


class AttendeeIn(StrictIn):
    role: str = Field(description="head_of_delegation, member or observer")
    nation: str | None = Field(default=None, description="KOR, USA or JPN (a user's own nation)")
    name: str = Field(default="", description="free-text name (or a user's display name)")
    username: str | None = Field(default=None, description="a user who attends")


class AttendeeOut(OrmOut):
    id: int
    user_id: int | None
    name: str
    nation: str
    role: str


@patch_of(MeetingIn, "title start end tz location status visible_to")
class MeetingPatch(StrictPatch):
    start: str | None = Field(default=None, description="local wall time YYYY-MM-DDTHH:MM")
    end: str | None = Field(default=None, description="local wall time YYYY-MM-DDTHH:MM")


class AgendaItemOut(OrmOut):
    id: int
    position: int
    title: str
    presenter: str
    duration_min: int

    @classmethod
    def of(cls, a: AgendaItem, lang: str) -> Self:
        return cls.copy_of(a, title=pick(a.title, lang))


class CreatedAgendaItem(BaseModel):
    id: int
    position: int


class MeetingOut(OrmOut):
    id: int
    key: str | None
    series_id: int | None
    title: str
    title_i18n: dict[str, str]
    starts_at: DateTime
    ends_at: DateTime
    local_start: DateTime = Field(description="the start in the meeting's own time zone")
    tz: str
    location: str
    status: str
    visible_to: list[str]

    @classmethod
    def of(cls, m: Meeting, lang: str, **more: Any) -> Self:
        """``more``: the values of a subclass's own fields."""
        return cls.copy_of(
            m,
            title=pick(m.title, lang),
            title_i18n=m.title,
            starts_at=iso(m.starts_at),
            ends_at=iso(m.ends_at),
            local_start=_local_start(m),
            **more,
        )


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut]
    outcomes: list[OutcomeOut]
    attendees: list[AttendeeOut]
    minutes: MinutesOut | None

    @classmethod
    def full(cls, m: Meeting, minutes: Minutes | None, lang: str) -> Self:
        return cls.of(
            m,
            lang,
            agenda=[AgendaItemOut.of(a, lang) for a in m.agenda],
            outcomes=[OutcomeOut.of(o, lang) for o in m.outcomes],
            attendees=[AttendeeOut.copy_of(a) for a in m.attendees],
            minutes=None if minutes is None else MinutesOut.of(minutes),
        )


def _local_start(m: Meeting) -> str:
    """The start in the meeting's zone; a stored instant at datetime's edge stays in UTC."""
    try:
        return m.starts_at.astimezone(ZoneInfo(m.tz)).isoformat()
    except (OverflowError, ValueError):
        return m.starts_at.isoformat()
