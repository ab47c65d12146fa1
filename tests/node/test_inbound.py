"""Each inbound defence, through the node's receive path, refused with its reason and audited.

No server: the node is built but not started, and messages are handed to its receive path as
the subscriptions would. The node's clock is fixed, so the time windows are tested at their edges.
"""

from __future__ import annotations

import base64
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trilink import NATIONS
from trilink.fabric.agreements import AgreementBook
from trilink.fabric.guard import MAX_AGE_NS, MAX_FUTURE_NS
from trilink.node.config import NodeConfig
from trilink.node.node import Node
from trilink.synthetic.messages import T0, sample_payload
from trilink.wire.codec import encode, new_msg_id
from trilink.wire.messages import Envelope
from trilink.wire.signing import Keyring, NationKey

PRIVATE = {n: Ed25519PrivateKey.generate() for n in NATIONS}
KEYS = {n: NationKey(n, k) for n, k in PRIVATE.items()}
RING = Keyring({n: k.public for n, k in KEYS.items()})
RNG = random.Random(5)


def unsigned(kind: str = "launch", created_ns: int = T0, n: int = 0) -> Envelope:
    return Envelope(
        schema=1,
        msg_id=new_msg_id(created_ns, RNG),
        kind=kind,  # type: ignore[arg-type]
        origin="KOR",
        created_ns=created_ns,
        classification="SECRET",
        rel_to=("JPN", "KOR", "USA"),
        status="test",
        payload=sample_payload(kind, n),
    )


def signed(kind: str = "launch", created_ns: int = T0, n: int = 0) -> bytes:
    return encode(KEYS["KOR"].sign(unsigned(kind, created_ns, n)))


def relayed(hop_by: str, hop_to: str) -> bytes:
    env = KEYS["KOR"].sign(unsigned())
    return encode(KEYS[hop_by].add_hop(env, hop_to, T0))  # type: ignore[arg-type]


def kind_not_payload() -> bytes:
    """Signed by KOR, but the envelope says ``impact`` around a launch payload."""
    body = encode(unsigned("launch"))
    # The envelope's own kind comes before the payload's tag: change only the first.
    body = body.replace(b'"kind":"launch"', b'"kind":"impact"', 1)
    sig = PRIVATE["KOR"].sign(b"trilink-env\x00" + body)
    return body.replace(b'"signature":""', b'"signature":"' + base64.b64encode(sig) + b'"')


def unsigned_hop() -> bytes:
    env = KEYS["USA"].add_hop(KEYS["KOR"].sign(unsigned()), "JPN", T0)
    hop = msgspec.structs.replace(env.hops[0], signature=b"")
    return encode(msgspec.structs.replace(env, hops=(hop,)))


def make_node(tmp_path: Path, nation: str) -> Node:
    cfg = NodeConfig(
        nation=nation,
        url="nats://127.0.0.1:1",  # never connected
        password="",
        keys_dir=str(tmp_path),
        agreements_dir=str(tmp_path),
        store=str(tmp_path / f"{nation}.sqlite"),
    )
    book = AgreementBook(state_dir=None, clock=lambda: T0)
    return Node(cfg, clock=lambda: T0, key=KEYS[nation], keyring=RING, book=book)


@pytest.fixture
async def jpn(tmp_path: Path) -> AsyncIterator[Node]:
    node = make_node(tmp_path, "JPN")
    yield node
    await node.stop()


@pytest.fixture
async def usa(tmp_path: Path) -> AsyncIterator[Node]:
    node = make_node(tmp_path, "USA")
    yield node
    await node.stop()


async def receive(node: Node, subject: str, data: bytes, from_stream: bool = True) -> None:
    assert await node._receive_safely(subject, data, from_stream=from_stream)


