"""The secretariat web app: server-rendered pages and a REST API (``/api/v1``, OpenAPI).

No ``from __future__ import annotations`` here: FastAPI must see the dependency types defined
inside :func:`create_app` at definition time.

One login for both: a session cookie (HttpOnly, SameSite=Lax) whose token is stored hashed.
State-changing requests also need a CSRF token derived from the session (a hidden form field for
pages, the ``X-CSRF-Token`` header for the API). Every handler goes through a
:class:`Secretariat` bound to the logged-in user, so pages, API and calendar feeds share the one
access check. Templates autoescape everything; the app loads nothing from the network.
"""

import datetime as dt
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Iterator
from importlib.resources import files
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Depends, FastAPI, Form, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from trilink.secretariat.access import ROLE_RANK
from trilink.secretariat.db import Database
from trilink.secretariat.errors import SecretariatError, ValidationError
from trilink.secretariat.i18n import LANGS, label, pick, pick_with_lang, t
from trilink.secretariat.ical import build_calendar
from trilink.secretariat.models import (
    AuditEntry,
    Commitment,
    Document,
    Exercise,
    Meeting,
    MeetingSeries,
    Outcome,
    User,
    Workstream,
)
from trilink.secretariat.services import (
    COMMITMENT_STATUSES,
    Clock,
    Secretariat,
    system_clock,
)

__all__ = ["COOKIE", "MAX_REQUEST_BYTES", "create_app"]

COOKIE = "trilink_sec"
MAX_REQUEST_BYTES = 8 * 1024 * 1024
I18nIn = str | dict[str, str]


class AuthRequiredError(Exception):
    """No valid session."""


# ---------------------------------------------------------------------------- API schemas
class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


class LangIn(BaseModel):
    lang: str


class WorkstreamIn(BaseModel):
    key: str
    title: I18nIn
    description: I18nIn | None = None
    owners: str | list[str] = "all"
    status: str = "active"
    visible_to: str | list[str] = "all"


class CommitmentIn(BaseModel):
    title: I18nIn
    owners: str | list[str]
    deadline: str | None = None
    description: I18nIn | None = None
    workstream_id: int | None = None
    parent_id: int | None = None
    status: str = "open"
    progress: float = 0.0
    weight: float = 1.0
    review_date: str | None = None
    deadline_note: str | None = None
    visible_to: str | list[str] = "all"
    key: str | None = None


class CommitmentPatch(BaseModel):
    title: I18nIn | None = None
    description: I18nIn | None = None
    owners: str | list[str] | None = None
    deadline: str | None = None
    deadline_note: str | None = None
    review_date: str | None = None
    status: str | None = None
    progress: float | None = None
    weight: float | None = None
    visible_to: str | list[str] | None = None
    parent_id: int | None = None
    workstream_id: int | None = None


class MilestoneIn(BaseModel):
    title: I18nIn
    due: str | None = None


class EvidenceIn(BaseModel):
    url: str
    label: str


class SeriesIn(BaseModel):
    key: str
    kind: str
    title: I18nIn
    rule: str
    tz: str
    anchor: str = Field(description="first occurrence, local wall time YYYY-MM-DDTHH:MM")
    duration_min: int = 120
    location: str = ""
    workstream_id: int | None = None
    visible_to: str | list[str] = "all"


class GenerateIn(BaseModel):
    until: str


class MeetingIn(BaseModel):
    title: I18nIn
    start: str = Field(description="local wall time YYYY-MM-DDTHH:MM in tz")
    tz: str
    duration_min: int = 120
    location: str = ""
    status: str = "scheduled"
    series_id: int | None = None
    visible_to: str | list[str] = "all"
    key: str | None = None


class AgendaIn(BaseModel):
    title: I18nIn
    presenter: str = ""
    duration_min: int = 15


class MinutesIn(BaseModel):
    body: I18nIn


class OutcomeIn(BaseModel):
    kind: str
    text: I18nIn
    agenda_item_id: int | None = None
    owners: str | list[str] | None = None
    deadline: str | None = None


class PromoteIn(BaseModel):
    owners: str | list[str]
    deadline: str | None = None
    title: I18nIn | None = None
    workstream_id: int | None = None


class ExerciseIn(BaseModel):
    key: str
    name: I18nIn
    starts_on: str
    ends_on: str
    participants: str | list[str] = "all"
    domains: str | list[str] = ""
    description: I18nIn | None = None
    scenario: str | None = None
    status: str = "planned"
    visible_to: str | list[str] = "all"


class DocumentIn(BaseModel):
    key: str
    kind: str
    title: I18nIn
    body: I18nIn
    issued_on: str | None = None
    source_url: str | None = None
    note: str = ""
    visible_to: str | list[str] = "all"


class VersionIn(BaseModel):
    body: I18nIn
    note: str = ""


