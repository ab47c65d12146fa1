"""Catalogue flights from :mod:`trilink.physics` (staged boost, US76 drag, separating boosters)
through the synthetic radars, the tracker and the assessor: every object gets a track, no false
track, the class is right and the launch point lies within its stated uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

from trilink.assess.assessor import assess
from trilink.geo import geodesic_inverse
from trilink.physics import plan_flight
from trilink.tracking.metrics import run_tracker
from trilink.tracking.synthetic import make_plots


@pytest.mark.parametrize("missile", ["KN-23", "Nodong", "Hwasong-12", "Hwasong-15", "Chollima-1"])
def test_catalogue_flight(missile: str) -> None:
    fp = plan_flight(39.0, 125.7, 90.0, 1.7e9, missile=missile)
    plots, _ = make_plots(fp.trajectories, seed=5, t_end=fp.launch_time + 900.0)
    tracker, scores, sets = run_tracker(fp.trajectories, plots)
    assert scores.confirmed_true == len(fp.trajectories)  # RV and every spent stage
    assert scores.false_tracks == 0
    rv = fp.trajectories[0]
    t = fp.launch_time + fp.burnout_time_s + 120.0
    ts = min(sets, key=lambda s: abs(s.t - t))
    p = rv.at(ts.t)[0][0]
    dist = np.linalg.norm(ts.x[:, 0:3] - p, axis=1)
    k = int(np.argmin(dist))
    assert dist[k] < 2000.0
    a = assess(ts.subset(np.array([k])), tracker.history)[0]
    assert a.cls == fp.missile_class
    assert a.launch_lat is not None and a.launch_lon is not None and a.launch_sigma_m
    err = float(geodesic_inverse(fp.launch_lat, fp.launch_lon, a.launch_lat, a.launch_lon)[2])
    assert err < 3.0 * a.launch_sigma_m
    assert a.launch_t is not None and a.launch_t_sigma_s
    assert abs(a.launch_t - fp.launch_time) < 3.0 * a.launch_t_sigma_s
    if fp.missile_class != "SLV":
        assert a.range_km is not None
        assert abs(a.range_km - fp.range_km) < 0.05 * fp.range_km + 20.0
