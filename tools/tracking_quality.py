"""Tracking quality on library scenarios: breaks, false tracks, RMSE, OSPA and NEES per scenario
(and per nation's own sensors with --nations). Scores as defined in trilink.tracking.metrics.

    .venv/bin/python tools/tracking_quality.py [--nations ALL,KOR,JPN,USA] [SCENARIO ...]
"""

from __future__ import annotations

import argparse

import numpy as np

from trilink.scenarios.model import load_scenario
from trilink.scenarios.run import run_scenario
from trilink.tracking.metrics import run_tracker
from trilink.tracking.plots import from_sensor_plots

LIBRARY = [
    "2017-08-29-hwasong12",
    "2017-11-29-hwasong15",
    "2019-10-02-pukguksong3",
    "2022-10-04-hwasong12",
    "2022-11-18-hwasong17",
    "2023-07-12-hwasong18",
    "2023-11-21-chollima1",
    "salvo-srbm-20",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", default=LIBRARY)
    ap.add_argument("--nations", default="ALL")
    a = ap.parse_args()
    for name in a.scenarios:
        run = run_scenario(load_scenario(name))
        for nat in a.nations.split(","):
            own = [i for i, s in enumerate(run.sensors) if nat in ("ALL", s.nation)]
            p = run.plots.select(np.isin(run.plots.sensor, own))
            _, s, _ = run_tracker(run.trajectories, from_sensor_plots(p), truth=np.asarray(p.truth))
            print(
                f"{name:24s} {nat:3s} objects {len(run.trajectories):2d} "
                f"tracked {s.confirmed_true:2d} breaks {s.track_breaks:2d} "
                f"false {s.false_tracks:2d} rmse_m {s.rmse_m:5.0f} ospa_m {s.ospa_m:4.0f} "
                f"NEES mean {s.nees_mean:6.1f} median {s.nees_median:4.1f} "
                f">chi2(0.99) {s.nees_over_p99:.3f} (n {s.n_nees})",
                flush=True,
            )


if __name__ == "__main__":
    main()
