"""The national node: producer → guard → fabric, and fabric → checks → audit → store/fusion.

Outbound, state (track reports, heartbeats, agreement states) goes on core NATS, latest wins;
events (launch, impact, warning) are committed to the SQLite spool first and sent per destination
in order with JetStream publish acks and ``Nats-Msg-Id``, retried until acked (the destination
stream drops duplicates). Inbound, the node consumes its own JetStream stream with a durable
consumer (so events missed during an outage are replayed). Partners' state lands on the node's
server in one small in-memory stream per origin (latest wins: past its message, byte and age
limits the server discards the oldest), which the node pulls at a bounded rate per origin
(:mod:`trilink.node.shedding`); a flood under one origin's credentials thus costs the node a
bounded number of checks a second, never another origin's traffic, and every message the server
discarded shows as a gap in the stream's sequence and is counted. The node checks everything
(:func:`~trilink.fabric.guard.check_inbound`), drops replays by message id, audits and stores. The
hub node also relays: it verifies, checks the relay agreement and the originator's consent, adds
its signed hop and sends on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Unpack

import nats
import numpy as np
from nats.aio.client import Client
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)

from trilink import NATIONS, TrilinkError
from trilink.fabric.agreements import AgreementBook
from trilink.fabric.guard import (
    MAX_AGE_NS,
    Guard,
    Outbound,
    Outgoing,
    Refusal,
    VerifiedCache,
    check_inbound,
)
from trilink.fabric.subjects import (
    Subject,
    inbound_event_subjects,
    inbound_state_subjects,
    subject_fields,
)
from trilink.node.config import NodeConfig
from trilink.node.fusion import FusedPicture, FusionBook
from trilink.node.secure import connect_options, require_tls
from trilink.node.shedding import DropTally, TokenBucket
from trilink.node.source import Source
from trilink.node.store import AuditFields, AuditRow, Store
from trilink.wire.codec import MAX_ENVELOPE_BYTES, WireError, decode, encode
from trilink.wire.keys import load_signing_key
from trilink.wire.messages import (
    AgreementState,
    AgreementStatus,
    Envelope,
    Heartbeat,
    LinkStatus,
    Provenance,
    TrackBatch,
    TrackReport,
)
from trilink.wire.signing import Keyring, NationKey

__all__ = ["Node", "PeerState", "state_stream"]

log = logging.getLogger("trilink.node")

STREAM = "TL_IN"
#: State messages pulled at most at once.
PULL_BATCH = 256


def state_stream(origin: str) -> str:
    """The stream that holds ``origin``'s state for this node."""
    return f"TL_ST_{origin}"


#: Reports per batch: ~650 bytes each keeps a batch well under the 64 KiB envelope limit.
BATCH_MAX = 64
CONSUMER = "node"
#: How often state-path ids past the freshness window are pruned from the store.
PRUNE_EVERY_NS = 60 * 1_000_000_000


@dataclass
class PeerState:
    """What a node knows about one partner."""

    last_rx_ns: int | None = None
    heartbeat: Heartbeat | None = None


EventCallback = Callable[[Envelope, str, int], None]


#: Track reports waiting to be batched share classification, REL TO and status.
BatchKey = tuple[str, tuple[str, ...], str]


