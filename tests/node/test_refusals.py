"""What must be refused is refused, counted and audited: by the nodes and by the servers."""

from __future__ import annotations

import asyncio
import time

import msgspec
import nats
import pytest
from nats.aio.msg import Msg

from trilink.fabric.guard import Outgoing
from trilink.node.node import Node
from trilink.wire.codec import encode, new_msg_id
from trilink.wire.keys import load_signing_key
from trilink.wire.messages import Envelope
from trilink.wire.samples import sample_payload
from trilink.wire.signing import Keyring

from .conftest import Env, wait_for

pytestmark = pytest.mark.xdist_group("nats")


def signed(env: Env, origin: str, rel_to: tuple[str, ...], n: int = 0) -> Envelope:
    key = load_signing_key(env.keys, origin)
    now = time.time_ns()
    return key.sign(
        Envelope(
            schema=1,
            msg_id=new_msg_id(now),
            kind="launch",
            origin=origin,  # type: ignore[arg-type]
            created_ns=now,
            classification="SECRET",
            rel_to=rel_to,  # type: ignore[arg-type]
            status="test",
            payload=sample_payload("launch", n),
        )
    )


async def test_bad_messages_rejected_counted_audited(env: Env) -> None:
    nodes = await env.start_nodes()
    # JPN trusts no USA key in this test, so USA's messages are from an unknown key.
    await nodes["JPN"].stop()
    ring = Keyring.load_dir(env.keys, nations=("KOR", "JPN"))
    jpn = Node(env.config("JPN"), keyring=ring)
    await jpn.start()
    nodes["JPN"] = jpn
    try:
        kor, usa = nodes["KOR"], nodes["USA"]
        assert kor.nc is not None
        js = kor.nc.jetstream()
        subj = "tl.d.KOR.JPN.ev.launch"
        good = signed(env, "KOR", ("JPN", "USA"))
        good_bytes = encode(good)
        forged = encode(msgspec.structs.replace(good, rel_to=("JPN",)))  # signature no longer fits
        wrong_origin = encode(signed(env, "USA", ("JPN", "KOR", "USA"), 1))
        nan = good_bytes.replace(b'"lat_deg":39.0', b'"lat_deg":NaN')
        oversize = good_bytes + b" " * 70_000
        cases = [
            ("ok", good_bytes),
            ("bad_signature", forged),
            ("wrong_origin", wrong_origin),
            ("malformed", nan),
            ("oversize", oversize),
            ("replay", good_bytes),  # same message again, new Nats-Msg-Id: a replay
        ]
        for i, (_, data) in enumerate(cases):
            await js.publish(subj, data, headers={"Nats-Msg-Id": f"case-{i}"})
        # The same replay on the state path (core NATS) too.
        await kor.nc.publish("tl.d.KOR.JPN.st.track", b"{not json")
        await usa.share(Outgoing(sample_payload("launch", 5), "SECRET", ("JPN", "USA"), "test"))
        expected = {
            "bad_signature",
            "wrong_origin",
            "malformed",
            "oversize",
            "replay",
            "unknown_key",
        }
        assert await wait_for(lambda: expected <= set(jpn.refused_in))
        assert len(jpn.store.events("KOR")) == 1
        audited = {r.reason for r in jpn.store.audit_rows("refused_in")}
        assert expected <= audited
        assert jpn.status()["refused_in"]["replay"] == 1
    finally:
        await env.stop_nodes()


def _leaf_subs(env: Env, server_name: str) -> int:
    """Subscriptions the hub holds for the leaf link from ``server_name``."""
    leafs = env.fabric.servers["USA"].monitor("leafz").get("leafs") or []
    return sum(int(lf.get("subscriptions", 0)) for lf in leafs if lf.get("name") == server_name)


