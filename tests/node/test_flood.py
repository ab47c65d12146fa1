"""Floods under KOR's credentials: real traffic from others keeps flowing, every flood message is
counted, and the server bounds what a flood can store."""

from __future__ import annotations

import asyncio
import time

import msgspec
import nats
import pytest
from nats.js.errors import APIError

from trilink.fabric.guard import Outgoing
from trilink.node.config import NodeConfig
from trilink.node.node import STREAM, Node, state_stream
from trilink.node.shedding import DropTally, TokenBucket
from trilink.synthetic.messages import sample_payload
from trilink.wire.codec import encode
from trilink.wire.messages import Envelope, TrackBatch, TrackReport

from .conftest import Env, wait_for
from .test_refusals import signed

pytestmark = pytest.mark.xdist_group("nats")

REL_ALL = ("JPN", "KOR", "USA")


def test_token_bucket_allows_the_rate_and_the_burst_only() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=10.0, burst=5.0, clock=lambda: now[0])
    assert [bucket.take() for _ in range(6)] == [True] * 5 + [False]
    assert bucket.wait_s() == pytest.approx(0.1)
    now[0] = 0.25  # 2.5 tokens back
    assert bucket.take_up_to(10) == 2
    assert not bucket.take()
    bucket.refund(1)
    assert bucket.take()
    now[0] = 100.0  # never more than the burst
    assert bucket.take_up_to(20) == 5
    unlimited = TokenBucket(rate=0.0, burst=1.0)
    assert unlimited.take_up_to(1000) == 1000 and unlimited.wait_s() == 0.0


def test_drop_tally_counts_per_subject_and_starts_again() -> None:
    tally = DropTally()
    for s in ("b", "a", "b"):
        tally.add(s)
    tally.add("a", 3)
    assert tally.take() == [("a", 4), ("b", 2)]
    assert tally.take() == []


def _stream_dropped(node: Node, origin: str = "KOR") -> int:
    return sum(
        int(r.detail.split()[0])
        for r in node.store.audit_rows("dropped")
        if r.reason == "stream_limit" and r.origin == origin
    )


def _refused(node: Node, reason: str = "bad_signature", kind: str = "tracks") -> int:
    return sum(
        1 for r in node.store.audit_rows("refused_in") if r.reason == reason and r.kind == kind
    )


async def test_flood_during_real_traffic(env: Env) -> None:
    """KOR's credentials flood JPN with bad signatures while USA sends real tracks: every USA
    report arrives, JPN checks no more than KOR's rate, and every flood message is either
    refused at the signature check or discarded by the server over KOR's stream limit, each
    counted and audited once."""
    flood, rate, room = 20_000, 300.0, 2_000
    env.nodes["USA"] = usa = Node(env.config("USA"))
    cfg = msgspec.structs.replace(
        env.config("JPN"),
        state_rate_per_origin=rate,
        state_burst_per_origin=rate,
        state_stream_msgs=room,
    )
    usa_reports: set[str] = set()

    def on_track(e: Envelope, leg: str, now: int) -> None:
        if e.origin == "USA" and isinstance(e.payload, TrackBatch):
            usa_reports.update(r.track_id for r in e.payload.reports)

    # KOR's own node is not running: everything under KOR's name is the flood.
    env.nodes["JPN"] = jpn = Node(cfg, on_track=on_track)
    for node in env.nodes.values():
        await node.start()
    # Well-formed and fresh, but signed over other bytes: only the signature check refuses it.
    good = signed(env, "KOR", REL_ALL, 0, kind="tracks")
    other = signed(env, "KOR", REL_ALL, 1, kind="tracks")
    garbage = encode(msgspec.structs.replace(good, signature=other.signature))
    layout = env.fabric.layout
    rogue = await nats.connect(
        layout.url("KOR"), user="node", password=layout.passwords["KOR.node"]
    )

    flood_s = 0.0

    async def flooder() -> None:
        nonlocal flood_s
        t0 = time.monotonic()
        for i in range(flood):  # as fast as the client goes
            await rogue.publish("tl.d.KOR.JPN.st.tracks", garbage)
            if i % 1000 == 0:
                await asyncio.sleep(0)  # let the real traffic be produced meanwhile
        await rogue.flush()
        # the flood has ended when JPN's stream for KOR has stored its last message: the flush
        # answers from KOR's server, and the messages still cross the link after it
        assert jpn.nc_state is not None
        js = jpn.nc_state.jetstream()
        deadline = t0 + 60
        while (await js.stream_info(state_stream("KOR"))).state.last_seq < flood:
            assert time.monotonic() < deadline, "the flood never reached JPN's stream"
            await asyncio.sleep(0.005)
        flood_s = time.monotonic() - t0

    async def real_traffic(n: int) -> None:
        base = sample_payload("track", 0)
        assert isinstance(base, TrackReport)
        for i in range(n):
            report = msgspec.structs.replace(
                base, track_id=f"USA-T{i}", time_ns=base.time_ns + i * 10**7
            )
            await usa.share(Outgoing(report, "SECRET", REL_ALL, "test"))
            await asyncio.sleep(0.005)
        await usa.drain()

    sent_real = 400
    try:
        await asyncio.gather(flooder(), real_traffic(sent_real))
        await rogue.flush()

        def accounted() -> int:
            return _refused(jpn) + _stream_dropped(jpn)

        assert await wait_for(lambda: accounted() >= flood, 90)
        assert accounted() == flood  # each flood message refused or discarded, exactly once
        assert jpn.counters["stream_dropped"] == _stream_dropped(jpn) > 0
        # checks bounded: the burst, the rate while the flood lasted, then at most the stream's
        # room (what was left in it when the flood stopped); the rest the server discarded
        assert _refused(jpn) <= rate + rate * flood_s + room
        assert _refused(jpn) < flood / 2
        assert await wait_for(lambda: len(usa_reports) == sent_real, 30)  # none lost
        assert jpn.counters["disconnects"] == 0
        assert jpn.counters["slow_consumer_dropped"] == 0
        rows = jpn.store.audit_rows("dropped")
        assert rows and {(r.origin, r.reason) for r in rows} == {("KOR", "stream_limit")}
    finally:
        await rogue.close()
        await env.stop_nodes()


