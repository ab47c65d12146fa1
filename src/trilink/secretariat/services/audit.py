"""Reading the audit log (writing it is :meth:`ServiceBase.record_audit`)."""

from __future__ import annotations

from sqlalchemy import select

from trilink.secretariat.access import visible_filter
from trilink.secretariat.models import AuditEntry
from trilink.secretariat.services.base import ServiceBase

__all__ = ["AuditServices"]


class AuditServices(ServiceBase):
    """The audit entries the user may see."""

    def audit_entry(self, e_id: int) -> AuditEntry:
        """One visible audit entry."""
        return self._get(AuditEntry, e_id)

    def audit(
        self, *, object_type: str | None = None, object_id: int | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        """Visible audit entries, newest first."""
        stmt = select(AuditEntry).where(visible_filter(self.user, AuditEntry))
        if object_type is not None:
            stmt = stmt.where(AuditEntry.object_type == object_type)
        if object_id is not None:
            stmt = stmt.where(AuditEntry.object_id == object_id)
        stmt = stmt.order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 5000)))
        return list(self.session.scalars(stmt))
