"""Audit log entries."""

from typing import Any, Self

from pydantic import Field

from trilink.secretariat.models import AuditEntry
from trilink.secretariat.web.schemas.common import DateTime, OrmOut, iso

__all__ = ["AuditOut"]


class AuditOut(OrmOut):
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
        return cls.copy_of(e, at=iso(e.at))
