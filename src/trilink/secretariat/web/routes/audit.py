"""The audit log: read-only API (there is no route that changes it)."""

from fastapi import APIRouter

from trilink.secretariat.web.deps import API, API_ERRORS, Svc
from trilink.secretariat.web.schemas.audit import AuditOut

__all__ = ["router"]

router = APIRouter(tags=["audit"], responses=API_ERRORS)


@router.get(f"{API}/audit")
def api_audit(
    svc: Svc,
    object_type: str | None = None,
    object_id: int | None = None,
    limit: int = 200,
) -> list[AuditOut]:
    """The audit log (read-only; entries you may see), newest first."""
    entries = svc.audit(object_type=object_type, object_id=object_id, limit=limit)
    return [AuditOut.of(e) for e in entries]


@router.get(f"{API}/audit/{{e_id}}")
def api_audit_entry(svc: Svc, e_id: int) -> AuditOut:
    """One audit entry. There is no PUT, PATCH or DELETE: the log is append-only."""
    return AuditOut.of(svc.audit_entry(e_id))
