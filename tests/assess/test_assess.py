"""The assessor: impact prediction through the full dynamics, ellipse geometry, launch point,
class, SLV detection, and a reduced calibration run (the full study is marked slow)."""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np
import pytest

from trilink.assess.assessor import AssessConfig, assess, classify_range, impact_state
from trilink.assess.ellipse_scale import (
    ELLIPSE_SCALE,
    MINOR_SCALE,
    REPORT_S,
    FitSample,
    applied_factors,
    fit_scales,
    refine_scales,
    scale_cov,
)
from trilink.assess.impact import (
    ImpactPrediction,
    ellipse_from_cov,
    is_orbital,
    predict_impact,
    trajectory_impact,
)
from trilink.bench.calibration import calibrate
from trilink.geo import geodesic_direct, geodesic_inverse, geodetic_to_ecef
from trilink.geo.frames import enu_rotation
from trilink.synthetic.flights import Launch
from trilink.tracking.metrics import TrackerRun
from trilink.tracking.tracker import TrackSet


def _truth_for(run: TrackerRun, ts: TrackSet, k: int) -> int:
    d = [
        np.linalg.norm(tr.at(ts.t)[0][0] - ts.x[k, 0:3]) if tr.t_start <= ts.t <= tr.t_end else 1e12
        for tr in run.trajs
    ]
    return int(np.argmin(np.array(d, dtype=float)))


def test_flying_the_true_state_lands_on_the_true_impact_point(tracked: TrackerRun) -> None:
    tr = tracked.trajs[0]
    t = tr.t_start + 150.0
    p, v, _, _ = tr.at(t)
    x = np.concatenate([p, v], axis=1)
    imp = predict_impact(t, x, np.tile(np.eye(6) * 1e-6, (1, 1, 1)))
    lat, lon, t_imp = trajectory_impact(tr)
    err = float(geodesic_inverse(lat, lon, imp.impact_lat[0], imp.impact_lon[0])[2])
    assert err < 30.0
    assert abs(imp.impact_t[0] - t_imp) < 0.5
    assert not imp.orbital[0]
    gt = imp.ground_track[0]
    assert len(gt) > 5
    assert float(geodesic_inverse(gt[-1, 0], gt[-1, 1], lat, lon)[2]) < 50.0


def test_ellipse_axes_and_azimuth() -> None:
    # major axis along north-east (45°), σ 1000 m and 200 m
    th = math.radians(45.0)
    R = np.array([[math.sin(th), math.cos(th)], [math.cos(th), -math.sin(th)]])
    cov = R @ np.diag([1000.0**2, 200.0**2]) @ R.T
    major, minor, az = ellipse_from_cov(cov[None])
    assert math.isclose(major[0], 2.4477 * 1000.0, rel_tol=1e-3)
    assert math.isclose(minor[0], 2.4477 * 200.0, rel_tol=1e-3)
    assert math.isclose(az[0], 45.0, abs_tol=1e-6)


def test_orbit_detection() -> None:
    lat, lon = math.radians(40.0), math.radians(125.0)
    r = geodetic_to_ecef(lat, lon, 300e3)
    east = enu_rotation(lat, lon)[0]
    # inertial circular speed at 300 km minus the Earth-fixed frame's speed there
    v_orbit = math.sqrt(3.986004418e14 / np.linalg.norm(r))
    v_frame = 7.292115e-5 * math.hypot(r[0], r[1])
    x = np.concatenate([r, (v_orbit - v_frame) * east])[None]
    assert is_orbital(x)[0]
    x2 = x.copy()
    x2[0, 3:6] *= 0.6
    assert not is_orbital(x2)[0]


def test_classification_by_range() -> None:
    assert classify_range(300) == "SRBM"
    assert classify_range(1200) == "MRBM"
    assert classify_range(4000) == "IRBM"
    assert classify_range(9000) == "ICBM"
    assert classify_range(math.nan) == "unknown"


