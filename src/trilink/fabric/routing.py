"""Routing from the agreements in force: direct, via the hub, or nowhere.

A message from ``origin`` reaches ``dest`` only if the originator marked it releasable to
``dest``. It goes direct when an agreement in force lets the pair exchange directly; otherwise via
the hub when an agreement in force allows relay and the originator's markings consent to it (REL
TO both the destination and the hub, since the hub reads what it relays); otherwise nowhere.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from trilink.fabric.agreements import AgreementBook

__all__ = [
    "DIRECT_SETTLE_NS",
    "DIRECT_STOP_GRACE_NS",
    "Decision",
    "Route",
    "direct_agreement",
    "plan",
    "relay_agreement",
]

#: A direct agreement that has just come into force is used only after this long: by then the
#: servers of the direct link carry its subjects again (a config reload, milliseconds) and the
#: receiving node has seen the change (it polls every 0.2 s). Until then the hub route is used,
#: so the switch back loses nothing. Stopping is immediate (the servers wait for the nodes).
DIRECT_SETTLE_NS = 1_000_000_000
#: A direct message created up to this long after its agreement stopped is still accepted by
#: the receiver: senders see the change only at their next poll (0.2 s), and the servers go on
#: carrying the direct subjects this long after the change (``LocalFabric.set_direct``).
DIRECT_STOP_GRACE_NS = 1_000_000_000

Route = Literal["direct", "hub"]


@dataclass(frozen=True)
class Decision:
    """Where one message goes for one destination, under which agreement, or why not."""

    dest: str
    route: Route | None
    agreement: str | None
    reason: str  # "ok" or the refusal code


def direct_agreement(
    book: AgreementBook, a: str, b: str, kind: str, classification: str, at_ns: int
) -> str | None:
    """The first agreement in force that lets ``a`` and ``b`` exchange ``kind`` directly."""
    for agreement in sorted(book.in_force_list(at_ns), key=lambda x: x.name):
        if agreement.allows_direct(a, b) and agreement.covers(kind, classification):
            return agreement.name
    return None


def relay_agreement(
    book: AgreementBook,
    origin: str,
    dest: str,
    kind: str,
    classification: str,
    rel_to: Collection[str],
    at_ns: int,
    hub: str | None = None,
) -> tuple[str, str] | None:
    """``(agreement, hub)`` for a relay the agreements and the originator's markings allow."""
    for agreement in sorted(book.in_force_list(at_ns), key=lambda x: x.name):
        if not agreement.relay_allowed or agreement.hub is None:
            continue
        if hub is not None and agreement.hub != hub:
            continue
        if agreement.hub in (origin, dest):
            continue
        if not {origin, dest} <= agreement.parties or not agreement.covers(kind, classification):
            continue
        # Consent: the originator marked both the destination and the hub releasable.
        if dest in rel_to and agreement.hub in rel_to:
            return agreement.name, agreement.hub
    return None


def plan(
    book: AgreementBook,
    origin: str,
    dest: str,
    kind: str,
    classification: str,
    rel_to: Collection[str],
    at_ns: int,
) -> Decision:
    """Decide the route of one message to one destination at ``at_ns``."""
    if dest == origin:
        return Decision(dest, None, None, "self")
    if dest not in rel_to:
        return Decision(dest, None, None, "not_releasable")
    name = direct_agreement(book, origin, dest, kind, classification, at_ns)
    settled = direct_agreement(book, origin, dest, kind, classification, at_ns - DIRECT_SETTLE_NS)
    if name is not None and settled is not None:
        return Decision(dest, "direct", name, "ok")
    relay = relay_agreement(book, origin, dest, kind, classification, rel_to, at_ns)
    if relay is not None:
        return Decision(dest, "hub", relay[0], "ok")
    # Say why, so the audit log is useful: a relay exists but consent is missing, or nothing.
    for agreement in book.in_force_list(at_ns):
        if (
            agreement.relay_allowed
            and agreement.hub not in (origin, dest)
            and {origin, dest} <= agreement.parties
            and agreement.covers(kind, classification)
        ):
            return Decision(dest, None, None, "relay_not_consented")
    return Decision(dest, None, None, "no_agreement")
