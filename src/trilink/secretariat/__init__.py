"""trilink.secretariat: the cooperation's memory.

Workstreams, commitments (with weighted progress roll-up), meeting series and meetings, minutes
with a draft -> approved-by-all-three -> locked lifecycle, outcomes that become tracked
commitments, exercises, documents, per-nation visibility, an append-only audit log, content in
English, Korean and Japanese, iCalendar feeds and a reminder outbox.

Layers: ``models`` (SQLAlchemy 2 ORM) <- ``access`` (the one visibility check) <- ``services``
(every write, each followed by exactly one audit entry) <- ``web`` / ``commands``.
"""

from trilink.secretariat.errors import (
    ForbiddenError,
    NotFoundError,
    SecretariatError,
    ValidationError,
)

__all__ = ["ForbiddenError", "NotFoundError", "SecretariatError", "ValidationError"]
