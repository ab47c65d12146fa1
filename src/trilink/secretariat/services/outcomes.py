"""Meeting outcomes and their promotion to tracked commitments."""

from __future__ import annotations

from typing import Any

from trilink.secretariat.errors import ConflictError, NotFoundError, ValidationError, not_found
from trilink.secretariat.models import Commitment, Meeting, Outcome
from trilink.secretariat.services.base import snapshot
from trilink.secretariat.services.commitments import CommitmentServices
from trilink.secretariat.services.meetings import MeetingServices
from trilink.secretariat.validate import MAX_BODY, check_choice, i18n_field, nations, parse_deadline

__all__ = ["OUTCOME_KINDS", "OutcomeServices"]

OUTCOME_KINDS = ("information", "decision", "commitment")


class OutcomeServices(MeetingServices, CommitmentServices):
    """Outcomes of meetings; a decision becomes a commitment visible like its meeting."""

    def add_outcome(
        self,
        m_id: int,
        kind: str,
        text: Any,
        *,
        agenda_item_id: int | None = None,
        owners: Any = None,
        deadline: Any = None,
    ) -> Outcome:
        """Record an outcome; kind ``commitment`` also creates the tracked commitment."""
        self._staff()
        m = self._get(Meeting, m_id)
        self._not_locked(m)
        check_choice("kind", kind, OUTCOME_KINDS)
        if agenda_item_id is not None and agenda_item_id not in {a.id for a in m.agenda}:
            raise ValidationError(f"agenda_item_id: {agenda_item_id} is not on this meeting")
        o = Outcome(
            meeting_id=m.id,
            agenda_item_id=agenda_item_id,
            kind=kind,
            text=i18n_field("text", text, limit=MAX_BODY),
            created_at=self.now(),
        )
        if kind == "commitment":
            nations("owners", owners)  # validate before anything is written
            parse_deadline("deadline", deadline, now=self.now())
        self._add(o, m.visible_to)
        if kind == "commitment":
            self.promote_outcome(o.id, owners=owners, deadline=deadline)
        return o

    def outcome(self, o_id: int) -> tuple[Outcome, Meeting]:
        """A visible outcome and its meeting."""
        o = self.session.get(Outcome, o_id)
        if o is None:
            raise not_found()
        try:
            m = self._get(Meeting, o.meeting_id)
        except NotFoundError:
            raise not_found() from None
        return o, m

    def promote_outcome(
        self,
        o_id: int,
        *,
        owners: Any,
        deadline: Any,
        title: Any = None,
        workstream_id: int | None = None,
    ) -> Commitment:
        """Turn a decision into a tracked commitment (visible like its meeting)."""
        self._staff()
        o, m = self.outcome(o_id)
        if o.kind == "information":
            raise ValidationError("kind: information outcomes do not create commitments")
        if o.commitment_id is not None:
            raise ConflictError(f"outcome {o_id} already tracks commitment {o.commitment_id}")
        c = self.create_commitment(
            title if title else o.text,
            owners=owners,
            deadline=deadline,
            workstream_id=workstream_id,
            visible_to=list(m.visible_to),
            source_outcome_id=o.id,
            description=o.text,
        )
        before = snapshot(o)
        o.commitment_id = c.id
        self.record_audit("link", o, before, m.visible_to)
        return c
