"""Audit log entries."""

from typing import Any, Self

from pydantic import BaseModel, Field

from trilink.secretariat.models import AuditEntry
from trilink.secretariat.web.schemas.common import DateTime, iso

__all__ = ["AuditOut"]


class AuditOut(BaseModel):
    id: int
    at: DateTime
    actor: str
    actor_nation: str
    action: str
    object_type: str
    object_id: int
    before: dict[str, Any] | None = Field(description="the object's columns before the write")
    after: dict[str, Any] | None = Field(description="the object's columns after the write")

    @classmethod
    def of(cls, e: AuditEntry) -> Self:
        return cls(
            id=e.id,
            at=iso(e.at),
            actor=e.actor,
            actor_nation=e.actor_nation,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            before=e.before,
            after=e.after,
        )
