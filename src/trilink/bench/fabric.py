"""``trilink bench fabric``: event latency and loss across a real three-server fabric.

Every run starts a fresh fabric (three nats-servers, TLS leaf links) and the three nodes in this
process, loads KOR with track reports at a fixed rate plus a steady stream of events (launch
events and impact predictions), and measures, for every event KOR sends to JPN, the time from its
creation at KOR to its delivery to JPN's node (after all checks). Routes: ``KOR->JPN`` direct
(GSOMIA in force) and ``KOR->USA->JPN`` via the hub (GSOMIA suspended, no direct link). One run
kills the hub for ``--outage-s`` seconds in the middle of the load; another suspends GSOMIA for
``--switch-s`` seconds in the middle of direct KOR->JPN load and restores it (no track report or
event may be lost across the switch). A flood run has KOR's credentials publish bad-signature
track state at JPN as fast as one client can for ``--flood-s`` seconds while USA's real traffic
flows to JPN; it reports the real traffic lost, its latency, and how each flood message was
accounted for (refused at the signature check, or discarded by JPN's server over the limits of
KOR's state stream, seen as a gap in its sequence).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import numpy as np

from trilink.fabric.agreements import AgreementBook
from trilink.fabric.guard import Outgoing
from trilink.fabric.local import LocalFabric, make_layout
from trilink.node.config import NodeConfig
from trilink.node.node import Node
from trilink.wire.messages import Envelope, ImpactPrediction, LaunchEvent, Payload, TrackReport

__all__ = ["FLOOD_ROUTE", "ROUTES", "RunSpec", "fabric", "pct", "run_bench", "run_once"]

ROUTES = {"KOR->JPN": "d", "KOR->USA->JPN": "r"}
#: The flood run's real traffic: USA's, direct, while KOR's credentials flood JPN over the
#: KOR->JPN link (GSOMIA in force).
FLOOD_ROUTE = "USA->JPN"
REL_ALL = ("JPN", "KOR", "USA")


@dataclass(frozen=True)
class RunSpec:
    """One benchmark run."""

    route: str
    rate_per_s: float
    seconds: float
    event_rate: float = 50.0
    outage_s: float = 0.0
    outage_at_s: float = 3.0
    #: GSOMIA suspended this long (from ``outage_at_s`` after the warm-up), then restored.
    switch_s: float = 0.0
    seed: int = 1
    #: Load runs this long first; its events count for loss but not for latency percentiles.
    warmup_s: float = 2.0
    #: KOR's credentials flood JPN this long (after the warm-up) while USA's real traffic flows.
    flood_s: float = 0.0

    @property
    def sender(self) -> str:
        """Whose real traffic is measured (the route's first nation)."""
        return self.route.split("->")[0]

    @property
    def duration_s(self) -> float:
        base = self.warmup_s + self.seconds
        if self.outage_s:
            base = max(base, self.warmup_s + self.outage_at_s + self.outage_s + 5.0)
        if self.switch_s:
            # + the servers' 1 s grace on suspension and the nodes' 1 s settle on restore
            base = max(base, self.warmup_s + self.outage_at_s + self.switch_s + 5.0)
        if self.flood_s:
            base = max(base, self.warmup_s + self.flood_s + 3.0)
        return base


def _track(rng: random.Random, i: int, now_ns: int) -> TrackReport:
    cov = tuple(250_000.0 if r == c else 0.0 for r in range(6) for c in range(6))
    return TrackReport(
        track_id=f"KOR-RADAR-1/{i % 50}",
        time_ns=now_ns,
        position_m=(-3.1e6 + rng.uniform(-1e4, 1e4), 4.0e6, 3.9e6),
        velocity_mps=(1500.0, -300.0, 900.0),
        covariance=cov,
        phase="coast",
        quality=0.9,
    )


def _event(k: int, now_ns: int) -> Payload:
    launch = f"KOR-B-L{k // 10}"
    if k % 10 == 0:
        return LaunchEvent(
            launch_id=launch,
            launch_time_ns=now_ns,
            lat_deg=39.2,
            lon_deg=125.67,
            point_sigma_m=900.0,
        )
    return ImpactPrediction(
        launch_id=launch,
        update=k % 10,
        lat_deg=40.5,
        lon_deg=134.0,
        major_m=20_000.0,
        minor_m=8_000.0,
        azimuth_deg=80.0,
        impact_time_ns=now_ns + 400 * 10**9,
        confidence=0.95,
    )


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(values), q)), 3) if values else float("nan")


