"""The node's web application: the common operational picture, its REST API and live stream.

:func:`create_app` serves one :class:`NodeView`. Every route needs a session except the login
page (and its stylesheet) and ``/health``. State changes need the session's CSRF token (the login
form its own, bound to a pre-session cookie) and a same-origin request; bodies are capped whether
or not ``Content-Length`` is sent. Handlers are ``async`` on purpose: a live view reads a node
that lives on the same event loop, so reads never race its updates (only password hashing, which
touches no node state, runs in a worker thread).

Roles: ``viewer`` reads; ``operator`` acknowledges alerts and issues cancel / all clear;
``admin`` reads the audit log and suspends or restores agreements. An administrator does not
issue public messages and an operator does not change what is shared: no one account can both
stop the sharing and speak to the public.
"""

import asyncio
import hmac
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import lru_cache
from http.cookies import SimpleCookie
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import jinja2
import shapely
from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from trilink.geo.areas import AreaIndex, UnknownArea
from trilink.warning.cap import to_cap
from trilink.warning.geojson import (
    area_feature,
    feature_collection,
    impact_feature,
    launch_feature,
    track_feature,
)
from trilink.warning.model import LANGUAGES, Alert, AlertText, Language, Status
from trilink.warning.texts import render
from trilink.web.auth import Role, Session, SessionStore, Throttle, User, check_password
from trilink.web.layers import area_layer, coast_layer, zone_layer
from trilink.web.replay import ReplayChange, ReplayControl, ReplayState
from trilink.web.timeline import LaunchTimeline, timeline
from trilink.web.view import (
    AgreementRow,
    AuditEntry,
    EventRow,
    LaunchRow,
    LinkRow,
    NodeView,
    PredictionRow,
    TrackRow,
    ViewError,
)

__all__ = [
    "LOGIN_COOKIE",
    "MAX_BODY_BYTES",
    "READER_ZONES",
    "SESSION_COOKIE",
    "AlertModel",
    "Snapshot",
    "create_app",
    "leaflet_dir",
]

log = logging.getLogger(__name__)

SESSION_COOKIE = "trilink_session"
LOGIN_COOKIE = "trilink_login"
#: the API's largest legitimate body is a reason of 500 characters; 64 KiB is generous
MAX_BODY_BYTES = 64 * 1024
#: the time zone alert texts are rendered in, per issuing nation
READER_ZONES: dict[str, str] = {"JPN": "Asia/Tokyo", "KOR": "Asia/Seoul", "USA": "Pacific/Guam"}
#: the only static file a visitor who is not logged in may fetch
_PUBLIC_STATIC = frozenset({"/static/app/login.css"})
_PUBLIC_PATHS = frozenset({"/health", "/login"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = tuple(
    (k.encode(), v.encode())
    for k, v in (
        ("content-security-policy", _CSP),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),  # no-referrer makes browsers send Origin: null
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        ("permissions-policy", "geolocation=(), camera=(), microphone=()"),
        ("cache-control", "no-store"),
    )
)


def leaflet_dir() -> Path | None:
    """Leaflet's ``dist`` from ``node_modules`` (installed at build time), or None."""
    env = os.environ.get("TRILINK_LEAFLET_DIR")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "node_modules" / "leaflet" / "dist" for p in here.parents]
    candidates.append(Path.cwd() / "node_modules" / "leaflet" / "dist")
    return next((c for c in candidates if (c / "leaflet.js").is_file()), None)


# -- response models ------------------------------------------------------------------------
class AreaModel(BaseModel):
    code: str
    probability: float
    kind: Literal["impact", "overflight"]
    arrival_ns: int | None = None


class ImpactModel(BaseModel):
    lat_deg: float
    lon_deg: float
    time_ns: int
    major_m: float
    minor_m: float
    azimuth_deg: float
    zone: str
    nation: str | None
    area: str | None


