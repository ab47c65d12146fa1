"""``trilink bench trajectory``: propagate many flights at once and time it per object-second."""

from __future__ import annotations

import json
import time

import click
import numpy as np

from trilink.physics.catalogue import MISSILES
from trilink.physics.propagate import BoostProgram, launch_state, propagate

__all__ = ["run_trajectory_bench", "trajectory"]


def run_trajectory_bench(
    n: int = 1000, flight_s: float = 1800.0, seed: int = 1
) -> dict[str, object]:
    """Fly ``n`` seeded launches (mixed catalogue missiles, boost included) for ``flight_s``."""
    rng = np.random.default_rng(seed)
    missiles = [m for m in MISSILES.values() if m.nominal_class in ("IRBM", "ICBM")]
    chosen = [missiles[i] for i in rng.integers(0, len(missiles), n)]
    lat = rng.uniform(38.0, 41.0, n)
    lon = rng.uniform(124.5, 129.0, n)
    az = rng.uniform(0.0, 360.0, n)
    r0, v0, normal = launch_state(lat, lon, az)
    # Lofted flights (θ_end 75-85°) stay up for the whole 30 minutes.
    prog = BoostProgram.build(chosen, np.ones(n), np.radians(rng.uniform(75, 85, n)), normal)
    t0 = time.perf_counter()
    flights = propagate(r0, v0, flight_s, prog)
    wall = time.perf_counter() - t0
    object_seconds = float(sum(f.t[-1] for f in flights))
    steps = sum(len(f.t) - 1 for f in flights)
    return {
        "benchmark": "trajectory",
        "objects": n,
        "flight_s": flight_s,
        "object_seconds": round(object_seconds, 1),
        "integration_steps": steps,
        "wall_s": round(wall, 3),
        "us_per_object_second": round(1e6 * wall / object_seconds, 4),
        "faster_than_real_time": round(object_seconds / wall, 1),
        "seed": seed,
    }


@click.command()
@click.option("--objects", "n", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--flight-s", type=click.FloatRange(1.0, 10_000.0), default=1800.0, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (always JSON).")
def trajectory(n: int, flight_s: float, seed: int, as_json: bool) -> None:
    """Propagate N trajectories (boost + coast) and report time per object-second."""
    click.echo(json.dumps(run_trajectory_bench(n, flight_s, seed)))
