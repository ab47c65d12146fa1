"""In-app notifications: what others changed on records I own or follow, from the audit log.

"Mine" are the commitments and workstreams my nation owns; "followed" are the records I chose to
follow (a cookie of ``type:id`` pairs). Entries are read through the audit service, so the
visibility rule applies. The read marker is the newest entry id seen, kept per user in a cookie.
"""

from fastapi import Request, Response
from sqlalchemy import select

from trilink.secretariat.access import visible_filter
from trilink.secretariat.models import AuditEntry, Commitment, Minutes, Workstream
from trilink.secretariat.services import Secretariat

__all__ = [
    "FOLLOW_COOKIE",
    "FOLLOW_TYPES",
    "SEEN_COOKIE",
    "followed",
    "mark_read",
    "notices",
    "seen_id",
    "set_followed",
    "unread_count",
]

FOLLOW_COOKIE = "trilink_follow"
SEEN_COOKIE = "trilink_seen"
#: what can be followed
FOLLOW_TYPES = ("commitment", "meeting", "document", "exercise", "workstream")
_MAX_FOLLOW = 100
_YEAR = 365 * 24 * 3600


def followed(request: Request) -> set[tuple[str, int]]:
    """The records the reader follows."""
    out: set[tuple[str, int]] = set()
    for part in request.cookies.get(FOLLOW_COOKIE, "").split(".")[:_MAX_FOLLOW]:
        kind, _, num = part.partition("-")
        if kind in FOLLOW_TYPES and num.isdigit() and len(num) < 10:
            out.add((kind, int(num)))
    return out


def set_followed(response: Response, items: set[tuple[str, int]]) -> None:
    """Store the followed records."""
    value = ".".join(f"{k}-{i}" for k, i in sorted(items)[:_MAX_FOLLOW])
    response.set_cookie(FOLLOW_COOKIE, value, max_age=_YEAR, httponly=True, samesite="lax")


def seen_id(request: Request, username: str) -> int:
    """The newest entry id the user has marked read (0 if none)."""
    who, _, num = request.cookies.get(SEEN_COOKIE, "").partition("-")
    return int(num) if who == username and num.isdigit() and len(num) < 12 else 0


def mark_read(response: Response, username: str, entry_id: int) -> None:
    """Move the read marker to ``entry_id``."""
    response.set_cookie(
        SEEN_COOKIE, f"{username}-{entry_id}", max_age=_YEAR, httponly=True, samesite="lax"
    )


def _watched(svc: Secretariat, request: Request) -> set[tuple[str, int]]:
    nation = svc.user.nation
    watched = set(followed(request))
    for model, name in ((Commitment, "commitment"), (Workstream, "workstream")):
        stmt = select(model.id, model.owners).where(visible_filter(svc.user, model))
        for obj_id, owners in svc.session.execute(stmt):
            if nation in owners.split(","):
                watched.add((name, obj_id))
    meetings = [i for k, i in watched if k == "meeting"]
    if meetings:
        stmt2 = select(Minutes.id).where(Minutes.meeting_id.in_(meetings))
        watched.update(("minutes", m_id) for m_id in svc.session.scalars(stmt2))
    return watched


def notices(svc: Secretariat, request: Request, limit: int = 100) -> list[AuditEntry]:
    """Changes by others to records I own or follow, newest first."""
    watched = _watched(svc, request)
    out = []
    for e in svc.audit(limit=1000):
        if e.actor != svc.user.username and (e.object_type, e.object_id) in watched:
            out.append(e)
            if len(out) >= limit:
                break
    return out


def unread_count(svc: Secretariat, request: Request) -> int:
    """How many of :func:`notices` are newer than the read marker."""
    seen = seen_id(request, svc.user.username)
    return sum(1 for e in notices(svc, request) if e.id > seen)
