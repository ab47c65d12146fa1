"""Meeting series, meetings and agendas: API (the pages are in :mod:`.pages_meetings`)."""

from typing import TypeVar

from fastapi import APIRouter

from trilink.secretariat.models import MeetingSeries
from trilink.secretariat.services import Secretariat
from trilink.secretariat.web.deps import API, API_ERRORS, ApiWrite, Svc
from trilink.secretariat.web.schemas.common import StatusOut
from trilink.secretariat.web.schemas.meetings import (
    AgendaIn,
    AttendeeIn,
    AttendeeOut,
    CreatedAgendaItem,
    GenerateIn,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    SeriesIn,
    SeriesOut,
    SeriesPatch,
)

__all__ = ["router"]

router = APIRouter(tags=["meetings"], responses=API_ERRORS)


@router.get(f"{API}/series")
def api_series(svc: Svc, lang: str = "en") -> list[SeriesOut]:
    return [SeriesOut.of(s, lang) for s in svc.series_list()]


@router.post(f"{API}/series", status_code=201, dependencies=[ApiWrite])
def api_series_create(body: SeriesIn, svc: Svc) -> SeriesOut:
    return SeriesOut.of(svc.create_series(**body.model_dump()), "en")


@router.patch(f"{API}/series/{{s_id}}", dependencies=[ApiWrite])
def api_series_update(body: SeriesPatch, svc: Svc, s_id: int) -> SeriesOut:
    """Change a series (meetings already generated keep their times); sharing only widens."""
    return SeriesOut.of(svc.update_series(s_id, **body.model_dump(exclude_none=True)), "en")


@router.post(f"{API}/series/{{s_id}}/generate", dependencies=[ApiWrite])
def api_generate(body: GenerateIn, svc: Svc, s_id: int) -> list[MeetingOut]:
    """Create the series' meetings up to a date (existing ones are kept)."""
    return [_masked(svc, MeetingOut.of(m, "en")) for m in svc.generate_meetings(s_id, body.until)]


@router.get(f"{API}/meetings")
def api_meetings(svc: Svc, lang: str = "en") -> list[MeetingOut]:
    return [_masked(svc, MeetingOut.of(m, lang)) for m in svc.list_meetings()]


@router.post(f"{API}/meetings", status_code=201, dependencies=[ApiWrite])
def api_meeting_create(body: MeetingIn, svc: Svc) -> MeetingOut:
    return _masked(svc, MeetingOut.of(svc.create_meeting(**body.model_dump()), "en"))


@router.get(f"{API}/meetings/{{m_id}}")
def api_meeting(svc: Svc, m_id: int, lang: str = "en") -> MeetingDetailOut:
    """A meeting with its agenda, outcomes and minutes."""
    m = svc.meeting(m_id)
    return _masked(svc, MeetingDetailOut.full(m, svc.minutes(m.id), lang))


@router.post(f"{API}/meetings/{{m_id}}/agenda", status_code=201, dependencies=[ApiWrite])
def api_agenda(body: AgendaIn, svc: Svc, m_id: int) -> CreatedAgendaItem:
    a = svc.add_agenda_item(m_id, **body.model_dump())
    return CreatedAgendaItem(id=a.id, position=a.position)


@router.patch(f"{API}/meetings/{{m_id}}", dependencies=[ApiWrite])
def api_meeting_update(body: MeetingPatch, svc: Svc, m_id: int) -> MeetingOut:
    """Change a meeting's title, times, zone, location, status or (widen) its sharing."""
    m = svc.update_meeting(m_id, **body.model_dump(exclude_none=True))
    return _masked(svc, MeetingOut.of(m, "en"))


@router.get(f"{API}/meetings/{{m_id}}/attendees")
def api_attendees(svc: Svc, m_id: int) -> list[AttendeeOut]:
    """Who attends a visible meeting."""
    return [AttendeeOut.copy_of(a) for a in svc.attendees(m_id)]


@router.post(f"{API}/meetings/{{m_id}}/attendees", status_code=201, dependencies=[ApiWrite])
def api_attendee_add(body: AttendeeIn, svc: Svc, m_id: int) -> AttendeeOut:
    """Add an attendee (a user or a free-text name) with nation and role."""
    return AttendeeOut.copy_of(svc.add_attendee(m_id, **body.model_dump()))


@router.delete(f"{API}/meetings/{{m_id}}/attendees/{{a_id}}", dependencies=[ApiWrite])
def api_attendee_remove(svc: Svc, m_id: int, a_id: int) -> StatusOut:
    """Remove an attendee."""
    svc.remove_attendee(m_id, a_id)
    return StatusOut(status="removed")


M = TypeVar("M", bound=MeetingOut)


def _masked(svc: Secretariat, out: M) -> M:
    """A link to a series the user may not see is sent as null (a hidden id is no id)."""
    out.series_id = svc.visible_id(MeetingSeries, out.series_id)
    return out
