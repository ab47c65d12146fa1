"""The live demonstration: three nations' nodes, warning desks and web pages on one machine.

On top of :mod:`trilink.demo` (keys, configs, servers, pipelines): the three nodes replay the
scenario into the fabric on one :class:`~trilink.web.replay.ReplayClock` (``speed``; an operator
or administrator may pause it or change its speed from any page); each nation's
:class:`~trilink.node.warnings.WarningDesk` runs on a ticker in scenario time (the same clock),
fed with its own items whose time has come and with the partners' payloads its node has received
so far (the node's callbacks); each nation's web app
(:func:`trilink.web.app.create_app` over a :class:`DemoNodeView`) is served by uvicorn in the same
event loop at ``port_base`` + 0, 1, 2 (KOR, USA, JPN). Everything runs until :meth:`LiveDemo.stop`
(Ctrl-C, SIGTERM). With ``loop`` the scenario is replayed again and again, with fresh desks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from trilink import NATIONS, TrilinkError
from trilink.web.live import LiveNodeView
from trilink.web.replay import ReplayClock, ReplayState

__all__ = ["DemoNodeView", "DemoReplay", "LiveDemo", "PORT_OFFSET", "ROLES"]

log = logging.getLogger(__name__)

#: each nation's web port is port_base + this
PORT_OFFSET = {"KOR": 0, "USA": 1, "JPN": 2}
#: the demo accounts made on every nation's page
ROLES = ("viewer", "operator", "admin")
#: scenario seconds between two desk ticks
TICK_S = 1.0
#: scenario seconds the desks keep ticking after the scenario's end (objects falling, all clear)
GRACE_S = 120.0
#: wall seconds the last picture of a round stays up before the next (``loop``)
HOLD_S = 15.0


class DemoNodeView(LiveNodeView):
    """A :class:`LiveNodeView` whose agreement changes also bring the fabric's direct link up or
    down (``on_agreement`` is told after each change)."""

    def __init__(self, node: Any, desk: Any, on_agreement: Callable[[], None]) -> None:
        super().__init__(node, desk)
        self.on_agreement = on_agreement

    def set_agreement(self, name: str, state: str, by: str, reason: str) -> Any:
        row = super().set_agreement(name, state, by, reason)
        self.on_agreement()
        return row

    def audit_replay(self, user: str, detail: str) -> None:
        """A change of the replay made on this nation's page, in its node's audit log."""
        self._audit("replay", user, "", detail)

    def reset(self, desk: Any) -> None:
        """A new round: a fresh desk, no acknowledgements carried over."""
        self.desk = desk
        self._acks.clear()
        self._manual += 1


class DemoReplay:
    """The demo's one replay clock as a nation's page may steer it (a
    :class:`~trilink.web.replay.ReplayControl`): each change is audited by that nation's node."""

    def __init__(self, clock: ReplayClock, view: DemoNodeView, say: Callable[[str], None]) -> None:
        self.clock = clock
        self.view = view
        self.say = say

    def state(self) -> ReplayState:
        return self.clock.state()

    def set(self, paused: bool | None, speed: float | None, by: str) -> ReplayState:
        st = self.clock.set(paused, speed)
        detail = f"{'paused' if st.paused else 'running'} at {st.speed:g}x"
        self.view.audit_replay(by, detail)
        self.say(f"replay {detail} (by {by} on {self.view.nation}'s page)")
        return st


def _server(app: Any) -> Any:
    """A uvicorn server without its own signal handling (the demo owns SIGINT and SIGTERM)."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    config = uvicorn.Config(
        app, log_level="warning", timeout_graceful_shutdown=1, lifespan="off", access_log=False
    )
    return Server(config)


def bind_pages(host: str, port_base: int) -> dict[str, socket.socket]:
    """The three pages' listening sockets (KOR, USA, JPN); a taken port is a one-line error."""
    socks: dict[str, socket.socket] = {}
    try:
        for n in NATIONS:
            port = port_base + PORT_OFFSET[n]
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks[n] = sock
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as exc:
                raise TrilinkError(f"cannot serve {n}'s page on {host}:{port}: {exc}") from exc
    except BaseException:
        for sock in socks.values():
            sock.close()
        raise
    return socks


def free_port_base(host: str = "127.0.0.1", count: int = 3, tries: int = 200) -> int:
    """A base port with ``count`` consecutive free ports on ``host`` (for tests)."""
    import random

    from trilink.fabric.server import PORT_HIGH, PORT_LOW

    for _ in range(tries):
        base = random.randrange(PORT_LOW, PORT_HIGH - count + 1)  # below the ephemeral ports
        socks = []
        try:
            for i in range(count):
                s = socket.socket()
                socks.append(s)
                s.bind((host, base + i))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise OSError("no free ports")


