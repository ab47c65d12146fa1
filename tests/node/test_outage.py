"""Hub killed for 30 s during a salvo: every event arrives once, in order, nothing lost."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest

from trilink.fabric.guard import Outgoing
from trilink.synthetic.messages import SyntheticSalvo, sample_payload

from .conftest import Env, Inbox, wait_for

pytestmark = [pytest.mark.xdist_group("nats"), pytest.mark.slow]

OUTAGE_S = 30.0


async def test_hub_outage_loses_nothing_and_duplicates_are_dropped(env: Env) -> None:
    # GSOMIA suspended, so KOR's data reaches JPN only through the hub that will fail.
    env.book().set_state("GSOMIA", "suspended", by="test")
    env.fabric.set_direct(False)
    inbox = {n: Inbox() for n in ("KOR", "USA", "JPN")}
    nodes = await env.start_nodes()
    for n, node in nodes.items():
        node.on_event = inbox[n]
    kor, usa, jpn = nodes["KOR"], nodes["USA"], nodes["JPN"]
    salvo = SyntheticSalvo(
        seed=11,
        launches=4,
        spacing_s=1.5,
        flight_s=6.0,
        detect_s=0.2,
        track_rate_hz=10.0,
        impact_every_s=0.5,
    )
    events = [i for i in salvo.items() if i.item.payload.__struct_config__.tag != "track"]

    async def usa_events() -> int:
        # The hub nation's own events keep coming while its own server is down: spooled.
        for k in range(12):
            await usa.share(
                Outgoing(sample_payload("impact", k), "SECRET", ("JPN", "KOR", "USA"), "test")
            )
            await asyncio.sleep(0.5)
        return 12

    try:
        salvo_task = asyncio.create_task(kor.run_source(salvo, speed=1.0))
        usa_task = asyncio.create_task(usa_events())
        await asyncio.sleep(2.0)
        await asyncio.to_thread(env.fabric.kill, "USA")
        await asyncio.sleep(OUTAGE_S)
        assert kor.store.spooled() > 0 and usa.store.spooled() > 0  # held, not lost
        await asyncio.to_thread(env.fabric.restart, "USA")
        await asyncio.to_thread(env.fabric.wait_links)
        await salvo_task
        await usa_task
        assert await kor.drain(60) and await usa.drain(60)
        assert await wait_for(lambda: len(jpn.store.events("KOR")) == len(events), 60)
        assert await wait_for(lambda: len(usa.store.events("KOR")) == len(events), 30)
        assert await wait_for(lambda: len(jpn.store.events("USA")) == 12, 30)
        assert await wait_for(lambda: len(kor.store.events("USA")) == 12, 30)

        # Duplicates after the outage: resend delivered messages on every path.
        assert kor.nc is not None and usa.nc is not None
        delivered = jpn.store.db.execute(
            "SELECT msg_id, kind, envelope FROM events WHERE origin='KOR' LIMIT 5"
        ).fetchall()
        for msg_id, kind, env_bytes in delivered:
            subject = f"tl.r.KOR.JPN.ev.{kind}"
            # Same Nats-Msg-Id: the stream itself drops it.
            ack = await usa.nc.jetstream().publish(
                subject, env_bytes, headers={"Nats-Msg-Id": f"{msg_id}.JPN"}
            )
            assert ack.duplicate
            # New Nats-Msg-Id (a replay): the node drops it by message id.
            await usa.nc.jetstream().publish(
                subject, env_bytes, headers={"Nats-Msg-Id": "x" + msg_id}
            )
        assert await wait_for(lambda: jpn.counters["duplicates_dropped"] >= len(delivered))

        # Exactly once per node, in order per launch event.
        for node_name, origin, n_expected in (
            ("JPN", "KOR", len(events)),
            ("USA", "KOR", len(events)),
            ("JPN", "USA", 12),
            ("KOR", "USA", 12),
        ):
            rows = [r for r in inbox[node_name].rows if r[0] == origin]
            ids = [r[2] for r in rows]
            assert len(ids) == len(set(ids)) == n_expected, (node_name, origin)
        per_launch: dict[str | None, list[tuple[str, int | None]]] = defaultdict(list)
        for origin, kind, _, route, launch, update in inbox["JPN"].rows:
            if origin == "KOR":
                assert route == "r"
                per_launch[launch].append((kind, update))
        assert len(per_launch) == 4
        for seq in per_launch.values():
            assert seq[0][0] == "launch"
            updates = [u for k, u in seq if k == "impact" and u is not None]
            assert updates == sorted(updates) and updates == list(range(len(updates)))
        assert jpn.store.audit_counts().get("received", 0) >= len(events)
    finally:
        await env.stop_nodes()
