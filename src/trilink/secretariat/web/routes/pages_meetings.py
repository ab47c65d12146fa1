"""Pages: meeting series, meetings (agenda, outcomes, minutes with revisions, approval by each
nation, lock) and turning decisions into commitments."""

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from trilink.secretariat.i18n import pick
from trilink.secretariat.services import (
    ATTENDEE_ROLES,
    MEETING_STATUSES,
    OUTCOME_KINDS,
    SERIES_KINDS,
)
from trilink.secretariat.web.deps import Svc, check_csrf
from trilink.secretariat.web.render import int_field, nation_list
from trilink.secretariat.web.routes.pages_common import (
    back,
    matches,
    object_page,
    page,
    posted,
    section_page,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@router.get("/meetings", response_class=HTMLResponse)
def meetings_page(
    request: Request,
    svc: Svc,
    q: str = "",
    status: str = "",
    series: str = "",
    upcoming: str = "",
) -> HTMLResponse:
    items = [
        m
        for m in svc.list_meetings(
            after=svc.now() if upcoming else None,
            series_id=int(series) if series.isdigit() else None,
        )
        if matches(q, m.title, m.location, m.key or "") and (not status or m.status == status)
    ]
    return section_page(
        request,
        svc,
        "meetings",
        items=items,
        q=q,
        status=status,
        series=series,
        upcoming=upcoming,
        statuses=MEETING_STATUSES,
        kinds=SERIES_KINDS,
        series_list=svc.series_list(),
        workstreams=svc.list_workstreams(),
    )


@router.post("/meetings")
async def meeting_create_form(request: Request, svc: Svc) -> Response:
    form = await posted(request, svc)
    m = svc.create_meeting(
        form.i18n("title"),
        start=form.text("start"),
        tz=form.text("tz"),
        duration_min=form.integer("duration_min", "120"),
        location=form.text("location"),
        status=form.text("status", "scheduled"),
        series_id=form.ref("series_id"),
        visible_to=form.nations("vis") or nation_list([form.text("visible_to", "all")]),
    )
    return back(f"/meetings/{m.id}")


@router.post("/series")
async def series_create_form(request: Request, svc: Svc) -> Response:
    form = await posted(request, svc)
    s = svc.create_series(
        form.text("key"),
        form.text("kind"),
        form.i18n("title"),
        duration_min=form.integer("duration_min", "120"),
        workstream_id=form.ref("workstream_id"),
        visible_to=form.nations("vis") or "all",
        **form.texts("rule", "tz", "anchor", "location"),
    )
    return back(f"/series/{s.id}")


@router.get("/series/{s_id}", response_class=HTMLResponse)
def series_page(request: Request, svc: Svc, s_id: int) -> HTMLResponse:
    s = svc.series(s_id)
    return page(
        request,
        svc,
        "series.html",
        s=s,
        items=svc.list_meetings(series_id=s.id),
        statuses=MEETING_STATUSES,
        kinds=SERIES_KINDS,
        title=pick(s.title, svc.user.lang),
    )


@router.post("/series/{s_id}/edit")
async def series_edit_form(request: Request, svc: Svc, s_id: int) -> Response:
    form = await posted(request, svc)
    svc.update_series(
        s_id,
        title=form.i18n("title"),
        duration_min=form.integer("duration_min"),
        visible_to=form.nations("vis"),
        **form.texts("kind", "rule", "tz", "anchor", "location"),
    )
    return back(f"/series/{s_id}")


@router.post("/series/{s_id}/generate")
def generate_form(
    request: Request, svc: Svc, s_id: int, until: Text = "", csrf: Text = ""
) -> Response:
    check_csrf(request, csrf)
    svc.generate_meetings(s_id, until)
    return back(f"/series/{s_id}")


@router.get("/meetings/{m_id}", response_class=HTMLResponse)
def meeting_page(request: Request, svc: Svc, m_id: int) -> HTMLResponse:
    m = svc.meeting(m_id)
    mins = svc.minutes(m.id)
    approved = (
        sorted({a.nation for a in mins.approvals if a.revision == mins.revision}) if mins else []
    )
    return object_page(
        request,
        svc,
        "meeting",
        m.id,
        m.title,
        m=m,
        series=svc.series(m.series_id) if m.series_id else None,
        minutes=mins,
        approved=approved,
        needed=svc.approvals_needed(m),
        approvals=sorted(mins.approvals, key=lambda a: (a.revision, a.nation)) if mins else [],
        locked=mins is not None and mins.state == "locked",
        kinds=OUTCOME_KINDS,
        roles=ATTENDEE_ROLES,
        statuses=MEETING_STATUSES,
        local_start=_wall(m.starts_at, m.tz),
        local_end=_wall(m.ends_at, m.tz),
    )


@router.post("/meetings/{m_id}/edit")
async def meeting_edit_form(request: Request, svc: Svc, m_id: int) -> Response:
    form = await posted(request, svc)
    svc.update_meeting(
        m_id,
        title=form.i18n("title"),
        visible_to=form.nations("vis"),
        **form.texts("start", "end", "tz", "location", "status"),
    )
    return back(f"/meetings/{m_id}")


@router.post("/meetings/{m_id}/agenda")
def agenda_form(
    request: Request,
    svc: Svc,
    m_id: int,
    title: Text,
    presenter: Text = "",
    duration_min: Text = "15",
    csrf: Text = "",
) -> Response:
    check_csrf(request, csrf)
    svc.add_agenda_item(
        m_id,
        {svc.user.lang: title},
        presenter=presenter,
        duration_min=int_field("duration_min", duration_min),
    )
    return back(f"/meetings/{m_id}")


@router.post("/meetings/{m_id}/attendees")
def attendee_add_form(
    request: Request,
    svc: Svc,
    m_id: int,
    role: Text = "",
    nation: Text = "",
    name: Text = "",
    username: Text = "",
    csrf: Text = "",
) -> Response:
    check_csrf(request, csrf)
    svc.add_attendee(
        m_id, role=role, nation=nation or None, name=name, username=username.strip() or None
    )
    return back(f"/meetings/{m_id}")


@router.post("/meetings/{m_id}/attendees/{a_id}/remove")
def attendee_remove_form(
    request: Request, svc: Svc, m_id: int, a_id: int, csrf: Text = ""
) -> Response:
    check_csrf(request, csrf)
    svc.remove_attendee(m_id, a_id)
    return back(f"/meetings/{m_id}")


def _wall(at: dt.datetime, tz: str) -> str:
    """``at`` as local wall time in ``tz`` for a datetime-local input (UTC if the zone fails)."""
    try:
        return f"{at.astimezone(ZoneInfo(tz)):%Y-%m-%dT%H:%M}"
    except (OverflowError, ValueError, KeyError):
        return f"{at:%Y-%m-%dT%H:%M}"


@router.post("/meetings/{m_id}/outcomes")
async def outcome_form(request: Request, svc: Svc, m_id: int) -> Response:
    form = await posted(request, svc)
    kind = form.text("kind")
    owners = form.nations("owners")
    deadline = form.instant("deadline")
    svc.add_outcome(
        m_id,
        kind,
        form.i18n("text"),
        agenda_item_id=form.ref("agenda_item_id"),
        owners=owners or None,
        deadline=deadline if kind == "commitment" else None,
    )
    return back(f"/meetings/{m_id}")


@router.post("/outcomes/{o_id}/commitment")
async def promote_form(request: Request, svc: Svc, o_id: int) -> Response:
    form = await posted(request, svc)
    c = svc.promote_outcome(
        o_id,
        owners=form.nations("owners"),
        deadline=form.instant("deadline"),
        workstream_id=form.ref("workstream_id"),
    )
    return back(f"/commitments/{c.id}")
