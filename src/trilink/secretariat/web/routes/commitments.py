"""Commitments, milestones and evidence: API (the pages are in :mod:`.pages_core`)."""

from fastapi import APIRouter

from trilink.secretariat.errors import NotFoundError
from trilink.secretariat.models import Commitment, Workstream
from trilink.secretariat.services import Secretariat
from trilink.secretariat.web.deps import API, API_ERRORS, ApiWrite, Svc
from trilink.secretariat.web.schemas.audit import AuditOut
from trilink.secretariat.web.schemas.commitments import (
    CommitmentIn,
    CommitmentOut,
    CommitmentPatch,
    EvidenceIn,
    EvidenceOut,
    MilestoneDone,
    MilestoneDue,
    MilestoneIn,
)
from trilink.secretariat.web.schemas.common import iso

__all__ = ["commitment_out", "router"]

router = APIRouter(tags=["commitments"], responses=API_ERRORS)


def commitment_out(svc: Secretariat, c: Commitment, lang: str) -> CommitmentOut:
    """A commitment as the API sends it, with progress rolled up over what ``svc`` may see.

    Links to objects the user may not see are sent as null: a hidden id is no id.
    """
    out = CommitmentOut.of(c, lang, rolled_progress=svc.rolled_progress(c))
    out.workstream_id = svc.visible_id(Workstream, c.workstream_id)
    out.parent_id = svc.visible_id(Commitment, c.parent_id)
    if c.source_outcome_id is not None:
        try:
            svc.outcome(c.source_outcome_id)
        except NotFoundError:
            out.source_outcome_id = None
    return out


@router.get(f"{API}/commitments")
def api_commitments(
    svc: Svc,
    view: str = "all",
    days: int = 30,
    workstream_id: int | None = None,
    lang: str = "en",
) -> list[CommitmentOut]:
    """Commitments: view=all|overdue|due_soon."""
    items = svc.list_commitments(view, days=days, workstream_id=workstream_id)
    return [commitment_out(svc, c, lang) for c in items]


@router.post(f"{API}/commitments", status_code=201, dependencies=[ApiWrite])
def api_commitment_create(body: CommitmentIn, svc: Svc) -> CommitmentOut:
    return commitment_out(svc, svc.create_commitment(**body.model_dump()), "en")


@router.get(f"{API}/commitments/{{c_id}}")
def api_commitment(svc: Svc, c_id: int, lang: str = "en") -> CommitmentOut:
    return commitment_out(svc, svc.commitment(c_id), lang)


@router.patch(f"{API}/commitments/{{c_id}}", dependencies=[ApiWrite])
def api_commitment_update(body: CommitmentPatch, svc: Svc, c_id: int) -> CommitmentOut:
    c = svc.update_commitment(c_id, body.model_dump(exclude_unset=True))
    return commitment_out(svc, c, "en")


@router.get(f"{API}/commitments/{{c_id}}/history")
def api_commitment_history(svc: Svc, c_id: int) -> list[AuditOut]:
    """Every change of the commitment, newest first (from the audit log)."""
    c = svc.commitment(c_id)
    return [AuditOut.of(e) for e in svc.audit(object_type="commitment", object_id=c.id)]


@router.post(f"{API}/commitments/{{c_id}}/milestones", status_code=201, dependencies=[ApiWrite])
def api_milestone(body: MilestoneIn, svc: Svc, c_id: int) -> MilestoneDue:
    m = svc.add_milestone(c_id, body.title, body.due)
    return MilestoneDue(id=m.id, due=iso(m.due))


@router.post(f"{API}/milestones/{{m_id}}/complete", dependencies=[ApiWrite])
def api_milestone_done(svc: Svc, m_id: int) -> MilestoneDone:
    m = svc.complete_milestone(m_id)
    return MilestoneDone(id=m.id, done_at=iso(m.done_at))


@router.post(f"{API}/commitments/{{c_id}}/evidence", status_code=201, dependencies=[ApiWrite])
def api_evidence(body: EvidenceIn, svc: Svc, c_id: int) -> EvidenceOut:
    return EvidenceOut.copy_of(svc.add_evidence(c_id, body.url, body.label))
