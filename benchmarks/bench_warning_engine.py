"""Warning engine speed: one update deciding on 100 confirmed objects (128 sampled ground tracks
each) over the rectangle areas; prints JSON with the median of 5 runs: the whole update, the
point-in-area lookup alone (the area index's cost, here the rectangles') and the engine's own
share (the difference).

Run: ``.venv/bin/python benchmarks/bench_warning_engine.py [--objects 100] [--samples 128]``.
Each run is a fresh engine (a new launch) fed the same picture, so every run decides everything.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from trilink.warning.engine import WarningEngine
from trilink.warning.picture import LaunchView, ObjectView, ThreatPicture, sample_tracks
from trilink.warning.rect_areas import RectAreas

S = 1_000_000_000
T0 = 1_700_000_000 * S


def build(n_obj: int, samples: int, seed: int = 0) -> ThreatPicture:
    """Objects of 10 launches from one site, impacts spread over Japan and the seas around."""
    rng = np.random.default_rng(seed)
    start = (39.0, 125.7)
    t_ns = T0 + 300 * S
    objs = []
    for k in range(n_obj):
        imp = (float(rng.uniform(33.0, 44.0)), float(rng.uniform(128.0, 150.0)))
        cov = np.eye(2) * float(rng.uniform(10e3, 80e3)) ** 2
        nom_lat = np.linspace(start[0] + 0.3 * (imp[0] - start[0]), imp[0], 24)
        nom_lon = np.linspace(start[1] + 0.3 * (imp[1] - start[1]), imp[1], 24)
        lat, lon, frac = sample_tracks(nom_lat, nom_lon, cov, samples=samples, seed=k)
        t_imp = T0 + 1000 * S
        objs.append(
            ObjectView(
                object_id=f"T{k:03d}",
                launch_id=f"L{k % 10}",
                role="rv",
                lat_deg=float(nom_lat[0]),
                lon_deg=float(nom_lon[0]),
                impact_lat_deg=imp[0],
                impact_lon_deg=imp[1],
                impact_cov_en_m2=cov,
                impact_ns=t_imp,
                track_lat_deg=lat,
                track_lon_deg=lon,
                track_t_ns=(t_ns + frac * (t_imp - t_ns)).astype(np.int64),
            )
        )
    launches = tuple(
        LaunchView(launch_id=f"L{j}", time_ns=T0, lat_deg=start[0], lon_deg=start[1])
        for j in range(10)
    )
    return ThreatPicture(t_ns=t_ns, status="actual", launches=launches, objects=tuple(objs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--objects", type=int, default=100)
    ap.add_argument("--samples", type=int, default=128)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    pic = build(args.objects, args.samples)
    areas = RectAreas()
    points = sum(o.track_lat_deg.size for o in pic.objects)
    lat = np.concatenate([o.track_lat_deg.ravel() for o in pic.objects])
    lon = np.concatenate([o.track_lon_deg.ravel() for o in pic.objects])
    times = []
    lookups = []
    n_alerts = 0
    for _ in range(args.runs):
        eng = WarningEngine("JPN", areas, clock=lambda: pic.t_ns, status="actual")
        t0 = time.perf_counter()
        n_alerts = len(eng.update(pic))
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        areas.warn_area_many(lat, lon)
        lookups.append(time.perf_counter() - t0)
    own = [t - u for t, u in zip(times, lookups, strict=True)]
    print(
        json.dumps(
            {
                "objects": args.objects,
                "samples_per_object": args.samples,
                "sample_points": points,
                "alerts": n_alerts,
                "runs": args.runs,
                "median_ms": round(1e3 * statistics.median(times), 2),
                "lookup_median_ms": round(1e3 * statistics.median(lookups), 2),
                "engine_median_ms": round(1e3 * statistics.median(own), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
