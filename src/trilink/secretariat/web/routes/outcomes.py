"""Meeting outcomes and their promotion to commitments: pages and API."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from trilink.secretariat.web.deps import API, API_ERRORS, ApiWrite, Svc, check_csrf
from trilink.secretariat.web.routes.commitments import commitment_out
from trilink.secretariat.web.schemas.commitments import CommitmentOut
from trilink.secretariat.web.schemas.outcomes import OutcomeIn, OutcomeOut, PromoteIn

__all__ = ["router"]

router = APIRouter(tags=["meetings"], responses=API_ERRORS)


# ---------------------------------------------------------------------------- pages
@router.post("/meetings/{m_id}/outcomes", include_in_schema=False)
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


@router.post("/outcomes/{o_id}/commitment", include_in_schema=False)
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


# ---------------------------------------------------------------------------- API
@router.post(f"{API}/meetings/{{m_id}}/outcomes", status_code=201, dependencies=[ApiWrite])
def api_outcome(body: OutcomeIn, svc: Svc, m_id: int) -> OutcomeOut:
    return OutcomeOut.of(svc.add_outcome(m_id, **body.model_dump()), "en")


@router.post(f"{API}/outcomes/{{o_id}}/commitment", status_code=201, dependencies=[ApiWrite])
def api_promote(body: PromoteIn, svc: Svc, o_id: int) -> CommitmentOut:
    """Turn a decision into a tracked commitment."""
    return commitment_out(svc, svc.promote_outcome(o_id, **body.model_dump()), "en")