def _at_range(imp: ImpactPrediction, lat: float, lon: float, range_km: float) -> ImpactPrediction:
    """``imp`` (one track) with its impact point moved ``range_km`` east of (lat, lon)."""
    la, lo = geodesic_direct(lat, lon, 90.0, range_km * 1e3)
    return dataclasses.replace(imp, impact_lat=np.array([la]), impact_lon=np.array([lo]))


@pytest.mark.parametrize(
    ("below", "bound", "above"),
    [("SRBM", 1000.0, "MRBM"), ("MRBM", 3000.0, "IRBM"), ("IRBM", 5500.0, "ICBM")],
)
def test_assessed_class_boundaries_on_a_tracked_missile(
    tracked: TrackerRun, below: str, bound: float, above: str
) -> None:
    """A real track's assessment, its predicted impact point moved 1 km either side of a class
    boundary: the class flips there. The track's burnout is hidden (P(boost) history zeroed), so
    the class follows the predicted range alone."""
    ts = next(s for s in reversed(tracked.sets) if len(s))
    one = ts.subset(np.array([0]))
    tid = int(one.ids[0])
    h = tracked.tracker.history[tid]
    hist = {tid: dataclasses.replace(h, mu_boost=[0.0] * len(h.mu_boost))}
    imp = predict_impact(one.t, *impact_state(one, AssessConfig()), log_beta_sigma=0.3)
    first = assess(one, hist, impact=imp)[0]
    assert first.burnout_t is None and first.energy_range_km is None
    assert first.launch_lat is not None and first.launch_lon is not None
    for d, want in ((bound - 1.0, below), (bound + 1.0, above)):
        moved = _at_range(imp, first.launch_lat, first.launch_lon, d)
        a = assess(one, hist, impact=moved)[0]
        assert a.range_km == pytest.approx(d, abs=1e-3)
        assert a.cls == want, (d, a.cls)


def test_assessed_class_follows_the_burnout_speed_of_a_short_shot(tracked: TrackerRun) -> None:
    """With its burnout seen, a track whose impact is predicted short (a lofted shot) keeps the
    class of its burnout speed's minimum-energy range."""
    ts = next(s for s in reversed(tracked.sets) if len(s))
    one = ts.subset(np.array([0]))
    imp = predict_impact(one.t, *impact_state(one, AssessConfig()), log_beta_sigma=0.3)
    real = assess(one, tracked.tracker.history, impact=imp)[0]
    assert real.energy_range_km is not None and real.launch_lat is not None
    assert real.launch_lon is not None
    short = _at_range(imp, real.launch_lat, real.launch_lon, 100.0)
    a = assess(one, tracked.tracker.history, impact=short)[0]
    assert a.range_km == pytest.approx(100.0, abs=1e-3)
    assert a.cls == classify_range(real.energy_range_km) != "SRBM"


def test_assessment_of_a_tracked_salvo(tracked: TrackerRun, launches: list[Launch]) -> None:
    # after burnout of every missile, mid-course
    t_mid = max(lc.t0 + lc.burn_s for lc in launches) + 60.0
    ts = min(tracked.sets, key=lambda s: abs(s.t - t_mid))
    assert len(ts) == 3
    out = assess(ts, tracked.tracker.history)
    assert len(out) == 3
    for k, a in enumerate(out):
        j = _truth_for(tracked, ts, k)
        lc, tr = launches[j], tracked.trajs[j]
        rec = a.record()
        for key in [
            "launch_lat",
            "launch_lon",
            "launch_t",
            "class",
            "apogee_km",
            "range_km",
            "impact_lat",
            "impact_lon",
            "impact_t",
            "ellipse_major_m",
            "ellipse_minor_m",
            "ellipse_azimuth_deg",
        ]:
            assert rec[key] is not None, key
        # launch point within its stated uncertainty (3 σ circular)
        assert a.launch_lat is not None and a.launch_lon is not None and a.launch_t is not None
        assert a.launch_sigma_m is not None and a.launch_t_sigma_s is not None
        d = float(geodesic_inverse(lc.lat_deg, lc.lon_deg, a.launch_lat, a.launch_lon)[2])
        assert d < 3.0 * a.launch_sigma_m
        assert abs(a.launch_t - lc.t0) < 3.0 * a.launch_t_sigma_s
        # class from range; truth range from the true launch and impact points
        tlat, tlon, timp = trajectory_impact(tr)
        true_range = float(geodesic_inverse(lc.lat_deg, lc.lon_deg, tlat, tlon)[2]) / 1000.0
        assert a.cls == classify_range(true_range)
        assert a.range_km is not None and abs(a.range_km - true_range) < 0.05 * true_range
        # impact inside 3x the 95 % ellipse, time within 4 σ + 1 s
        assert a.impact_lat is not None and a.impact_lon is not None
        err = float(geodesic_inverse(tlat, tlon, a.impact_lat, a.impact_lon)[2])
        assert a.ellipse_major_m is not None and err < 3.0 * a.ellipse_major_m
        assert a.impact_t is not None and a.impact_t_sigma_s is not None
        assert abs(a.impact_t - timp) < 4.0 * a.impact_t_sigma_s + 1.0
        assert a.burnout_t is not None and abs(a.burnout_t - (lc.t0 + lc.burn_s)) < 15.0
        true_apogee = float(np.max(np.linalg.norm(tr.ecef, axis=1)) - 6.37e6) / 1000.0
        assert abs(a.apogee_km - true_apogee) < 0.1 * true_apogee + 30


