"""GSOMIA switched off and on while KOR streams track batches to JPN: none lost, none twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from trilink.fabric.guard import Outgoing
from trilink.synthetic.messages import sample_payload
from trilink.wire.messages import Envelope

from .conftest import Env, wait_for

pytestmark = [pytest.mark.xdist_group("nats")]

#: Batches per second KOR sends, and how long each phase (direct, via hub, direct) lasts.
RATE = 100
PHASE_S = 2.0


async def test_gsomia_switch_loses_no_track_batch(env: Env) -> None:
    received: list[tuple[str, str]] = []  # (msg_id, route) of each batch JPN took in

    def on_track(envelope: Envelope, route: str, now: int) -> None:
        if envelope.origin == "KOR" and envelope.kind == "tracks":
            received.append((envelope.msg_id, route))

    nodes = await env.start_nodes()
    kor, jpn = nodes["KOR"], nodes["JPN"]
    jpn.on_track = on_track
    sent: list[tuple[str, str]] = []  # (msg_id, leg) of each batch KOR sent towards JPN
    servers = {n: env.fabric.servers[n].proc for n in ("KOR", "USA", "JPN")}

    async def stream(stop: asyncio.Event) -> None:
        n = 0
        # Bounded: at most RATE * 30 batches, whatever happens to the switch.
        while not stop.is_set() and n < RATE * 30:
            item = Outgoing(sample_payload("tracks", n), "SECRET", ("JPN", "KOR", "USA"), "test")
            for ob in await kor.share(item):
                if ob.dest == "JPN":
                    sent.append((ob.envelope.msg_id, ob.leg))
            n += 1
            await asyncio.sleep(1.0 / RATE)

    # The direct path is up end to end (JPN's interest has crossed the link to KOR's server)
    # once JPN has heard a KOR heartbeat; a batch sent before that could find no subscriber.
    assert await wait_for(lambda: jpn.peers["KOR"].heartbeat is not None)
    book = env.book()
    stop = asyncio.Event()
    try:
        task = asyncio.create_task(stream(stop))
        await asyncio.sleep(PHASE_S)
        # As `trilink fabric up` does it: the agreement changes, then the fabric follows it.
        book.set_state("GSOMIA", "suspended", by="test")
        await asyncio.to_thread(env.fabric.set_direct, False)
        await asyncio.sleep(PHASE_S)
        book.set_state("GSOMIA", "in_force", by="test")
        await asyncio.to_thread(env.fabric.set_direct, True)
        await asyncio.sleep(PHASE_S)
        stop.set()
        await task
        sent_ids = {m for m, _ in sent}
        arrived = await wait_for(lambda: {m for m, _ in received} >= sent_ids, 20)
        missing = sent_ids - {m for m, _ in received}
        where = sorted(k for k, (m, _) in enumerate(sent) if m in missing)
        switches = [k for k in range(1, len(sent)) if sent[k][1] != sent[k - 1][1]]
        assert arrived, f"{len(missing)}/{len(sent_ids)} lost at {where}; route changes {switches}"
        await asyncio.sleep(0.5)  # a late duplicate would show up now
    finally:
        stop.set()
        await env.stop_nodes()

    assert len(sent_ids) == len(sent) > RATE * PHASE_S * 2
    counts = Counter(m for m, _ in received)
    assert set(counts) == sent_ids  # every batch sent arrived, nothing else did
    assert max(counts.values()) == 1  # exactly once
    assert kor.counters["state_dropped"] == 0
    assert jpn.refused_in["no_agreement"] == 0
    # Routes in the order KOR sent: direct, then through the hub (also for the settle time
    # after the restore), then direct again.
    legs = [leg for _, leg in sent]
    changes = [leg for i, leg in enumerate(legs) if i == 0 or legs[i - 1] != leg]
    assert changes == ["d", "h", "d"]
    route_of = dict(received)
    assert [route_of[m] for m, _ in sent] == ["r" if leg == "h" else "d" for leg in legs]
    # No server restarted: the same processes throughout.
    assert all(env.fabric.servers[n].proc is p for n, p in servers.items())
