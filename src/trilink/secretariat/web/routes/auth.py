"""Login, logout and the user's language: pages and API."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from trilink.secretariat.errors import ThrottledError
from trilink.secretariat.i18n import t
from trilink.secretariat.models import User
from trilink.secretariat.services import Secretariat
from trilink.secretariat.web.deps import (
    API,
    API_ERRORS,
    COOKIE,
    ApiWrite,
    AuthRequiredError,
    SessionDep,
    StateDep,
    Svc,
    UserDep,
    WebState,
    check_csrf,
    check_same_site,
    csrf_for,
    csrf_of,
    lang_of,
    set_session_cookie,
)
from trilink.secretariat.web.render import render
from trilink.secretariat.web.schemas.auth import (
    CalendarOut,
    LangIn,
    LangOut,
    LoginIn,
    LoginOut,
    MeOut,
    PasswordIn,
)
from trilink.secretariat.web.schemas.common import StatusOut

__all__ = ["router"]

router = APIRouter(tags=["auth"], responses=API_ERRORS)


def _logout(request: Request, session: SessionDep, state: WebState, response: Response) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        Secretariat.close_session(session, token, state.clock())
    response.delete_cookie(COOKIE, path="/")


def _attempt(
    request: Request, session: SessionDep, state: WebState, username: str, password: str
) -> User | None:
    """One login attempt: same-site only, throttled per user name and per client address."""
    check_same_site(request)
    address = request.client.host if request.client is not None else "unknown"
    keys = state.throttle.keys(username, address)
    wait = state.throttle.retry_after(*keys)
    if wait > 0:
        raise ThrottledError(wait)
    user = Secretariat.authenticate(session, username, password)
    if user is None:
        state.throttle.failed(*keys)
    else:
        state.throttle.succeeded(keys[0])
    return user


# ---------------------------------------------------------------------------- pages
@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", None, title=t("login", lang_of(request, None)))


@router.post("/login", include_in_schema=False)
def login_form(
    request: Request,
    session: SessionDep,
    state: StateDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        user = _attempt(request, session, state, username, password)
    except ThrottledError as exc:
        page = render(request, "login.html", None, status_code=429, error=str(exc))
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if user is None:
        return render(
            request, "login.html", None, status_code=401, error="wrong user name or password"
        )
    response = RedirectResponse("/", status_code=303)
    token = Secretariat.open_session(session, user, state.clock())
    set_session_cookie(request, response, token, state)
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(
    request: Request, session: SessionDep, state: StateDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(request, csrf)
    response = RedirectResponse("/login", status_code=303)
    _logout(request, session, state, response)
    return response


@router.post("/lang", include_in_schema=False)
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


# ---------------------------------------------------------------------------- API
@router.post(f"{API}/login")
def api_login(
    request: Request, body: LoginIn, session: SessionDep, state: StateDep, response: Response
) -> LoginOut:
    """Log in; sets the session cookie and returns the CSRF token for writes.

    Refused with 403 when posted from another site, 429 after repeated failures.
    """
    user = _attempt(request, session, state, body.username, body.password)
    if user is None:
        raise AuthRequiredError()
    token = Secretariat.open_session(session, user, state.clock())
    set_session_cookie(request, response, token, state)
    return LoginOut(username=user.username, nation=user.nation, role=user.role, csrf=csrf_of(token))


@router.post(f"{API}/logout", dependencies=[ApiWrite])
def api_logout(
    request: Request, session: SessionDep, state: StateDep, response: Response
) -> StatusOut:
    """End the session."""
    _logout(request, session, state, response)
    return StatusOut(status="logged out")


@router.get(f"{API}/me")
def api_me(request: Request, user: UserDep) -> MeOut:
    """The logged-in user, the CSRF token and the calendar feed path."""
    return MeOut.of(user, csrf_for(request))


@router.put(f"{API}/me/lang", dependencies=[ApiWrite])
def api_lang(body: LangIn, svc: Svc) -> LangOut:
    """Set the UI language (en, ko, ja)."""
    svc.set_language(body.lang)
    return LangOut(lang=body.lang)


@router.put(f"{API}/me/password", dependencies=[ApiWrite])
def api_password(request: Request, body: PasswordIn, svc: Svc) -> StatusOut:
    """Change one's own password (``current`` needed); every other session ends."""
    svc.set_password(
        svc.user.username, body.new, current=body.current, keep_session=request.cookies.get(COOKIE)
    )
    return StatusOut(status="password changed; other sessions ended")


@router.post(f"{API}/me/calendar-token", dependencies=[ApiWrite])
def api_rotate_calendar(svc: Svc) -> CalendarOut:
    """Replace the calendar feed token; the old feed URL stops working."""
    return CalendarOut(calendar=f"/calendar/{svc.rotate_ical_token()}.ics")


@router.post(f"{API}/users/{{username}}/deactivate", dependencies=[ApiWrite])
def api_deactivate(svc: Svc, username: str) -> StatusOut:
    """Deactivate a user of the admin's nation: no login; sessions and feed end at once."""
    svc.deactivate_user(username)
    return StatusOut(status="deactivated")


@router.put(f"{API}/users/{{username}}/password", dependencies=[ApiWrite])
def api_reset_password(body: PasswordIn, svc: Svc, username: str) -> StatusOut:
    """Set another user's password (admin, own nation); all their sessions end."""
    svc.set_password(username, body.new)
    return StatusOut(status="password changed; sessions ended")