# ---------------------------------------------------------------------------- serialisers
def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def ws_json(w: Workstream, lang: str) -> dict[str, Any]:
    return {
        "id": w.id,
        "key": w.key,
        "title": pick(w.title, lang),
        "title_i18n": w.title,
        "description_i18n": w.description,
        "owners": w.owners.split(","),
        "status": w.status,
        "visible_to": list(w.visible_to),
    }


def commitment_json(svc: Secretariat, c: Commitment, lang: str) -> dict[str, Any]:
    return {
        "id": c.id,
        "key": c.key,
        "title": pick(c.title, lang),
        "title_i18n": c.title,
        "description_i18n": c.description,
        "owners": c.owners.split(","),
        "deadline": _iso(c.deadline),
        "deadline_note": c.deadline_note,
        "review_date": _iso(c.review_date),
        "status": c.status,
        "progress": c.progress,
        "rolled_progress": round(svc.rolled_progress(c), 3),
        "weight": c.weight,
        "workstream_id": c.workstream_id,
        "parent_id": c.parent_id,
        "source_outcome_id": c.source_outcome_id,
        "visible_to": list(c.visible_to),
        "milestones": [
            {
                "id": m.id,
                "title": pick(m.title, lang),
                "due": _iso(m.due),
                "done_at": _iso(m.done_at),
            }
            for m in c.milestones
        ],
        "evidence": [{"id": e.id, "url": e.url, "label": e.label} for e in c.evidence],
    }


def series_json(s: MeetingSeries, lang: str) -> dict[str, Any]:
    return {
        "id": s.id,
        "key": s.key,
        "kind": s.kind,
        "title": pick(s.title, lang),
        "rule": s.rule,
        "tz": s.tz,
        "anchor": s.anchor_local,
        "duration_min": s.duration_min,
        "visible_to": list(s.visible_to),
    }


def meeting_json(svc: Secretariat, m: Meeting, lang: str, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": m.id,
        "key": m.key,
        "series_id": m.series_id,
        "title": pick(m.title, lang),
        "title_i18n": m.title,
        "starts_at": _iso(m.starts_at),
        "ends_at": _iso(m.ends_at),
        "local_start": m.starts_at.astimezone(ZoneInfo(m.tz)).isoformat(),
        "tz": m.tz,
        "location": m.location,
        "status": m.status,
        "visible_to": list(m.visible_to),
    }
    if full:
        mins = svc.minutes(m.id)
        out["agenda"] = [
            {
                "id": a.id,
                "position": a.position,
                "title": pick(a.title, lang),
                "presenter": a.presenter,
                "duration_min": a.duration_min,
            }
            for a in m.agenda
        ]
        out["outcomes"] = [outcome_json(o, lang) for o in m.outcomes]
        out["minutes"] = (
            None
            if mins is None
            else {
                "state": mins.state,
                "revision": mins.revision,
                "body": mins.revisions[-1].body if mins.revisions else {},
                "approvals": [
                    {"nation": a.nation, "revision": a.revision, "approver": a.approver}
                    for a in mins.approvals
                ],
                "revisions": [
                    {"number": r.number, "author": r.author, "created_at": _iso(r.created_at)}
                    for r in mins.revisions
                ],
            }
        )
    return out


def outcome_json(o: Outcome, lang: str) -> dict[str, Any]:
    return {
        "id": o.id,
        "meeting_id": o.meeting_id,
        "kind": o.kind,
        "text": pick(o.text, lang),
        "text_i18n": o.text,
        "commitment_id": o.commitment_id,
    }


def exercise_json(e: Exercise, lang: str) -> dict[str, Any]:
    return {
        "id": e.id,
        "key": e.key,
        "name": pick(e.name, lang),
        "starts_on": _iso(e.starts_on),
        "ends_on": _iso(e.ends_on),
        "participants": e.participants.split(","),
        "domains": [d for d in e.domains.split(",") if d],
        "scenario": e.scenario,
        "status": e.status,
        "after_action": e.after_action,
        "visible_to": list(e.visible_to),
    }


def document_json(d: Document, lang: str) -> dict[str, Any]:
    return {
        "id": d.id,
        "key": d.key,
        "kind": d.kind,
        "title": pick(d.title, lang),
        "issued_on": _iso(d.issued_on),
        "source_url": d.source_url,
        "visible_to": list(d.visible_to),
        "versions": [
            {
                "id": v.id,
                "number": v.number,
                "note": v.note,
                "body": pick(v.body, lang),
                "attachments": [
                    {"id": a.id, "filename": a.filename, "size": a.size, "sha256": a.sha256}
                    for a in v.attachments
                ],
            }
            for v in d.versions
        ],
    }


def audit_json(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": _iso(e.at),
        "actor": e.actor,
        "actor_nation": e.actor_nation,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "before": e.before,
        "after": e.after,
    }


