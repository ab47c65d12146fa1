"""Meeting outcomes and their promotion to commitments: API (the pages are in
:mod:`.pages_meetings`)."""

from fastapi import APIRouter

from trilink.secretariat.web.deps import API, API_ERRORS, ApiWrite, Svc
from trilink.secretariat.web.routes.commitments import commitment_out
from trilink.secretariat.web.schemas.commitments import CommitmentOut
from trilink.secretariat.web.schemas.outcomes import OutcomeIn, OutcomeOut, PromoteIn

__all__ = ["router"]

router = APIRouter(tags=["meetings"], responses=API_ERRORS)


@router.post(f"{API}/meetings/{{m_id}}/outcomes", status_code=201, dependencies=[ApiWrite])
def api_outcome(body: OutcomeIn, svc: Svc, m_id: int) -> OutcomeOut:
    return OutcomeOut.of(svc.add_outcome(m_id, **body.model_dump()), "en")


@router.post(f"{API}/outcomes/{{o_id}}/commitment", status_code=201, dependencies=[ApiWrite])
def api_promote(body: PromoteIn, svc: Svc, o_id: int) -> CommitmentOut:
    """Turn a decision into a tracked commitment."""
    return commitment_out(svc, svc.promote_outcome(o_id, **body.model_dump()), "en")
