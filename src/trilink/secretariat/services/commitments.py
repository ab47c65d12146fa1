"""Commitments with their milestones and evidence; progress roll-up over sub-commitments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from trilink.secretariat.access import visible_filter
from trilink.secretariat.errors import ValidationError, not_found
from trilink.secretariat.models import Commitment, Evidence, Milestone, Workstream
from trilink.secretariat.services.base import ServiceBase, snapshot
from trilink.secretariat.validate import (
    MAX_BODY,
    check_choice,
    check_key,
    check_text,
    check_url,
    i18n_field,
    nations,
    parse_date,
    parse_deadline,
)

__all__ = ["COMMITMENT_STATUSES", "COMMITMENT_VIEWS", "CommitmentServices"]

COMMITMENT_STATUSES = ("draft", "open", "in_progress", "at_risk", "done", "cancelled")
COMMITMENT_VIEWS = ("all", "overdue", "due_soon", "review_due")
#: longest look-ahead of the due-soon and review-due views (ten years)
MAX_DAYS = 3660


class CommitmentServices(ServiceBase):
    """Commitments, milestones and evidence."""

    def create_commitment(
        self,
        title: Any,
        *,
        owners: Any,
        deadline: Any = None,
        description: Any = None,
        workstream_id: int | None = None,
        parent_id: int | None = None,
        status: str = "open",
        progress: Any = 0.0,
        weight: Any = 1.0,
        review_date: Any = None,
        deadline_note: str | None = None,
        visible_to: Any = "all",
        key: str | None = None,
        source_outcome_id: int | None = None,
    ) -> Commitment:
        """Add a commitment (optionally under a workstream and/or a parent commitment)."""
        self._staff()
        now = self.now()
        if workstream_id is not None:
            self._get(Workstream, workstream_id)
        if parent_id is not None:
            self._get(Commitment, parent_id)
        c = Commitment(
            key=check_key("key", key) if key is not None else None,
            workstream_id=workstream_id,
            parent_id=parent_id,
            title=i18n_field("title", title),
            description=i18n_field("description", description, limit=MAX_BODY, required=False),
            owners=",".join(nations("owners", owners)),
            deadline=parse_deadline("deadline", deadline, now=now),
            deadline_note=(
                check_text("deadline_note", deadline_note, limit=200) if deadline_note else None
            ),
            review_date=parse_date("review_date", review_date) if review_date else None,
            status=check_choice("status", status, COMMITMENT_STATUSES),
            progress=_percent("progress", progress),
            weight=_weight(weight),
            source_outcome_id=source_outcome_id,
            created_at=now,
            updated_at=now,
        )
        return self._add_shared(c, visible_to, "commitment")

    def update_commitment(self, c_id: int, changes: dict[str, Any]) -> Commitment:
        """Change fields of a commitment; the audit entry keeps before and after."""
        c, before = self._edit(Commitment, c_id)
        audience = c.visible_to
        allowed = {
            "title",
            "description",
            "owners",
            "deadline",
            "deadline_note",
            "review_date",
            "status",
            "progress",
            "weight",
            "visible_to",
            "parent_id",
            "workstream_id",
        }
        unknown = set(changes) - allowed
        if unknown:
            raise ValidationError(f"cannot change {', '.join(sorted(unknown))}")
        try:
            for name, value in changes.items():
                if name == "title":
                    c.title = i18n_field("title", value)
                elif name == "description":
                    c.description = i18n_field("description", value, limit=MAX_BODY, required=False)
                elif name == "owners":
                    c.owners = ",".join(nations("owners", value))
                elif name == "deadline":
                    c.deadline = parse_deadline("deadline", value, now=self.now())
                elif name == "deadline_note":
                    c.deadline_note = check_text("deadline_note", value, limit=200, required=False)
                elif name == "review_date":
                    c.review_date = parse_date("review_date", value) if value else None
                elif name == "status":
                    c.status = check_choice("status", value, COMMITMENT_STATUSES)
                    if c.status == "done":
                        c.progress = 100.0
                elif name == "progress":
                    c.progress = _percent("progress", value)
                elif name == "weight":
                    c.weight = _weight(value)
                elif name == "visible_to":
                    audience = self._reshare(c, value)
                elif name == "workstream_id":
                    if value is not None:
                        self._get(Workstream, int(value))
                    c.workstream_id = value
                elif name == "parent_id":
                    self._check_parent(c, value)
                    c.parent_id = value
        except BaseException:
            # A refused change leaves nothing half-applied in the session (nothing is written).
            self.session.rollback()
            raise
        c.updated_at = self.now()
        self.record_audit("update", c, before, audience)
        return c

    def _check_parent(self, c: Commitment, parent_id: int | None) -> None:
        seen = {c.id}
        cursor = parent_id
        while cursor is not None:
            if cursor in seen:
                raise ValidationError("parent_id: would make a cycle of sub-commitments")
            seen.add(cursor)
            cursor = self._get(Commitment, cursor).parent_id

    def commitment(self, c_id: int) -> Commitment:
        """One visible commitment."""
        return self._get(Commitment, c_id)

    def commitment_by_key(self, key: str) -> Commitment:
        """One visible commitment by key."""
        return self._by_key(Commitment, key)

    def children(self, c: Commitment) -> list[Commitment]:
        """Visible sub-commitments."""
        stmt = (
            select(Commitment)
            .where(Commitment.parent_id == c.id, visible_filter(self.user, Commitment))
            .order_by(Commitment.id)
        )
        return list(self.session.scalars(stmt))

    def rolled_progress(self, c: Commitment, _depth: int = 0) -> float:
        """Progress in percent: own figure for a leaf, weighted mean of sub-commitments otherwise.

        Only sub-commitments the user can see count, so the figure never leaks restricted work;
        cancelled ones are left out; a done commitment is 100.
        """
        if c.status == "done":
            return 100.0
        kids = [k for k in self.children(c) if k.status != "cancelled"]
        total = sum(k.weight for k in kids)
        if not kids or total <= 0 or _depth > 50:
            return float(c.progress)
        return sum(k.weight * self.rolled_progress(k, _depth + 1) for k in kids) / total

    def list_commitments(
        self, view: str = "all", *, days: int = 30, workstream_id: int | None = None
    ) -> list[Commitment]:
        """Visible commitments: ``all``, ``overdue`` (deadline passed, not done/cancelled),
        ``due_soon`` (deadline within ``days``) or ``review_due`` (review date within ``days``)."""
        check_choice("view", view, COMMITMENT_VIEWS)
        now = self.now()
        days = _days(days)
        stmt = select(Commitment).where(visible_filter(self.user, Commitment))
        if workstream_id is not None:
            if self.visible_id(Workstream, workstream_id) is None:
                return []  # a hidden workstream filters like a missing one
            stmt = stmt.where(Commitment.workstream_id == workstream_id)
        open_ = Commitment.status.not_in(("done", "cancelled", "draft"))
        if view == "overdue":
            stmt = stmt.where(open_, Commitment.deadline < now)
        elif view == "review_due":
            horizon = (now + dt.timedelta(days=days)).date()
            stmt = stmt.where(
                Commitment.status.not_in(("done", "cancelled")),
                Commitment.review_date.is_not(None),
                Commitment.review_date <= horizon,
            )
        elif view == "due_soon":
            stmt = stmt.where(
                open_,
                Commitment.deadline >= now,
                Commitment.deadline <= now + dt.timedelta(days=days),
            )
        stmt = stmt.order_by(Commitment.deadline.is_(None), Commitment.deadline, Commitment.id)
        return list(self.session.scalars(stmt))

    def add_milestone(self, c_id: int, title: Any, due: Any = None) -> Milestone:
        """Add a dated step to a commitment."""
        self._staff()
        c = self._get(Commitment, c_id)
        m = Milestone(
            commitment_id=c.id,
            title=i18n_field("title", title),
            due=parse_deadline("due", due, now=self.now()),
        )
        self._add(m, c.visible_to)
        return m

    def complete_milestone(self, m_id: int) -> Milestone:
        """Mark a milestone done (by the clock)."""
        self._staff()
        m = self.session.get(Milestone, m_id)
        if m is None:
            raise not_found()
        c = self._get(Commitment, m.commitment_id)
        before = snapshot(m)
        m.done_at = self.now()
        self.record_audit("complete", m, before, c.visible_to)
        return m

    def add_evidence(self, c_id: int, url: str, label: str) -> Evidence:
        """Link evidence of progress."""
        self._staff()
        c = self._get(Commitment, c_id)
        e = Evidence(
            commitment_id=c.id,
            url=check_url("url", url),
            label=check_text("label", label, limit=300),
            added_at=self.now(),
        )
        self._add(e, c.visible_to)
        return e


def _days(value: Any) -> int:
    """A look-ahead horizon in days (bounded, so date arithmetic cannot overflow)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_DAYS:
        raise ValidationError(f"days: expected whole days from 0 to {MAX_DAYS}")
    return value


def _percent(field: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValidationError(f"{field}: expected a number from 0 to 100")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{field}: expected a number from 0 to 100") from None
    if not 0.0 <= number <= 100.0:
        raise ValidationError(f"{field}: {number} is outside 0..100")
    return number


def _weight(value: Any) -> float:
    if isinstance(value, bool):
        raise ValidationError("weight: expected a positive number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError("weight: expected a positive number") from None
    if not 0.0 < number <= 1000.0:
        raise ValidationError("weight: must be above 0 and at most 1000")
    return number
