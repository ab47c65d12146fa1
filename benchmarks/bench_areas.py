"""Throughput of ``AreaIndex.locate_many`` on 100,000 random points (120-150 E, 20-50 N).

Prints one JSON object: points per second, the median of three timed runs, after one
untimed warm-up run (which also loads the shipped data).
"""

from __future__ import annotations

import json
import statistics
import time

import numpy as np

from trilink.geo.areas import AreaIndex

__all__ = ["main"]


def main(n: int = 100_000, runs: int = 3, seed: int = 0) -> dict[str, float | int]:
    """Time ``locate_many`` and return the measured rates."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(20.0, 50.0, n)
    lon = rng.uniform(120.0, 150.0, n)
    index = AreaIndex.default()
    index.locate_many(lat[:1000], lon[:1000])
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        zone, _, _ = index.locate_many(lat, lon)
        rates.append(n / (time.perf_counter() - t0))
    shares = {z: float(np.mean(zone == z)) for z in ("land", "territorial_sea", "eez", "high_seas")}
    result: dict[str, float | int] = {
        "points": n,
        "runs": runs,
        "points_per_s_median": round(statistics.median(rates)),
        "points_per_s_min": round(min(rates)),
        **{f"share_{z}": round(v, 4) for z, v in shares.items()},
    }
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
