"""The secretariat's services: the only code that writes.

A :class:`Secretariat` is bound to a session, an acting user and an injected clock. It is composed
of one service class per domain (users, workstreams, commitments, meetings, minutes, outcomes,
exercises, documents, audit), all built on :class:`~trilink.secretariat.services.base.ServiceBase`:
reads go through its one access check; every write validates its input, checks role and
visibility, changes one object and then makes exactly one audit call
(:meth:`~trilink.secretariat.services.base.ServiceBase.record_audit`) before committing.
"""

from __future__ import annotations

from trilink.secretariat.services.audit import AuditServices
from trilink.secretariat.services.base import (
    Clock,
    ServiceBase,
    snapshot,
    system_clock,
    system_user,
)
from trilink.secretariat.services.commitments import (
    COMMITMENT_STATUSES,
    COMMITMENT_VIEWS,
    CommitmentServices,
)
from trilink.secretariat.services.documents import DOCUMENT_KINDS, DocumentServices
from trilink.secretariat.services.exercises import DOMAINS, EXERCISE_STATUSES, ExerciseServices
from trilink.secretariat.services.meetings import (
    ATTENDEE_ROLES,
    MEETING_STATUSES,
    SERIES_KINDS,
    MeetingServices,
)
from trilink.secretariat.services.minutes import MinutesServices
from trilink.secretariat.services.outcomes import OUTCOME_KINDS, OutcomeServices
from trilink.secretariat.services.users import UserServices, hash_password, verify_password
from trilink.secretariat.services.workstreams import WORKSTREAM_STATUSES, WorkstreamServices

__all__ = [
    "COMMITMENT_STATUSES",
    "COMMITMENT_VIEWS",
    "DOCUMENT_KINDS",
    "DOMAINS",
    "EXERCISE_STATUSES",
    "ATTENDEE_ROLES",
    "MEETING_STATUSES",
    "OUTCOME_KINDS",
    "SERIES_KINDS",
    "WORKSTREAM_STATUSES",
    "AuditServices",
    "Clock",
    "CommitmentServices",
    "DocumentServices",
    "ExerciseServices",
    "MeetingServices",
    "MinutesServices",
    "OutcomeServices",
    "Secretariat",
    "ServiceBase",
    "UserServices",
    "WorkstreamServices",
    "hash_password",
    "snapshot",
    "system_clock",
    "system_user",
    "verify_password",
]


class Secretariat(
    UserServices,
    WorkstreamServices,
    OutcomeServices,
    MinutesServices,
    ExerciseServices,
    DocumentServices,
    AuditServices,
):
    """Every service, bound to one session, one acting user and one clock."""
