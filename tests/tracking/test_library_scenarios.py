"""Library scenarios (trilink.scenarios + trilink.sensors: 16-17 national sensors, clutter, space
IR) through the tracker and the assessor.

Scores follow :mod:`trilink.tracking.metrics` (CLEAR-MOT matching; a truth no sensor has seen for
10 s takes no new track). NEES is that of the matched tracks' 6-D position-velocity estimate
under their own covariance, after 10 s of track life: a consistent tracker has mean 6, median
5.35 and 1 % above χ²₆(0.99). The bounds below leave room for sampling (successive values are
correlated) but not for the 14-1000 means measured before JPDA and the drag term.
"""

from __future__ import annotations

import numpy as np
import pytest

from trilink.assess.assessor import assess
from trilink.geo import geodesic_inverse
from trilink.scenarios.model import load_scenario
from trilink.scenarios.run import ScenarioRun, run_scenario
from trilink.tracking.metrics import Scores, TrackerRun, run_tracker
from trilink.tracking.plots import from_sensor_plots


def _run(name: str) -> tuple[ScenarioRun, TrackerRun]:
    run = run_scenario(load_scenario(name))
    plots = from_sensor_plots(run.plots)
    truth = np.asarray(run.plots.truth)
    tracker, scores, sets = run_tracker(run.trajectories, plots, truth=truth)
    return run, TrackerRun(run.trajectories, plots, truth, tracker, scores, sets)


def _check_launches(run: ScenarioRun, tr: TrackerRun, after_burnout_s: float = 120.0) -> int:
    """Assess each launch's re-entry vehicle at the first scan ``after_burnout_s`` or more
    after burnout at which a track lies within 5 km of it (a lofted RV climbs out of every
    radar's reach for a while): class right, true launch point within 3σ of the estimate."""
    checked = 0
    for f in run.flights:
        rv = f.plan.trajectories[0]
        t0 = f.launch_time + f.plan.burnout_time_s + after_burnout_s
        for ts in tr.sets:
            if not len(ts) or not t0 <= ts.t <= rv.t_end - 5.0:
                continue
            d = np.linalg.norm(ts.x[:, 0:3] - rv.at(ts.t)[0][0], axis=1)
            k = int(np.argmin(d))
            if d[k] < 5000.0:
                break
        else:
            continue
        a = assess(ts.subset(np.array([k])), tr.tracker.history)[0]
        assert a.cls == f.plan.missile_class, (f.launch.id, a.cls, a.range_km, a.energy_range_km)
        assert a.launch_lat is not None and a.launch_lon is not None and a.launch_sigma_m
        err = float(geodesic_inverse(f.lat_deg, f.lon_deg, a.launch_lat, a.launch_lon)[2])
        assert err < 3.0 * a.launch_sigma_m, (f.launch.id, err, a.launch_sigma_m)
        checked += 1
    return checked


def _assert_consistent(s: Scores, mean_max: float = 8.0) -> None:
    assert s.n_nees > 500
    assert 1.5 < s.nees_median < 7.0, s
    assert s.nees_mean < mean_max, s
    assert s.nees_over_p99 < 0.08, s


def test_hwasong12_over_hokkaido() -> None:
    run, tr = _run("2017-08-29-hwasong12")
    s = tr.scores
    assert s.confirmed_true == len(run.trajectories)  # RV and spent stage
    assert s.track_breaks == 0 and s.false_tracks == 0
    assert tr.tracker.n_rejected == 0
    _assert_consistent(s)
    assert _check_launches(run, tr) == 1


@pytest.mark.parametrize("name", ["2019-10-02-pukguksong3", "2023-07-12-hwasong18"])
def test_closely_spaced_stages_and_reentry(name: str) -> None:
    """Pukguksong-3: RV and last stage drift apart at ~1 m/s (JPDA keeps both tracks honest);
    Hwasong-18: three stages re-entering with unknown ballistic coefficients (drag term)."""
    run, tr = _run(name)
    s = tr.scores
    assert s.confirmed_true == len(run.trajectories)
    assert s.track_breaks <= 5 and s.false_tracks <= 1, s
    _assert_consistent(s)
    # lofted: the class follows the burnout speed's minimum-energy range (MRBM, ICBM), not
    # the short range flown (450 and 1,000 km)
    assert _check_launches(run, tr, after_burnout_s=60.0) == 1


@pytest.mark.parametrize(
    "name",
    [
        "2017-11-29-hwasong15",
        "2022-10-04-hwasong12",
        "2022-11-18-hwasong17",
        "2023-11-21-chollima1",
    ],
)
def test_the_other_library_launches(name: str) -> None:
    """Every object gets a track, none false, and the launch is assessed right: class (ICBM for
    the lofted Hwasong-15/17, IRBM for the Hwasong-12 over Japan, SLV for Chollima-1 heading to
    orbit) and launch point."""
    run, tr = _run(name)
    s = tr.scores
    # Chollima-1's third stage is seen (33 plots, two radars) only while within 71 m of the
    # payload it separated from: below any radar's resolution, one track for both is right.
    assert s.confirmed_true >= _resolvable(run, tr), s
    assert s.confirmed_true >= len(run.trajectories) - (name == "2023-11-21-chollima1"), s
    # Chollima-1: one 33-s duplicate track at the second staging (measured; not yet fixed)
    assert s.false_tracks <= (name == "2023-11-21-chollima1"), s
    assert _check_launches(run, tr, after_burnout_s=60.0) == 1


def _resolvable(run: ScenarioRun, tr: TrackerRun, min_sep_m: float = 200.0) -> int:
    """Objects seen at least once while ``min_sep_m`` or more from every other object."""
    n = 0
    for k, traj in enumerate(run.trajectories):
        t = np.unique(tr.plots.t[tr.truth == k])
        if not len(t):
            continue
        p = traj.at(t)[0]
        sep = np.full(len(t), np.inf)
        for j, other in enumerate(run.trajectories):
            alive = (t >= other.t_start) & (t <= other.t_end)
            if j == k or not alive.any():
                continue
            d = np.linalg.norm(other.at(t[alive])[0] - p[alive], axis=1)
            sep[alive] = np.minimum(sep[alive], d)
        n += bool(np.any(sep >= min_sep_m))
    return n


@pytest.mark.xdist_group("tracking-salvo")
def test_srbm_salvo_with_clutter() -> None:
    run, tr = _run("salvo-srbm-20")
    s = tr.scores
    # every object (21 re-entry vehicles and their spent stages) gets a confirmed track,
    # essentially one: 6 breaks among 42 objects, against 35 before (see metrics for why)
    assert s.confirmed_true == len(run.trajectories)
    assert s.track_breaks <= 6, s
    # no false confirmed track among the clutter of 17 sensors (12 before the drag term)
    assert s.false_tracks == 0, s
    assert s.rmse_m < 400.0, s
    _assert_consistent(s)
    assert _check_launches(run, tr) == len(run.flights)


@pytest.mark.xdist_group("tracking-salvo")
def test_salvo_of_100() -> None:
    """100 launches within minutes from 17 sensors: every object (RV and stage) gets a track and
    every launch its class and launch point. Breaks and false tracks are bounded at what was
    measured (63 and 9 among 200 objects; dense staging) — a regression guard, not the goal."""
    run, tr = _run("salvo-100")
    s = tr.scores
    assert s.confirmed_true == len(run.trajectories) == 200, s
    assert s.track_breaks <= 63 and s.false_tracks <= 9, s
    _assert_consistent(s)
    assert _check_launches(run, tr, after_burnout_s=60.0) == len(run.flights) == 100
