"""Pages: meeting series, meetings (agenda, outcomes, minutes with revisions, approval by each
nation, lock) and turning decisions into commitments."""

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from trilink.secretariat.i18n import pick, t
from trilink.secretariat.services import (
    ATTENDEE_ROLES,
    MEETING_STATUSES,
    OUTCOME_KINDS,
    SERIES_KINDS,
)
from trilink.secretariat.web.deps import Svc, check_csrf
from trilink.secretariat.web.notices import followed
from trilink.secretariat.web.render import deadline_input, int_field, nation_list, render
from trilink.secretariat.web.routes.pages_common import back, i18n_form, matches

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


def _nations(form: FormData, name: str) -> str:
    return nation_list([str(v) for v in form.getlist(name)])


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
    return render(
        request,
        "meetings.html",
        svc.user,
        svc=svc,
        items=items,
        q=q,
        status=status,
        series=series,
        upcoming=upcoming,
        statuses=MEETING_STATUSES,
        kinds=SERIES_KINDS,
        series_list=svc.series_list(),
        workstreams=svc.list_workstreams(),
        title=t("meetings", svc.user.lang),
    )


@router.post("/meetings")
async def meeting_create_form(request: Request, svc: Svc) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    series = str(form.get("series_id", ""))
    m = svc.create_meeting(
        i18n_form(form, "title", svc.user.lang),
        start=str(form.get("start", "")),
        tz=str(form.get("tz", "")),
        duration_min=int_field("duration_min", str(form.get("duration_min", "120"))),
        location=str(form.get("location", "")),
        status=str(form.get("status", "scheduled")),
        series_id=int(series) if series.isdigit() else None,
        visible_to=_nations(form, "vis") or nation_list([str(form.get("visible_to", "all"))]),
    )
    return back(f"/meetings/{m.id}")


@router.post("/series")
async def series_create_form(request: Request, svc: Svc) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    ws = str(form.get("workstream_id", ""))
    s = svc.create_series(
        str(form.get("key", "")),
        str(form.get("kind", "")),
        i18n_form(form, "title", svc.user.lang),
        rule=str(form.get("rule", "")),
        tz=str(form.get("tz", "")),
        anchor=str(form.get("anchor", "")),
        duration_min=int_field("duration_min", str(form.get("duration_min", "120"))),
        location=str(form.get("location", "")),
        workstream_id=int(ws) if ws.isdigit() else None,
        visible_to=_nations(form, "vis") or "all",
    )
    return back(f"/series/{s.id}")


@router.get("/series/{s_id}", response_class=HTMLResponse)
def series_page(request: Request, svc: Svc, s_id: int) -> HTMLResponse:
    s = svc.series(s_id)
    return render(
        request,
        "series.html",
        svc.user,
        svc=svc,
        s=s,
        items=svc.list_meetings(series_id=s.id),
        statuses=MEETING_STATUSES,
        kinds=SERIES_KINDS,
        title=pick(s.title, svc.user.lang),
    )


@router.post("/series/{s_id}/edit")
async def series_edit_form(request: Request, svc: Svc, s_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    svc.update_series(
        s_id,
        title=i18n_form(form, "title", svc.user.lang),
        kind=str(form.get("kind", "")),
        rule=str(form.get("rule", "")),
        tz=str(form.get("tz", "")),
        anchor=str(form.get("anchor", "")),
        duration_min=int_field("duration_min", str(form.get("duration_min", ""))),
        location=str(form.get("location", "")),
        visible_to=_nations(form, "vis"),
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
    return render(
        request,
        "meeting.html",
        svc.user,
        svc=svc,
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
        following=("meeting", m.id) in followed(request),
        title=pick(m.title, svc.user.lang),
    )


@router.post("/meetings/{m_id}/edit")
async def meeting_edit_form(request: Request, svc: Svc, m_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    svc.update_meeting(
        m_id,
        title=i18n_form(form, "title", svc.user.lang),
        start=str(form.get("start", "")),
        end=str(form.get("end", "")),
        tz=str(form.get("tz", "")),
        location=str(form.get("location", "")),
        status=str(form.get("status", "")),
        visible_to=_nations(form, "vis"),
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
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    kind = str(form.get("kind", ""))
    item = str(form.get("agenda_item_id", ""))
    owners = _nations(form, "owners")
    deadline = deadline_input(
        str(form.get("deadline", "")),
        str(form.get("deadline_local", "")),
        str(form.get("deadline_tz", "")),
    )
    svc.add_outcome(
        m_id,
        kind,
        i18n_form(form, "text", svc.user.lang),
        agenda_item_id=int(item) if item.isdigit() else None,
        owners=owners or None,
        deadline=deadline if kind == "commitment" else None,
    )
    return back(f"/meetings/{m_id}")


@router.post("/outcomes/{o_id}/commitment")
async def promote_form(request: Request, svc: Svc, o_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    ws = str(form.get("workstream_id", ""))
    c = svc.promote_outcome(
        o_id,
        owners=_nations(form, "owners"),
        deadline=deadline_input(
            str(form.get("deadline", "")),
            str(form.get("deadline_local", "")),
            str(form.get("deadline_tz", "")),
        ),
        workstream_id=int(ws) if ws.isdigit() else None,
    )
    return back(f"/commitments/{c.id}")
