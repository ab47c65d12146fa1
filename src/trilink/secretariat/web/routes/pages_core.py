"""Pages: the start page (overdue, due soon, coming up), settings (time zone), notifications and
follows, users (admin), workstreams with their timeline, commitments (every field, milestones,
evidence), the audit log with filters.

Every list takes its search and filters from the query string and filters on the server; every
write is a form carrying the session's CSRF token and goes through the :class:`Secretariat`.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from trilink.secretariat.access import require_role
from trilink.secretariat.errors import SecretariatError, ValidationError
from trilink.secretariat.i18n import LANGS, pick
from trilink.secretariat.models import Commitment, User, Workstream
from trilink.secretariat.services import (
    COMMITMENT_STATUSES,
    COMMITMENT_VIEWS,
    WORKSTREAM_STATUSES,
)
from trilink.secretariat.validate import ROLES
from trilink.secretariat.web.deps import COOKIE, Svc, check_csrf
from trilink.secretariat.web.notices import (
    FOLLOW_TYPES,
    followed,
    mark_read,
    notices,
    seen_id,
    set_followed,
)
from trilink.secretariat.web.render import (
    TZ_COOKIE,
    ZONES,
    nation_list,
    reader_zone,
)
from trilink.secretariat.web.routes.pages_common import (
    PageForm,
    back,
    matches,
    object_page,
    page,
    posted,
    safe_next,
    section_page,
)

__all__ = ["router", "timeline_chart"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Nations = Annotated[list[str], Form()]
Owned = TypeVar("Owned", Workstream, Commitment)


def _listed(items: Iterable[Owned], q: str, status: str, owner: str) -> list[Owned]:
    """The workstreams or commitments a list page shows: those matching the search, in the chosen
    status and owned by the chosen nation (no choice: any)."""
    return [
        x
        for x in items
        if matches(q, x.key or "", x.title, x.description)
        and (not status or x.status == status)
        and (not owner or owner in x.owners.split(","))
    ]


# ---------------------------------------------------------------------------- start page
@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, svc: Svc) -> HTMLResponse:
    """What is overdue, due soon and coming up."""
    return section_page(
        request,
        svc,
        "dashboard",
        overdue=svc.list_commitments("overdue"),
        due_soon=svc.list_commitments("due_soon"),
        meetings=svc.list_meetings(after=svc.now())[:10],
    )


# ---------------------------------------------------------------------------- settings
@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, svc: Svc) -> HTMLResponse:
    return section_page(request, svc, "settings")


@router.post("/settings")
def settings_form(request: Request, svc: Svc, tz: Text = "", csrf: Text = "") -> Response:
    check_csrf(request, csrf)
    if tz not in ZONES:
        raise ValidationError(f"time zone: choose one of {', '.join(ZONES)}")
    response = back("/settings")
    value = f"{svc.user.username}|{tz}"
    response.set_cookie(TZ_COOKIE, value, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
    return response


@router.post("/settings/password")
def password_form(
    request: Request, svc: Svc, current: Text = "", new: Text = "", csrf: Text = ""
) -> Response:
    """Change one's own password; every other session of the user ends."""
    check_csrf(request, csrf)
    svc.set_password(
        svc.user.username, new, current=current, keep_session=request.cookies.get(COOKIE)
    )
    return back("/settings")


@router.post("/settings/calendar-token")
def token_form(request: Request, svc: Svc, csrf: Text = "") -> Response:
    """A new calendar feed link; the old one stops working."""
    check_csrf(request, csrf)
    svc.rotate_ical_token()
    return back("/settings")


@router.post("/admin/users/{username}/deactivate")
def deactivate_form(request: Request, svc: Svc, username: str, csrf: Text = "") -> Response:
    """Deactivate a user of one's nation (admin): sessions and calendar feed end at once."""
    check_csrf(request, csrf)
    svc.deactivate_user(username)
    return back("/admin/users")