def latency_ms(latencies: list[float]) -> dict[str, float]:
    """The percentiles every bench row reports."""
    return {
        "p50": pct(latencies, 50),
        "p99": pct(latencies, 99),
        "p999": pct(latencies, 99.9),
        "max": pct(latencies, 100),
    }


def row_head(spec: RunSpec, duration_s: float, latencies: list[float]) -> dict[str, Any]:
    """The first fields of every bench row: what was run, and the event latencies."""
    return {
        "route": spec.route,
        "rate_per_s": spec.rate_per_s,
        "outage_s": spec.outage_s,
        "gsomia_switch_s": spec.switch_s,
        "seconds": round(duration_s, 1),
        "warmup_s": spec.warmup_s,
        "latency_samples": len(latencies),
        "event_rate_per_s": spec.event_rate,
        "latency_ms": latency_ms(latencies),
    }


async def run_once(spec: RunSpec, root: Path) -> dict[str, Any]:
    """Run one spec in ``root`` and return its result row."""
    leg = ROUTES.get(spec.route, "d")
    agreements = root / "agreements"
    book = AgreementBook(state_dir=agreements)
    if leg == "r":
        book.set_state("GSOMIA", "suspended", by="bench", reason="hub route")
    layout = make_layout(root / "fabric", root / "keys", direct_enabled=(leg == "d"))
    fab = LocalFabric(root / "fabric", layout)
    await asyncio.to_thread(fab.start)
    delivered: dict[str, int] = {}
    deliveries = 0
    latencies: list[float] = []
    measure_from_ns = 2**63

    def on_event(env: Envelope, route: str, now: int) -> None:
        nonlocal deliveries
        if env.origin != "KOR":
            return
        deliveries += 1
        if env.msg_id in delivered:
            return
        delivered[env.msg_id] = now
        if env.created_ns >= measure_from_ns:
            latencies.append((now - env.created_ns) / 1e6)

    nodes: dict[str, Node] = {}
    load_before = os.getloadavg()[0]
    try:
        for nation in ("USA", "KOR", "JPN"):
            cfg = NodeConfig(
                nation=nation,
                url=layout.url(nation),
                password=layout.passwords[f"{nation}.node"],
                keys_dir=str(root / "keys"),
                agreements_dir=str(agreements),
                store=str(root / f"{nation}.sqlite"),
                heartbeat_s=1.0,
            )
            node = Node(cfg, on_event=on_event if nation == "JPN" else None)
            await node.start()
            nodes[nation] = node
        kor, jpn = nodes["KOR"], nodes["JPN"]
        rng = random.Random(spec.seed)
        sent_events: list[str] = []
        reports = 0
        loop = asyncio.get_running_loop()
        duration = spec.duration_s
        outage_task: asyncio.Task[None] | None = None

        async def outage() -> None:
            await asyncio.sleep(spec.warmup_s + spec.outage_at_s)
            await asyncio.to_thread(fab.kill, "USA")
            await asyncio.sleep(spec.outage_s)
            await asyncio.to_thread(fab.restart, "USA")

        async def switch() -> None:
            await asyncio.sleep(spec.warmup_s + spec.outage_at_s)
            book.set_state("GSOMIA", "suspended", by="bench", reason="switch run")
            await asyncio.to_thread(fab.set_direct, False)
            await asyncio.sleep(spec.switch_s)
            book.set_state("GSOMIA", "in_force", by="bench", reason="switch run")
            await asyncio.to_thread(fab.set_direct, True)

        if spec.outage_s:
            outage_task = loop.create_task(outage())
        elif spec.switch_s:
            outage_task = loop.create_task(switch())
        start = loop.time()
        measure_from_ns = time.time_ns() + int(spec.warmup_s * 1e9)
        k = 0
        while (elapsed := loop.time() - start) < duration:
            now = time.time_ns()
            due = int(elapsed * spec.rate_per_s)
            while reports < due:
                await kor.share(Outgoing(_track(rng, reports, now), "SECRET", REL_ALL, "exercise"))
                reports += 1
            while k < int(elapsed * spec.event_rate):
                outs = await kor.share(Outgoing(_event(k, now), "SECRET", REL_ALL, "exercise"))
                sent_events += [o.envelope.msg_id for o in outs if o.dest == "JPN"]
                k += 1
            await asyncio.sleep(0.005)
        if outage_task is not None:
            await outage_task
            await asyncio.to_thread(fab.wait_links, 30.0)
        await kor.drain(120.0)
        await nodes["USA"].drain(120.0)
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline and len(delivered) < len(set(sent_events)):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # let any late duplicate show up
        expected = set(sent_events)
        routes = {r[4] for r in jpn.store.events("KOR")}
        return {
            **row_head(spec, duration, latencies),
            "sent": len(expected),
            "delivered": len(set(delivered) & expected),
            "lost": len(expected - set(delivered)),
            "duplicated": deliveries - len(delivered),
            "duplicates_dropped_by_node": jpn.counters["duplicates_dropped"],
            "acked_as_duplicate_by_stream": kor.counters["acked_duplicate"]
            + nodes["USA"].counters["acked_duplicate"],
            "routes_seen": sorted(routes),
            "track_reports_sent": reports,
            "track_reports_received": jpn.counters["received_reports"],
            "track_reports_lost": max(0, reports - jpn.counters["received_reports"]),
            "publish_retries": kor.counters["publish_retries"]
            + nodes["USA"].counters["publish_retries"],
            # Other work on the machine shows up in latency; record it with the figures.
            "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "cpus": os.cpu_count(),
        }
    finally:
        for node in nodes.values():
            await node.stop()
        await asyncio.to_thread(fab.stop)