async def test_state_is_pulled_no_faster_than_the_origin_rate(env: Env) -> None:
    """Real state from a partner over its rate waits on the server and arrives, in order."""
    env.nodes["KOR"] = kor = Node(env.config("KOR"))
    cfg = msgspec.structs.replace(
        env.config("JPN"), state_rate_per_origin=50.0, state_burst_per_origin=10.0
    )
    seen: list[str] = []

    def on_track(e: Envelope, leg: str, now: int) -> None:
        if e.origin == "KOR":
            seen.append(e.msg_id)

    env.nodes["JPN"] = jpn = Node(cfg, on_track=on_track)
    for node in env.nodes.values():
        await node.start()
    try:
        sent = []
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for i in range(60):
            outs = await kor.share(
                Outgoing(sample_payload("tracks", i), "SECRET", ("JPN", "KOR"), "test")
            )
            sent += [o.envelope.msg_id for o in outs if o.dest == "JPN"]
        assert await wait_for(lambda: len(seen) == len(sent), 20)
        assert seen == sent  # none lost, in order
        # 10 at once, then 50 a second: the last cannot have been checked before ~1 s
        assert loop.time() - t0 >= (len(sent) - 10) / 50.0 * 0.9
        assert jpn.counters["stream_dropped"] == 0
    finally:
        await env.stop_nodes()


def _cfg(env: Env, nation: str, cap: int) -> NodeConfig:
    return msgspec.structs.replace(env.config(nation), stream_msgs_per_subject=cap)


