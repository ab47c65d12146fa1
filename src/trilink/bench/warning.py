"""``trilink bench warning``: from a fused-picture update to every warning message written.

The salvo-100 scenario's flights (100 launches) feed one nation's warning desk with two nations'
track reports every second (own and a partner's, each the truth plus seeded noise, so the desk
fuses pairs by covariance intersection), and launch events from the partner. Each update is
timed in its stages:

* ``fuse``: covariance intersection of own and partner reports (global assignment);
* ``predict``: impact prediction of the objects due one (every 4 s per object: the unscented
  transform through the full dynamics) and their sampled ground tracks;
* ``decide``: the alert engine on the threat picture (area odds over every sample, stages);
* ``write``: every alert rendered in en/ko/ja and written as a CAP 1.2 file.

It prints one JSON object: per stage and for the whole update the median and 99th percentile
over the updates, the decision cost per track, and the machine's load during the run.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import click
import numpy as np

__all__ = ["run_bench", "warning"]


def _pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, math.ceil(q * len(v)) - 1)]


def _summary(seconds: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(1e3 * statistics.median(seconds), 2),
        "p99_ms": round(1e3 * _pct(seconds, 0.99), 2),
    }


def run_bench(
    scenario: str = "salvo-100",
    updates: int = 40,
    start_s: float = 200.0,
    nation: str = "JPN",
    seed: int = 1,
) -> dict[str, Any]:
    """Run the benchmark (see the module docstring); returns the JSON-able result."""
    from trilink.geo.areas import AreaIndex
    from trilink.node.warnings import WarningDesk, predict_rows
    from trilink.scenarios.model import load_scenario
    from trilink.scenarios.run import fly
    from trilink.warning.cap import to_cap
    from trilink.warning.model import LANGUAGES
    from trilink.warning.texts import render
    from trilink.wire.messages import LaunchEvent, TrackReport

    scn = load_scenario(scenario)
    flights = fly(scn)
    areas = AreaIndex.default()
    partner = "KOR" if nation != "KOR" else "JPN"
    desk = WarningDesk(nation, areas, "exercise", partners=True)
    rng = np.random.default_rng(seed)
    rvs = [(f, f.plan.trajectories[0]) for f in flights]
    t_first = min(f.launch_time for f in flights)
    for i, (f, _) in enumerate(rvs):
        desk.add(
            partner,
            LaunchEvent(
                launch_id=f"L{i + 1}",
                launch_time_ns=round(f.launch_time * 1e9),
                lat_deg=f.lat_deg,
                lon_deg=f.lon_deg,
                point_sigma_m=2_000.0,
                missile_class="SRBM",
            ),
        )
    sigma_p, sigma_v = 150.0, 15.0
    cov = tuple(np.diag([sigma_p**2] * 3 + [sigma_v**2] * 3).reshape(-1).tolist())
    stages: dict[str, list[float]] = {"fuse": [], "predict": [], "decide": [], "write": []}
    total: list[float] = []
    alerts_written = 0
    tracks_per_update: list[int] = []
    out_dir = Path(tempfile.mkdtemp(prefix="trilink-bench-warning-"))
    load0 = os.getloadavg()[0]
    for k in range(updates):
        t = t_first + start_s + k
        n_tracks = 0
        for i, (_f, tr) in enumerate(rvs):
            p, v, _, valid = tr.at(t)
            if not valid[0]:
                continue
            n_tracks += 1
            for origin in (nation, partner):
                noise = rng.normal(0.0, 1.0, 6) * np.array([sigma_p] * 3 + [sigma_v] * 3)
                x = np.concatenate([p[0], v[0]]) + noise
                desk.add(
                    origin,
                    TrackReport(
                        track_id=f"{origin}-T{i:04d}",
                        time_ns=round(t * 1e9),
                        position_m=(float(x[0]), float(x[1]), float(x[2])),
                        velocity_mps=(float(x[3]), float(x[4]), float(x[5])),
                        covariance=cov,
                        phase="coast",
                        quality=0.9,
                        launch_id=f"L{i + 1}",
                    ),
                )
        tracks_per_update.append(n_tracks)
        c0 = time.perf_counter()
        due = desk.fuse(t)
        c1 = time.perf_counter()
        predict_rows([(desk, oid) for oid in due], t)
        c2 = time.perf_counter()
        alerts = desk.decide(t)
        c3 = time.perf_counter()
        for a in alerts:
            texts = [render(a, lang, "Asia/Tokyo", areas) for lang in LANGUAGES]
            polygons = {th.code: areas.geometry(th.code) for th in a.areas}
            xml = to_cap(
                a,
                texts,
                sender="trilink-jpn@bench.invalid",
                area_polygons=polygons,
                previous=desk.alerts,
            )
            (out_dir / f"{a.alert_id}.xml").write_bytes(xml)
        c4 = time.perf_counter()
        alerts_written += len(alerts)
        stages["fuse"].append(c1 - c0)
        stages["predict"].append(c2 - c1)
        stages["decide"].append(c3 - c2)
        stages["write"].append(c4 - c3)
        total.append(c4 - c0)
    n_med = statistics.median(tracks_per_update)
    ms = {
        name: {
            "p50_ms": round(1e3 * statistics.median(v), 2),
            "p99_ms": round(1e3 * _pct(v, 0.99), 2),
        }
        for name, v in stages.items()
    }
    return {
        "bench": "warning",
        "scenario": scenario,
        "nation": nation,
        "updates": updates,
        "tracks_per_update_median": n_med,
        "alerts_written": alerts_written,
        "stages": ms,
        "update_to_written": {
            "p50_ms": round(1e3 * statistics.median(total), 2),
            "p99_ms": round(1e3 * _pct(total, 0.99), 2),
        },
        "decide_per_track_ms_p50": round(
            1e3 * statistics.median(stages["decide"]) / max(n_med, 1), 3
        ),
        "load_avg_1m": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }


@click.command()
@click.option("--scenario", default="salvo-100", show_default=True)
@click.option("--updates", type=click.IntRange(1, 10_000), default=40, show_default=True)
@click.option(
    "--nation", type=click.Choice(["KOR", "USA", "JPN"]), default="JPN", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the default output too).")
def warning(scenario: str, updates: int, nation: str, as_json: bool) -> None:
    """From a fused-picture update to every warning message written (p50/p99 per stage)."""
    del as_json
    click.echo(json.dumps(run_bench(scenario, updates, nation=nation), indent=2))
