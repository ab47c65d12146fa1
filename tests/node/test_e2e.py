"""Three nations end to end on real nats-server processes."""

from __future__ import annotations

import msgspec
import pytest

from trilink.cli import main
from trilink.fabric.guard import Outbound, Outgoing
from trilink.fabric.routing import DIRECT_SETTLE_NS
from trilink.synthetic.messages import SyntheticSalvo, sample_payload
from trilink.wire.codec import WireError, decode

from .conftest import Env, Inbox, wait_for

pytestmark = pytest.mark.xdist_group("nats")


def kor_salvo() -> SyntheticSalvo:
    return SyntheticSalvo(
        seed=3,
        launches=2,
        spacing_s=0.3,
        flight_s=2.0,
        detect_s=0.1,
        track_rate_hz=20.0,
        impact_every_s=0.5,
    )


async def test_three_nations_end_to_end(env: Env) -> None:
    nodes = await env.start_nodes()
    try:
        kor, usa, jpn = nodes["KOR"], nodes["USA"], nodes["JPN"]
        n = await kor.run_source(kor_salvo(), speed=4.0)
        await usa.share(
            Outgoing(sample_payload("launch", 9), "SECRET", ("JPN", "KOR", "USA"), "exercise")
        )
        events = [
            i
            for i in kor_salvo().items()
            if i.item.payload.__struct_config__.tag in ("launch", "impact", "warning")
        ]
        assert n > len(events) > 0
        assert await kor.drain() and await usa.drain()
        want = len(events)
        assert await wait_for(lambda: len(jpn.store.events("KOR")) == want)
        assert await wait_for(lambda: len(usa.store.events("KOR")) == want)
        assert await wait_for(lambda: len(kor.store.events("USA")) == 1)
        assert await wait_for(lambda: len(jpn.store.events("USA")) == 1)
        # GSOMIA in force: KOR→JPN went direct; USA→JPN direct under TISA.
        assert {r[4] for r in jpn.store.events("KOR")} == {"d"}
        assert await wait_for(lambda: len(jpn.store.tracks()) == 2)
        # Heartbeats show the links up both ways.
        assert await wait_for(lambda: all(ls.up for ls in jpn.link_status()))
        # No sensor identity left KOR: search everything JPN stored.
        jpn.store.flush()
        blobs = jpn.store.db.execute(
            "SELECT envelope FROM events UNION ALL SELECT envelope FROM tracks"
        )
        raw = "\n".join(jpn.store.db.iterdump()) + "".join(b[0].decode() for b in blobs)
        assert '"kind":"track"' in raw
        assert "RADAR" not in raw and "SITE-" not in raw and "trk-" not in raw
        kor.store.flush()
        assert "KOR-RADAR-1" in "\n".join(kor.store.db.iterdump())
        counts = jpn.store.audit_counts()
        assert counts["received"] >= want
        assert not jpn.refused_in and not usa.refused_in
    finally:
        await env.stop_nodes()


