"""Minutes: revisions, approval by every party, locking."""

from __future__ import annotations

from typing import Any

from trilink.secretariat.access import require_role
from trilink.secretariat.errors import ConflictError, ForbiddenError
from trilink.secretariat.models import Meeting, Minutes, MinutesApproval, MinutesRevision
from trilink.secretariat.services.base import snapshot
from trilink.secretariat.services.meetings import MeetingServices
from trilink.secretariat.validate import MAX_BODY, i18n_field

__all__ = ["MinutesServices"]


class MinutesServices(MeetingServices):
    """Minutes of the meetings (a meeting is needed to reach them)."""

    def write_minutes(self, m_id: int, body: Any) -> Minutes:
        """Save a new revision of the minutes; approvals of older revisions no longer count."""
        self._staff()
        m = self._get(Meeting, m_id)
        mins = self._minutes_of(m)
        if mins is None:
            mins = Minutes(meeting_id=m.id, state="draft", revision=0)
            self.session.add(mins)
            self.session.flush()
            before = None
        else:
            before = snapshot(mins)
        if mins.state == "locked":
            raise ConflictError("minutes are locked and can no longer be edited")
        mins.revision += 1
        mins.state = "draft"
        mins.revisions.append(
            MinutesRevision(
                number=mins.revision,
                body=i18n_field("body", body, limit=MAX_BODY),
                author=self.user.username,
                created_at=self.now(),
            )
        )
        self.record_audit("revise", mins, before, m.visible_to)
        return mins

    def approvals_needed(self, m: Meeting) -> tuple[str, ...]:
        """Nations whose approval the minutes need: every nation the meeting is shared with."""
        return m.visible_to

    def approve_minutes(self, m_id: int) -> Minutes:
        """Approve the current revision for the user's nation; all nations -> approved."""
        require_role(self.user, "approver")
        m = self._get(Meeting, m_id)
        mins = self._minutes_of(m)
        if mins is None or mins.revision == 0:
            raise ConflictError("there are no minutes to approve yet")
        if mins.state == "locked":
            raise ConflictError("minutes are locked")
        if self.user.nation not in self.approvals_needed(m):
            raise ForbiddenError(f"{self.user.nation} is not a party to these minutes")
        if any(
            a.nation == self.user.nation and a.revision == mins.revision for a in mins.approvals
        ):
            raise ConflictError(f"{self.user.nation} has already approved revision {mins.revision}")
        before = snapshot(mins)
        mins.approvals.append(
            MinutesApproval(
                nation=self.user.nation,
                revision=mins.revision,
                approver=self.user.username,
                at=self.now(),
            )
        )
        approved = {a.nation for a in mins.approvals if a.revision == mins.revision}
        if set(self.approvals_needed(m)) <= approved:
            mins.state = "approved"
        after = snapshot(mins) | {"approved_by": sorted(approved)}
        self.record_audit("approve", mins, before, m.visible_to, after=after)
        return mins

    def lock_minutes(self, m_id: int) -> Minutes:
        """Lock approved minutes for good."""
        require_role(self.user, "approver")
        m = self._get(Meeting, m_id)
        mins = self._minutes_of(m)
        if mins is None or mins.state != "approved":
            raise ConflictError("only minutes approved by every party can be locked")
        before = snapshot(mins)
        mins.state = "locked"
        self.record_audit("lock", mins, before, m.visible_to)
        return mins
