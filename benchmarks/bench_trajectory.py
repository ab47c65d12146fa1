"""Benchmark: 1,000 trajectories propagated for 30 minutes of flight; prints one JSON object."""

from __future__ import annotations

import json

from trilink.bench.trajectory import run_trajectory_bench

if __name__ == "__main__":
    print(json.dumps(run_trajectory_bench(1000, 1800.0, seed=1)))