@router.post("/admin/users/{username}/password")
def user_password_form(
    request: Request, svc: Svc, username: str, new: Text = "", csrf: Text = ""
) -> Response:
    """Set another user's password (admin); that user's sessions end."""
    check_csrf(request, csrf)
    svc.set_password(username, new)
    return back("/admin/users")


@router.post("/admin/users/{username}/calendar-token")
def user_token_form(request: Request, svc: Svc, username: str, csrf: Text = "") -> Response:
    """Give a user a new calendar feed link (admin)."""
    check_csrf(request, csrf)
    svc.rotate_user_token(username)
    return back("/admin/users")


# ---------------------------------------------------------------------------- notifications
@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, svc: Svc) -> HTMLResponse:
    return section_page(
        request,
        svc,
        "notifications",
        entries=notices(svc, request),
        seen=seen_id(request, svc.user.username),
    )


@router.post("/notifications/read")
def notifications_read(request: Request, svc: Svc, csrf: Text = "") -> Response:
    check_csrf(request, csrf)
    entries = notices(svc, request, limit=1)
    response = back("/notifications")
    mark_read(response, svc.user.username, entries[0].id if entries else 0)
    return response


@router.post("/follow")
def follow_form(
    request: Request,
    svc: Svc,
    kind: Text,
    obj_id: Annotated[int, Form()],
    on: Text = "1",
    next_path: Annotated[str, Form(alias="next")] = "/",
    csrf: Text = "",
) -> Response:
    check_csrf(request, csrf)
    if kind not in FOLLOW_TYPES:
        raise ValidationError("kind: cannot follow this")
    getattr(svc, kind)(obj_id)  # 404 unless visible
    items = followed(request)
    if on == "1":
        items.add((kind, obj_id))
    else:
        items.discard((kind, obj_id))
    response = back(safe_next(next_path))
    set_followed(response, items)
    return response


# ---------------------------------------------------------------------------- users (admin)
@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, svc: Svc, q: str = "", nation: str = "") -> HTMLResponse:
    require_role(svc.user, "admin")
    users = list(svc.session.scalars(select(User).order_by(User.username)))
    users = [
        u
        for u in users
        if matches(q, u.username, u.display_name, u.email or "")
        and (not nation or u.nation == nation)
    ]
    return section_page(request, svc, "users", users=users, roles=ROLES, q=q, nation=nation)


@router.post("/admin/users")
def user_create_form(
    request: Request,
    svc: Svc,
    username: Text = "",
    nation: Text = "",
    role: Text = "viewer",
    password: Text = "",
    display_name: Text = "",
    email: Text = "",
    lang: Text = "en",
    csrf: Text = "",
) -> Response:
    check_csrf(request, csrf)
    svc.create_user(
        username,
        nation,
        role,
        password,
        display_name=display_name or username,
        email=email or None,
        lang=lang if lang in LANGS else "en",
    )
    return back("/admin/users")


# ---------------------------------------------------------------------------- workstreams
@router.get("/workstreams", response_class=HTMLResponse)
def workstreams_page(
    request: Request, svc: Svc, q: str = "", status: str = "", owner: str = ""
) -> HTMLResponse:
    items = _listed(svc.list_workstreams(), q, status, owner)
    return section_page(
        request,
        svc,
        "workstreams",
        items=items,
        q=q,
        status=status,
        owner=owner,
        statuses=WORKSTREAM_STATUSES,
    )


@router.post("/workstreams")
async def workstream_create_form(request: Request, svc: Svc) -> Response:
    form = await posted(request, svc)
    w = svc.create_workstream(
        form.text("key"),
        form.i18n("title"),
        description=form.i18n("description") or None,
        owners=form.nations("owners") or "all",
        status=form.text("status", "active"),
        visible_to=form.nations("vis"),
    )
    return back(f"/workstreams/{w.id}")


@router.get("/workstreams/{w_id}", response_class=HTMLResponse)
def workstream_page(request: Request, svc: Svc, w_id: int) -> HTMLResponse:
    w = svc.workstream(w_id)
    items = svc.list_commitments(workstream_id=w.id)
    return object_page(
        request,
        svc,
        "workstream",
        w.id,
        w.title,
        w=w,
        items=items,
        chart=timeline_chart(items, svc.now(), reader_zone(request, svc.user), svc.user.lang),
        statuses=WORKSTREAM_STATUSES,
    )