def run_bench(
    specs: list[RunSpec], keep: Path | None = None, processes: bool = True
) -> dict[str, Any]:
    """Run the specs one after another; each in its own fresh fabric."""
    from trilink.bench.fabric_worker import run_once_processes

    runs = []
    for i, spec in enumerate(specs):
        with tempfile.TemporaryDirectory(prefix="trilink-bench-") as tmp:
            root = keep / f"run{i}" if keep else Path(tmp)
            root.mkdir(parents=True, exist_ok=True)
            if processes:
                runs.append(run_once_processes(spec, root))
            else:
                runs.append(asyncio.run(run_once(spec, root)))
    plain = [r for r in runs if not (r["outage_s"] or r["gsomia_switch_s"] or "flood" in r)]
    by = {(r["route"], r["rate_per_s"]): r for r in plain}
    overhead = {}
    for (route, rate), row in by.items():
        direct = by.get(("KOR->JPN", rate))
        if route == "KOR->USA->JPN" and direct is not None:
            overhead[str(int(rate))] = round(
                row["latency_ms"]["p99"] - direct["latency_ms"]["p99"], 3
            )
    return {
        "bench": "fabric",
        "note": "loopback, three nats-servers with TLS leaf links, "
        + ("one process per node" if processes else "three nodes in one process"),
        "runs": runs,
        "relay_overhead_p99_ms": overhead,
    }


