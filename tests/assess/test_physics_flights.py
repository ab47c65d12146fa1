"""Catalogue flights from :mod:`trilink.physics` (staged boost, US76 drag, separating boosters)
through the synthetic radars, the tracker and the assessor: every object gets a track, no false
track, the class is right and the launch point lies within its stated uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

from trilink import TrilinkError
from trilink.assess.assessor import assess
from trilink.geo import geodesic_inverse
from trilink.physics import plan_flight
from trilink.physics.flight import fly_missiles
from trilink.synthetic.flights import make_plots
from trilink.tracking.metrics import run_tracker


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


def test_batched_flights_fly_as_plan_flight_does() -> None:
    """fly_missiles (the calibration study's batch) flies each launch exactly as plan_flight
    flies it alone: RV and spent stages, same ids, same samples."""
    lat, lon, az = np.array([39.1, 38.7]), np.array([125.5, 126.1]), np.array([80.0, 100.0])
    t0 = np.array([1.7e9 + 10.0, 1.7e9 + 500.0])
    names = ["KN-23", "Hwasong-12"]
    batch = fly_missiles(lat, lon, az, t0, names, ["A", "B"])
    for i, name in enumerate(names):
        fp = plan_flight(lat[i], lon[i], az[i], t0[i], missile=name, object_id="AB"[i])
        trajs, burnout = batch[i]
        assert burnout == fp.burnout_time_s
        assert [t.object_id for t in trajs] == [t.object_id for t in fp.trajectories]
        for a, b in zip(trajs, fp.trajectories, strict=True):
            assert a.kind == b.kind and np.array_equal(a.t, b.t)
            assert np.allclose(a.ecef, b.ecef, rtol=0.0, atol=1e-6)
    # a smaller propellant load flies a shorter boost and a shorter range
    short = fly_missiles(lat[:1], lon[:1], az[:1], t0[:1], names[:1], ["S"], scale=np.array([0.8]))
    assert short[0][1] < batch[0][1]
    assert short[0][0][0].t_end < batch[0][0][0].t_end


@pytest.mark.parametrize(
    ("names", "scale", "match"),
    [
        (["Chollima-1"], None, "ballistic"),
        (["KN-23", "KN-23"], None, "one site"),
        (["KN-23"], np.array([0.0]), "scale"),
        (["KN-23"], np.array([np.nan]), "finite"),
    ],
)
def test_batched_flights_reject_bad_input(
    names: list[str], scale: np.ndarray | None, match: str
) -> None:
    one = np.array([39.0])
    with pytest.raises(TrilinkError, match=match):
        fly_missiles(one, one + 86.7, one + 51.0, one * 0.0, names, ["X"] * len(names), scale=scale)
