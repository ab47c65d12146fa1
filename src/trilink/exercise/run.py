"""``trilink scenario run``: one headless exercise through the whole network, and its record.

1. Each nation's own sensors see the scenario; its tracker and assessor make what it shares
   (track reports, launch events, impact predictions), in worker processes.
2. The three NATS servers and nodes start on loopback and replay those items through the guards
   and the fabric (direct or via the hub, as the agreements in force allow). What each node
   receives, verified, is kept.
3. Each nation's warning desk then replays, in scenario time, its own items and the partners'
   items that really arrived (each usable ``link_latency_s`` after its origin sent it), and
   decides its alerts from the fused picture. The same desk without partners' data gives the
   nation alone; the difference is what sharing gains.
4. The truth (what the flights really threatened) scores both.

Deciding in scenario time rather than on the wall clock makes a run repeatable: the same
scenario and seed give the same alerts whatever ``--speed`` and the machine's load. The fabric's
own latency (milliseconds, see ``trilink bench fabric``) is far below ``link_latency_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trilink import NATIONS, TrilinkError
from trilink.exercise.truth import TruthThreats, truth_threats
from trilink.scenarios.model import Scenario
from trilink.scenarios.run import Flight
from trilink.warning.model import Alert

__all__ = ["NationRecord", "ExerciseRun", "replay_desks", "run_exercise"]

#: areas each nation warns for, by code prefix
AREA_PREFIXES: dict[str, tuple[str, ...]] = {
    "JPN": ("JP-",),
    "KOR": ("KR-",),
    "USA": ("US-GU", "US-MP", "US-HI", "US-AK"),
}


@dataclass
class NationRecord:
    """One nation's alerts with and without its partners' data, and fusion statistics."""

    nation: str
    alerts: list[Alert] = field(default_factory=list)
    alerts_alone: list[Alert] = field(default_factory=list)
    #: object id -> (ticks fused from ≥ 2 nations, ticks seen)
    fused_share: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: object id -> [(t, lat, lon, alt)] of the fused picture (with partners)
    tracks: dict[str, list[tuple[float, float, float, float]]] = field(default_factory=dict)
    #: object id -> its last impact prediction: (lat, lon, time, 95 % major, minor, azimuth,
    #: nominal ground track [(lat, lon)])
    predictions: dict[
        str, tuple[float, float, float, float, float, float, list[tuple[float, float]]]
    ] = field(default_factory=dict)


@dataclass
class ExerciseRun:
    """Everything a run produced: per-nation records, the truth, what each node received."""

    scenario: Scenario
    flights: tuple[Flight, ...]
    truth: TruthThreats
    nations: dict[str, NationRecord]
    received: dict[str, int]
    routes: dict[str, dict[str, int]]
    seconds: float = 0.0


def _key(origin: str, payload: Any) -> tuple[Any, ...] | None:
    """What identifies a shared item across the guard (which renames track ids)."""
    from trilink.wire.messages import ImpactPrediction, LaunchEvent, TrackReport

    if isinstance(payload, TrackReport):
        return (origin, "track", payload.time_ns, payload.position_m)
    if isinstance(payload, LaunchEvent):
        return (origin, "launch", payload.launch_id)
    if isinstance(payload, ImpactPrediction):
        return (origin, "impact", payload.launch_id, payload.update)
    return None


async def _replay_fabric(
    configs: dict[str, Any], items: dict[str, list[Any]], speed: float, settle_s: float
) -> tuple[dict[str, list[tuple[str, Any]]], dict[str, dict[str, int]]]:
    """Run the three nodes over the items; per receiver, the (origin, payload) it accepted."""
    from trilink.node.node import Node
    from trilink.node.pipeline import ListSource
    from trilink.wire.messages import TrackBatch

    got: dict[str, list[tuple[str, Any]]] = {n: [] for n in NATIONS}
    routes: dict[str, dict[str, int]] = {n: {} for n in NATIONS}

    def collector(receiver: str) -> Callable[[Any, str, int], None]:
        def on(env: Any, leg: str, now: int) -> None:
            p = env.payload
            reports = p.reports if isinstance(p, TrackBatch) else (p,)
            for r in reports:
                got[receiver].append((env.origin, r))
            r_ = routes[receiver]
            r_[leg] = r_.get(leg, 0) + 1

        return on

    nodes: dict[str, Any] = {}
    try:
        for n in ("USA", "KOR", "JPN"):  # the hub first
            cb = collector(n)
            nodes[n] = Node(configs[n], on_track=cb, on_event=cb)
            await nodes[n].start(connect_timeout=15.0)
        await asyncio.gather(
            *(nodes[n].run_source(ListSource(items[n]), speed=speed) for n in NATIONS)
        )
        for node in nodes.values():
            await node.drain(settle_s)
        # state (track) messages have no ack: give the last ones a moment to land
        await asyncio.sleep(1.0)
    finally:
        for node in nodes.values():
            with contextlib.suppress(Exception):
                await node.stop()
    return got, routes


def replay_desks(
    epoch_s: float,
    end_s: float,
    items: dict[str, list[Any]],
    received: dict[str, list[tuple[str, Any]]],
    areas: Any,
    status: str,
    *,
    link_latency_s: float = 1.0,
    tick_s: float = 1.0,
    grace_s: float = 300.0,
) -> dict[str, NationRecord]:
    """Each nation's desk, shared and alone, over scenario time (see the module docstring)."""
    from trilink.node.warnings import WarningDesk, predict_desks

    at_of: dict[tuple[Any, ...], float] = {}
    for origin, its in items.items():
        for it in its:
            k = _key(origin, it.item.payload)
            if k is not None:
                at_of.setdefault(k, it.at_s)
    desks: list[tuple[str, bool, WarningDesk]] = []
    feeds: list[list[tuple[float, str, Any]]] = []
    for n in NATIONS:
        own = [(it.at_s, n, it.item.payload) for it in items.get(n, [])]
        partner = []
        for origin, payload in received.get(n, []):
            k = _key(origin, payload)
            if k is None or k not in at_of:
                continue
            partner.append((at_of[k] + link_latency_s, origin, payload))
        for shared in (True, False):
            desk = WarningDesk(n, areas, status, partners=shared)  # type: ignore[arg-type]
            feed = sorted(own + (partner if shared else []), key=lambda e: e[0])
            desks.append((n, shared, desk))
            feeds.append(feed)
    pos = [0] * len(feeds)
    n_ticks = math.floor((end_s - epoch_s + grace_s) / tick_s) + 1
    for i in range(1, n_ticks):
        at = i * tick_s
        t = epoch_s + at
        for j, feed in enumerate(feeds):
            while pos[j] < len(feed) and feed[pos[j]][0] <= at + 1e-9:
                _, origin, payload = feed[pos[j]]
                desks[j][2].add(origin, payload)
                pos[j] += 1
        predict_desks([d for _, _, d in desks], t)
        for _, _, d in desks:
            d.decide(t)
    out: dict[str, NationRecord] = {}
    for n, shared, d in desks:
        rec = out.setdefault(n, NationRecord(n))
        if shared:
            rec.alerts = list(d.alerts)
            rec.fused_share = {
                oid: (d.multi_source_ticks.get(oid, 0), seen) for oid, seen in d.seen_ticks.items()
            }
            rec.tracks = d.history
            rec.predictions = d.last_predictions()
        else:
            rec.alerts_alone = list(d.alerts)
    return out


