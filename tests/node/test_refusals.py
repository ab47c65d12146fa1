"""What must be refused is refused, counted and audited: by the nodes and by the servers."""

from __future__ import annotations

import time

import msgspec
import nats
import pytest
from nats.aio.msg import Msg

from trilink import NATIONS
from trilink.fabric.guard import Outgoing
from trilink.fabric.subjects import subject_fields
from trilink.node.node import Node
from trilink.synthetic.messages import sample_payload
from trilink.wire.codec import encode, new_msg_id
from trilink.wire.keys import load_signing_key
from trilink.wire.messages import Envelope
from trilink.wire.signing import Keyring

from .conftest import Env, wait_for

pytestmark = pytest.mark.xdist_group("nats")


def unsigned(
    origin: str, rel_to: tuple[str, ...], n: int = 0, kind: str = "launch", age_s: float = 0.0
) -> Envelope:
    created = time.time_ns() - int(age_s * 1e9)
    return Envelope(
        schema=1,
        msg_id=new_msg_id(created),
        kind=kind,  # type: ignore[arg-type]
        origin=origin,  # type: ignore[arg-type]
        created_ns=created,
        classification="SECRET",
        rel_to=rel_to,  # type: ignore[arg-type]
        status="test",
        payload=sample_payload(kind, n),
    )


def signed(
    env: Env,
    origin: str,
    rel_to: tuple[str, ...],
    n: int = 0,
    kind: str = "launch",
    age_s: float = 0.0,
) -> Envelope:
    """Signed by ``origin``, created ``age_s`` ago (negative: in the future)."""
    return load_signing_key(env.keys, origin).sign(unsigned(origin, rel_to, n, kind, age_s))


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
        hopped = load_signing_key(env.keys, "USA").add_hop(
            signed(env, "KOR", ("JPN", "KOR", "USA"), 2), "JPN", time.time_ns()
        )
        cases = [
            ("ok", subj, good_bytes),
            ("bad_signature", subj, forged),
            ("bad_signature", subj, encode(unsigned("KOR", ("JPN", "USA"), 3))),
            ("wrong_origin", subj, wrong_origin),
            ("malformed", subj, nan),
            ("oversize", subj, oversize),
            ("replay", subj, good_bytes),  # same message again, new Nats-Msg-Id: a replay
            ("stale", subj, encode(signed(env, "KOR", ("JPN", "USA"), 4, age_s=7 * 3600))),
            ("future", subj, encode(signed(env, "KOR", ("JPN", "USA"), 5, age_s=-600))),
            ("wrong_kind", "tl.d.KOR.JPN.ev.impact", encode(signed(env, "KOR", ("JPN",), 6))),
            ("bad_hops", subj, encode(hopped)),  # a relay hop on the direct leg
        ]
        for i, (_, subject, data) in enumerate(cases):
            await js.publish(subject, data, headers={"Nats-Msg-Id": f"case-{i}"})
        # A valid track replayed on the state path (core NATS, no stream to de-duplicate).
        track = signed(env, "KOR", ("JPN", "USA"), kind="track")
        for _ in range(2):
            await kor.nc.publish("tl.d.KOR.JPN.st.track", encode(track))
        await usa.share(Outgoing(sample_payload("launch", 5), "SECRET", ("JPN", "USA"), "test"))
        expected = {reason for reason, _, _ in cases if reason != "ok"} | {"unknown_key"}
        assert await wait_for(lambda: expected <= set(jpn.refused_in))
        assert await wait_for(lambda: jpn.refused_in["replay"] == 2)
        assert len(jpn.store.events("KOR")) == 1
        assert jpn.refused_in["bad_signature"] == 2
        audited = {r.reason for r in jpn.store.audit_rows("refused_in")}
        assert expected <= audited
        assert jpn.status()["refused_in"]["replay"] == 2
        # The second copy of the track is the one refused; the first was received and kept.
        replays = [r for r in jpn.store.audit_rows("refused_in") if r.reason == "replay"]
        assert {(r.msg_id, r.kind, r.route) for r in replays} == {
            (good.msg_id, "launch", "d"),
            (track.msg_id, "track", "d"),
        }
        assert jpn.counters["received_track"] == 1
        assert [t[:2] for t in jpn.store.tracks()] == [("KOR", "trk-0")]
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
        # A marker on the same path (KOR's connection to the hub, then relayed to JPN): once
        # JPN has it, whatever KOR published before it has had its chance to leak.
        marker = signed(env, "KOR", ("JPN", "KOR", "USA"), 7)
        await kor.nc.jetstream().publish(
            "tl.h.KOR.JPN.ev.launch", encode(marker), headers={"Nats-Msg-Id": "marker"}
        )
        assert await wait_for(lambda: [e[0] for e in jpn.store.events()] == [marker.msg_id])
        assert "tl.r.KOR.JPN.ev.launch" in seen
        # Only JPN's own traffic to the hub, relays to JPN and USA's messages to JPN: no KOR
        # subject but relays, and nothing JPN sends KOR directly.
        kor_subjects = [s for s in seen if (f := subject_fields(s)) and f.origin == "KOR"]
        assert all(s.startswith("tl.r.KOR.JPN.") for s in kor_subjects), kor_subjects
        assert not [s for s in seen if s.startswith("tl.d.JPN.KOR.")]
        assert jpn.counters["received_events"] == 1
        # Honest USA traffic does reach the JPN account.
        await usa.share(Outgoing(sample_payload("launch", 1), "SECRET", ("JPN", "USA"), "test"))
        assert await wait_for(lambda: "tl.d.USA.JPN.ev.launch" in seen)
        assert await wait_for(lambda: jpn.counters["received_events"] == 2)
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
        # An honest relay request, replayed (new Nats-Msg-Id, same message): relayed once.
        honest = signed(env, "KOR", ("JPN", "KOR", "USA"), 4)
        for dedup in ("honest-1", "honest-2"):
            await kor.nc.jetstream().publish(
                "tl.h.KOR.JPN.ev.launch", encode(honest), headers={"Nats-Msg-Id": dedup}
            )
        # A marker on the same path: when JPN has it, anything relayed before it is in too.
        outs = await kor.share(Outgoing(sample_payload("launch", 5), "SECRET", NATIONS, "test"))
        [marker] = [o.envelope for o in outs if o.dest == "JPN"]
        assert await wait_for(lambda: len(jpn.store.events()) >= 2)
        assert [e[0] for e in jpn.store.events()] == [honest.msg_id, marker.msg_id]
        assert usa.refused_in["replay"] == 1
        relayed = [r.msg_id for r in usa.store.audit_rows("relayed") if r.kind == "launch"]
        assert relayed == [honest.msg_id, marker.msg_id]
        [replay] = [r for r in usa.store.audit_rows("refused_in") if r.reason == "replay"]
        assert (replay.msg_id, replay.kind, replay.origin, replay.route) == (
            honest.msg_id,
            "launch",
            "KOR",
            "h",
        )
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