CASES = [
    ("bad_signature", "tl.d.KOR.JPN.ev.launch", lambda: encode(unsigned())),
    ("stale", "tl.d.KOR.JPN.ev.launch", lambda: signed(created_ns=T0 - MAX_AGE_NS - 1)),
    ("future", "tl.d.KOR.JPN.ev.launch", lambda: signed(created_ns=T0 + MAX_FUTURE_NS + 1)),
    ("wrong_kind", "tl.d.KOR.JPN.ev.impact", lambda: signed("launch")),
    ("invalid", "tl.d.KOR.JPN.ev.impact", kind_not_payload),
    ("bad_hops", "tl.d.KOR.JPN.ev.launch", lambda: relayed("USA", "JPN")),
    ("bad_hops", "tl.r.KOR.JPN.ev.launch", lambda: signed()),
    ("bad_hops", "tl.r.KOR.JPN.ev.launch", lambda: relayed("USA", "KOR")),
    ("bad_hops", "tl.r.KOR.JPN.ev.launch", lambda: relayed("KOR", "JPN")),
    ("bad_hop_signature", "tl.r.KOR.JPN.ev.launch", unsigned_hop),
]


@pytest.mark.parametrize(
    ("reason", "subject", "make"),
    CASES,
    ids=[
        "empty_signature",
        "stale",
        "future",
        "subject_kind",
        "payload_kind",
        "hop_on_direct",
        "no_hop_on_relay",
        "hop_to_other",
        "hop_by_origin",
        "empty_hop_signature",
    ],
)
async def test_refused_with_reason_and_audited(
    jpn: Node, reason: str, subject: str, make: Callable[[], bytes]
) -> None:
    await receive(jpn, subject, make())
    assert jpn.refused_in == Counter({reason: 1})
    [row] = jpn.store.audit_rows("refused_in")
    _, leg, origin, _, _, kind = subject.split(".")
    assert (row.reason, row.kind, row.origin, row.route) == (reason, kind, origin, leg)
    assert subject in row.detail
    assert jpn.store.events() == [] and jpn.counters["received_events"] == 0


async def test_unparseable_subject_is_audited_without_claims(jpn: Node) -> None:
    await receive(jpn, "tl.x.KOR", signed())
    assert jpn.refused_in == Counter({"bad_subject": 1})
    [row] = jpn.store.audit_rows("refused_in")
    assert (row.reason, row.kind, row.origin, row.route) == ("bad_subject", "", "", "")


@pytest.mark.parametrize("created_ns", [T0 - MAX_AGE_NS, T0 + MAX_FUTURE_NS])
async def test_time_window_edges_are_accepted(jpn: Node, created_ns: int) -> None:
    await receive(jpn, "tl.d.KOR.JPN.ev.launch", signed(created_ns=created_ns))
    assert not jpn.refused_in
    assert [e[1:3] for e in jpn.store.events()] == [("KOR", "launch")]


def _audited_once(node: Node, want: tuple[str, str, str, str, str]) -> None:
    """One refusal audited: (msg id, kind, origin, route, reason)."""
    [row] = node.store.audit_rows("refused_in")
    assert (row.msg_id, row.kind, row.origin, row.route, row.reason) == want


async def test_track_replayed_on_the_state_path_is_refused(jpn: Node) -> None:
    track = signed("track")
    msg_id = msgspec.json.decode(track)["msg_id"]
    await receive(jpn, "tl.d.KOR.JPN.st.track", track, from_stream=False)
    assert jpn.counters["received_track"] == 1 and not jpn.refused_in
    await receive(jpn, "tl.d.KOR.JPN.st.track", track, from_stream=False)
    assert jpn.refused_in == Counter({"replay": 1})
    assert jpn.counters["received_track"] == 1
    _audited_once(jpn, (msg_id, "track", "KOR", "d", "replay"))
    # A new message about the same track is not a replay.
    await receive(jpn, "tl.d.KOR.JPN.st.track", signed("track", n=1), from_stream=False)
    assert jpn.counters["received_track"] == 2


async def test_hub_relays_a_message_once(usa: Node) -> None:
    data = signed()
    msg_id = msgspec.json.decode(data)["msg_id"]
    for _ in range(2):
        await receive(usa, "tl.h.KOR.JPN.ev.launch", data)
    assert usa.counters["relayed"] == 1 and usa.store.spooled("JPN") == 1
    assert usa.refused_in == Counter({"replay": 1})
    _audited_once(usa, (msg_id, "launch", "KOR", "h", "replay"))