@dataclass
class LiveDemo:
    """The live part of the demo (see the module docstring)."""

    configs: dict[str, Any]
    items: dict[str, list[Any]]
    epoch_s: float
    end_s: float
    speed: float
    fabric: Any
    host: str = "127.0.0.1"
    port_base: int = 8400
    loop: bool = False
    say: Callable[[str], None] = lambda _m: None
    #: nation -> role -> password (made at start, printed once by the caller)
    passwords: dict[str, dict[str, str]] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    rounds: int = 0
    #: the pages' listening sockets, bound early by the caller (default: bound at start)
    sockets: dict[str, socket.socket] | None = None

    def __post_init__(self) -> None:
        self._stop = asyncio.Event()
        self._inbox: dict[str, list[tuple[str, Any]]] = {n: [] for n in NATIONS}
        self._direct_lock = asyncio.Lock()
        self._pending: set[asyncio.Task[None]] = set()
        self.t_s = 0.0  # scenario seconds since the epoch, this round (the desks' last tick)
        #: the replay's pace: the desks' ticks and the nodes' senders both follow it
        self.clock = ReplayClock(self.speed)
        # Set (and replaced) at every change of the clock and at stop: wakes every waiter.
        self._wake_ev = asyncio.Event()
        self.clock.listeners.append(self._wake)

    def _wake(self) -> None:
        ev, self._wake_ev = self._wake_ev, asyncio.Event()
        ev.set()

    def stop(self) -> None:
        """Ask the demo to stop (safe from a signal handler on the loop)."""
        self._stop.set()
        self._wake()

    async def _until(self, t_s: float) -> bool:
        """Wait until the replay reaches scenario second ``t_s`` (however often it is paused or
        its speed changes meanwhile); False when the demo stops first."""
        while not self._stop.is_set():
            ev = self._wake_ev
            wait = self.clock.wall_until(t_s)
            if wait <= 0:
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ev.wait(), min(wait, 1.0))
        return False

    def scenario_ns(self) -> int:
        return round((self.epoch_s + self.t_s) * 1e9)

    # -- wiring -----------------------------------------------------------------------------
    def _collector(self, receiver: str) -> Callable[[Any, str, int], None]:
        from trilink.wire.messages import TrackBatch

        def on(env: Any, leg: str, now: int) -> None:
            p = env.payload
            for r in p.reports if isinstance(p, TrackBatch) else (p,):
                self._inbox[receiver].append((env.origin, r))

        return on

    def _reconcile_direct(self) -> None:
        """The fabric's direct KOR-JPN link follows GSOMIA (the two servers reload their
        configs, in a thread; no restart)."""
        task = asyncio.get_running_loop().create_task(self._set_direct())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _set_direct(self) -> None:
        async with self._direct_lock:
            book = self.nodes["KOR"].book
            book.refresh(force=True)
            want = book.in_force("GSOMIA")
            if want != self.fabric.layout.direct_enabled:
                self.say(
                    f"GSOMIA {'in force' if want else 'suspended'}: direct KOR-JPN link "
                    f"{'up' if want else 'down'}"
                )
                await asyncio.to_thread(self.fabric.set_direct, want)

    async def _watch_gsomia(self) -> None:
        """Also follow changes made outside the pages (``trilink agreements --dir …``)."""
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 0.5)
            book = self.nodes["KOR"].book
            changed = book.in_force("GSOMIA") != self.fabric.layout.direct_enabled
            if changed and not self._direct_lock.locked():
                self._reconcile_direct()

    def _new_desks(self) -> dict[str, Any]:
        from trilink.node.warnings import WarningDesk

        return {n: WarningDesk(n, self.areas, "exercise") for n in NATIONS}

    # -- run --------------------------------------------------------------------------------
    async def run(self, ready: Callable[[LiveDemo], None] | None = None) -> None:
        """Start nodes and pages, replay (again and again with ``loop``) until :meth:`stop`."""
        from trilink.geo.areas import AreaIndex
        from trilink.node.node import Node
        from trilink.web.app import create_app
        from trilink.web.auth import User

        self.areas = AreaIndex.default()
        self.nodes: dict[str, Node] = {}
        servers: list[Any] = []
        tasks: list[asyncio.Task[Any]] = []
        try:
            for n in ("USA", "KOR", "JPN"):  # the hub first
                cb = self._collector(n)
                self.nodes[n] = Node(self.configs[n], on_track=cb, on_event=cb)
                await self.nodes[n].start(connect_timeout=15.0)
            self.say("nodes up")
            desks = self._new_desks()
            self.views = {
                n: DemoNodeView(self.nodes[n], desks[n], self._reconcile_direct) for n in NATIONS
            }
            socks = self.sockets or bind_pages(self.host, self.port_base)
            self.sockets = socks
            for n in NATIONS:
                pw = {r: secrets.token_urlsafe(12) for r in ROLES}
                self.passwords[n] = pw
                users = [User.create(r, pw[r], r) for r in ROLES]  # type: ignore[arg-type]
                app = create_app(
                    self.views[n],
                    users,
                    picture_clock=self.scenario_ns,
                    replay=DemoReplay(self.clock, self.views[n], self.say),
                )
                server = _server(app)
                servers.append(server)
                tasks.append(asyncio.create_task(server.serve(sockets=[socks[n]])))
                self.urls[n] = f"http://{self.host}:{socks[n].getsockname()[1]}/"
            while not all(s.started for s in servers):
                for t in tasks:
                    if t.done():
                        exc = t.exception()
                        raise TrilinkError(f"a page's server stopped at start: {exc}")
                await asyncio.sleep(0.02)
            tasks.append(asyncio.create_task(self._watch_gsomia()))
            if ready is not None:
                ready(self)
            first = True
            while not self._stop.is_set():
                if not first:
                    desks = self._new_desks()
                    for n in NATIONS:
                        self.views[n].reset(desks[n])
                first = False
                await self._round(desks)
                if not self.loop:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), HOLD_S)
            if not self._stop.is_set():
                self.say("replay done; the pages stay up until Ctrl-C")
            await self._stop.wait()
        finally:
            for s in servers:
                s.should_exit = True
            if tasks:
                await asyncio.wait(tasks, timeout=5.0)
            for t in list(self._pending):
                with contextlib.suppress(Exception):
                    await t
            for sock in (self.sockets or {}).values():
                sock.close()
            for node in self.nodes.values():
                with contextlib.suppress(Exception):
                    await node.stop()

    async def _send(self, nation: str) -> None:
        """Share ``nation``'s items, each when the replay reaches its time."""
        node = self.nodes[nation]
        for k, timed in enumerate(self.items[nation]):
            if not await self._until(timed.at_s):
                return
            await node.share(timed.item)
            if k % 200 == 199:
                await asyncio.sleep(0)

    async def _tell_partners(self, nation: str, alert: Any) -> None:
        """Send an alert to the partners as a wire warning (for their timelines): an event,
        spooled and acknowledged like a launch event, under the alert's status."""
        from trilink.fabric.guard import Outgoing
        from trilink.node.warnings import warning_message
        from trilink.warning.texts import render

        text = render(alert, "en", "UTC", self.areas).headline
        item = Outgoing(warning_message(alert, text), "UNCLASSIFIED", NATIONS, alert.status)
        try:
            await self.nodes[nation].share(item)
        except Exception:  # the picture goes on; the guard has audited what it refused
            log.exception("sharing alert %s failed", alert.alert_id)

    async def _round(self, desks: dict[str, Any]) -> None:
        """One replay: nodes share their items and the desks tick, all on :attr:`clock`."""
        from trilink.node.warnings import predict_desks

        self.rounds += 1
        self.say(f"round {self.rounds}: replaying at {self.clock.speed:g}x")
        self.t_s = 0.0
        for box in self._inbox.values():
            box.clear()
        self.clock.start(0.0)
        senders = [asyncio.create_task(self._send(n)) for n in NATIONS]
        pos = dict.fromkeys(NATIONS, 0)
        end = self.end_s - self.epoch_s + GRACE_S
        at = 0.0
        try:
            while at < end and not self._stop.is_set():
                # Next tick; when the machine lags, jump to the scenario's present.
                at = max(at + TICK_S, min(self.clock.now(), end))
                if not await self._until(at):
                    break
                self.t_s = at
                t = self.epoch_s + at
                for n, desk in desks.items():
                    its = self.items[n]
                    while pos[n] < len(its) and its[pos[n]].at_s <= at + 1e-9:
                        desk.add(n, its[pos[n]].item.payload)
                        pos[n] += 1
                    box, self._inbox[n] = self._inbox[n], []
                    for origin, payload in box:
                        desk.add(origin, payload)
                issued: list[tuple[str, Any]] = []
                try:
                    predict_desks(list(desks.values()), t)
                    for n, desk in desks.items():
                        for a in desk.decide(t):
                            areas = ", ".join(x.code for x in a.areas) or "-"
                            self.say(f"t+{at:.0f}s {n} alert {a.alert_id} {a.stage} areas {areas}")
                            issued.append((n, a))
                except Exception:  # a numerical failure must not stop the demo
                    log.exception("desk tick failed at t=%.1f", at)
                for n, a in issued:
                    await self._tell_partners(n, a)
                await asyncio.sleep(0)
        finally:
            self.clock.finish()
            for s in senders:
                s.cancel()
            for s in senders:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await s
