"""Library scenarios (trilink.scenarios + trilink.sensors: 16-17 national sensors with biases,
clutter, space IR) through the tracker and the assessor."""

from __future__ import annotations

import numpy as np
import pytest

from trilink.assess.assessor import assess
from trilink.geo import geodesic_inverse
from trilink.scenarios.model import load_scenario
from trilink.scenarios.run import ScenarioRun, run_scenario
from trilink.tracking.metrics import TrackerRun, run_tracker
from trilink.tracking.plots import from_sensor_plots


def _run(name: str) -> tuple[ScenarioRun, TrackerRun]:
    run = run_scenario(load_scenario(name))
    plots = from_sensor_plots(run.plots)
    tracker, scores, sets = run_tracker(run.trajectories, plots)
    truth = np.asarray(run.plots.truth)
    return run, TrackerRun(run.trajectories, plots, truth, tracker, scores, sets)


def _check_launches(run: ScenarioRun, tr: TrackerRun, after_burnout_s: float = 120.0) -> int:
    checked = 0
    for f in run.flights:
        rv = f.plan.trajectories[0]
        t = f.launch_time + f.plan.burnout_time_s + after_burnout_s
        if t > rv.t_end - 5.0:
            continue
        ts = min(tr.sets, key=lambda s: abs(s.t - t))
        if not len(ts):
            continue
        d = np.linalg.norm(ts.x[:, 0:3] - rv.at(ts.t)[0][0], axis=1)
        k = int(np.argmin(d))
        if d[k] > 5000.0:
            continue
        a = assess(ts.subset(np.array([k])), tr.tracker.history)[0]
        assert a.cls == f.plan.missile_class, f.launch.id
        assert a.launch_lat is not None and a.launch_lon is not None and a.launch_sigma_m
        err = float(geodesic_inverse(f.lat_deg, f.lon_deg, a.launch_lat, a.launch_lon)[2])
        assert err < 3.0 * a.launch_sigma_m, (f.launch.id, err, a.launch_sigma_m)
        checked += 1
    return checked


def test_hwasong12_over_hokkaido() -> None:
    run, tr = _run("2017-08-29-hwasong12")
    assert tr.scores.confirmed_true == len(run.trajectories)  # RV and spent stage
    assert tr.scores.false_tracks == 0
    assert tr.tracker.n_rejected == 0
    assert _check_launches(run, tr) == 1


@pytest.mark.xdist_group("tracking-salvo")
def test_srbm_salvo_with_clutter() -> None:
    run, tr = _run("salvo-srbm-20")
    # every object (21 re-entry vehicles and their spent stages) gets a confirmed track
    assert tr.scores.confirmed_true == len(run.trajectories)
    assert _check_launches(run, tr) >= 15
