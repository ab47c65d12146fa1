"""Replays on the state path (tracks, heartbeats): refused across restarts, relayed once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from trilink.fabric.guard import MAX_AGE_NS
from trilink.node.node import Node
from trilink.node.store import Store
from trilink.synthetic.messages import sample_payload
from trilink.wire.codec import encode, new_msg_id
from trilink.wire.keys import load_signing_key
from trilink.wire.messages import Envelope

from .conftest import Env, wait_for

pytestmark = pytest.mark.xdist_group("nats")

REL = ("JPN", "KOR", "USA")


def kor_message(env: Env, kind: str, n: int = 0) -> tuple[str, bytes]:
    """A valid KOR message of ``kind`` (a state message such as a track or heartbeat, or an event
    such as a launch), as a partner or an eavesdropper would capture it."""
    now = time.time_ns()
    envelope = Envelope(
        schema=1,
        msg_id=new_msg_id(now),
        kind=kind,  # type: ignore[arg-type]
        origin="KOR",
        created_ns=now,
        classification="SECRET",
        rel_to=REL,
        status="exercise",
        payload=sample_payload(kind, n),
    )
    return envelope.msg_id, encode(load_signing_key(env.keys, "KOR").sign(envelope))


async def restart(env: Env, nation: str) -> Node:
    """Stop the node and start a new one on the same store file."""
    await env.nodes[nation].stop()
    node = Node(env.config(nation))
    await node.start()
    env.nodes[nation] = node
    return node


async def warm(env: Env, leg: str, dest: Node) -> None:
    """Fresh tracks from KOR on ``leg`` until one reaches ``dest``: that path is up."""
    kor = env.nodes["KOR"]
    assert kor.nc_state is not None
    route = "r" if leg == "h" else "d"
    for n in range(100):
        msg_id, data = kor_message(env, "track", 100 + n)
        await kor.nc_state.publish(f"tl.{leg}.KOR.{dest.nation}.st.track", data)
        if await wait_for(lambda m=msg_id: bool(rows(dest, "received", m, route)), 0.3):
            return
    raise AssertionError(f"no path KOR -{leg}-> {dest.nation}")


def rows(node: Node, direction: str, msg_id: str, route: str | None = None) -> list[str]:
    """Reasons of ``node``'s audit rows about ``msg_id`` (the store outlives restarts)."""
    return [
        r.reason
        for r in node.store.audit_rows(direction)
        if r.msg_id == msg_id and route in (None, r.route)
    ]


async def test_track_replay_after_restart_is_refused_direct_and_via_hub(env: Env) -> None:
    await env.start_nodes()
    try:
        jpn = env.nodes["JPN"]
        await warm(env, "d", jpn)
        kor = env.nodes["KOR"]
        assert kor.nc_state is not None
        track_id, track = kor_message(env, "track")
        beat_id, beat = kor_message(env, "heartbeat")
        await kor.nc_state.publish("tl.d.KOR.JPN.st.track", track)
        await kor.nc_state.publish("tl.d.KOR.JPN.st.heartbeat", beat)
        assert await wait_for(lambda: bool(rows(jpn, "received", beat_id)))
        assert rows(jpn, "received", track_id) == [""]
        jpn = await restart(env, "JPN")
        await warm(env, "d", jpn)
        await warm(env, "h", jpn)
        # Directly, then via the hub (which has never relayed it, so it does now).
        await kor.nc_state.publish("tl.d.KOR.JPN.st.track", track)
        await kor.nc_state.publish("tl.d.KOR.JPN.st.heartbeat", beat)
        await kor.nc_state.publish("tl.h.KOR.JPN.st.track", track)
        assert await wait_for(lambda: jpn.refused_in["replay"] == 3)
        assert rows(jpn, "refused_in", track_id, "d") == ["replay"]
        assert rows(jpn, "refused_in", track_id, "r") == ["replay"]
        assert rows(jpn, "refused_in", beat_id, "d") == ["replay"]
        assert rows(jpn, "received", track_id) == [""]  # only the first time, before the restart
        usa = env.nodes["USA"]
        assert rows(usa, "relayed", track_id) == [""]
        # The hub, restarted, still knows what it relayed.
        usa = await restart(env, "USA")
        await warm(env, "h", jpn)
        await kor.nc_state.publish("tl.h.KOR.JPN.st.track", track)
        assert await wait_for(lambda: usa.refused_in["replay"] == 1)
        assert rows(usa, "refused_in", track_id, "h") == ["replay"]
        assert rows(usa, "relayed", track_id) == [""]
        assert jpn.refused_in["replay"] == 3
    finally:
        await env.stop_nodes()


async def test_hub_relays_each_message_once(env: Env) -> None:
    await env.start_nodes()
    try:
        kor, usa, jpn = env.nodes["KOR"], env.nodes["USA"], env.nodes["JPN"]
        await warm(env, "h", jpn)
        assert kor.nc_state is not None
        track_id, track = kor_message(env, "track")
        marker_id, marker = kor_message(env, "track")
        for _ in range(3):
            await kor.nc_state.publish("tl.h.KOR.JPN.st.track", track)
        # Same connection, same path: once the marker is in, the copies before it are too.
        await kor.nc_state.publish("tl.h.KOR.JPN.st.track", marker)
        assert await wait_for(lambda: bool(rows(jpn, "received", marker_id)))
        assert rows(usa, "relayed", track_id) == [""]
        assert rows(usa, "refused_in", track_id, "h") == ["replay", "replay"]
        assert usa.refused_in["replay"] == 2
        assert rows(jpn, "received", track_id, "r") == [""]
        assert jpn.refused_in["replay"] == 0
        # Events too (already durable before): three relay requests under distinct stream ids.
        assert kor.nc is not None
        js = kor.nc.jetstream()
        event_id, event = kor_message(env, "launch", 1)
        last_id, last = kor_message(env, "launch", 2)
        for i in range(3):
            await js.publish("tl.h.KOR.JPN.ev.launch", event, headers={"Nats-Msg-Id": f"c{i}"})
        await js.publish("tl.h.KOR.JPN.ev.launch", last, headers={"Nats-Msg-Id": "last"})
        # The hub reads its stream in order and relays in order: the last in means all are in.
        assert await wait_for(lambda: bool(rows(jpn, "received", last_id)))
        assert rows(usa, "relayed", event_id) == [""]
        assert rows(usa, "refused_in", event_id, "h") == ["replay", "replay"]
        assert rows(jpn, "received", event_id, "r") == [""]
        assert jpn.refused_in["replay"] == 0
    finally:
        await env.stop_nodes()


def test_state_replay_window_is_durable_and_pruned(tmp_path: Path) -> None:
    now = time.time_ns()
    store = Store(tmp_path / "n.sqlite")
    assert store.mark_state_seen("a", now)
    assert not store.mark_state_seen("a", now)  # before it is written
    assert store.mark_state_seen("old", now - MAX_AGE_NS - 1)
    store.close()
    store = Store(tmp_path / "n.sqlite")
    assert not store.mark_state_seen("a", now)
    assert not store.mark_state_seen("old", now)
    # Past the freshness window an id is refused as stale anyway, so it is forgotten.
    assert store.prune_state_seen(now - MAX_AGE_NS) == 1
    assert store.state_seen_count() == 1
    assert store.mark_state_seen("old", now)
    store.close()