def test_slv_is_classified_as_such(tracked: TrackerRun) -> None:
    ts = next(s for s in tracked.sets if len(s))
    one = ts.subset(np.array([0]))
    lat, lon = math.radians(39.0), math.radians(127.0)
    r = geodetic_to_ecef(lat, lon, 250e3)
    east = enu_rotation(lat, lon)[0]
    one.x_ballistic[0] = np.concatenate([r, 7600.0 * east])
    one.x[0, 0:6] = one.x_ballistic[0]
    a = assess(one, {}, AssessConfig())[0]
    assert a.cls == "SLV"
    assert a.impact_lat is None and a.ellipse_major_m is None


def test_calibration_reduced() -> None:
    """A reduced calibration run on catalogue SRBMs, on seeds outside the sets the ellipse table
    was fitted (seeds 1, 2) and checked (seed 3) on: the calibrated ellipse's mean squared
    Mahalanobis distance is near 2 (χ²₂); the uncorrected ellipses measured ~1.2 (too large).
    The full study is benchmarks/bench_calibration.py (and the slow test below)."""
    res = calibrate("SRBM", runs=12, seed=5)
    assert res.report_s == list(REPORT_S["SRBM"])
    assert sum(res.n) >= 40
    assert len(res.cells) == sum(res.n)
    assert all(c.cls == "SRBM" for c in res.cells)  # the flown range band is the class's
    pooled = [z for per in res.samples.values() for z in per]
    assert len(pooled) == sum(res.n)
    d2 = float(np.average(res.mean_d2, weights=res.n))
    assert 1.2 < d2 < 3.4, res.as_dict()  # 2 for a right covariance; σ of the mean ≈ 0.3
    hits = float(np.average(res.coverage, weights=res.n))
    assert hits >= 0.85, res.as_dict()
    # the launch point: measured against its stated 95 % circle
    # (check set: 93.5 % for SRBMs; ≤ 8 of 12 inside has probability ≈ 0.6 % at 93.5 %)
    assert all(c >= 0.75 for c in res.launch_coverage), res.as_dict()
    assert all(math.isfinite(c.launch_err_m) and c.launch_sigma_m > 0 for c in res.cells)


