"""The NATS subject layout: the route is a token of the subject.

``tl.<leg>.<origin>.<dest>.<class>.<kind>``

- ``leg``: ``d`` direct origin→dest, ``h`` origin→hub for relay to dest, ``r`` hub→dest relayed;
- ``class``: ``ev`` for events (JetStream) or ``st`` for state (core NATS);
- ``kind``: the payload kind.

Because the leg and both nations are in the subject, every link can be limited to exactly the
subjects it may carry, and each message has exactly one path.
"""

from __future__ import annotations

from dataclasses import dataclass

from trilink import NATIONS
from trilink.wire.codec import WireError
from trilink.wire.messages import EVENT_KINDS, KINDS

__all__ = [
    "LEGS",
    "Subject",
    "inbound_event_subjects",
    "inbound_state_subjects",
    "parse_subject",
    "subject_fields",
    "subject_for",
]

LEGS = ("d", "h", "r")
PREFIX = "tl"


@dataclass(frozen=True)
class Subject:
    """A parsed data subject."""

    leg: str
    origin: str
    dest: str
    kind: str

    @property
    def is_event(self) -> bool:
        return self.kind in EVENT_KINDS

    def __str__(self) -> str:
        return subject_for(self.leg, self.origin, self.dest, self.kind)


def subject_for(leg: str, origin: str, dest: str, kind: str) -> str:
    """The subject of one message on one leg."""
    cls = "ev" if kind in EVENT_KINDS else "st"
    return f"{PREFIX}.{leg}.{origin}.{dest}.{cls}.{kind}"


def subject_fields(subject: str) -> Subject | None:
    """The tokens of any six-token subject, unchecked; ``None`` for any other shape.

    For auditing a refused message: whatever the subject claims is recorded, valid or not.
    """
    parts = subject.split(".")
    if len(parts) != 6:
        return None
    _, leg, origin, dest, _, kind = parts
    return Subject(leg, origin, dest, kind)


def parse_subject(subject: str) -> Subject:
    """Parse a data subject or raise :class:`WireError` (``bad_subject``)."""
    parts = subject.split(".")
    if len(parts) != 6 or parts[0] != PREFIX:
        raise WireError("bad_subject", subject)
    _, leg, origin, dest, cls, kind = parts
    if leg not in LEGS or origin not in NATIONS or dest not in NATIONS or origin == dest:
        raise WireError("bad_subject", subject)
    if kind not in KINDS or cls != ("ev" if kind in EVENT_KINDS else "st"):
        raise WireError("bad_subject", subject)
    return Subject(leg, origin, dest, kind)


def inbound_event_subjects(nation: str, hub: str | None) -> list[str]:
    """Subjects a nation's inbound JetStream stream captures (events for it, relay work if hub).

    Event kinds are named, not wildcarded: the stream's per-subject limit is then a limit per
    leg, origin and kind, which an origin cannot multiply by inventing kinds.
    """
    legs = [("d", "*", nation), ("r", "*", nation)]
    if nation == hub:
        legs.append(("h", "*", "*"))
    return [
        f"{PREFIX}.{leg}.{origin}.{dest}.ev.{kind}"
        for leg, origin, dest in legs
        for kind in sorted(EVENT_KINDS)
    ]


def inbound_state_subjects(nation: str, hub: str | None, origin: str = "*") -> list[str]:
    """Core NATS subjects of state for a nation's node (for it, and relay work if hub).

    With ``origin``, only that origin's: the node keeps each partner's state in a stream of its
    own, so that one origin's flood fills only its own.
    """
    subjects = [f"{PREFIX}.d.{origin}.{nation}.st.>", f"{PREFIX}.r.{origin}.{nation}.st.>"]
    if nation == hub:
        subjects.append(f"{PREFIX}.h.{origin}.*.st.>")
    return subjects