def _diff(e: AuditEntry) -> str:
    before = e.before or {}
    after = e.after or {}
    keys = [k for k in after if before.get(k) != after.get(k) and k not in ("updated_at",)]
    parts = []
    for k in keys[:8]:
        old = before.get(k)
        new = after.get(k)
        parts.append(f"{k}: {str(old)[:60] if old is not None else '∅'} → {str(new)[:60]}")
    return "; ".join(parts)


# ---------------------------------------------------------------------------- app
def create_app(
    db_url: str, *, clock: Clock = system_clock, secure_cookies: bool = False
) -> FastAPI:
    """The app for one database; ``clock`` is injected wherever deadlines matter."""
    database = Database(db_url)
    database.upgrade()
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("trilink.secretariat.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    app = FastAPI(
        title="trilink secretariat",
        version="1",
        description="Workstreams, commitments, meetings, minutes, exercises and documents of the "
        "ROK-US-Japan cooperation. Log in with POST /api/v1/login; send X-CSRF-Token on writes.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.db = database
    app.mount(
        "/static",
        StaticFiles(directory=str(files("trilink.secretariat.web") / "static")),
        name="static",
    )

    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_REQUEST_BYTES):
            return JSONResponse(
                {"error": f"request too large (at most {MAX_REQUEST_BYTES} bytes)"},
                status_code=413,
            )
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'",
        )
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    # -- dependencies -------------------------------------------------------------
    def get_session() -> Iterator[Session]:
        with database.session() as session:
            yield session

    SessionDep = Annotated[Session, Depends(get_session)]

    def current_user(request: Request, session: SessionDep) -> User:
        token = request.cookies.get(COOKIE)
        if not token:
            raise AuthRequiredError()
        user = Secretariat.session_user(session, token, clock())
        if user is None:
            raise AuthRequiredError()
        return user

    UserDep = Annotated[User, Depends(current_user)]

    def service(session: SessionDep, user: UserDep) -> Secretariat:
        return Secretariat(session, user, clock)

    Svc = Annotated[Secretariat, Depends(service)]

    def csrf_for(request: Request) -> str:
        token = request.cookies.get(COOKIE, "")
        return hashlib.sha256(f"csrf:{token}".encode()).hexdigest()

    def check_csrf(request: Request, given: str | None) -> None:
        if not given or not hmac.compare_digest(given, csrf_for(request)):
            raise ValidationError("missing or wrong CSRF token; reload the page and try again")

    def api_csrf(request: Request) -> None:
        check_csrf(request, request.headers.get("x-csrf-token"))

    ApiWrite = Depends(api_csrf)

    def lang_of(request: Request, user: User | None) -> str:
        q = request.query_params.get("lang")
        if q in LANGS:
            return q
        return user.lang if user is not None else "en"

    def render(
        request: Request,
        name: str,
        user: User | None,
        status_code: int = 200,
        **ctx: Any,
    ) -> HTMLResponse:
        lang = lang_of(request, user)
        svc = ctx.get("svc")

        def progress(c: Commitment) -> float:
            return svc.rolled_progress(c) if svc is not None else float(c.progress)

        def local(m: Meeting) -> str:
            start = m.starts_at.astimezone(ZoneInfo(m.tz))
            return f"{start:%Y-%m-%d %H:%M} {m.tz} ({m.starts_at:%Y-%m-%d %H:%M} UTC)"

        base = {
            "user": user,
            "lang": lang,
            "t": lambda key: t(key, lang),
            "label": lambda value: label(value, lang),
            "pickw": lambda field: pick_with_lang(field, lang),
            "csrf": csrf_for(request),
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "now": clock(),
            "progress": progress,
            "local": local,
            "diff": _diff,
            "error": None,
            "title": "",
            "can_write": user is not None and ROLE_RANK[user.role] >= ROLE_RANK["staff"],
            "can_approve": user is not None and ROLE_RANK[user.role] >= ROLE_RANK["approver"],
        }
        base.update(ctx)
        html = env.get_template(name).render(**base)
        return HTMLResponse(html, status_code=status_code)

    # -- errors -------------------------------------------------------------------
    @app.exception_handler(AuthRequiredError)
    async def on_auth(request: Request, exc: AuthRequiredError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "login required"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(SecretariatError)
    async def on_error(request: Request, exc: SecretariatError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=exc.status_code)
        with database.session() as session:
            token = request.cookies.get(COOKIE)
            user = Secretariat.session_user(session, token, clock()) if token else None
            return render(request, "error.html", user, status_code=exc.status_code, error=str(exc))

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        return JSONResponse({"error": "; ".join(problems) or "invalid request"}, status_code=422)

    # -- login --------------------------------------------------------------------
    def _set_cookie(response: Response, token: str) -> None:
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies, path="/"
        )

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request) -> HTMLResponse:
        return render(request, "login.html", None, title=t("login", lang_of(request, None)))

    @app.post("/login", include_in_schema=False)
    def login_form(
        request: Request,
        session: SessionDep,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=200)],
    ) -> Response:
        user = Secretariat.authenticate(session, username, password)
        if user is None:
            return render(
                request, "login.html", None, status_code=401, error="wrong user name or password"
            )
        response = RedirectResponse("/", status_code=303)
        _set_cookie(response, Secretariat.open_session(session, user, clock()))
        return response

    @app.post("/logout", include_in_schema=False)
    def logout_form(
        request: Request, session: SessionDep, csrf: Annotated[str, Form()] = ""
    ) -> Response:
        check_csrf(request, csrf)
        token = request.cookies.get(COOKIE)
        if token:
            Secretariat.close_session(session, token, clock())
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.post("/lang", include_in_schema=False)
    def lang_form(
        request: Request,
        svc: Svc,
        lang: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
        next_path: Annotated[str, Form(alias="next")] = "/",
    ) -> Response:
        check_csrf(request, csrf)
        svc.set_language(lang)
        # Only ever redirect within this site (no "//host" or "scheme:" targets).
        ok = next_path.startswith("/") and not next_path.startswith("//")
        ok = ok and "\\" not in next_path
        return RedirectResponse(next_path if ok else "/", status_code=303)

    # -- pages --------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(request: Request, svc: Svc) -> HTMLResponse:
        return render(
            request,
            "dashboard.html",
            svc.user,
            svc=svc,
            title=t("dashboard", svc.user.lang),
            overdue=svc.list_commitments("overdue"),
            due_soon=svc.list_commitments("due_soon"),
            meetings=svc.list_meetings(after=svc.now())[:10],
        )

    @app.get("/commitments", response_class=HTMLResponse, include_in_schema=False)
    def commitments_page(
        request: Request, svc: Svc, view: Annotated[str, Query()] = "all"
    ) -> HTMLResponse:
        items = svc.list_commitments(view)
        return render(
            request, "commitments.html", svc.user, svc=svc, items=items, view=view, title=view
        )

    @app.post("/commitments", include_in_schema=False)
    def commitment_create_form(
        request: Request,
        svc: Svc,
        title: Annotated[str, Form()],
        owners: Annotated[str, Form()] = "all",
        deadline: Annotated[str, Form()] = "",
        visible_to: Annotated[str, Form()] = "all",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(request, csrf)
        c = svc.create_commitment(
            {svc.user.lang: title},
            owners=owners,
            deadline=deadline or None,
            visible_to=visible_to,
        )
        return RedirectResponse(f"/commitments/{c.id}", status_code=303)

    @app.get("/commitments/{c_id}", response_class=HTMLResponse, include_in_schema=False)
    def commitment_page(request: Request, svc: Svc, c_id: int) -> HTMLResponse:
        c = svc.commitment(c_id)
        source = None
        if c.source_outcome_id is not None:
            try:
                source, _ = svc.outcome(c.source_outcome_id)
            except SecretariatError:
                source = None
        return render(
            request,
            "commitment.html",
            svc.user,
            svc=svc,
            c=c,
            children=svc.children(c),
            source=source,
            statuses=COMMITMENT_STATUSES,
            entries=svc.audit(object_type="commitment", object_id=c.id),
            title=pick(c.title, svc.user.lang),
        )

    @app.post("/commitments/{c_id}", include_in_schema=False)
    def commitment_update_form(
        request: Request,
        svc: Svc,
        c_id: int,
        status: Annotated[str, Form()],
        progress: Annotated[str, Form()],
        deadline: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(request, csrf)
        svc.update_commitment(
            c_id, {"status": status, "progress": progress, "deadline": deadline or None}
        )
        return RedirectResponse(f"/commitments/{c_id}", status_code=303)

    @app.get("/workstreams", response_class=HTMLResponse, include_in_schema=False)
    def workstreams_page(request: Request, svc: Svc) -> HTMLResponse:
        return render(request, "workstreams.html", svc.user, items=svc.list_workstreams())

    @app.get("/workstreams/{w_id}", response_class=HTMLResponse, include_in_schema=False)
    def workstream_page(request: Request, svc: Svc, w_id: int) -> HTMLResponse:
        w = svc.workstream(w_id)
        items = svc.list_commitments(workstream_id=w.id)
        return render(request, "workstream.html", svc.user, svc=svc, w=w, items=items)

    @app.get("/meetings", response_class=HTMLResponse, include_in_schema=False)
    def meetings_page(request: Request, svc: Svc) -> HTMLResponse:
        return render(request, "meetings.html", svc.user, items=svc.list_meetings(), zones=ZONES)

    @app.post("/meetings", include_in_schema=False)
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
            duration_min=_int_field("duration_min", duration_min),
            location=location,
            visible_to=visible_to,
        )
        return RedirectResponse(f"/meetings/{m.id}", status_code=303)

    @app.post("/meetings/{m_id}/agenda", include_in_schema=False)
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
            duration_min=_int_field("duration_min", duration_min),
        )
        return RedirectResponse(f"/meetings/{m_id}", status_code=303)

    @app.get("/meetings/{m_id}", response_class=HTMLResponse, include_in_schema=False)
    def meeting_page(request: Request, svc: Svc, m_id: int) -> HTMLResponse:
        m = svc.meeting(m_id)
        mins = svc.minutes(m.id)
        approved = (
            sorted({a.nation for a in mins.approvals if a.revision == mins.revision})
            if mins
            else []
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

    @app.post("/meetings/{m_id}/outcomes", include_in_schema=False)
    def outcome_form(
        request: Request,
        svc: Svc,
        m_id: int,
        kind: Annotated[str, Form()],
        text: Annotated[str, Form()],
        owners: Annotated[str, Form()] = "",
        deadline: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(request, csrf)
        svc.add_outcome(
            m_id, kind, {svc.user.lang: text}, owners=owners or None, deadline=deadline or None
        )
        return RedirectResponse(f"/meetings/{m_id}", status_code=303)

    @app.post("/outcomes/{o_id}/commitment", include_in_schema=False)
    def promote_form(
        request: Request,
        svc: Svc,
        o_id: int,
        owners: Annotated[str, Form()],
        deadline: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(request, csrf)
        c = svc.promote_outcome(o_id, owners=owners, deadline=deadline or None)
        return RedirectResponse(f"/commitments/{c.id}", status_code=303)

    @app.post("/meetings/{m_id}/minutes", include_in_schema=False)
    def minutes_form(
        request: Request,
        svc: Svc,
        m_id: int,
        body: Annotated[str, Form()],
        lang: Annotated[str, Form()] = "en",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(request, csrf)
        mins = svc.minutes(m_id)
        text = dict(mins.revisions[-1].body) if mins and mins.revisions else {}
        text[lang if lang in LANGS else "en"] = body
        svc.write_minutes(m_id, text)
        return RedirectResponse(f"/meetings/{m_id}", status_code=303)

    @app.post("/meetings/{m_id}/approve", include_in_schema=False)
    def approve_form(
        request: Request, svc: Svc, m_id: int, csrf: Annotated[str, Form()] = ""
    ) -> Response:
        check_csrf(request, csrf)
        svc.approve_minutes(m_id)
        return RedirectResponse(f"/meetings/{m_id}", status_code=303)

    @app.post("/meetings/{m_id}/lock", include_in_schema=False)
    def lock_form(
        request: Request, svc: Svc, m_id: int, csrf: Annotated[str, Form()] = ""
    ) -> Response:
        check_csrf(request, csrf)
        svc.lock_minutes(m_id)
        return RedirectResponse(f"/meetings/{m_id}", status_code=303)

    @app.get("/exercises", response_class=HTMLResponse, include_in_schema=False)
    def exercises_page(request: Request, svc: Svc) -> HTMLResponse:
        return render(request, "exercises.html", svc.user, items=svc.list_exercises())

    @app.get("/documents", response_class=HTMLResponse, include_in_schema=False)
    def documents_page(request: Request, svc: Svc) -> HTMLResponse:
        return render(request, "documents.html", svc.user, items=svc.list_documents())

    @app.get("/attachments/{a_id}", include_in_schema=False)
    def attachment(svc: Svc, a_id: int) -> Response:
        from trilink.secretariat.models import Attachment, DocumentVersion

        a = svc.session.get(Attachment, a_id)
        v = svc.session.get(DocumentVersion, a.version_id) if a is not None else None
        if a is None or v is None:
            raise_not_found("attachment", a_id)
        assert a is not None and v is not None
        svc.document(v.document_id)  # access check
        return Response(
            a.data,
            media_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{a.sha256[:16]}.bin"'},
        )

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit_page(request: Request, svc: Svc) -> HTMLResponse:
        return render(request, "audit.html", svc.user, entries=svc.audit(limit=200))

    @app.get("/calendar/{token}.ics", include_in_schema=False)
    def calendar(session: SessionDep, token: str, lang: str | None = None) -> Response:
        from sqlalchemy import select

        user = (
            session.scalars(select(User).where(User.ical_token == token)).first()
            if len(token) >= 20
            else None
        )
        if user is None:
            return Response("unknown calendar token\n", status_code=404, media_type="text/plain")
        svc = Secretariat(session, user, clock)
        data = build_calendar(svc, lang if lang in LANGS else user.lang)
        return Response(data, media_type="text/calendar; charset=utf-8")

    # -- API ----------------------------------------------------------------------
    api = "/api/v1"

    @app.post(f"{api}/login", tags=["auth"])
    def api_login(body: LoginIn, session: SessionDep, response: Response) -> dict[str, Any]:
        """Log in; sets the session cookie and returns the CSRF token for writes."""
        user = Secretariat.authenticate(session, body.username, body.password)
        if user is None:
            raise_auth()
        assert user is not None
        token = Secretariat.open_session(session, user, clock())
        _set_cookie(response, token)
        return {
            "username": user.username,
            "nation": user.nation,
            "role": user.role,
            "csrf": hashlib.sha256(f"csrf:{token}".encode()).hexdigest(),
        }

    @app.post(f"{api}/logout", tags=["auth"], dependencies=[ApiWrite])
    def api_logout(request: Request, session: SessionDep, response: Response) -> dict[str, str]:
        """End the session."""
        token = request.cookies.get(COOKIE)
        if token:
            Secretariat.close_session(session, token, clock())
        response.delete_cookie(COOKIE, path="/")
        return {"status": "logged out"}

    @app.get(f"{api}/me", tags=["auth"])
    def api_me(request: Request, user: UserDep) -> dict[str, Any]:
        """The logged-in user, the CSRF token and the calendar feed path."""
        return {
            "username": user.username,
            "nation": user.nation,
            "role": user.role,
            "lang": user.lang,
            "csrf": csrf_for(request),
            "calendar": f"/calendar/{user.ical_token}.ics",
        }

    @app.put(f"{api}/me/lang", tags=["auth"], dependencies=[ApiWrite])
    def api_lang(body: LangIn, svc: Svc) -> dict[str, str]:
        """Set the UI language (en, ko, ja)."""
        svc.set_language(body.lang)
        return {"lang": body.lang}

    @app.get(f"{api}/workstreams", tags=["workstreams"])
    def api_workstreams(svc: Svc, lang: str = "en") -> list[dict[str, Any]]:
        return [ws_json(w, lang) for w in svc.list_workstreams()]

    @app.post(f"{api}/workstreams", tags=["workstreams"], status_code=201, dependencies=[ApiWrite])
    def api_workstream_create(body: WorkstreamIn, svc: Svc) -> dict[str, Any]:
        w = svc.create_workstream(
            body.key,
            body.title,
            description=body.description,
            owners=body.owners,
            status=body.status,
            visible_to=body.visible_to,
        )
        return ws_json(w, "en")

    @app.get(f"{api}/workstreams/{{w_id}}", tags=["workstreams"])
    def api_workstream(svc: Svc, w_id: int, lang: str = "en") -> dict[str, Any]:
        return ws_json(svc.workstream(w_id), lang)

    @app.get(f"{api}/commitments", tags=["commitments"])
    def api_commitments(
        svc: Svc,
        view: str = "all",
        days: int = 30,
        workstream_id: int | None = None,
        lang: str = "en",
    ) -> list[dict[str, Any]]:
        """Commitments: view=all|overdue|due_soon."""
        items = svc.list_commitments(view, days=days, workstream_id=workstream_id)
        return [commitment_json(svc, c, lang) for c in items]

    @app.post(f"{api}/commitments", tags=["commitments"], status_code=201, dependencies=[ApiWrite])
    def api_commitment_create(body: CommitmentIn, svc: Svc) -> dict[str, Any]:
        c = svc.create_commitment(
            body.title,
            owners=body.owners,
            deadline=body.deadline,
            description=body.description,
            workstream_id=body.workstream_id,
            parent_id=body.parent_id,
            status=body.status,
            progress=body.progress,
            weight=body.weight,
            review_date=body.review_date,
            deadline_note=body.deadline_note,
            visible_to=body.visible_to,
            key=body.key,
        )
        return commitment_json(svc, c, "en")

    @app.get(f"{api}/commitments/{{c_id}}", tags=["commitments"])
    def api_commitment(svc: Svc, c_id: int, lang: str = "en") -> dict[str, Any]:
        return commitment_json(svc, svc.commitment(c_id), lang)

    @app.patch(f"{api}/commitments/{{c_id}}", tags=["commitments"], dependencies=[ApiWrite])
    def api_commitment_update(body: CommitmentPatch, svc: Svc, c_id: int) -> dict[str, Any]:
        c = svc.update_commitment(c_id, body.model_dump(exclude_unset=True))
        return commitment_json(svc, c, "en")

    @app.get(f"{api}/commitments/{{c_id}}/history", tags=["commitments"])
    def api_commitment_history(svc: Svc, c_id: int) -> list[dict[str, Any]]:
        """Every change of the commitment, newest first (from the audit log)."""
        c = svc.commitment(c_id)
        return [audit_json(e) for e in svc.audit(object_type="commitment", object_id=c.id)]

    @app.post(
        f"{api}/commitments/{{c_id}}/milestones",
        tags=["commitments"],
        status_code=201,
        dependencies=[ApiWrite],
    )
    def api_milestone(body: MilestoneIn, svc: Svc, c_id: int) -> dict[str, Any]:
        m = svc.add_milestone(c_id, body.title, body.due)
        return {"id": m.id, "due": _iso(m.due)}

    @app.post(f"{api}/milestones/{{m_id}}/complete", tags=["commitments"], dependencies=[ApiWrite])
    def api_milestone_done(svc: Svc, m_id: int) -> dict[str, Any]:
        m = svc.complete_milestone(m_id)
        return {"id": m.id, "done_at": _iso(m.done_at)}

    @app.post(
        f"{api}/commitments/{{c_id}}/evidence",
        tags=["commitments"],
        status_code=201,
        dependencies=[ApiWrite],
    )
    def api_evidence(body: EvidenceIn, svc: Svc, c_id: int) -> dict[str, Any]:
        e = svc.add_evidence(c_id, body.url, body.label)
        return {"id": e.id, "url": e.url, "label": e.label}

    @app.get(f"{api}/series", tags=["meetings"])
    def api_series(svc: Svc, lang: str = "en") -> list[dict[str, Any]]:
        return [series_json(s, lang) for s in svc.series_list()]

    @app.post(f"{api}/series", tags=["meetings"], status_code=201, dependencies=[ApiWrite])
    def api_series_create(body: SeriesIn, svc: Svc) -> dict[str, Any]:
        s = svc.create_series(
            body.key,
            body.kind,
            body.title,
            rule=body.rule,
            tz=body.tz,
            anchor=body.anchor,
            duration_min=body.duration_min,
            location=body.location,
            workstream_id=body.workstream_id,
            visible_to=body.visible_to,
        )
        return series_json(s, "en")

    @app.post(f"{api}/series/{{s_id}}/generate", tags=["meetings"], dependencies=[ApiWrite])
    def api_generate(body: GenerateIn, svc: Svc, s_id: int) -> list[dict[str, Any]]:
        """Create the series' meetings up to a date (existing ones are kept)."""
        return [meeting_json(svc, m, "en") for m in svc.generate_meetings(s_id, body.until)]

    @app.get(f"{api}/meetings", tags=["meetings"])
    def api_meetings(svc: Svc, lang: str = "en") -> list[dict[str, Any]]:
        return [meeting_json(svc, m, lang) for m in svc.list_meetings()]

    @app.post(f"{api}/meetings", tags=["meetings"], status_code=201, dependencies=[ApiWrite])
    def api_meeting_create(body: MeetingIn, svc: Svc) -> dict[str, Any]:
        m = svc.create_meeting(
            body.title,
            start=body.start,
            tz=body.tz,
            duration_min=body.duration_min,
            location=body.location,
            status=body.status,
            series_id=body.series_id,
            visible_to=body.visible_to,
            key=body.key,
        )
        return meeting_json(svc, m, "en")

    @app.get(f"{api}/meetings/{{m_id}}", tags=["meetings"])
    def api_meeting(svc: Svc, m_id: int, lang: str = "en") -> dict[str, Any]:
        return meeting_json(svc, svc.meeting(m_id), lang, full=True)

    @app.post(
        f"{api}/meetings/{{m_id}}/agenda",
        tags=["meetings"],
        status_code=201,
        dependencies=[ApiWrite],
    )
    def api_agenda(body: AgendaIn, svc: Svc, m_id: int) -> dict[str, Any]:
        a = svc.add_agenda_item(
            m_id, body.title, presenter=body.presenter, duration_min=body.duration_min
        )
        return {"id": a.id, "position": a.position}

    @app.put(f"{api}/meetings/{{m_id}}/minutes", tags=["minutes"], dependencies=[ApiWrite])
    def api_minutes(body: MinutesIn, svc: Svc, m_id: int) -> dict[str, Any]:
        """Save a new revision (back to draft; older approvals stop counting)."""
        mins = svc.write_minutes(m_id, body.body)
        return {"state": mins.state, "revision": mins.revision}

    @app.post(f"{api}/meetings/{{m_id}}/minutes/approve", tags=["minutes"], dependencies=[ApiWrite])
    def api_approve(svc: Svc, m_id: int) -> dict[str, Any]:
        """Approve the current revision for your nation (approver role)."""
        mins = svc.approve_minutes(m_id)
        return {"state": mins.state, "revision": mins.revision}

    @app.post(f"{api}/meetings/{{m_id}}/minutes/lock", tags=["minutes"], dependencies=[ApiWrite])
    def api_lock(svc: Svc, m_id: int) -> dict[str, Any]:
        """Lock minutes approved by every party; nothing can change afterwards."""
        mins = svc.lock_minutes(m_id)
        return {"state": mins.state, "revision": mins.revision}

    @app.post(
        f"{api}/meetings/{{m_id}}/outcomes",
        tags=["meetings"],
        status_code=201,
        dependencies=[ApiWrite],
    )
    def api_outcome(body: OutcomeIn, svc: Svc, m_id: int) -> dict[str, Any]:
        o = svc.add_outcome(
            m_id,
            body.kind,
            body.text,
            agenda_item_id=body.agenda_item_id,
            owners=body.owners,
            deadline=body.deadline,
        )
        return outcome_json(o, "en")

    @app.post(
        f"{api}/outcomes/{{o_id}}/commitment",
        tags=["meetings"],
        status_code=201,
        dependencies=[ApiWrite],
    )
    def api_promote(body: PromoteIn, svc: Svc, o_id: int) -> dict[str, Any]:
        """Turn a decision into a tracked commitment."""
        c = svc.promote_outcome(
            o_id,
            owners=body.owners,
            deadline=body.deadline,
            title=body.title,
            workstream_id=body.workstream_id,
        )
        return commitment_json(svc, c, "en")

    @app.get(f"{api}/exercises", tags=["exercises"])
    def api_exercises(svc: Svc, lang: str = "en") -> list[dict[str, Any]]:
        return [exercise_json(e, lang) for e in svc.list_exercises()]

    @app.post(f"{api}/exercises", tags=["exercises"], status_code=201, dependencies=[ApiWrite])
    def api_exercise_create(body: ExerciseIn, svc: Svc) -> dict[str, Any]:
        e = svc.create_exercise(
            body.key,
            body.name,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            participants=body.participants,
            domains=body.domains if isinstance(body.domains, str) else list(body.domains),
            description=body.description,
            scenario=body.scenario,
            status=body.status,
            visible_to=body.visible_to,
        )
        return exercise_json(e, "en")

    @app.post(f"{api}/exercises/{{e_id}}/run", tags=["exercises"], dependencies=[ApiWrite])
    def api_exercise_run(body: dict[str, Any], svc: Svc, e_id: int) -> dict[str, Any]:
        """Attach a scenario run's after-action figures (a JSON object)."""
        return exercise_json(svc.attach_run(e_id, body), "en")

    @app.get(f"{api}/documents", tags=["documents"])
    def api_documents(svc: Svc, lang: str = "en") -> list[dict[str, Any]]:
        return [document_json(d, lang) for d in svc.list_documents()]

    @app.post(f"{api}/documents", tags=["documents"], status_code=201, dependencies=[ApiWrite])
    def api_document_create(body: DocumentIn, svc: Svc) -> dict[str, Any]:
        d = svc.create_document(
            body.key,
            body.kind,
            body.title,
            body=body.body,
            issued_on=body.issued_on,
            source_url=body.source_url,
            note=body.note,
            visible_to=body.visible_to,
        )
        return document_json(d, "en")

    @app.post(
        f"{api}/documents/{{d_id}}/versions",
        tags=["documents"],
        status_code=201,
        dependencies=[ApiWrite],
    )
    def api_version(body: VersionIn, svc: Svc, d_id: int) -> dict[str, Any]:
        v = svc.add_version(d_id, body.body, body.note)
        return {"id": v.id, "number": v.number}

    @app.post(
        f"{api}/versions/{{v_id}}/attachments",
        tags=["documents"],
        status_code=201,
        dependencies=[ApiWrite],
    )
    async def api_attachment(request: Request, svc: Svc, v_id: int) -> dict[str, Any]:
        """Upload a file as the raw request body (``?filename=``; at most 5 MiB)."""
        data = await request.body()
        filename = request.query_params.get("filename", "attachment.bin")
        ctype = request.headers.get("content-type", "application/octet-stream")
        a = svc.add_attachment(v_id, filename, ctype, data)
        return {"id": a.id, "size": a.size, "sha256": a.sha256}

    @app.get(f"{api}/audit", tags=["audit"])
    def api_audit(
        svc: Svc,
        object_type: str | None = None,
        object_id: int | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """The audit log (read-only; entries you may see), newest first."""
        return [
            audit_json(e)
            for e in svc.audit(object_type=object_type, object_id=object_id, limit=limit)
        ]

    @app.get(f"{api}/audit/{{e_id}}", tags=["audit"])
    def api_audit_entry(svc: Svc, e_id: int) -> dict[str, Any]:
        """One audit entry. There is no PUT, PATCH or DELETE: the log is append-only."""
        return audit_json(svc.audit_entry(e_id))

    return app


#: time zones offered by the meeting form (any IANA zone works through the API)
ZONES = ("Asia/Seoul", "Asia/Tokyo", "America/New_York", "Pacific/Honolulu", "UTC")


def _int_field(field: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValidationError(f"{field}: expected a whole number") from None


def raise_not_found(what: str, obj_id: int) -> None:
    """Raise the 404 error of the secretariat."""
    from trilink.secretariat.errors import NotFoundError

    raise NotFoundError(f"{what} {obj_id} not found")


def raise_auth() -> None:
    """Raise a 401 for the API."""
    raise AuthRequiredError()