class Node:
    """One nation's node. ``start()``, then ``share()`` items or ``run_source()``; ``stop()``.

    ``key``, ``keyring`` and ``book`` default to the files named by ``cfg``.
    """

    def __init__(
        self,
        cfg: NodeConfig,
        clock: Callable[[], int] = time.time_ns,
        rng: random.Random | None = None,
        key: NationKey | None = None,
        keyring: Keyring | None = None,
        book: AgreementBook | None = None,
        on_event: EventCallback | None = None,
        on_track: EventCallback | None = None,
    ) -> None:
        self.cfg: NodeConfig = cfg
        #: Nanoseconds since the epoch; every timestamp the node makes or checks comes from it.
        self.clock: Callable[[], int] = clock
        self.rng: random.Random = random.Random() if rng is None else rng
        self.nation: str = cfg.nation
        self.is_hub: bool = self.nation == cfg.hub
        #: Called with each fresh event (envelope, leg, receive time), after it is stored.
        self.on_event: EventCallback | None = on_event
        #: Called with each received track report or batch (envelope, leg, receive time).
        self.on_track: EventCallback | None = on_track
        self.key: NationKey = key or load_signing_key(Path(cfg.keys_dir), self.nation)
        #: Partners' public keys: every inbound signature is checked against these.
        self.keyring: Keyring = keyring or Keyring.load_dir(Path(cfg.keys_dir))
        self.book: AgreementBook = book or AgreementBook(
            state_dir=Path(cfg.agreements_dir), clock=clock
        )
        self.store: Store = Store(cfg.store)
        #: The only exit: markings, agreements, stripping and signing of everything sent.
        self.guard: Guard = Guard(
            self.nation,
            self.key,
            self.book,
            clock=clock,
            rng=self.rng,
            audit=self,
            sensitive_terms=tuple(cfg.sensitive_terms),
        )
        #: What happened, by name (sent, received, retries, errors...), for status and tests.
        self.counters: Counter[str] = Counter()
        #: Inbound refusals by reason.
        self.refused_in: Counter[str] = Counter()
        #: The latest asynchronous errors the servers reported.
        self.server_errors: deque[str] = deque(maxlen=100)
        #: Messages dropped by the client as a slow consumer since the last flush.
        self._slow_dropped: DropTally = DropTally()
        #: State messages the server discarded (per-origin stream limits) since the last flush,
        #: by origin.
        self._stream_dropped: DropTally = DropTally()
        self.peers: dict[str, PeerState] = {n: PeerState() for n in NATIONS if n != self.nation}
        #: Events and state have their own connections.
        self.nc: Client | None = None
        self.nc_state: Client | None = None
        #: The last stream sequence pulled from each origin's state stream.
        self._state_seq: dict[str, int] = {}
        #: How fast each origin's state stream is pulled.
        self._budgets: dict[str, TokenBucket] = {
            n: TokenBucket(cfg.state_rate_per_origin, cfg.state_burst_per_origin)
            for n in self.peers
        }
        #: Own and partner tracks, fused on demand.
        self.fusion: FusionBook = FusionBook()
        #: The latest fused picture (:meth:`fuse`).
        self.fused: FusedPicture = FusedPicture(0.0, np.zeros((0, 6)), np.zeros((0, 6, 6)), ())
        self._running: bool = False
        self._tasks: list[asyncio.Task[None]] = []
        #: Per destination: set when its spool may have something to send.
        self._wake: dict[str, asyncio.Event] = {
            n: asyncio.Event() for n in NATIONS if n != self.nation
        }
        #: The agreement states last announced, to notice changes.
        self._agreement_seen: dict[str, str] = {
            a: self.book.state(a).state for a in self.book.agreements
        }
        self._batches: dict[BatchKey, list[tuple[TrackReport, Provenance | None]]] = {}
        #: Bytes already verified (the hub gets the same bytes direct and to relay).
        self._verified: VerifiedCache = VerifiedCache()

    def _audit(self, direction: str, *, now: bool = False, **row: Unpack[AuditFields]) -> None:
        """Audit one row at the node's clock (``row``: the other :class:`AuditRow` fields)."""
        self.store.audit(AuditRow(at_ns=self.clock(), direction=direction, **row), now=now)

    # -- AuditSink for the guard ---------------------------------------------------------------
    def refused(self, refusal: Refusal, direction: str) -> None:
        self._audit(
            "refused_out" if direction == "out" else "refused_in",
            msg_id=refusal.msg_id,
            kind=refusal.kind,
            origin=refusal.origin,
            peer=refusal.peer,
            reason=refusal.reason,
            detail=refusal.detail,
        )

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def start(self, connect_timeout: float = 10.0) -> None:
        """Connect (retrying), make sure the inbound stream exists, start the workers."""
        self._running = True
        deadline = time.monotonic() + connect_timeout
        # Two connections: events (JetStream) never queue behind bulky track state in the
        # client's or the server's per-connection buffers (head-of-line blocking).
        self.nc = await self._connect("events", deadline)
        self.nc_state = await self._connect("state", deadline)
        await self._ensure_stream()
        for origin in sorted(self.peers):
            await self._ensure_state_stream(origin)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._consume())]
        self._tasks += [loop.create_task(self._pull_state(o)) for o in sorted(self.peers)]
        self._tasks += [loop.create_task(self._sender(n)) for n in self._wake]
        self._tasks += [
            loop.create_task(self._heartbeats()),
            loop.create_task(self._watch_agreements()),
            loop.create_task(self._flusher()),
        ]
        if self.cfg.fuse_every_s > 0:
            self._tasks.append(loop.create_task(self._fuser()))
        if self.cfg.track_batch_ms > 0:
            self._tasks.append(loop.create_task(self._batcher()))
        for n in self._wake:
            self._wake[n].set()
        self._audit("node", reason="started", now=True)

    async def _connect(self, role: str, deadline: float) -> Client:
        while True:
            try:
                # nats-py itself keeps retrying a first connection when reconnects are on, so the
                # deadline is enforced here.
                remaining = max(0.5, deadline - time.monotonic())
                return await asyncio.wait_for(self._open(role), remaining)
            except TrilinkError:  # no TLS where it is required: retrying will not help
                raise
            except Exception as exc:  # the server may not be up yet; keep trying
                if time.monotonic() > deadline:
                    raise TrilinkError(
                        f"{self.nation} node cannot reach its NATS server {self.cfg.url}: "
                        f"{str(exc) or type(exc).__name__}"
                    ) from None
                await asyncio.sleep(0.2)

    async def _open(self, role: str) -> Client:
        nc = await nats.connect(
            self.cfg.url,
            user=self.cfg.user,
            password=self.cfg.password,
            name=f"trilink-node-{self.nation}-{role}",
            inbox_prefix=f"_I.{self.nation}".encode(),
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.2,
            connect_timeout=1.0,
            error_cb=self._on_error,
            disconnected_cb=self._on_disconnect,
            reconnected_cb=self._on_reconnect,
            pending_size=64 * 1024 * 1024,
            **connect_options(self.cfg),
        )
        await require_tls(nc, self.cfg)
        return nc

    async def _ensure_stream(self) -> None:
        assert self.nc is not None
        js = self.nc.jetstream()
        config = StreamConfig(
            name=STREAM,
            subjects=inbound_event_subjects(self.nation, self.cfg.hub),
            storage=StorageType.FILE,
            duplicate_window=600.0,
            max_age=7 * 24 * 3600.0,
            # A work queue: an event leaves the stream once the node has stored (or refused)
            # and acked it, so the stream holds only the backlog, never a week of floods.
            retention=RetentionPolicy.WORK_QUEUE,
            # Per subject (leg, origin, kind) at most this backlog; past it the server refuses
            # new messages on that subject only and the sender's spool retries.
            max_msgs_per_subject=self.cfg.stream_msgs_per_subject,
            discard=DiscardPolicy.NEW,
            discard_new_per_subject=True,
            # Room above the envelope limit: an oversize envelope still reaches the node and is
            # refused and audited there; anything larger the server refuses.
            max_msg_size=MAX_ENVELOPE_BYTES * 3 // 2,
            max_bytes=1024**3,
        )
        try:
            await js.add_stream(config)
        except Exception:  # exists with other settings: bring it in line
            try:
                await js.update_stream(config)
            except Exception as exc:
                raise TrilinkError(
                    f"{self.nation} node: the server's {STREAM} stream cannot take this "
                    f"version's settings ({exc}); delete it (`nats stream rm {STREAM}`) once "
                    "its events are processed"
                ) from None
        await js.add_consumer(
            STREAM,
            ConsumerConfig(
                durable_name=CONSUMER,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=30.0,
                max_ack_pending=10_000,
            ),
        )

    async def _ensure_state_stream(self, origin: str) -> None:
        assert self.nc_state is not None
        js = self.nc_state.jetstream()
        name = state_stream(origin)
        config = StreamConfig(
            name=name,
            subjects=inbound_state_subjects(self.nation, self.cfg.hub, origin),
            # State is latest-wins and real time: memory, a short life, and past the limits
            # the server discards the oldest (a flood pushes out only its own origin's).
            storage=StorageType.MEMORY,
            retention=RetentionPolicy.LIMITS,
            discard=DiscardPolicy.OLD,
            max_msgs=self.cfg.state_stream_msgs,
            max_bytes=self.cfg.state_stream_bytes,
            max_age=self.cfg.state_max_age_s,
            max_msg_size=MAX_ENVELOPE_BYTES * 3 // 2,
        )
        try:
            await js.add_stream(config)
        except Exception:  # exists with other settings: bring it in line
            await js.update_stream(config)
        await js.add_consumer(
            name,
            ConsumerConfig(
                durable_name=CONSUMER,
                ack_policy=AckPolicy.ALL,  # one ack per pulled batch
                ack_wait=30.0,
                max_ack_pending=100_000,
            ),
        )

    async def stop(self) -> None:
        self._running = False
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._tasks = []
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._count_expired_state(), 3.0)
        for nc in (self.nc, self.nc_state):
            if nc is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(nc.close(), 3.0)
        self._audit_drops()
        self._audit("node", reason="stopped")
        self.store.close()

    async def _count_expired_state(self) -> None:
        """At stop: count what each origin's stream discarded after the last message pulled."""
        for origin in list(self._state_seq):
            await self._count_discarded(origin, final=True)

    async def _on_error(self, exc: Exception) -> None:
        if isinstance(exc, nats.errors.SlowConsumerError):
            # The client dropped a message its subscription had no room for: counted here, and
            # audited as one row per subject at the next flush (a flood makes many).
            self.counters["slow_consumer_dropped"] += 1
            self._slow_dropped.add(exc.subject)
            return
        text = str(exc)
        self.server_errors.append(text)
        if "permissions violation" in text.lower():
            # The server refused something this node tried: record it like any refusal.
            self.counters["server_refused"] += 1
            self._audit("server_refused", reason="permissions", detail=text)

    async def _on_disconnect(self) -> None:
        self.counters["disconnects"] += 1

    async def _on_reconnect(self) -> None:
        self.counters["reconnects"] += 1
        for ev in self._wake.values():
            ev.set()

    # -- outbound ------------------------------------------------------------------------------
    async def share(self, item: Outgoing) -> list[Outbound]:
        """Hand an item to the guard; send state now and spool events for ordered delivery."""
        payload = item.payload
        if isinstance(payload, TrackReport):
            self.fusion.add_own(payload)
        if isinstance(payload, TrackReport) and item.provenance is not None:
            self.store.save_own_track(
                payload.track_id, payload.time_ns, ",".join(item.provenance.sensor_ids)
            )
        if isinstance(payload, TrackReport) and self.cfg.track_batch_ms > 0:
            key = (item.classification, tuple(sorted(item.rel_to)), item.status)
            batch = self._batches.setdefault(key, [])
            batch.append((payload, item.provenance))
            if len(batch) >= BATCH_MAX:
                return await self._flush_batch(key)
            return []
        outs = self.guard.prepare(item)
        for ob in outs:
            await self._emit(ob)
        return outs

    async def _flush_batch(self, key: BatchKey) -> list[Outbound]:
        batch = self._batches.pop(key, [])
        if not batch:
            return []
        sensors = sorted({s for _, p in batch if p for s in p.sensor_ids})
        sites = sorted({s for _, p in batch if p for s in p.sites})
        item = Outgoing(
            TrackBatch(reports=tuple(r for r, _ in batch)),
            key[0],  # type: ignore[arg-type]
            key[1],
            key[2],  # type: ignore[arg-type]
            Provenance(tuple(sensors), tuple(sites)),
        )
        self.counters["batched_reports"] += len(batch)
        outs = self.guard.prepare(item)
        for ob in outs:
            await self._emit(ob)
        return outs

    async def _batcher(self) -> None:
        while self._running:
            await asyncio.sleep(self.cfg.track_batch_ms / 1000.0)
            for key in list(self._batches):
                await self._flush_batch(key)

    async def _emit(self, ob: Outbound) -> None:
        env = ob.envelope
        if ob.is_event:
            self._spool(ob)
            self._wake[ob.dest].set()
            return
        if self.nc_state is None or not self.nc_state.is_connected:
            self.counters["state_dropped"] += 1
            self.store.audit(
                AuditRow.of(
                    env,
                    self.clock(),
                    "dropped",
                    peer=ob.dest,
                    route=ob.leg,
                    reason="disconnected",
                )
            )
            return
        await self.nc_state.publish(ob.subject, ob.data)
        self.counters["sent_state"] += 1
        direction = "relayed" if ob.leg == "r" else "sent"
        self.store.audit(
            AuditRow.of(
                env,
                self.clock(),
                direction,
                peer=ob.dest,
                route=ob.leg,
            )
        )

    def _spool(self, ob: Outbound) -> None:
        env = ob.envelope
        self.store.enqueue(
            ob.dest, ob.leg, ob.subject, ob.dedup_id, env.msg_id, env.kind, ob.data, self.clock()
        )
        self.counters["spooled"] += 1

    async def _sender(self, dest: str) -> None:
        """Keep :meth:`_send_loop` alive: an unexpected error is counted and the loop restarts."""
        while self._running:
            try:
                await self._send_loop(dest)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.counters["internal_errors"] += 1
                log.exception("%s: sender to %s failed; restarting", self.nation, dest)
                await asyncio.sleep(0.5)

    async def _send_loop(self, dest: str) -> None:
        """Send spooled events for ``dest`` one at a time, in order, until each is acked."""
        backoff = 0.05
        while self._running:
            q = self.store.head(dest)
            if q is None:
                self._wake[dest].clear()
                await self._wake[dest].wait()
                continue
            try:
                env = decode(q.data)
            except WireError:  # our own bytes: cannot happen unless the file was tampered with
                self.store.dequeue(q.seq)
                continue
            current = self.guard.reroute(Outbound(dest, q.leg, q.subject, q.data, env, ""))
            if current is None:
                # No route any more (agreement changed while queued): refused and audited (the
                # guard wrote the reason), never silently lost.
                with self.store.transaction():
                    self.store.dequeue(q.seq)
                    self.store.audit_now(
                        AuditRow.of(
                            env,
                            self.clock(),
                            "refused_out",
                            peer=dest,
                            route=q.leg,
                            reason="no_route_at_send",
                            detail="removed from the spool",
                        )
                    )
                continue
            if not self.connected:
                await asyncio.sleep(backoff)
                backoff = min(1.0, backoff * 2)
                continue
            assert self.nc is not None
            try:
                ack = await self.nc.jetstream().publish(
                    current.subject,
                    current.data,
                    headers={"Nats-Msg-Id": q.dedup_id},
                    timeout=self.cfg.publish_timeout_s,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # link or server down: retry, same id
                self.counters["publish_retries"] += 1
                log.debug("%s: publish to %s failed: %r", self.nation, current.subject, exc)
                await asyncio.sleep(backoff)
                backoff = min(1.0, backoff * 2)
                continue
            backoff = 0.05
            expected = self.cfg.hub if current.leg == "h" else dest
            self.counters["sent_events"] += 1
            if ack.duplicate:
                self.counters["acked_duplicate"] += 1
            direction = "relayed" if current.leg == "r" else "sent"
            detail = "" if ack.domain == expected else f"acked by domain {ack.domain}"
            row = AuditRow.of(
                env,
                self.clock(),
                direction,
                peer=dest,
                route=current.leg,
                reason="duplicate" if ack.duplicate else "",
                detail=detail,
            )
            with self.store.transaction():
                self.store.dequeue(q.seq)
                self.store.audit_now(row)

    # -- inbound -------------------------------------------------------------------------------
    async def _consume(self) -> None:
        assert self.nc is not None
        sub = None
        while self._running:
            try:
                if sub is None:
                    sub = await self.nc.jetstream().pull_subscribe_bind(CONSUMER, STREAM)
                msgs = await sub.fetch(256, timeout=0.5)
            except asyncio.CancelledError:
                raise
            except nats.errors.TimeoutError:
                continue
            except Exception as exc:  # server away: wait for reconnect
                log.debug("%s: fetch failed: %r", self.nation, exc)
                await asyncio.sleep(0.2)
                continue
            for msg in msgs:
                if not await self._receive_safely(msg.subject, msg.data, from_stream=True):
                    # Not acked: JetStream redelivers it after ack_wait; replays are dropped.
                    continue
                with contextlib.suppress(Exception):
                    await msg.ack()

    async def _receive_safely(self, subject: str, data: bytes, from_stream: bool) -> bool:
        """Receive, turning any unexpected failure into a counted, audited error, never a crash."""
        try:
            await self._receive(subject, data, from_stream)
            return True
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.counters["internal_errors"] += 1
            log.exception("%s: failed to process %s", self.nation, subject)
            with contextlib.suppress(Exception):
                self._audit(
                    "error", reason=type(exc).__name__, detail=f"{exc} subject={subject}"[:300]
                )
            return False

    def _book_changed(self) -> bool:
        """Re-read the agreement state file; a bad file counts as no change (the watcher
        audits it)."""
        try:
            return self.book.refresh()
        except TrilinkError:
            return False

    async def _pull_state(self, origin: str) -> None:
        """Pull ``origin``'s state stream, no faster than its budget; count the server's
        discards (gaps in the stream sequence) as drops."""
        assert self.nc_state is not None
        stream = state_stream(origin)
        budget = self._budgets[origin]
        sub = None
        while self._running:
            try:
                js = self.nc_state.jetstream()
                if sub is None:
                    sub = await js.pull_subscribe_bind(CONSUMER, stream)
                if origin not in self._state_seq:
                    info = await js.consumer_info(stream, CONSUMER)
                    self._state_seq[origin] = info.ack_floor.stream_seq
                granted = budget.take_up_to(PULL_BATCH)
                if granted == 0:
                    await asyncio.sleep(budget.wait_s())
                    continue
                try:
                    msgs = await sub.fetch(granted, timeout=1.0)
                except nats.errors.TimeoutError:
                    budget.refund(granted)
                    # idle: what expired after the last message pulled shows no gap; count it
                    await self._count_discarded(origin)
                    continue
                budget.refund(granted - len(msgs))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # server away: wait for reconnect
                log.debug("%s: state pull from %s failed: %r", self.nation, origin, exc)
                await asyncio.sleep(0.2)
                continue
            for msg in msgs:
                self._discarded_before(origin, msg.metadata.sequence.stream)
                await self._receive_safely(msg.subject, msg.data, from_stream=False)
                # a batch is up to PULL_BATCH signature checks: let the other origins' pulls and
                # the event consumer run between them
                await asyncio.sleep(0)
            with contextlib.suppress(Exception):
                await msgs[-1].ack()  # acks the whole batch (AckAll)

    def _discarded_before(self, origin: str, seq: int) -> None:
        """Stream sequence ``seq`` comes next from ``origin``: the messages between the last one
        pulled and it were discarded by the server (over the stream's limits); count them."""
        last = self._state_seq.get(origin, seq - 1)
        if seq > last + 1:
            self.counters["stream_dropped"] += seq - last - 1
            self._stream_dropped.add(origin, seq - last - 1)
        self._state_seq[origin] = max(last, seq)

    async def _count_discarded(self, origin: str, *, final: bool = False) -> None:
        """Count what the server discarded after the last message pulled from ``origin`` (no
        later message came to show the gap): whatever lies before the stream's first one.

        Not while the server has delivered messages this node has not yet taken (unless
        ``final``): a fetch that timed out leaves its late messages in the client's queue for
        the next fetch, and a message delivered and then aged out of the stream would else be
        counted as discarded and then checked as well."""
        if origin not in self._state_seq or self.nc_state is None:
            return
        js = self.nc_state.jetstream()
        info = await js.stream_info(state_stream(origin))
        if info.state.first_seq <= self._state_seq[origin] + 1:
            return  # no gap: the common idle case asks the server once
        if not final:
            consumer = await js.consumer_info(state_stream(origin), CONSUMER)
            if (consumer.delivered.stream_seq or 0) > self._state_seq[origin]:
                return
        self._discarded_before(origin, info.state.first_seq)
        self._state_seq[origin] -= 1  # first_seq itself is still to come

    async def _receive(self, subject: str, data: bytes, from_stream: bool) -> None:
        now = self.clock()

        def check() -> tuple[Subject, Envelope]:
            return check_inbound(
                self.nation,
                subject,
                data,
                self.keyring,
                self.book,
                now,
                hub_leg_for=self.nation if self.is_hub else None,
                verified=self._verified,
            )

        try:
            try:
                subj, env = check()
            except WireError as exc:
                # The sender may have seen an agreement come into force before our 0.2 s poll
                # did: look at the state file (one stat) and judge once more if it changed.
                if exc.reason not in ("no_agreement", "relay_not_allowed") or not (
                    self._book_changed()
                ):
                    raise
                subj, env = check()
        except WireError as exc:
            self.refused_in[exc.reason] += 1
            # Audit what the subject claims (maybe invalid): nothing in the envelope is trusted.
            claimed = subject_fields(subject)
            self.store.audit(
                AuditRow(
                    at_ns=now,
                    direction="refused_in",
                    kind=claimed.kind if claimed else "",
                    origin=claimed.origin if claimed else "",
                    route=claimed.leg if claimed else "",
                    reason=exc.reason,
                    detail=exc.detail + f" subject={subject}"[:200],
                ),
                now=from_stream,
            )
            return
        # Heard from the origin (by whatever route) and, for a relay, from the hub too.
        peer = self.peers.get(env.origin)
        for heard in (env.origin, *(h.nation for h in env.hops)):
            if heard in self.peers:
                self.peers[heard].last_rx_ns = now
        if subj.leg == "h":
            await self._relay(env, subj.dest, subj.is_event, now, data)
            return
        if subj.is_event:
            launch_id = getattr(env.payload, "launch_id", None)
            # Seen, stored and audited together: a crash can neither lose nor double an event.
            with self.store.transaction():
                fresh = self.store.mark_seen(env.msg_id, now)
                if fresh:
                    self.store.save_event(
                        env.msg_id,
                        env.origin,
                        env.kind,
                        launch_id,
                        env.status,
                        env.created_ns,
                        now,
                        subj.leg,
                        data,
                    )
                    self.store.audit_now(self._received_row(env, subj.leg, now))
            if not fresh:
                self._refuse_replay(env, subj.leg, now)
                return
            self.counters["received_events"] += 1
            if self.on_event is not None:
                self.on_event(env, subj.leg, now)
            return
        # Durable (the store), so a restart does not reopen the freshness window to replays.
        if not self.store.mark_state_seen(env.msg_id, env.created_ns):
            self._refuse_replay(env, subj.leg, now)
            return
        self.counters[f"received_{env.kind}"] += 1
        self.store.audit(self._received_row(env, subj.leg, now))
        payload = env.payload
        if isinstance(payload, TrackReport):
            self.fusion.add_partner(env.origin, payload)
            self.store.save_track(env.origin, payload.track_id, payload.time_ns, now, data)
            if self.on_track is not None:
                self.on_track(env, subj.leg, now)
        elif isinstance(payload, TrackBatch):
            # Latest wins per track; the stored envelope is the batch it came in.
            self.counters["received_reports"] += len(payload.reports)
            for report in payload.reports:
                self.fusion.add_partner(env.origin, report)
                self.store.save_track(
                    env.origin, report.track_id, report.time_ns, now, encode(report)
                )
            if self.on_track is not None:
                self.on_track(env, subj.leg, now)
        elif isinstance(payload, Heartbeat) and peer is not None:
            self.peers[env.origin].heartbeat = payload

    @staticmethod
    def _received_row(env: Envelope, leg: str, now: int) -> AuditRow:
        return AuditRow.of(
            env,
            now,
            "received",
            route=leg,
        )

    def _refuse_replay(self, env: Envelope, leg: str, now: int) -> None:
        self.refused_in["replay"] += 1
        self.counters["duplicates_dropped"] += 1
        self.store.audit(
            AuditRow.of(
                env,
                now,
                "refused_in",
                route=leg,
                reason="replay",
                detail="message id already received",
            )
        )

    async def _relay(self, env: Envelope, dest: str, is_event: bool, now: int, data: bytes) -> None:
        # At most once per message and destination, across restarts too.
        key = f"relay:{env.msg_id}.{dest}"
        fresh = (
            not self.store.is_seen(key)
            if is_event
            else self.store.mark_state_seen(key, env.created_ns)
        )
        if not fresh:
            self._refuse_replay(env, "h", now)
            return
        ob = self.guard.relay(env, dest, data)
        if ob is not None:
            self.counters["relayed"] += 1
        if not is_event:
            if ob is not None:
                await self._emit(ob)
            return
        # Seen and spooled together, before the stream message is acked.
        with self.store.transaction():
            self.store.mark_seen(key, now)
            if ob is not None:
                self._spool(ob)
        if ob is not None:
            self._wake[ob.dest].set()

    # -- periodic ------------------------------------------------------------------------------
    def link_status(self) -> tuple[LinkStatus, ...]:
        now = self.clock()
        horizon = int(3 * self.cfg.heartbeat_s * 1e9)
        return tuple(
            LinkStatus(
                peer=n,  # type: ignore[arg-type]
                up=p.last_rx_ns is not None and now - p.last_rx_ns < horizon,
                last_rx_ns=p.last_rx_ns,
            )
            for n, p in sorted(self.peers.items())
        )

    def agreement_status(self) -> tuple[AgreementStatus, ...]:
        return tuple(
            AgreementStatus(name=a, status=self.book.state(a).state)
            for a in sorted(self.book.agreements)
        )

    async def _heartbeats(self) -> None:
        while self._running:
            await asyncio.sleep(self.cfg.heartbeat_s)
            hb = Heartbeat(
                time_ns=self.clock(), links=self.link_status(), agreements=self.agreement_status()
            )
            await self.share(Outgoing(hb, "UNCLASSIFIED", NATIONS, "actual"))

    async def _watch_agreements(self) -> None:
        while self._running:
            await asyncio.sleep(0.2)
            try:
                # Compared with what was last announced below, not with refresh()'s answer:
                # the receive path may have re-read the file first.
                self.book.refresh()
            except Exception as exc:  # a bad state file must not stop the node
                self._audit("agreement", reason="bad_state", detail=str(exc))
                continue
            for name in sorted(self.book.agreements):
                rec = self.book.state(name)
                if self._agreement_seen.get(name) == rec.state:
                    continue
                self._agreement_seen[name] = rec.state
                self.counters["agreement_changes"] += 1
                self._audit(
                    "agreement",
                    kind="agreement",
                    reason=rec.state,
                    detail=f"{name} by {rec.by}: {rec.reason}",
                    now=True,
                )
                for ev in self._wake.values():
                    ev.set()
                await self.share(
                    Outgoing(
                        AgreementState(
                            name=name,
                            status=rec.state,
                            since_ns=rec.since_ns,
                            reason=rec.reason[:2000],
                        ),
                        "UNCLASSIFIED",
                        NATIONS,
                        "actual",
                    )
                )

    def fuse(self) -> FusedPicture:
        """Fuse own and partner tracks now (latest report time) and keep the picture."""
        self.fused = self.fusion.fuse()
        self.counters["fusions"] += 1
        # the picture moves on (tracks end at impact): keep the best moment for summaries
        peak = max(self.counters["fused_multi_source_peak"], self.fused.multi_source)
        self.counters["fused_multi_source_peak"] = peak
        return self.fused

    async def _fuser(self) -> None:
        while self._running:
            await asyncio.sleep(self.cfg.fuse_every_s)
            if not self.fusion.partners:
                continue
            try:
                self.fuse()
            except Exception:  # a numerical failure must not stop the node
                self.counters["internal_errors"] += 1
                log.exception("%s: fusion failed", self.nation)

    async def _flusher(self) -> None:
        pruned_ns = 0
        while self._running:
            now = self.clock()
            if now - pruned_ns >= PRUNE_EVERY_NS:
                # Past the freshness window a message is refused as stale: its id can go.
                self.store.prune_state_seen(now - MAX_AGE_NS)
                pruned_ns = now
            await asyncio.sleep(0.2)
            self._audit_drops()
            self.store.flush()

    def _audit_drops(self) -> None:
        """One audit row per subject and reason for the messages dropped lately."""
        for subject, count in self._slow_dropped.take():
            claimed = subject_fields(subject)
            self._audit(
                "dropped",
                kind=claimed.kind if claimed else "",
                origin=claimed.origin if claimed else "",
                route=claimed.leg if claimed else "",
                reason="slow_consumer",
                detail=f"{count} subject={subject}"[:300],
            )
        for origin, count in self._stream_dropped.take():
            self._audit(
                "dropped",
                origin=origin,
                reason="stream_limit",
                detail=f"{count} state messages discarded by the server over the limits of "
                f"{state_stream(origin)}",
            )

    async def run_source(self, source: Source, speed: float = 1.0) -> int:
        """Share a source's items at their times (``speed`` > 1 runs faster); returns the count."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        n = 0
        for timed in source.items():
            delay = start + timed.at_s / speed - loop.time()
            if delay > 0.001:
                await asyncio.sleep(delay)
            elif n % 200 == 0:
                await asyncio.sleep(0)
            await self.share(timed.item)
            n += 1
        return n

    async def drain(self, timeout: float = 30.0) -> bool:
        """Send the track reports still being batched, then wait until the spool is empty
        (everything acked); False on timeout."""
        for key in list(self._batches):
            await self._flush_batch(key)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.store.spooled() == 0:
                return True
            await asyncio.sleep(0.05)
        return False

    def status(self) -> dict[str, Any]:
        """A snapshot for ``trilink node`` and heartbeats."""
        return {
            "nation": self.nation,
            "connected": self.connected,
            "spooled": self.store.spooled(),
            "counters": dict(self.counters),
            "refused_in": dict(self.refused_in),
            "refused_out": dict(self.guard.refused),
            "links": [{"peer": ls.peer, "up": ls.up} for ls in self.link_status()],
            "agreements": {a.name: a.status for a in self.agreement_status()},
            "fused": {
                "t": self.fused.t,
                "tracks": len(self.fused),
                "multi_source": self.fused.multi_source,
                "own_tracks": len(self.fusion.own),
                "partner_tracks": {n: len(b) for n, b in sorted(self.fusion.partners.items())},
            },
        }