def test_calibration_is_the_same_for_any_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks are fixed by run index, not by worker: same seed, same cells, one or two workers."""
    import trilink.bench.calibration as cal

    monkeypatch.setattr(cal, "CHUNK", 3)
    one = calibrate("SRBM", runs=6, seed=4, report_s=(30.0, 90.0))
    two = calibrate("SRBM", runs=6, seed=4, report_s=(30.0, 90.0), workers=2)
    # repr: exact for floats, and equal for the NaN of a burnout nobody saw (NaN != NaN)
    assert one.cells and repr(one.cells) == repr(two.cells)
    assert [c.run for c in one.cells] == sorted(c.run for c in one.cells)
    with pytest.raises(ValueError):
        calibrate("SRBM", runs=1, workers=0)


def test_scale_cov_scales_the_axes_and_keeps_their_direction() -> None:
    c = np.array([[9.0e6, 2.0e6], [2.0e6, 2.0e6]])
    w0, v0 = np.linalg.eigh(c)
    mrbm_t, mrbm_maj, mrbm_min = REPORT_S["MRBM"], ELLIPSE_SCALE["MRBM"], MINOR_SCALE["MRBM"]
    expected = {
        ("SRBM", 60.0): (MINOR_SCALE["SRBM"][1], ELLIPSE_SCALE["SRBM"][1]),  # a node
        # between nodes the log-factor is linear in time
        ("MRBM", 200.0): (
            math.exp(np.interp(200.0, mrbm_t, np.log(mrbm_min))),
            math.exp(np.interp(200.0, mrbm_t, np.log(mrbm_maj))),
        ),
        # no class, no burnout: the largest factor of any class at any time
        ("unknown", None): (
            max(max(r) for r in MINOR_SCALE.values()),
            max(max(r) for r in ELLIPSE_SCALE.values()),
        ),
        ("SRBM", 1e4): (MINOR_SCALE["SRBM"][-1], ELLIPSE_SCALE["SRBM"][-1]),  # held after
    }
    for (cls, since), (f_min, f_maj) in expected.items():
        out = scale_cov(c, cls, since)
        w, v = np.linalg.eigh(out)
        assert abs(abs(float(v[:, 1] @ v0[:, 1])) - 1.0) < 1e-9
        assert w[0] / w0[0] == pytest.approx(f_min, rel=1e-9), (cls, since)
        assert w[1] / w0[1] == pytest.approx(f_maj, rel=1e-9), (cls, since)
    # between tabulated times the factor lies between the neighbours'
    row, times = ELLIPSE_SCALE["SRBM"], REPORT_S["SRBM"]
    mid = 0.5 * (times[1] + times[2])
    f = np.linalg.eigh(scale_cov(c, "SRBM", mid))[0][1] / w0[1]
    assert min(row[1], row[2]) - 1e-9 <= f <= max(row[1], row[2]) + 1e-9
    # at a tabulated time, exactly the table's factors
    w1 = np.linalg.eigh(scale_cov(c, "SRBM", times[0]))[0]
    assert w1[0] / w0[0] == pytest.approx(MINOR_SCALE["SRBM"][0])
    assert w1[1] / w0[1] == pytest.approx(row[0])
    # unknown class: the most cautious factor of any class at that time
    fu = np.linalg.eigh(scale_cov(c, "unknown", 20.0))[0][1] / w0[1]
    assert fu == pytest.approx(max(r[0] for r in ELLIPSE_SCALE.values()))
    nan = np.full((2, 2), np.nan)
    assert np.isnan(scale_cov(nan, "SRBM", 20.0)).all()
    for cls, r in ELLIPSE_SCALE.items():
        assert len(r) == len(REPORT_S[cls]) and all(x > 0 for x in r)
        assert len(MINOR_SCALE[cls]) == len(REPORT_S[cls])


def test_fit_scales_recovers_known_factors() -> None:
    rng = np.random.default_rng(4)
    # errors 0.5x (major) and 0.6x (minor) of the stated σ: z² variance factors 0.25 and 0.36
    n = 4000
    times = REPORT_S["MRBM"]
    samples = {
        "MRBM": {
            s: [(float(a), float(b)) for a, b in (rng.normal(0, [0.5, 0.6], (n, 2)) ** 2)]
            for s in times
        }
    }
    minor, table = fit_scales(samples)
    assert len(table["MRBM"]) == len(minor["MRBM"]) == len(times)
    for m in minor["MRBM"]:
        assert m == pytest.approx(0.36, rel=0.07)
    for f in table["MRBM"]:
        assert f == pytest.approx(0.25, rel=0.1)  # Gaussian: 95 % coverage at the true factor
    with pytest.raises(ValueError):
        fit_scales({})


def test_refine_scales_fits_the_table_as_looked_up_at_run_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The assessor's burnout lags the truth, so at run time a cell's runs get the table
    interpolated towards the earlier node: refined, every cell covers 95 % through the real
    :func:`scale_cov`; the per-cell fit alone does not where the row is steep."""
    rng = np.random.default_rng(9)
    times = REPORT_S["SRBM"]
    truth = (0.9, 0.2, 0.8, 1.0)  # steep: the true major factor drops 4.5x from 20 s to 60 s
    n = 3000
    fit: list[FitSample] = []
    for s, f in zip(times, truth, strict=True):
        z = rng.normal(0.0, [math.sqrt(f), 0.5], (n, 2)) ** 2
        lag = rng.uniform(0.0, 20.0, n)  # burnout seen up to 20 s late
        fit += [FitSample("SRBM", s, "SRBM", s - g, a, b) for (a, b), g in zip(z, lag, strict=True)]
    fit += [FitSample("SRBM", times[0], "unknown", math.nan, 1.0, 1.0)]  # no class, no burnout
    samples = {
        "SRBM": {s: [(f.z2_major, f.z2_minor) for f in fit if f.report_s == s] for s in times}
    }
    minor0, major0 = fit_scales(samples)
    minor, major = refine_scales(fit, minor0, major0)

    def coverage(mn: dict[str, tuple[float, ...]], mj: dict[str, tuple[float, ...]]) -> list[float]:
        monkeypatch.setitem(MINOR_SCALE, "SRBM", mn["SRBM"])
        monkeypatch.setitem(ELLIPSE_SCALE, "SRBM", mj["SRBM"])
        for c in ("MRBM", "IRBM", "ICBM"):  # the unknown-class run takes the max over classes
            monkeypatch.setitem(MINOR_SCALE, c, (1e-3,) * 4)
            monkeypatch.setitem(ELLIPSE_SCALE, c, (1e-3,) * 4)
        cov = np.diag([1.0e6, 4.0e6])  # minor σ 1 km east, major σ 2 km north
        out = []
        for s in times:
            hit = []
            for f in (f for f in fit if f.report_s == s):
                e = np.array([1e3 * math.sqrt(f.z2_minor), 2e3 * math.sqrt(f.z2_major)])
                since = None if math.isnan(f.est_since_burnout_s) else f.est_since_burnout_s
                cal = scale_cov(cov, f.est_cls, since)
                hit.append(float(e @ np.linalg.solve(cal, e)) <= -2.0 * math.log(0.05))
            out.append(float(np.mean(hit)))
        return out

    refined = coverage(minor, major)
    assert all(abs(c - 0.95) < 0.003 for c in refined), refined
    assert max(abs(c - 0.95) for c in coverage(minor0, major0)) > 0.01  # the lag matters
    # applied_factors is what scale_cov applies
    fmin, fmaj = applied_factors(minor, major, ["SRBM", "SRBM"], np.array([40.0, math.nan]))
    assert fmaj[0] == pytest.approx(math.sqrt(major["SRBM"][0] * major["SRBM"][1]), rel=1e-9)
    assert fmaj[1] == max(major["SRBM"]) and fmin[1] == max(minor["SRBM"])