async def test_servers_refuse_what_nodes_may_not_send(env: Env) -> None:
    nodes = await env.start_nodes()
    # A spy linked with JPN's certificate lands in the hub's JPN account: it sees exactly what
    # the hub would hand to JPN's server.
    spy_server = env.leaf_spy("JPN")
    assert await wait_for(
        lambda: env.fabric.servers["USA"].leaf_accounts() == ["JPN", "JPN", "KOR"]
    )
    spy = await nats.connect(f"nats://127.0.0.1:{spy_server.port}")
    seen: list[str] = []

    async def cb(msg: Msg) -> None:
        seen.append(msg.subject)

    await spy.subscribe("tl.>", cb=cb)
    await spy.flush()
    # The spy's interest has reached the hub before anything is sent.
    assert await wait_for(lambda: _leaf_subs(env, "SPY_JPN") >= 1)
    try:
        kor, usa, jpn = nodes["KOR"], nodes["USA"], nodes["JPN"]
        assert kor.nc is not None
        data = encode(signed(env, "KOR", ("JPN", "KOR", "USA")))
        # Not KOR's to publish: another nation's origin, a relay leg. The KOR server refuses.
        for forbidden in ("tl.d.USA.JPN.st.heartbeat", "tl.r.KOR.JPN.st.heartbeat", "tl.x"):
            await kor.nc.publish(forbidden, data)
        # KOR's to publish, but addressed to USA or the hub: never delivered toward JPN.
        await kor.nc.publish("tl.d.KOR.USA.ev.launch", data)
        await kor.nc.publish("tl.h.KOR.JPN.st.heartbeat", b"x")
        await kor.nc.flush()
        assert await wait_for(lambda: kor.counters["server_refused"] >= 3)
        assert any(r.reason == "permissions" for r in kor.store.audit_rows("server_refused"))
        await asyncio.sleep(0.5)
        # Only JPN's own traffic to the hub, relays to JPN and USA's messages to JPN: no KOR
        # subject but relays, and nothing JPN sends KOR directly.
        kor_subjects = [s for s in seen if s.split(".")[2] == "KOR"]
        assert all(s.startswith("tl.r.KOR.JPN.") for s in kor_subjects), kor_subjects
        assert not [s for s in seen if s.startswith("tl.d.JPN.KOR.")]
        assert jpn.counters["received_events"] == 0
        # Honest USA relay traffic does reach the JPN account.
        await usa.share(Outgoing(sample_payload("launch", 1), "SECRET", ("JPN", "USA"), "test"))
        assert await wait_for(lambda: "tl.d.USA.JPN.ev.launch" in seen)
        assert await wait_for(lambda: jpn.counters["received_events"] == 1)
    finally:
        await spy.close()
        spy_server.stop()
        await env.stop_nodes()


async def test_hub_refuses_relay_not_marked_rel_jpn(env: Env) -> None:
    env.book().set_state("GSOMIA", "suspended", by="test")
    env.fabric.set_direct(False)
    nodes = await env.start_nodes()
    try:
        kor, usa, jpn = nodes["KOR"], nodes["USA"], nodes["JPN"]
        assert kor.nc is not None
        # An honest guard does not even try: no REL JPN, no copy for JPN.
        outs = await kor.share(Outgoing(sample_payload("launch", 1), "SECRET", ("USA",), "test"))
        assert [o.dest for o in outs] == ["USA"]
        # A misbehaving KOR asks the hub to relay a message not marked REL JPN: refused.
        not_rel_jpn = encode(signed(env, "KOR", ("KOR", "USA"), 2))
        await kor.nc.jetstream().publish(
            "tl.h.KOR.JPN.ev.launch", not_rel_jpn, headers={"Nats-Msg-Id": "rogue-1"}
        )
        # And with REL JPN but not the hub: relay without consent, refused too.
        no_consent = encode(signed(env, "KOR", ("JPN",), 3))
        await kor.nc.jetstream().publish(
            "tl.h.KOR.JPN.ev.launch", no_consent, headers={"Nats-Msg-Id": "rogue-2"}
        )
        assert await wait_for(lambda: sum(usa.refused_in.values()) >= 2)
        assert usa.refused_in["not_releasable"] == 1
        assert usa.refused_in["relay_not_allowed"] == 1
        reasons = {r.reason for r in usa.store.audit_rows("refused_in")}
        assert {"not_releasable", "relay_not_allowed"} <= reasons
        assert await kor.drain()
        await asyncio.sleep(0.3)
        assert jpn.store.events() == []
    finally:
        await env.stop_nodes()


async def test_a_failing_consumer_callback_never_stops_the_node(env: Env) -> None:
    calls: list[str] = []

    def flaky(envelope: Envelope, route: str, now: int) -> None:
        calls.append(envelope.msg_id)
        if len(calls) == 1:
            raise RuntimeError("fusion bug")

    nodes = await env.start_nodes()
    await nodes["JPN"].stop()
    jpn = Node(env.config("JPN"), on_event=flaky)
    await jpn.start()
    nodes["JPN"] = jpn
    try:
        kor = nodes["KOR"]
        for n in range(3):
            await kor.share(Outgoing(sample_payload("launch", n), "SECRET", ("JPN", "USA"), "test"))
        assert await kor.drain()
        assert await wait_for(lambda: len(calls) == 3)
        assert jpn.counters["internal_errors"] == 1
        assert len(jpn.store.events("KOR")) == 3
        assert [r.reason for r in jpn.store.audit_rows("error")] == ["RuntimeError"]
    finally:
        await env.stop_nodes()
