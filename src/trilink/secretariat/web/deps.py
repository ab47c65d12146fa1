"""Request dependencies shared by every router: app state, session, login, service, CSRF.

One login for pages and API: a session cookie (HttpOnly, SameSite=Lax) whose token is stored
hashed. State-changing requests also need a CSRF token derived from the session (a hidden form
field for pages, the ``X-CSRF-Token`` header for the API).
"""

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import jinja2
from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from trilink.secretariat.db import Database
from trilink.secretariat.errors import ForbiddenError, ValidationError
from trilink.secretariat.i18n import LANGS
from trilink.secretariat.models import User
from trilink.secretariat.services import Clock, Secretariat
from trilink.secretariat.web.limits import LoginThrottle
from trilink.secretariat.web.schemas.common import ErrorOut

__all__ = [
    "API",
    "API_ERRORS",
    "COOKIE",
    "ApiWrite",
    "AuthRequiredError",
    "SessionDep",
    "StateDep",
    "Svc",
    "UserDep",
    "WebState",
    "check_csrf",
    "check_same_site",
    "csrf_for",
    "csrf_of",
    "lang_of",
    "set_session_cookie",
    "web_state",
]

COOKIE = "trilink_sec"
#: prefix of the REST API
API = "/api/v1"
#: the refusals every API route may answer, all as ``{"error": "..."}``
API_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in (
        (401, "login required"),
        (403, "the user's role does not allow this"),
        (404, "no such object, or not visible to the user's nation"),
        (409, "conflicts with the object's state (e.g. locked minutes)"),
        (413, "request body too large"),
        (422, "invalid input or missing CSRF token"),
    )
}


class AuthRequiredError(Exception):
    """No valid session."""


@dataclass(frozen=True)
class WebState:
    """What the app is built with; kept on ``app.state.web``."""

    database: Database
    clock: Clock
    templates: jinja2.Environment
    secure_cookies: bool
    throttle: LoginThrottle


def web_state(request: Request) -> WebState:
    """The app's :class:`WebState`."""
    state: WebState = request.app.state.web
    return state


StateDep = Annotated[WebState, Depends(web_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """One database session per request."""
    with state.database.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def current_user(request: Request, session: SessionDep, state: StateDep) -> User:
    """The logged-in user, or :class:`AuthRequiredError`."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise AuthRequiredError()
    user = Secretariat.session_user(session, token, state.clock())
    if user is None:
        raise AuthRequiredError()
    return user


UserDep = Annotated[User, Depends(current_user)]


def service(session: SessionDep, user: UserDep, state: StateDep) -> Secretariat:
    """The services bound to the logged-in user: pages, API and feeds share its access check."""
    return Secretariat(session, user, state.clock)


Svc = Annotated[Secretariat, Depends(service)]


def csrf_for(request: Request) -> str:
    """The CSRF token of the request's session."""
    token = request.cookies.get(COOKIE, "")
    return csrf_of(token)


def csrf_of(token: str) -> str:
    """The CSRF token that goes with a session token."""
    return hashlib.sha256(f"csrf:{token}".encode()).hexdigest()


def check_csrf(request: Request, given: str | None) -> None:
    """Refuse a write whose CSRF token is missing or wrong."""
    if not given or not hmac.compare_digest(given, csrf_for(request)):
        raise ValidationError("missing or wrong CSRF token; reload the page and try again")


def _api_csrf(request: Request) -> None:
    check_csrf(request, request.headers.get("x-csrf-token"))


#: route dependency of every API write
ApiWrite = Depends(_api_csrf)


def set_session_cookie(request: Request, response: Response, token: str, state: WebState) -> None:
    """Set the session cookie; ``Secure`` whenever the request came over TLS."""
    secure = state.secure_cookies or request.url.scheme == "https"
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")


def check_same_site(request: Request) -> None:
    """Refuse a login posted from another site (login CSRF: logging a victim in as the attacker).

    Browsers send ``Sec-Fetch-Site`` (or, older ones, ``Origin``) on such posts; a request from
    another site, or with an opaque ``Origin: null``, is refused. Clients that send neither
    (scripts, the CLI) are not browsers and pass.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:  # modern browsers: the browser's own verdict decides
        if site not in ("same-origin", "none"):
            raise ForbiddenError("cross-site login refused")
        return
    origin = request.headers.get("origin")
    if origin is not None:
        own = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        if origin != own:
            raise ForbiddenError("cross-site login refused")


def lang_of(request: Request, user: User | None) -> str:
    """``?lang=`` if valid, else the user's language, else English."""
    q = request.query_params.get("lang")
    if q in LANGS:
        return q
    return user.lang if user is not None else "en"