def test_each_track_is_predicted_as_if_alone() -> None:
    """Batched impact prediction: a track's result does not depend on the other tracks flown
    with it (steps are chosen per track), so the calibration study may batch many runs."""
    lat, lon = math.radians(39.0), math.radians(128.0)
    rot = enu_rotation(lat, lon)
    xs = []
    for alt, v_up, v_e in ((60e3, 1500.0, 1800.0), (250e3, -800.0, 3000.0), (20e3, -900.0, 1200.0)):
        r = geodetic_to_ecef(lat, lon, alt)
        xs.append(np.concatenate([r, v_up * rot[2] + v_e * rot[0]]))
    x = np.array(xs)
    P = np.tile(np.diag([200.0**2] * 3 + [5.0**2] * 3), (3, 1, 1))
    both = predict_impact(np.array([10.0, 20.0, 30.0]), x, P, log_beta_sigma=0.3)
    for k in range(3):
        one = predict_impact(10.0 * (k + 1), x[k : k + 1], P[k : k + 1], log_beta_sigma=0.3)
        assert np.allclose(one.cov_en[0], both.cov_en[k], rtol=1e-9, atol=1e-6)
        assert one.impact_lat[0] == pytest.approx(both.impact_lat[k], abs=1e-9)
        assert one.impact_t[0] == pytest.approx(both.impact_t[k], abs=1e-6)
        assert len(both.ground_track[k]) > 5
    sub = both.subset(np.array([2, 0]))
    assert sub.impact_lat.tolist() == [both.impact_lat[2], both.impact_lat[0]]
    bare = predict_impact(0.0, x, P, log_beta_sigma=0.3, ground_track=False)
    assert all(len(g) == 0 for g in bare.ground_track)
    assert np.array_equal(bare.cov_en, predict_impact(0.0, x, P, log_beta_sigma=0.3).cov_en)


