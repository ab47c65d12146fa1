"""Workstreams: the agendas the cooperation works through."""

from __future__ import annotations

from typing import Any

from trilink.secretariat.models import Workstream
from trilink.secretariat.services.base import ServiceBase
from trilink.secretariat.validate import MAX_BODY, check_choice, check_key, i18n_field, nations

__all__ = ["WORKSTREAM_STATUSES", "WorkstreamServices"]

WORKSTREAM_STATUSES = ("active", "paused", "closed")


class WorkstreamServices(ServiceBase):
    """Workstreams."""

    def create_workstream(
        self,
        key: str,
        title: Any,
        *,
        description: Any = None,
        owners: Any = "all",
        status: str = "active",
        visible_to: Any = "all",
    ) -> Workstream:
        """Add an agenda."""
        self._staff()
        ws = Workstream(
            key=check_key("key", key),
            title=i18n_field("title", title),
            description=i18n_field("description", description, limit=MAX_BODY, required=False),
            owners=",".join(nations("owners", owners)),
            status=check_choice("status", status, WORKSTREAM_STATUSES),
            created_at=self.now(),
            updated_at=self.now(),
        )
        return self._add_shared(ws, visible_to, "workstream")

    def update_workstream(
        self,
        ws_id: int,
        *,
        title: Any = None,
        description: Any = None,
        owners: Any = None,
        status: str | None = None,
        visible_to: Any = None,
    ) -> Workstream:
        """Change a workstream (``None``: unchanged); sharing can only be widened."""
        ws, before = self._edit(Workstream, ws_id)
        if title is not None:
            ws.title = i18n_field("title", title)
        if description is not None:
            ws.description = i18n_field("description", description, limit=MAX_BODY, required=False)
        if owners is not None:
            ws.owners = ",".join(nations("owners", owners))
        if status is not None:
            ws.status = check_choice("status", status, WORKSTREAM_STATUSES)
        ws.updated_at = self.now()
        return self._updated(ws, before, visible_to)

    def list_workstreams(self) -> list[Workstream]:
        """Visible workstreams."""
        return self._list(Workstream, Workstream.key)

    def workstream(self, ws_id: int) -> Workstream:
        """One visible workstream."""
        return self._get(Workstream, ws_id)

    def workstream_by_key(self, key: str) -> Workstream:
        """One visible workstream by key."""
        return self._by_key(Workstream, key)