class TextModel(BaseModel):
    language: Language
    headline: str
    description: str
    instruction: str


class AlertModel(BaseModel):
    """An alert with its texts in every language and who acknowledged it."""

    alert_id: str
    nation: str
    launch_id: str
    seq: int
    stage: str
    status: Status
    issued_ns: int
    references: list[str]
    areas: list[AreaModel]
    launch_time_ns: int | None
    launch_lat_deg: float | None
    launch_lon_deg: float | None
    missile_class: str
    object_id: str | None
    impact: ImpactModel | None
    texts: dict[str, TextModel]
    acknowledged_by: list[str]


class Snapshot(BaseModel):
    """Everything the page shows, at one version."""

    version: int
    now_ns: int
    nation: str
    status: Status
    tracks: list[TrackRow]
    launches: list[LaunchRow]
    predictions: list[PredictionRow]
    alerts: list[AlertModel]
    events: list[EventRow]
    links: list[LinkRow]
    agreements: list[AgreementRow]
    counters: dict[str, int]
    #: per launch: launch, first notice, first area warning, outcome
    timeline: list[LaunchTimeline] = []
    #: the scenario replay's state; None on a real node
    replay: ReplayState | None = None
    #: picture seconds per wall second (``now_ns`` runs at it until the next snapshot): 1 on a
    #: real node, the replay's speed, 0 while it is paused
    clock_rate: float = 1.0


class Health(BaseModel):
    nation: str
    status: Literal["ok"]


class Me(BaseModel):
    user: str
    role: Role
    csrf: str
    nation: str
    status: Status


class AgreementChange(BaseModel):
    """Suspend or restore an agreement, and why (the reason goes to the audit log)."""

    action: Literal["suspend", "restore"]
    reason: str = Field(min_length=1, max_length=500)


class Done(BaseModel):
    ok: bool = True


# -- app state ------------------------------------------------------------------------------
@dataclass
class _Web:
    view: NodeView
    users: dict[str, User]
    sessions: SessionStore
    throttle: Throttle
    #: per client address: looser, as one address may be a whole operations room behind NAT
    addr_throttle: Throttle
    clock: Callable[[], int]
    picture_clock: Callable[[], int]
    secure: bool
    metrics_token: str | None
    templates: jinja2.Environment
    tz: str
    poll_s: float
    heartbeat_s: float
    replay: ReplayControl | None = None
    _texts: dict[tuple[str, str], AlertText] = field(default_factory=dict)

    def texts(self, alert: Alert) -> dict[str, TextModel]:
        out: dict[str, TextModel] = {}
        for lang in LANGUAGES:
            key = (alert.alert_id + f"@{alert.issued_ns}", lang)
            if key not in self._texts:
                self._texts[key] = render(alert, lang, self.tz, _areas())
            out[lang] = TextModel.model_validate(self._texts[key], from_attributes=True)
        return out

    def alert_model(self, alert: Alert, acks: Mapping[str, list[str]]) -> AlertModel:
        impact = None
        if alert.impact is not None:
            impact = ImpactModel.model_validate(alert.impact, from_attributes=True)
        return AlertModel(
            alert_id=alert.alert_id,
            nation=alert.nation,
            launch_id=alert.launch_id,
            seq=alert.seq,
            stage=alert.stage,
            status=alert.status,
            issued_ns=alert.issued_ns,
            references=list(alert.references),
            areas=[AreaModel.model_validate(a, from_attributes=True) for a in alert.areas],
            launch_time_ns=alert.launch_time_ns,
            launch_lat_deg=alert.launch_lat_deg,
            launch_lon_deg=alert.launch_lon_deg,
            missile_class=alert.missile_class,
            object_id=alert.object_id,
            impact=impact,
            texts=self.texts(alert),
            acknowledged_by=list(acks.get(alert.alert_id, [])),
        )

    def alert_models(self) -> list[AlertModel]:
        acks = self.view.acknowledged()
        return [self.alert_model(a, acks) for a in self.view.alerts()]

    def stream_key(self) -> tuple[int, int]:
        """Changes when the view or the replay's state does."""
        return self.view.version(), -1 if self.replay is None else self.replay.state().version

    def snapshot(self) -> Snapshot:
        v = self.view
        replay = None if self.replay is None else self.replay.state()
        alerts = v.alerts()
        launches = v.launches()
        return Snapshot(
            version=v.version(),
            now_ns=self.picture_clock(),
            nation=v.nation,
            status=v.status,
            tracks=v.tracks(),
            launches=launches,
            predictions=v.predictions(),
            alerts=self.alert_models(),
            events=v.events(),
            links=v.links(),
            agreements=v.agreements(),
            counters=v.counters(),
            timeline=timeline(v.nation, alerts, launches, v.partner_warnings()),
            replay=replay,
            clock_rate=1.0 if replay is None else replay.rate,
        )


