"""Meeting series, meetings and agendas: pages and API."""

from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import MeetingSeries
from trilink.secretariat.services import Secretariat
from trilink.secretariat.web.deps import API, API_ERRORS, ApiWrite, Svc, check_csrf
from trilink.secretariat.web.render import ZONES, int_field, render
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


# ---------------------------------------------------------------------------- pages
@router.get("/meetings", response_class=HTMLResponse, include_in_schema=False)
def meetings_page(request: Request, svc: Svc) -> HTMLResponse:
    return render(request, "meetings.html", svc.user, items=svc.list_meetings(), zones=ZONES)


@router.post("/meetings", include_in_schema=False)
def meeting_create_form(
    request: Request,
    svc: Svc,
    title: Annotated[str, Form()],
    start: Annotated[str, Form()],
    tz: Annotated[str, Form()],
    duration_min: Annotated[str, Form()] = "120",
    location: Annotated[str, Form()] = "",
    visible_to: Annotated[str, Form()] = "all",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    m = svc.create_meeting(
        {svc.user.lang: title},
        start=start,
        tz=tz,
        duration_min=int_field("duration_min", duration_min),
        location=location,
        visible_to=visible_to,
    )
    return RedirectResponse(f"/meetings/{m.id}", status_code=303)


@router.post("/meetings/{m_id}/agenda", include_in_schema=False)
def agenda_form(
    request: Request,
    svc: Svc,
    m_id: int,
    title: Annotated[str, Form()],
    presenter: Annotated[str, Form()] = "",
    duration_min: Annotated[str, Form()] = "15",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    svc.add_agenda_item(
        m_id,
        {svc.user.lang: title},
        presenter=presenter,
        duration_min=int_field("duration_min", duration_min),
    )
    return RedirectResponse(f"/meetings/{m_id}", status_code=303)


@router.get("/meetings/{m_id}", response_class=HTMLResponse, include_in_schema=False)
def meeting_page(request: Request, svc: Svc, m_id: int) -> HTMLResponse:
    m = svc.meeting(m_id)
    mins = svc.minutes(m.id)
    approved = (
        sorted({a.nation for a in mins.approvals if a.revision == mins.revision}) if mins else []
    )
    return render(
        request,
        "meeting.html",
        svc.user,
        m=m,
        minutes=mins,
        approved=approved,
        locked=mins is not None and mins.state == "locked",
        title=pick(m.title, svc.user.lang),
    )


# ---------------------------------------------------------------------------- API
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
    return [AttendeeOut.of(a) for a in svc.attendees(m_id)]


@router.post(f"{API}/meetings/{{m_id}}/attendees", status_code=201, dependencies=[ApiWrite])
def api_attendee_add(body: AttendeeIn, svc: Svc, m_id: int) -> AttendeeOut:
    """Add an attendee (a user or a free-text name) with nation and role."""
    return AttendeeOut.of(svc.add_attendee(m_id, **body.model_dump()))


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