def run_exercise(
    scenario: str,
    *,
    speed: float = math.inf,
    gsomia: bool = True,
    seed: int | None = None,
    workers: int = 3,
    link_latency_s: float = 1.0,
    work_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ExerciseRun:
    """Run a scenario through the network (see the module docstring)."""
    from trilink.geo.areas import AreaIndex
    from trilink.node.network import local_network, run_dir
    from trilink.node.pipeline import compute_items
    from trilink.scenarios.model import load_scenario
    from trilink.scenarios.run import fly

    if not (speed > 0 and not math.isnan(speed)):
        raise TrilinkError("--speed must be a positive number or 'max'")
    say = progress or (lambda _m: None)
    scn = load_scenario(scenario)
    t0 = time.monotonic()
    areas = AreaIndex.default()
    say(f"{scn.title}: own sensors, trackers and assessors of KOR, USA, JPN")
    items = compute_items(scenario, seed, None, workers)
    with (
        run_dir(work_dir, "trilink-run-") as root,
        local_network(root, gsomia=gsomia, by="scenario run") as (_fab, configs),
    ):
        say("fabric up: replaying through the guards and NATS")
        sp = 1e9 if math.isinf(speed) else speed
        received, routes = asyncio.run(_replay_fabric(configs, items, sp, 30.0))
    say("deciding warnings in scenario time, with and without partners' data")
    status = "exercise"
    records = replay_desks(
        scn.epoch_s, scn.end_s, items, received, areas, status, link_latency_s=link_latency_s
    )
    flights = fly(scn)
    return ExerciseRun(
        scenario=scn,
        flights=flights,
        truth=truth_threats(flights, areas),
        nations=records,
        received={n: len(v) for n, v in received.items()},
        routes=routes,
        seconds=round(time.monotonic() - t0, 1),
    )