@click.command("fabric")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--rates", default="1000,5000", show_default=True, help="Track reports per second.")
@click.option("--seconds", type=float, default=10.0, show_default=True, help="Per run.")
@click.option("--event-rate", type=float, default=50.0, show_default=True, help="Events/s.")
@click.option("--outage-s", type=float, default=30.0, show_default=True, help="0: no outage run.")
@click.option("--outage-rate", type=float, default=5000.0, show_default=True)
@click.option(
    "--switch-s", type=float, default=3.0, show_default=True, help="0: no GSOMIA switch run."
)
@click.option("--switch-rate", type=float, default=1000.0, show_default=True)
@click.option("--flood-s", type=float, default=10.0, show_default=True, help="0: no flood run.")
@click.option(
    "--flood-rate",
    type=float,
    default=1000.0,
    show_default=True,
    help="Real reports/s during the flood.",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--warmup-s", type=float, default=2.0, show_default=True, help="Not in the percentiles."
)
@click.option(
    "--keep", type=click.Path(file_okay=False, path_type=Path), help="Keep run dirs here."
)
@click.option(
    "--in-process", is_flag=True, help="Run the three nodes in this process (one event loop)."
)
def fabric(
    as_json: bool,
    rates: str,
    seconds: float,
    event_rate: float,
    outage_s: float,
    outage_rate: float,
    switch_s: float,
    switch_rate: float,
    flood_s: float,
    flood_rate: float,
    seed: int,
    warmup_s: float,
    keep: Path | None,
    in_process: bool,
) -> None:
    """KOR->USA->JPN and KOR->JPN event latency and loss, with a hub outage, a GSOMIA switch and
    a flood."""
    logging.getLogger("nats").setLevel(logging.CRITICAL)
    try:
        rate_list = [float(r) for r in rates.split(",") if r.strip()]
    except ValueError:
        raise click.BadParameter(f"--rates {rates!r}: expected numbers like 1000,5000") from None
    specs = [
        RunSpec(route, rate, seconds, event_rate, seed=seed, warmup_s=warmup_s)
        for rate in rate_list
        for route in ROUTES
    ]
    if outage_s > 0:
        specs.append(
            RunSpec(
                "KOR->USA->JPN",
                outage_rate,
                seconds,
                event_rate,
                outage_s=outage_s,
                seed=seed,
                warmup_s=warmup_s,
            )
        )
    if switch_s > 0:
        specs.append(
            RunSpec(
                "KOR->JPN",
                switch_rate,
                seconds,
                event_rate,
                switch_s=switch_s,
                seed=seed,
                warmup_s=warmup_s,
            )
        )
    flood_given = click.get_current_context().get_parameter_source("flood_s")
    if in_process and flood_s > 0 and flood_given is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError("the flood run needs a process per node (drop --in-process)")
    if flood_s > 0 and not in_process:  # the flooder is a process of its own
        specs.append(
            RunSpec(
                FLOOD_ROUTE,
                flood_rate,
                seconds,
                event_rate,
                flood_s=flood_s,
                seed=seed,
                warmup_s=warmup_s,
            )
        )
    result = run_bench(specs, keep, processes=not in_process)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    for r in result["runs"]:
        lat = r["latency_ms"]
        click.echo(
            f"{r['route']:14} {r['rate_per_s']:>6.0f}/s outage {r['outage_s']:>4.0f}s "
            f"switch {r['gsomia_switch_s']:>3.0f}s  "
            f"p50 {lat['p50']:8.2f} p99 {lat['p99']:8.2f} p99.9 {lat['p999']:8.2f} ms  "
            f"sent {r['sent']} delivered {r['delivered']} lost {r['lost']} dup {r['duplicated']} "
            f"reports lost {r['track_reports_lost']}"
        )
        if "flood" in r:
            f = r["flood"]
            click.echo(
                f"  flood {f['sent']} in {f['seconds']:.0f}s: refused {f['refused_bad_signature']}"
                f" discarded {f['discarded_over_stream_limit']}"
                f" unaccounted {f['unaccounted']}; real reports p99"
                f" {r['track_report_latency_ms']['p99']:.1f} ms"
            )
    click.echo(f"relay overhead p99 (ms): {result['relay_overhead_p99_ms']}")
