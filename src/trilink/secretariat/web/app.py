"""The secretariat web app: server-rendered pages and a REST API (``/api/v1``, OpenAPI).

:func:`create_app` only assembles: the state the routers reach through dependencies
(:mod:`trilink.secretariat.web.deps`), the security headers, the error pages and one router per
domain (:mod:`trilink.secretariat.web.routes`). Every handler goes through a :class:`Secretariat`
bound to the logged-in user, so pages, API and calendar feeds share the one access check.
Templates autoescape everything; the app loads nothing from the network.
"""

from collections.abc import Awaitable, Callable
from importlib.resources import files

import jinja2
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from trilink.secretariat.db import Database
from trilink.secretariat.errors import SecretariatError, ThrottledError
from trilink.secretariat.services import Clock, Secretariat, system_clock
from trilink.secretariat.web.deps import COOKIE, AuthRequiredError, WebState, web_state
from trilink.secretariat.web.limits import BodyLimit, LoginThrottle
from trilink.secretariat.web.render import render
from trilink.secretariat.web.routes import ROUTERS
from trilink.secretariat.web.routes.pages_docs import mount_swagger

__all__ = ["COOKIE", "MAX_REQUEST_BYTES", "create_app"]

MAX_REQUEST_BYTES = 8 * 1024 * 1024


def create_app(
    db_url: str, *, clock: Clock = system_clock, secure_cookies: bool = False
) -> FastAPI:
    """The app for one database; ``clock`` is injected wherever deadlines matter."""
    database = Database(db_url)
    database.upgrade()
    templates = jinja2.Environment(
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
        docs_url=None,  # /docs: Swagger UI from local files (routes.pages_docs)
        redoc_url=None,
    )
    app.state.db = database
    app.state.web = WebState(database, clock, templates, secure_cookies, LoginThrottle(clock=clock))
    mount_swagger(app)  # before /static, which would otherwise take /static/swagger
    app.mount(
        "/static",
        StaticFiles(directory=str(files("trilink.secretariat.web") / "static")),
        name="static",
    )
    app.middleware("http")(_secure_headers)
    # Outermost: counts the bytes of every body, streamed or not, before anything reads it.
    app.add_middleware(BodyLimit, limit=MAX_REQUEST_BYTES)
    app.add_exception_handler(AuthRequiredError, _on_auth)  # type: ignore[arg-type]
    app.add_exception_handler(SecretariatError, _on_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    for router in ROUTERS:
        app.include_router(router)
    return app


async def _secure_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    # "same-origin", not "no-referrer": with no-referrer, browsers send "Origin: null" even on
    # same-origin posts, and the login's cross-site check could not tell them apart.
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'",
    )
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _on_auth(request: Request, exc: AuthRequiredError) -> Response:
    if _is_api(request):
        return JSONResponse({"error": "login required"}, status_code=401)
    return RedirectResponse("/login", status_code=303)


async def _on_error(request: Request, exc: SecretariatError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, ThrottledError) else None
    if _is_api(request):
        return JSONResponse({"error": str(exc)}, status_code=exc.status_code, headers=headers)
    state = web_state(request)
    # The error page shows who is logged in; the failed request's session is already closed.
    with state.database.session() as session:
        token = request.cookies.get(COOKIE)
        user = Secretariat.session_user(session, token, state.clock()) if token else None
        page = render(request, "error.html", user, status_code=exc.status_code, error=str(exc))
        page.headers.update(headers or {})
        return page


async def _on_http(request: Request, exc: StarletteHTTPException) -> Response:
    """Framework refusals (no such route, a body that cannot be parsed) in the API's one format.

    A 404 reads exactly like a missing or hidden object's, so routes and objects look alike.
    """
    if not _is_api(request):
        return await http_exception_handler(request, exc)
    text = "not found" if exc.status_code == 404 else str(exc.detail).lower()
    return JSONResponse({"error": text}, status_code=exc.status_code, headers=exc.headers)


async def _on_validation(request: Request, exc: RequestValidationError) -> Response:
    problems = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return JSONResponse({"error": "; ".join(problems) or "invalid request"}, status_code=422)