@router.post("/workstreams/{w_id}/edit")
async def workstream_edit_form(request: Request, svc: Svc, w_id: int) -> Response:
    form = await posted(request, svc)
    svc.update_workstream(
        w_id,
        title=form.i18n("title"),
        description=form.i18n("description"),
        owners=form.nations("owners"),
        status=form.text("status"),
        visible_to=form.nations("vis"),
    )
    return back(f"/workstreams/{w_id}")


def timeline_chart(
    items: list[Commitment], now: dt.datetime, zone: str, lang: str
) -> dict[str, Any]:
    """Geometry of a Gantt-like chart: one bar per commitment (created → deadline), its
    milestones as diamonds, a line for today; x in SVG units, 760 wide plus a 220 label column."""
    dates: list[dt.datetime] = [now]
    for c in items:
        dates.append(c.created_at)
        if c.deadline:
            dates.append(c.deadline)
        dates.extend(m.due for m in c.milestones if m.due)
    lo = min(dates) - dt.timedelta(days=7)
    hi = max(dates) + dt.timedelta(days=7)
    span = (hi - lo).total_seconds() or 1.0
    left, width = 220.0, 760.0

    def x(d: dt.datetime) -> float:
        return round(left + width * (d - lo).total_seconds() / span, 1)

    rows = []
    for i, c in enumerate(items):
        y = 40 + i * 28
        end = c.deadline or now
        overdue = bool(c.deadline and c.deadline < now and c.status not in ("done", "cancelled"))
        rows.append(
            {
                "c": c,
                "y": y,
                "x0": x(c.created_at),
                "x1": max(x(end), x(c.created_at) + 3),
                "overdue": overdue,
                "label": pick(c.title, lang)[:32],
                "milestones": [
                    {"x": x(m.due), "done": m.done_at is not None, "title": pick(m.title, lang)}
                    for m in c.milestones
                    if m.due
                ],
            }
        )
    ticks = []
    month = dt.datetime(lo.year, lo.month, 1, tzinfo=dt.UTC)
    while month <= hi:
        if month >= lo:
            ticks.append({"x": x(month), "label": f"{month:%Y-%m}"})
        month = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=dt.UTC)
    step = max(1, len(ticks) // 8)
    return {
        "rows": rows,
        "ticks": ticks[::step],
        "today": x(now),
        "height": 60 + 28 * max(1, len(items)),
        "zone": zone,
    }


# ---------------------------------------------------------------------------- commitments
@router.get("/commitments", response_class=HTMLResponse)
def commitments_page(
    request: Request,
    svc: Svc,
    view: Annotated[str, Query()] = "all",
    q: str = "",
    status: str = "",
    owner: str = "",
    workstream: str = "",
) -> HTMLResponse:
    ws_id = int(workstream) if workstream.isdigit() else None
    items = _listed(svc.list_commitments(view, workstream_id=ws_id), q, status, owner)
    return page(
        request,
        svc,
        "commitments.html",
        items=items,
        view=view,
        views=COMMITMENT_VIEWS,
        q=q,
        status=status,
        owner=owner,
        workstream=workstream,
        statuses=COMMITMENT_STATUSES,
        workstreams=svc.list_workstreams(),
        parents=svc.list_commitments(),
        title=view,
    )


def _commitment_fields(form: PageForm) -> dict[str, Any]:
    """The commitment fields of a create or edit form."""
    return {
        "title": form.i18n("title"),
        "description": form.i18n("description") or None,
        "owners": form.nations("owners"),
        "deadline": form.instant("deadline"),
        "deadline_note": form.text("deadline_note").strip() or None,
        "review_date": form.text("review_date").strip() or None,
        "status": form.text("status", "open"),
        "progress": form.text("progress", "0").strip() or "0",
        "weight": form.text("weight", "1").strip() or "1",
        "workstream_id": form.ref("workstream_id"),
        "parent_id": form.ref("parent_id"),
        "visible_to": form.nations("vis") or nation_list([form.text("visible_to")]) or "all",
    }


@router.post("/commitments")
async def commitment_create_form(request: Request, svc: Svc) -> Response:
    form = await posted(request, svc)
    f = _commitment_fields(form)
    title = f.pop("title")
    f["owners"] = f["owners"] or "all"
    c = svc.create_commitment(title, **f)
    return back(f"/commitments/{c.id}")


@router.get("/commitments/{c_id}", response_class=HTMLResponse)
def commitment_page(request: Request, svc: Svc, c_id: int) -> HTMLResponse:
    c = svc.commitment(c_id)
    source = None
    if c.source_outcome_id is not None:
        try:
            source, _ = svc.outcome(c.source_outcome_id)
        except SecretariatError:
            source = None
    zone = reader_zone(request, svc.user)
    local = c.deadline.astimezone(ZoneInfo(zone)) if c.deadline else None
    return object_page(
        request,
        svc,
        "commitment",
        c.id,
        c.title,
        history=True,
        c=c,
        children=svc.children(c),
        source=source,
        statuses=COMMITMENT_STATUSES,
        workstreams=svc.list_workstreams(),
        parents=[p for p in svc.list_commitments() if p.id != c.id],
        deadline_local=f"{local:%Y-%m-%dT%H:%M}" if local else "",
    )


@router.post("/commitments/{c_id}")
async def commitment_update_form(request: Request, svc: Svc, c_id: int) -> Response:
    form = await posted(request, svc)
    c = svc.commitment(c_id)
    f = _commitment_fields(form)
    if "title_en" not in form and "title_ko" not in form and "title_ja" not in form:
        f.pop("title")  # the short status form
        for name in ("description", "owners", "visible_to", "workstream_id", "parent_id"):
            f.pop(name)
        for name in ("deadline_note", "review_date", "weight"):
            if name not in form:
                f.pop(name)
    else:
        f["owners"] = f["owners"] or c.owners
    # A form that sends back the date it shows (no local time) must not move the stored instant
    # (a 09:00+09:00 deadline would otherwise become the end of that day).
    sent = form.text("deadline").strip()
    if c.deadline is not None and not form.text("deadline_local").strip():
        shown = {c.deadline.date().isoformat()}
        shown.add(
            c.deadline.astimezone(ZoneInfo(reader_zone(request, svc.user))).date().isoformat()
        )
        if sent in shown:
            f.pop("deadline", None)
    svc.update_commitment(c_id, f)
    return back(f"/commitments/{c_id}")


@router.post("/commitments/{c_id}/milestones")
async def milestone_form(request: Request, svc: Svc, c_id: int) -> Response:
    form = await posted(request, svc)
    due = form.instant("due")
    svc.add_milestone(c_id, form.i18n("title"), due)
    return back(f"/commitments/{c_id}")


@router.post("/milestones/{m_id}/complete")
def milestone_done_form(
    request: Request, svc: Svc, m_id: int, c_id: Annotated[int, Form()], csrf: Text = ""
) -> Response:
    check_csrf(request, csrf)
    svc.complete_milestone(m_id)
    return back(f"/commitments/{c_id}")


@router.post("/commitments/{c_id}/evidence")
def evidence_form(
    request: Request, svc: Svc, c_id: int, url: Text = "", label: Text = "", csrf: Text = ""
) -> Response:
    check_csrf(request, csrf)
    svc.add_evidence(c_id, url, label)
    return back(f"/commitments/{c_id}")


# ---------------------------------------------------------------------------- audit
@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, svc: Svc, q: str = "", object_type: str = "", actor: str = ""
) -> HTMLResponse:
    entries = [
        e
        for e in svc.audit(object_type=object_type or None, limit=1000)
        if (not actor or e.actor == actor) and matches(q, e.action, str(e.after or ""))
    ][:300]
    return section_page(
        request, svc, "audit", entries=entries, q=q, object_type=object_type, actor=actor
    )