@lru_cache(maxsize=1)
def _areas() -> AreaIndex:
    return AreaIndex.default()


def _web(request: Request) -> _Web:
    web: _Web = request.app.state.web
    return web


def _cookie(scope: Mapping[str, Any], name: str) -> str | None:
    for k, v in scope.get("headers", []):
        if k == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(v.decode("latin-1"))
            except Exception:  # a malformed cookie header is no session, not an error
                return None
            if name in jar:
                return jar[name].value
    return None


# -- dependencies ---------------------------------------------------------------------------
def session(request: Request) -> Session:
    """The caller's live session, or 401."""
    s = _web(request).sessions.get(request.cookies.get(SESSION_COOKIE))
    if s is None:
        raise HTTPException(401, "login required")
    return s


def _role(*roles: Role) -> Callable[[Session], Session]:
    def dep(s: Annotated[Session, Depends(session)]) -> Session:
        if s.role not in roles:
            raise HTTPException(403, f"needs role {' or '.join(roles)}")
        return s

    return dep


def _csrf_ok(s: Session, token: str | None) -> bool:
    return token is not None and hmac.compare_digest(s.csrf.encode(), token.encode())


def _writer(*roles: Role) -> Callable[[Request, Session], Session]:
    """A role and the session's CSRF token in ``X-CSRF-Token``."""
    role_dep = _role(*roles)

    def dep(request: Request, s: Annotated[Session, Depends(role_dep)]) -> Session:
        if not _csrf_ok(s, request.headers.get("x-csrf-token")):
            raise HTTPException(403, "missing or wrong CSRF token")
        return s

    return dep


Reader = Annotated[Session, Depends(session)]
Operator = Annotated[Session, Depends(_writer("operator"))]
Admin = Annotated[Session, Depends(_writer("admin"))]
Steerer = Annotated[Session, Depends(_writer("operator", "admin"))]
AdminRead = Annotated[Session, Depends(_role("admin"))]


# -- ASGI guard -----------------------------------------------------------------------------
class _Guard:
    """Security headers, same-origin writes, the body cap and the login gate on static files.

    The cap counts the bytes actually received, so a chunked body without ``Content-Length``
    is stopped at the limit too, not after it was read whole.
    """

    def __init__(self, app: Any, web: _Web, max_body: int) -> None:
        self.app = app
        self.web = web
        self.max_body = max_body

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_secure(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in _SECURITY_HEADERS if h[0] not in names]
                if self.web.secure:
                    extra.append(
                        (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
                    )
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        async def refuse(status: int, detail: str) -> None:
            body = json.dumps({"detail": detail}).encode()
            await send_secure(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})

        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        method = scope.get("method", "GET")
        path: str = scope.get("path", "")
        if method not in _SAFE_METHODS and not _same_origin(scope, headers):
            await refuse(403, "cross-origin request refused")
            return
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await refuse(400, "bad Content-Length")
                return
            if int(length) > self.max_body:
                await refuse(413, f"request body too large (at most {self.max_body} bytes)")
                return
        if (
            path.startswith("/static/")
            and path not in _PUBLIC_STATIC
            and self.web.sessions.get(_cookie(scope, SESSION_COOKIE)) is None
        ):
            await refuse(401, "login required")
            return
        received = 0
        too_big = False

        async def counted() -> MutableMapping[str, Any]:
            nonlocal received, too_big
            message: MutableMapping[str, Any] = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    too_big = True
                    # Raised inside the app, so FastAPI's handlers answer 413 before any parsing.
                    raise HTTPException(413, f"request body too large (at most {self.max_body})")
            return message

        await self.app(scope, counted, send_secure)
        if too_big and not started:
            await refuse(413, "request body too large")