def test_assess_checks_a_given_impact_prediction(tracked: TrackerRun) -> None:
    ts = next(s for s in reversed(tracked.sets) if len(s) >= 2)
    imp = predict_impact(ts.t, *impact_state(ts, AssessConfig()), log_beta_sigma=0.3)
    with pytest.raises(ValueError, match="rows"):
        assess(ts, tracked.tracker.history, impact=imp.subset(np.array([0])))
    a = assess(ts, tracked.tracker.history, impact=imp)
    b = assess(ts, tracked.tracker.history)
    assert [x.record() for x in a] == [x.record() for x in b]


#: The default-run band check: SRBM runs on a seed outside the fit (1, 2) and check (3) sets.
BAND_RUNS, BAND_SEED = 300, 5


def test_calibration_band_default_run() -> None:
    """The calibration criterion at a default-run size: the calibrated 95 % ellipse holds the
    true impact point in 93.0–96.7 % of 300 SRBM runs × 4 report times, pooled.

    Band: n = 1,200 cells; with a right table each is inside with p = 0.95, so the pooled
    coverage has binomial σ = √(0.95 · 0.05 / 1200) = 0.63 points (0.66 with the correlation
    between one run's report times, measured design effect 1.1). 93.0 % is 3.0 σ below 95 %,
    96.7 % is 2.6 σ above: a right table fails with probability ≈ 0.6 %. Drift: multiplying the
    table's factors by 0.8 or 1.25 divides each d² by them; on this seed that measures 90.2 %
    and 96.8 % (95 % on 1.0 would be 94.5 %), both outside. The 1.25 case is close to the edge:
    an over-sized ellipse gains little coverage, and at this n the upper limit cannot sit lower
    without failing right tables by chance. The full study per cell is the slow test below."""
    res = calibrate("SRBM", runs=BAND_RUNS, seed=BAND_SEED)
    assert min(res.n) >= 0.95 * BAND_RUNS, res.as_dict()
    hits = sum(c.hit for c in res.cells)
    coverage = hits / len(res.cells)
    assert 0.930 <= coverage <= 0.967, (coverage, res.as_dict())


CALIB_RUNS = int(os.environ.get("TRILINK_CALIB_RUNS", "2000"))


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("TRILINK_SLOW"),
    reason="set TRILINK_SLOW=1 (≈ 7 min for 2,000 runs per class on 2 cores); "
    "TRILINK_CALIB_RUNS sets the runs per class, TRILINK_CALIB_WORKERS the processes",
)
@pytest.mark.parametrize("cls", ["SRBM", "MRBM", "IRBM", "ICBM"])
def test_calibration_full_band(cls: str) -> None:
    """The calibration criterion on the check set (seed 3; the ellipse table was fitted on
    seeds 1 and 2): at every report time the 95 % ellipse holds the true impact point in 93–97 %
    of runs."""
    workers = int(os.environ.get("TRILINK_CALIB_WORKERS", "2"))
    res = calibrate(cls, runs=CALIB_RUNS, seed=3, workers=workers)
    assert min(res.n) >= 0.95 * CALIB_RUNS, res.as_dict()
    for cov in res.coverage:
        assert 0.93 <= cov <= 0.97, res.as_dict()