async def test_event_flood_is_bounded_by_the_server_per_subject(env: Env) -> None:
    """Garbage events under KOR's credentials fill only KOR's subject, up to the cap: the server
    refuses the rest, USA's events are still taken, and the backlog leaves the stream once the
    node has refused it (a work queue keeps no flood for a week)."""
    cap = 50
    env.nodes["USA"] = usa = Node(_cfg(env, "USA", cap))
    jpn = Node(_cfg(env, "JPN", cap))
    await usa.start()
    await jpn.start()
    await jpn.stop()  # the stream and its consumer stay on the server; nothing consumes now
    good = signed(env, "KOR", REL_ALL, 0)
    other = signed(env, "KOR", REL_ALL, 1)
    garbage = encode(msgspec.structs.replace(good, signature=other.signature))
    layout = env.fabric.layout
    rogue = await nats.connect(
        layout.url("KOR"),
        user="node",
        password=layout.passwords["KOR.node"],
        inbox_prefix=b"_I.KOR",  # the only inboxes KOR's node may subscribe to
    )
    # JPN's server, as its operator sees it: the stream is in JPN's domain.
    jpn_ops = await nats.connect(
        layout.url("JPN"),
        user="node",
        password=layout.passwords["JPN.node"],
        inbox_prefix=b"_I.JPN",
    )
    stream = jpn_ops.jetstream()
    refused_by_server = 0
    try:
        js = rogue.jetstream()
        for i in range(cap + 30):
            try:
                await js.publish(
                    "tl.d.KOR.JPN.ev.launch", garbage, headers={"Nats-Msg-Id": f"g{i}"}
                )
            except APIError as exc:
                assert "maximum messages per subject" in str(exc)
                refused_by_server += 1
        assert refused_by_server == 30
        # An invented kind is no stream subject at all: nothing is stored for it.
        # (across the link the publisher hears nothing back, not even "no responders")
        with pytest.raises((nats.errors.NoRespondersError, nats.errors.TimeoutError)):
            await js.publish("tl.d.KOR.JPN.ev.garbage", garbage, timeout=1.0)
        # USA's real event goes to its own subject, which the flood did not fill.
        launch = Outgoing(sample_payload("launch", 9), "SECRET", ("JPN", "USA"), "test")
        outs = await usa.share(launch)
        [to_jpn] = [o for o in outs if o.dest == "JPN"]
        assert await usa.drain(10.0)
        assert usa.counters["publish_retries"] == 0
        info = await stream.stream_info(STREAM)
        assert info.state.messages == cap + 1
        # JPN back: refuses the garbage, stores USA's event, and the stream empties.
        env.nodes["JPN"] = jpn = Node(_cfg(env, "JPN", cap))
        await jpn.start()
        assert await wait_for(lambda: _refused(jpn, kind="launch") == cap, 30)
        real = [to_jpn.envelope.msg_id]
        assert await wait_for(lambda: [e[0] for e in jpn.store.events("USA")] == real, 10)
        assert await wait_for_stream_empty(stream, 10)
    finally:
        await rogue.close()
        await jpn_ops.close()
        await env.stop_nodes()


async def wait_for_stream_empty(js: nats.js.JetStreamContext, timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if (await js.stream_info(STREAM)).state.messages == 0:
            return True
        await asyncio.sleep(0.1)
    return False


class _FakeStateJS:
    """What JPN's server says of KOR's state stream: what it delivered, what it still holds."""

    def __init__(self, delivered: int, first: int) -> None:
        self.delivered, self.first = delivered, first

    def jetstream(self) -> _FakeStateJS:
        return self

    async def consumer_info(self, stream: str, consumer: str) -> object:
        return _Info(delivered=_Info(stream_seq=self.delivered))

    async def stream_info(self, stream: str) -> object:
        return _Info(state=_Info(first_seq=self.first))


class _Info:
    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


async def test_messages_delivered_late_are_not_also_counted_as_discarded(env: Env) -> None:
    """A fetch that timed out leaves its late messages for the next fetch. If they age out of
    the stream meanwhile, the idle count must not call them discarded: they are still checked."""
    jpn = Node(env.config("JPN"))
    jpn._state_seq["KOR"] = 99  # 100..102 delivered, not yet taken; the stream now starts at 103
    jpn.nc_state = _FakeStateJS(delivered=102, first=103)  # type: ignore[assignment]
    await jpn._count_discarded("KOR")
    assert jpn.counters["stream_dropped"] == 0
    for seq in (100, 101, 102):  # the next fetch hands them over
        jpn._discarded_before("KOR", seq)
    jpn.nc_state = _FakeStateJS(delivered=102, first=110)  # type: ignore[assignment]
    await jpn._count_discarded("KOR")  # all delivered were taken: 103..109 were discarded
    assert jpn.counters["stream_dropped"] == 7
    # at stop nothing more will be taken: the gap counts even with messages still in flight
    jpn.nc_state = _FakeStateJS(delivered=115, first=120)  # type: ignore[assignment]
    await jpn._count_discarded("KOR", final=True)
    assert jpn.counters["stream_dropped"] == 17
    jpn.store.close()