def _same_origin(scope: Mapping[str, Any], headers: Mapping[bytes, bytes]) -> bool:
    """A write is refused if the browser says it comes from another site."""
    site = headers.get(b"sec-fetch-site")
    if site is not None and site not in (b"same-origin", b"none"):
        return False
    origin = headers.get(b"origin")
    if origin is None:
        return True  # not a browser's cross-site request (browsers send Origin on POST)
    host = headers.get(b"host", b"")
    scheme = scope.get("scheme", "http").encode()
    return origin in (scheme + b"://" + host,)


# -- the app --------------------------------------------------------------------------------
def create_app(
    view: NodeView,
    users: Iterable[User] | Mapping[str, User],
    *,
    secure_cookies: bool = False,
    clock: Callable[[], int] = time.time_ns,
    metrics_token: str | None = None,
    max_body: int = MAX_BODY_BYTES,
    login_limit: int = 5,
    login_window_s: float = 900.0,
    poll_s: float = 0.25,
    heartbeat_s: float = 15.0,
    picture_clock: Callable[[], int] | None = None,
    replay: ReplayControl | None = None,
) -> FastAPI:
    """The web app of ``view``'s node for these local ``users``.

    ``secure_cookies`` marks cookies Secure and adds HSTS (serve over TLS); ``metrics_token``
    lets a scraper read ``/metrics`` with ``Authorization: Bearer <token>``; ``poll_s`` is how
    often the live stream looks at ``view.version()``; ``picture_clock`` is the picture's own
    time (``now_ns`` of a snapshot, the alerts' countdowns; default ``clock``), e.g. a replayed
    scenario's time; ``replay`` lets an operator or administrator pause a scenario replay and
    set its speed (``POST /api/v1/replay``; a real node has none).
    """
    user_map = dict(users) if isinstance(users, Mapping) else {u.name: u for u in users}
    templates = jinja2.Environment(
        loader=jinja2.PackageLoader("trilink.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    web = _Web(
        view=view,
        users=user_map,
        sessions=SessionStore(clock),
        throttle=Throttle(clock, limit=login_limit, window_s=login_window_s),
        addr_throttle=Throttle(clock, limit=4 * login_limit, window_s=login_window_s),
        clock=clock,
        picture_clock=picture_clock or clock,
        secure=secure_cookies,
        metrics_token=metrics_token,
        templates=templates,
        tz=READER_ZONES.get(view.nation, "UTC"),
        poll_s=poll_s,
        heartbeat_s=heartbeat_s,
        replay=replay,
    )
    app = FastAPI(
        title=f"trilink node {view.nation}",
        version="1",
        description="A national node's common operational picture. Log in at /login (form, "
        "with the form's CSRF token); send the session's token (GET /api/v1/session) as "
        "X-CSRF-Token on every write.",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.web = web
    app.mount(
        "/static/app",
        StaticFiles(directory=str(files("trilink.web") / "static")),
        name="static",
    )
    leaflet = leaflet_dir()
    if leaflet is None:
        log.warning("node_modules/leaflet is missing (run make): the map will not load")
    else:
        app.mount("/static/leaflet", StaticFiles(directory=str(leaflet)), name="leaflet")
    app.add_middleware(_Guard, web=web, max_body=max_body)
    app.add_exception_handler(ViewError, _on_view_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_invalid)  # type: ignore[arg-type]
    _routes(app, web)
    return app


async def _on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with where and why, not the input: a ``NaN`` sent back would not even be JSON."""
    detail = [{k: e[k] for k in ("type", "loc", "msg") if k in e} for e in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


async def _on_view_error(request: Request, exc: ViewError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=409)


def _set_cookie(web: _Web, response: Response, name: str, value: str, path: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=web.secure,
    )


def _login_page(web: _Web, status: int = 200, error: str = "") -> HTMLResponse:
    pid, token = web.sessions.new_login()
    html = web.templates.get_template("login.html").render(
        nation=web.view.nation, status=web.view.status, csrf=token, error=error
    )
    response = HTMLResponse(html, status_code=status)
    _set_cookie(web, response, LOGIN_COOKIE, pid, "/login", int(web.sessions.login_s))
    return response


def _routes(app: FastAPI, web: _Web) -> None:
    view = web.view

    @app.get("/health", response_model=Health, tags=["public"])
    async def health() -> Health:
        return Health(nation=view.nation, status="ok")

    @app.get("/login", response_class=HTMLResponse, tags=["public"])
    async def login_form(request: Request) -> Response:
        return _login_page(web)

    @app.post("/login", response_class=HTMLResponse, tags=["public"])
    async def login(
        request: Request,
        username: Annotated[str, Form(max_length=100)],
        password: Annotated[str, Form(max_length=1000)],
        csrf_token: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        if not web.sessions.take_login(request.cookies.get(LOGIN_COOKIE), csrf_token):
            return _login_page(web, 403, "The form expired or did not come from this site.")
        client = request.client.host if request.client else "?"
        user_key, addr_key = (f"user:{username}",), (f"addr:{client}",)
        wait = max(web.throttle.retry_after(user_key), web.addr_throttle.retry_after(addr_key))
        if wait > 0:
            response = _login_page(web, 429, "Too many failed logins; try again later.")
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        user = await run_in_threadpool(check_password, web.users, username, password)
        if user is None:
            web.throttle.fail(user_key)
            web.addr_throttle.fail(addr_key)
            log.warning("failed login for %r from %s", username, client)
            return _login_page(web, 401, "Wrong user name or password.")
        web.throttle.clear(user_key[0])
        s = web.sessions.create(user)
        log.info("login %s (%s) from %s", user.name, user.role, client)
        done = RedirectResponse("/", status_code=303)
        _set_cookie(web, done, SESSION_COOKIE, s.sid, "/", int(web.sessions.idle_s))
        done.delete_cookie(LOGIN_COOKIE, path="/login")
        return done

    @app.post("/logout", tags=["session"])
    async def logout(
        request: Request,
        s: Reader,
        csrf_token: Annotated[str | None, Form(max_length=200)] = None,
    ) -> Response:
        if not _csrf_ok(s, csrf_token or request.headers.get("x-csrf-token")):
            raise HTTPException(403, "missing or wrong CSRF token")
        web.sessions.end(s.sid)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/", response_class=HTMLResponse, tags=["page"])
    async def page(request: Request) -> Response:
        s = web.sessions.get(request.cookies.get(SESSION_COOKIE))
        if s is None:
            return RedirectResponse("/login", status_code=303)
        html = web.templates.get_template("index.html").render(
            nation=view.nation,
            status=view.status,
            user=s.user,
            role=s.role,
            csrf=s.csrf,
            tz=web.tz,
        )
        return HTMLResponse(html)

    @app.get("/openapi.json", tags=["session"])
    async def openapi(s: Reader) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/v1/session", response_model=Me, tags=["session"])
    async def me(s: Reader) -> Me:
        return Me(user=s.user, role=s.role, csrf=s.csrf, nation=view.nation, status=view.status)

    @app.get("/api/v1/state", response_model=Snapshot, tags=["picture"])
    async def state(s: Reader) -> Snapshot:
        return web.snapshot()

    @app.get("/api/v1/alerts", response_model=list[AlertModel], tags=["alerts"])
    async def alerts(s: Reader) -> list[AlertModel]:
        return web.alert_models()

    def find(alert_id: str) -> Alert:
        for a in view.alerts():
            if a.alert_id == alert_id:
                return a
        raise HTTPException(404, "no such alert")

    @app.get(
        "/api/v1/alerts/{alert_id}.cap",
        response_class=Response,
        responses={200: {"content": {"application/cap+xml": {}}}},
        tags=["alerts"],
    )
    async def alert_cap(alert_id: str, s: Reader) -> Response:
        alert = find(alert_id)
        texts = [render(alert, lang, web.tz, _areas()) for lang in LANGUAGES]
        codes = sorted({a.code for a in alert.areas})
        names: dict[str, str | Mapping[str, str]] = {}
        polygons = {}
        for c in codes:
            try:
                area = _areas().area(c)
            except UnknownArea:
                continue
            polygons[c] = _areas().geometry(c)
            names[c] = {"en": area.name_en, "ko": area.name_ko, "ja": area.name_ja}
        xml = to_cap(
            alert,
            texts,
            sender=f"trilink-{view.nation.lower()}@node.invalid",
            area_polygons=polygons,
            area_names=names,
            previous=view.alerts(),
        )
        return Response(xml, media_type="application/cap+xml")

    @app.get("/api/v1/alerts/{alert_id}", response_model=AlertModel, tags=["alerts"])
    async def alert_one(alert_id: str, s: Reader) -> AlertModel:
        return web.alert_model(find(alert_id), view.acknowledged())

    @app.post("/api/v1/alerts/{alert_id}/acknowledge", response_model=AlertModel, tags=["alerts"])
    async def acknowledge(alert_id: str, s: Operator) -> AlertModel:
        alert = find(alert_id)
        view.acknowledge(alert_id, s.user)
        return web.alert_model(alert, view.acknowledged())

    @app.post("/api/v1/launches/{launch_id}/cancel", response_model=AlertModel, tags=["alerts"])
    async def cancel(launch_id: str, s: Operator) -> AlertModel:
        return web.alert_model(view.issue_cancel(launch_id, s.user), view.acknowledged())

    @app.post("/api/v1/launches/{launch_id}/all-clear", response_model=AlertModel, tags=["alerts"])
    async def all_clear(launch_id: str, s: Operator) -> AlertModel:
        return web.alert_model(view.issue_all_clear(launch_id, s.user), view.acknowledged())

    @app.get(
        "/api/v1/picture.geojson",
        response_class=JSONResponse,
        responses={200: {"content": {"application/geo+json": {}}}},
        tags=["picture"],
    )
    async def picture(s: Reader) -> Response:
        return Response(
            json.dumps(_picture(web), separators=(",", ":")), media_type="application/geo+json"
        )

    # The plain reads of the view: one GET each, for any logged-in user.
    def reader(get: Callable[[], Any]) -> Callable[[Session], Awaitable[Any]]:
        async def read(s: Reader) -> Any:
            return get()

        return read

    for name, tag, model, get in (
        ("tracks", "picture", list[TrackRow], view.tracks),
        ("launches", "picture", list[LaunchRow], view.launches),
        ("predictions", "picture", list[PredictionRow], view.predictions),
        ("events", "fabric", list[EventRow], view.events),
        ("links", "fabric", list[LinkRow], view.links),
        ("counters", "fabric", dict[str, int], view.counters),
        ("agreements", "fabric", list[AgreementRow], view.agreements),
    ):
        app.add_api_route(
            f"/api/v1/{name}",
            reader(get),
            methods=["GET"],
            response_model=model,
            tags=[tag],
            name=name,
        )

    @app.post("/api/v1/agreements/{name}", response_model=AgreementRow, tags=["fabric"])
    async def change_agreement(name: str, change: AgreementChange, s: Admin) -> AgreementRow:
        state = "suspended" if change.action == "suspend" else "in_force"
        row = view.set_agreement(name, state, s.user, change.reason)
        log.warning("agreement %s %s by %s: %s", name, state, s.user, change.reason)
        return row

    @app.get("/api/v1/timeline", response_model=list[LaunchTimeline], tags=["alerts"])
    async def timeline_route(s: Reader) -> list[LaunchTimeline]:
        return timeline(view.nation, view.alerts(), view.launches(), view.partner_warnings())

    def replay_control() -> ReplayControl:
        if web.replay is None:
            raise HTTPException(404, "this node replays no scenario")
        return web.replay

    @app.get("/api/v1/replay", response_model=ReplayState, tags=["replay"])
    async def replay_state(s: Reader) -> ReplayState:
        return replay_control().state()

    @app.post("/api/v1/replay", response_model=ReplayState, tags=["replay"])
    async def replay_set(change: ReplayChange, s: Steerer) -> ReplayState:
        control = replay_control()
        st = control.set(change.paused, change.speed, s.user)
        log.warning(
            "replay %s at %gx by %s", "paused" if st.paused else "running", st.speed, s.user
        )
        return st

    @app.get("/api/v1/audit", response_model=list[AuditEntry], tags=["fabric"])
    async def audit(
        s: AdminRead, limit: Annotated[int, Query(ge=1, le=1000)] = 200
    ) -> list[AuditEntry]:
        return view.audit(limit)

    for name, layer in (("coast", coast_layer), ("areas", area_layer), ("zones", zone_layer)):
        _map_route(app, name, layer)

    @app.get("/metrics", response_class=Response, tags=["fabric"])
    async def metrics(request: Request) -> Response:
        token = web.metrics_token
        auth = request.headers.get("authorization", "")
        by_token = (
            token is not None
            and auth.startswith("Bearer ")
            and hmac.compare_digest(auth[7:].encode(), token.encode())
        )
        if not by_token and web.sessions.get(request.cookies.get(SESSION_COOKIE)) is None:
            raise HTTPException(401, "login or scrape token required")
        return Response(_metrics(web), media_type="text/plain; version=0.0.4; charset=utf-8")

    @app.get(
        "/api/v1/stream",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
        tags=["picture"],
    )
    async def stream(request: Request, s: Reader) -> StreamingResponse:
        return StreamingResponse(
            _events(web, request, s.sid),
            media_type="text/event-stream",
            headers={"X-Accel-Buffering": "no"},
        )


def _map_route(app: FastAPI, name: str, layer: Callable[[], dict[str, Any]]) -> None:
    cache: list[bytes] = []

    async def route(s: Reader) -> Response:
        if not cache:
            # Built once, in a worker thread: the zones take seconds and touch no node state.
            doc = await run_in_threadpool(layer)
            cache.append(json.dumps(doc, separators=(",", ":")).encode())
        return Response(cache[0], media_type="application/geo+json")

    app.get(
        f"/api/v1/map/{name}.geojson",
        response_class=Response,
        responses={200: {"content": {"application/geo+json": {}}}},
        tags=["map"],
        name=f"map_{name}",
    )(route)


def _picture(web: _Web) -> dict[str, Any]:
    """The current picture as GeoJSON: tracks, predicted impacts, launches, warned areas."""
    view = web.view
    feats: list[Any] = []
    for t in view.tracks():
        feats.append(
            track_feature(
                t.object_id,
                [p.t_ns for p in t.history],
                [p.lat_deg for p in t.history],
                [p.lon_deg for p in t.history],
                [p.alt_m for p in t.history],
                status=view.status,
                origin=t.origin,
                nations=t.nations,
                role=t.role,
            )
        )
    from trilink.warning.model import ImpactPoint

    for p in view.predictions():
        ip = ImpactPoint(
            lat_deg=p.lat_deg,
            lon_deg=p.lon_deg,
            time_ns=p.impact_t_ns,
            major_m=p.major_m,
            minor_m=max(p.minor_m, 1.0),
            azimuth_deg=p.azimuth_deg,
        )
        feats.append(impact_feature(ip, fid=f"{p.object_id}.impact", status=view.status))
    latest: dict[str, Alert] = {}
    for a in view.alerts():
        latest[a.launch_id] = a
    for a in latest.values():
        if a.launch_lat_deg is not None and a.launch_lon_deg is not None:
            feats.append(launch_feature(a))
        for th in a.areas:
            try:
                geom = _areas().geometry(th.code)
            except UnknownArea:
                continue
            feats.append(
                area_feature(
                    th.code,
                    shapely.simplify(geom, 0.01),
                    probability=th.probability,
                    kind=th.kind,
                    status=a.status,
                    arrival_ns=th.arrival_ns,
                    fid=f"{a.alert_id}.{th.code}",
                )
            )
    return feature_collection(feats)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _metrics(web: _Web) -> str:
    """Prometheus text exposition: messages per direction and kind, alerts, links."""
    view = web.view
    lines = [
        "# HELP trilink_messages_total Messages sent, received and refused, by kind or reason.",
        "# TYPE trilink_messages_total counter",
    ]
    for key, n in sorted(view.counters().items()):
        direction, _, kind = key.partition(":")
        lines.append(
            f'trilink_messages_total{{direction="{_label(direction)}",kind="{_label(kind)}"}} {n}'
        )
    stages: dict[str, int] = {}
    for a in view.alerts():
        stages[a.stage] = stages.get(a.stage, 0) + 1
    lines += [
        "# HELP trilink_alerts_total Alerts issued, by stage.",
        "# TYPE trilink_alerts_total counter",
    ]
    lines += [f'trilink_alerts_total{{stage="{_label(k)}"}} {n}' for k, n in sorted(stages.items())]
    lines += [
        "# HELP trilink_link_up Whether a partner link is up.",
        "# TYPE trilink_link_up gauge",
    ]
    lines += [
        f'trilink_link_up{{peer="{_label(ln.peer)}",route="{ln.route}"}} {int(ln.up)}'
        for ln in view.links()
    ]
    lines += [
        "# HELP trilink_tracks Objects in the fused picture.",
        "# TYPE trilink_tracks gauge",
        f"trilink_tracks {len(view.tracks())}",
        "# HELP trilink_view_version Changes seen by the web application.",
        "# TYPE trilink_view_version gauge",
        f"trilink_view_version {view.version()}",
    ]
    return "\n".join(lines) + "\n"


async def _events(web: _Web, request: Request, sid: str) -> AsyncIterator[str]:
    """Server-Sent Events: the snapshot at every new version, comments as heartbeats.

    The stream ends when the session does (logout or expiry), so a revoked login stops
    receiving the picture at once, not at its next reconnect.
    """
    last: tuple[int, int] | None = None
    beat = time.monotonic()
    yield "retry: 2000\n\n"
    while True:
        if await request.is_disconnected():
            return
        if web.sessions.get(sid) is None:
            yield "event: logout\ndata: {}\n\n"
            return
        key = web.stream_key()
        if key != last:
            last = key
            snap = web.snapshot()
            yield f"id: {snap.version}\nevent: state\ndata: {snap.model_dump_json()}\n\n"
            beat = time.monotonic()
        elif time.monotonic() - beat >= web.heartbeat_s:
            yield ": heartbeat\n\n"
            beat = time.monotonic()
        await asyncio.sleep(web.poll_s)
