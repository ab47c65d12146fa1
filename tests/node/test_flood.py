"""A flood of bad-signature track state from KOR's credentials: every message counted."""

from __future__ import annotations

import msgspec
import nats
import pytest

from trilink.fabric.guard import Outgoing
from trilink.node.node import Node
from trilink.synthetic.messages import sample_payload
from trilink.wire.codec import encode

from .conftest import Env, wait_for
from .test_refusals import signed

pytestmark = pytest.mark.xdist_group("nats")

#: Garbage messages sent (bounded), and JPN's state subscription room (small, so that the
#: flood overflows it and the client drops).
FLOOD = 3000
PENDING = 100


async def test_flood_drops_are_counted_and_audited(env: Env) -> None:
    for nation in ("USA", "KOR"):
        env.nodes[nation] = Node(env.config(nation))
    cfg = msgspec.structs.replace(env.config("JPN"), state_pending_msgs=PENDING)
    env.nodes["JPN"] = jpn = Node(cfg)
    for node in env.nodes.values():
        await node.start()
    kor = env.nodes["KOR"]
    # Well-formed and fresh, but signed over other bytes: only the signature check refuses it.
    good = signed(env, "KOR", ("JPN", "KOR", "USA"), 0, kind="tracks")
    other = signed(env, "KOR", ("JPN", "KOR", "USA"), 1, kind="tracks")
    garbage = encode(msgspec.structs.replace(good, signature=other.signature))
    layout = env.fabric.layout
    rogue = await nats.connect(
        layout.url("KOR"), user="node", password=layout.passwords["KOR.node"]
    )
    try:
        for _ in range(FLOOD):  # as fast as the client goes
            await rogue.publish("tl.d.KOR.JPN.st.tracks", garbage)
        await rogue.flush()

        def refused() -> int:
            return sum(
                1
                for r in jpn.store.audit_rows("refused_in")
                if r.reason == "bad_signature" and r.kind == "tracks"
            )

        def dropped() -> int:
            # the server's slow-consumer drops of the flooded subject (a heartbeat caught in the
            # same overflow is dropped and counted too, under its own kind)
            return sum(
                int(r.detail.split()[0])
                for r in jpn.store.audit_rows("dropped")
                if r.reason == "slow_consumer" and r.kind == "tracks"
            )

        assert await wait_for(lambda: refused() + dropped() >= FLOOD, 60)
        assert refused() + dropped() == FLOOD  # each garbage message refused or dropped, once
        assert 0 < dropped() < FLOOD

        # every drop counted is audited (rows are written at the node's next flush)
        def all_dropped() -> int:
            return sum(
                int(r.detail.split()[0])
                for r in jpn.store.audit_rows("dropped")
                if r.reason == "slow_consumer"
            )

        assert await wait_for(lambda: all_dropped() == jpn.counters["slow_consumer_dropped"], 5)
        assert jpn.counters["slow_consumer_dropped"] >= dropped()
        assert jpn.refused_in["bad_signature"] >= refused()
        rows = [r for r in jpn.store.audit_rows("dropped") if r.reason == "slow_consumer"]
        assert ("KOR", "tracks", "d") in {(r.origin, r.kind, r.route) for r in rows}
        assert jpn.counters["disconnects"] == 0  # the server kept JPN's connections
        # Real traffic still gets through afterwards.
        seen: list[str] = []
        jpn.on_track = lambda e, leg, now: seen.append(e.msg_id)
        outs = await kor.share(
            Outgoing(sample_payload("tracks", 7), "SECRET", ("JPN", "KOR", "USA"), "test")
        )
        [to_jpn] = [o for o in outs if o.dest == "JPN"]
        assert await wait_for(lambda: to_jpn.envelope.msg_id in seen)
    finally:
        await rogue.close()
        await env.stop_nodes()
