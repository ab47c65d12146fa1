"""Three nations run their own sensors' view of a library scenario on real nats-servers: JPN
receives KOR's and USA's tracks, launch events and impact predictions, verifies, stores no
sensor identity, and fuses the partners' tracks with its own."""

from __future__ import annotations

import asyncio

import pytest

from trilink.node.pipeline import ListSource
from trilink.scenarios.model import load_scenario, scenario_sensors
from trilink.wire.codec import decode

from .conftest import SCENARIO, Env, scenario_items, wait_for

pytestmark = pytest.mark.xdist_group("nats")


def _events(nation: str) -> int:
    return sum(1 for i in scenario_items(nation) if type(i.item.payload).__name__ != "TrackReport")


async def test_three_nodes_share_and_fuse_a_scenario(env: Env) -> None:
    items = {n: scenario_items(n) for n in ("KOR", "USA", "JPN")}  # computed before the clock
    nodes = await env.start_nodes()
    try:
        jpn = nodes["JPN"]
        sent = await asyncio.gather(
            *(nodes[n].run_source(ListSource(items[n]), speed=80.0) for n in items)
        )
        assert sent == [len(items[n]) for n in items]
        for n in nodes.values():
            assert await n.drain()
        for origin in ("KOR", "USA"):
            want = _events(origin)
            assert await wait_for(lambda o=origin, w=want: len(jpn.store.events(o)) == w)
            kinds = {r[2] for r in jpn.store.events(origin)}
            assert kinds == {"launch", "impact"}
            assert {r[4] for r in jpn.store.events(origin)} == {"d"}
        # every stored envelope verifies against its originator's key
        assert jpn.keyring is not None
        for (blob,) in jpn.store.db.execute("SELECT envelope FROM events"):
            jpn.keyring.verify(decode(blob))
        # partners' tracks arrived and were fused with JPN's own into one picture
        assert await wait_for(lambda: {"KOR", "USA"} <= set(jpn.fusion.partners))
        pic = jpn.fuse()
        assert len(pic) and pic.multi_source >= 1, pic.sources
        assert any({s.split(":")[0] for s in src} == {"own", "KOR", "USA"} for src in pic.sources)
        st = jpn.status()["fused"]
        assert st["tracks"] == len(pic) and st["own_tracks"] > 0
        # No partner sensor identity or site anywhere in what JPN stored.
        jpn.store.flush()
        dump = "\n".join(jpn.store.db.iterdump())
        blobs = jpn.store.db.execute(
            "SELECT envelope FROM events UNION ALL SELECT envelope FROM tracks"
        )
        raw = dump + "".join(b[0].decode() for b in blobs)
        scn = load_scenario(SCENARIO)
        for s in scenario_sensors(scn):
            if s.nation != "JPN":
                assert s.id not in raw and s.name not in raw, s.id
        assert not jpn.refused_in
    finally:
        await env.stop_nodes()
