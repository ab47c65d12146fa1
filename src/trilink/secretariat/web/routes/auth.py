"""Login, logout and the user's language: pages and API."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from trilink.secretariat.i18n import t
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
    csrf_for,
    csrf_of,
    lang_of,
    set_session_cookie,
)
from trilink.secretariat.web.render import render
from trilink.secretariat.web.schemas.auth import LangIn, LangOut, LoginIn, LoginOut, MeOut
from trilink.secretariat.web.schemas.common import StatusOut

__all__ = ["router"]

router = APIRouter(tags=["auth"], responses=API_ERRORS)


def _logout(request: Request, session: SessionDep, state: WebState, response: Response) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        Secretariat.close_session(session, token, state.clock())
    response.delete_cookie(COOKIE, path="/")


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
    user = Secretariat.authenticate(session, username, password)
    if user is None:
        return render(
            request, "login.html", None, status_code=401, error="wrong user name or password"
        )
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, Secretariat.open_session(session, user, state.clock()), state)
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
def api_login(body: LoginIn, session: SessionDep, state: StateDep, response: Response) -> LoginOut:
    """Log in; sets the session cookie and returns the CSRF token for writes."""
    user = Secretariat.authenticate(session, body.username, body.password)
    if user is None:
        raise AuthRequiredError()
    token = Secretariat.open_session(session, user, state.clock())
    set_session_cookie(response, token, state)
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