async def test_gsomia_suspended_goes_via_hub_and_verifies(env: Env) -> None:
    nodes = await env.start_nodes()
    try:
        kor, jpn = nodes["KOR"], nodes["JPN"]
        # The operator's command, while the nodes run.
        main(
            [
                "agreements",
                "suspend",
                "GSOMIA",
                "--dir",
                str(env.agreements),
                "--by",
                "test",
                "--reason",
                "exercise of politics",
            ]
        )
        env.fabric.set_direct(False)
        assert await wait_for(lambda: not kor.book.in_force("GSOMIA"))
        assert await wait_for(lambda: kor.connected and jpn.connected)
        item = Outgoing(sample_payload("launch", 1), "SECRET", ("JPN", "KOR", "USA"), "exercise")
        outs = await kor.share(item)
        assert {(o.dest, o.leg) for o in outs} == {("JPN", "h"), ("USA", "d")}
        assert await kor.drain()
        assert await wait_for(lambda: len(jpn.store.events("KOR")) == 1)
        [(msg_id, origin, kind, _, route)] = jpn.store.events("KOR")
        assert (origin, kind, route) == ("KOR", "launch", "r")
        assert msg_id == outs[0].envelope.msg_id
        # The stored envelope still carries KOR's signature and the USA hop.
        [(_, _, env_bytes)] = jpn.store.event_envelopes()
        relayed = decode(env_bytes)
        assert relayed.signature == outs[0].envelope.signature
        assert [h.nation for h in relayed.hops] == ["USA"]
        jpn.keyring.verify(relayed)
        # The hop is signed too: readdressing it breaks the verification.
        readdressed = msgspec.structs.replace(
            relayed, hops=(msgspec.structs.replace(relayed.hops[0], to="KOR"),)
        )
        with pytest.raises(WireError) as err:
            jpn.keyring.verify(readdressed)
        assert err.value.reason == "bad_hop_signature"
        # Partners still hear each other (through the hub): heartbeats keep the links up.
        assert await wait_for(lambda: all(ls.up for ls in kor.link_status()))
        hb = kor.peers["JPN"].heartbeat
        assert await wait_for(lambda: kor.peers["JPN"].heartbeat is not hb)
        latest = kor.peers["JPN"].heartbeat
        assert latest is not None
        assert ("GSOMIA", "suspended") in {(a.name, a.status) for a in latest.agreements}
        # Not marked REL USA: KOR's guard refuses the relay (no consent), audited.
        outs = await kor.share(
            Outgoing(sample_payload("launch", 2), "SECRET", ("JPN",), "exercise")
        )
        assert outs == []
        assert kor.guard.refused["relay_not_consented"] == 1
        assert any(r.reason == "relay_not_consented" for r in kor.store.audit_rows("refused_out"))
        # Restored: direct again, without restarting any node.
        main(["agreements", "restore", "GSOMIA", "--dir", str(env.agreements)])
        env.fabric.set_direct(True)
        env.fabric.wait_links()
        # Direct once the restored agreement has settled (until then, through the hub).
        assert await wait_for(lambda: kor.book.in_force("GSOMIA", kor.clock() - DIRECT_SETTLE_NS))
        outs = await kor.share(
            Outgoing(sample_payload("launch", 3), "SECRET", ("JPN", "USA"), "exercise")
        )
        assert {(o.dest, o.leg) for o in outs} == {("JPN", "d"), ("USA", "d")}
        assert await kor.drain()
        assert await wait_for(lambda: len(jpn.store.events("KOR")) == 2)
        assert jpn.store.events("KOR")[-1][4] == "d"
        assert kor.counters["agreement_changes"] >= 2
        changes = [r for r in kor.store.audit_rows("agreement")]
        assert [r.reason for r in changes][:2] == ["suspended", "in_force"]
        assert "exercise of politics" in changes[0].detail
    finally:
        await env.stop_nodes()


async def test_same_nats_msg_id_is_delivered_once(env: Env) -> None:
    nodes = await env.start_nodes()
    try:
        kor, jpn = nodes["KOR"], nodes["JPN"]
        inbox = Inbox()
        jpn.on_event = inbox
        assert kor.nc is not None
        js = kor.nc.jetstream()

        def to_jpn(n: int) -> Outbound:
            outs = kor.guard.prepare(
                Outgoing(sample_payload("launch", n), "SECRET", ("JPN", "USA"), "test")
            )
            [out] = [o for o in outs if o.dest == "JPN"]
            return out

        # Published twice with the same Nats-Msg-Id: JPN's stream keeps the first only.
        raw = to_jpn(1)
        acks = [
            await js.publish(raw.subject, raw.data, headers={"Nats-Msg-Id": raw.dedup_id})
            for _ in range(2)
        ]
        assert [bool(a.duplicate) for a in acks] == [False, True]
        # Spooled twice (a crash after the ack, before the dequeue): the node's sender resends
        # with the same id and the stream drops the copy.
        spooled = to_jpn(2)
        await kor._emit(spooled)
        await kor._emit(spooled)
        # A later event on the same path: once it is in, any copy before it would be too.
        [marker] = await kor.share(
            Outgoing(sample_payload("launch", 3), "SECRET", ("JPN",), "test")
        )
        assert await kor.drain()
        assert await wait_for(lambda: len(inbox.rows) == 3)
        ids = [raw.envelope.msg_id, spooled.envelope.msg_id, marker.envelope.msg_id]
        assert [r[2] for r in inbox.rows] == ids
        assert [e[0] for e in jpn.store.events("KOR")] == ids
        assert not jpn.refused_in  # the copies never reached the node
        assert kor.counters["acked_duplicate"] == 1
        dup = [r for r in kor.store.audit_rows("sent") if r.reason == "duplicate"]
        assert [(r.msg_id, r.peer) for r in dup] == [(spooled.envelope.msg_id, "JPN")]
    finally:
        await env.stop_nodes()
