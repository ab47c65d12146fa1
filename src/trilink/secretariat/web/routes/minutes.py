"""Minutes: writing, approval by each nation, locking; pages and API."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from trilink.secretariat.i18n import LANGS
from trilink.secretariat.models import Minutes
from trilink.secretariat.web.deps import API, API_ERRORS, ApiWrite, Svc, check_csrf
from trilink.secretariat.web.schemas.minutes import MinutesIn, MinutesStateOut

__all__ = ["router"]

router = APIRouter(tags=["minutes"], responses=API_ERRORS)


def _to_meeting(request: Request, m_id: int, csrf: str, act: Callable[[int], Minutes]) -> Response:
    """A page form's write on a meeting's minutes, then back to the meeting."""
    check_csrf(request, csrf)
    act(m_id)
    return RedirectResponse(f"/meetings/{m_id}", status_code=303)


# ---------------------------------------------------------------------------- pages
@router.post("/meetings/{m_id}/minutes", include_in_schema=False)
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
    # The form edits one language; the other languages of the current revision are kept.
    text = dict(mins.revisions[-1].body) if mins and mins.revisions else {}
    text[lang if lang in LANGS else "en"] = body
    svc.write_minutes(m_id, text)
    return RedirectResponse(f"/meetings/{m_id}", status_code=303)


@router.post("/meetings/{m_id}/approve", include_in_schema=False)
def approve_form(
    request: Request, svc: Svc, m_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    return _to_meeting(request, m_id, csrf, svc.approve_minutes)


@router.post("/meetings/{m_id}/lock", include_in_schema=False)
def lock_form(request: Request, svc: Svc, m_id: int, csrf: Annotated[str, Form()] = "") -> Response:
    return _to_meeting(request, m_id, csrf, svc.lock_minutes)


# ---------------------------------------------------------------------------- API
@router.put(f"{API}/meetings/{{m_id}}/minutes", dependencies=[ApiWrite])
def api_minutes(body: MinutesIn, svc: Svc, m_id: int) -> MinutesStateOut:
    """Save a new revision (back to draft; older approvals stop counting)."""
    return MinutesStateOut.copy_of(svc.write_minutes(m_id, body.body))


@router.post(f"{API}/meetings/{{m_id}}/minutes/approve", dependencies=[ApiWrite])
def api_approve(svc: Svc, m_id: int) -> MinutesStateOut:
    """Approve the current revision for your nation (approver role)."""
    return MinutesStateOut.copy_of(svc.approve_minutes(m_id))


@router.post(f"{API}/meetings/{{m_id}}/minutes/lock", dependencies=[ApiWrite])
def api_lock(svc: Svc, m_id: int) -> MinutesStateOut:
    """Lock minutes approved by every party; nothing can change afterwards."""
    return MinutesStateOut.copy_of(svc.lock_minutes(m_id))
