"""Calibration study: how often the 95 % impact ellipse holds the true impact point.

Each seeded run flies one missile of a class, makes radar plots (three radars, clutter), tracks
it through the push API and assesses it at fixed times after burnout. For every report time the
fraction of runs whose true impact point lies inside the ellipse is the measured coverage (the
target band is 93–97 %). Also reported: median impact-point error and ellipse semi-major axis, per
report time — the "impact error and ellipse size vs time" table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trilink.assess.assessor import AssessConfig, assess, impact_state
from trilink.assess.ellipse_scale import scale_cov
from trilink.assess.impact import predict_impact, trajectory_impact
from trilink.geo import geodesic_inverse, geodetic_to_ecef
from trilink.geo.frames import enu_rotation
from trilink.physics.trajectory import Trajectory
from trilink.tracking.synthetic import fly, make_plots, salvo
from trilink.tracking.tracker import Tracker, TrackerConfig

__all__ = ["CalibrationResult", "calibrate", "inside_ellipse"]

CLASSES = ("srbm", "mrbm")

#: Catalogue missiles flown per class when the study uses the physics propagator.
PHYSICS_MISSILES = {
    "SRBM": ("KN-23", "KN-25", "Scud-ER"),
    "MRBM": ("Nodong", "Pukguksong-3"),
    "IRBM": ("Hwasong-12",),
    "ICBM": ("Hwasong-15", "Hwasong-18"),
}


def _physics_flight(cls: str, seed: int) -> tuple[list[Trajectory], float, float]:
    """One catalogue flight of class ``cls`` (trajectories, launch time, burnout time)."""
    from trilink.physics import plan_flight

    rng = np.random.default_rng(seed)
    names = PHYSICS_MISSILES[cls]
    fp = plan_flight(
        39.0 + float(rng.uniform(-0.6, 0.6)),
        125.7 + float(rng.uniform(-0.6, 0.6)),
        float(rng.uniform(70.0, 110.0)),
        1.7e9 + float(rng.uniform(0.0, 1e5)),
        missile=names[int(rng.integers(len(names)))],
        object_id=f"L{seed}",
    )
    return list(fp.trajectories), fp.launch_time, fp.launch_time + fp.burnout_time_s


def _en(truth_lat: float, truth_lon: float, lat: float, lon: float) -> np.ndarray:
    """East/north [m] of the true impact point from the predicted one."""
    la, lo = math.radians(lat), math.radians(lon)
    d = geodetic_to_ecef(math.radians(truth_lat), math.radians(truth_lon), 0.0)
    d = d - geodetic_to_ecef(la, lo, 0.0)
    out: np.ndarray = (enu_rotation(la, lo) @ d)[0:2]
    return out


def inside_ellipse(
    truth_lat: float, truth_lon: float, lat: float, lon: float, cov_en: np.ndarray
) -> float:
    """Squared Mahalanobis distance of the true impact point from the predicted one."""
    en = _en(truth_lat, truth_lon, lat, lon)
    return float(en @ np.linalg.solve(cov_en, en))


@dataclass
class CalibrationResult:
    cls: str
    runs: int
    report_s: list[float]  # seconds after burnout
    coverage: list[float] = field(default_factory=list)  # fraction inside the 95 % ellipse
    n: list[int] = field(default_factory=list)
    median_err_m: list[float] = field(default_factory=list)
    median_major_m: list[float] = field(default_factory=list)
    t_since_launch_s: list[float] = field(default_factory=list)
    mean_d2: list[float] = field(default_factory=list)  # 2 when the covariance is right
    #: per report time, per run: (z²_major, z²_minor) of the *uncorrected* impact covariance,
    #: what :func:`trilink.assess.ellipse_scale.fit_scales` fits the correction from
    samples: dict[float, list[tuple[float, float]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "class": self.cls,
            "runs": self.runs,
            "rows": [
                {
                    "after_burnout_s": s,
                    "since_launch_s": round(tl, 1),
                    "n": n,
                    "coverage": round(c, 4),
                    "median_err_m": round(e, 1),
                    "median_ellipse_major_m": round(m, 1),
                    "mean_d2": round(d, 3),
                }
                for s, tl, n, c, e, m, d in zip(
                    self.report_s,
                    self.t_since_launch_s,
                    self.n,
                    self.coverage,
                    self.median_err_m,
                    self.median_major_m,
                    self.mean_d2,
                    strict=True,
                )
            ],
        }


def calibrate(
    cls: str = "srbm",
    runs: int = 200,
    seed: int = 0,
    report_s: tuple[float, ...] = (20.0, 60.0, 120.0, 180.0),
    config: AssessConfig | None = None,
    tracker_config: TrackerConfig | None = None,
) -> CalibrationResult:
    """Run ``runs`` seeded single-missile flights of class ``cls`` and measure coverage.

    ``cls`` SRBM/MRBM/IRBM/ICBM flies catalogue missiles with the physics propagator (boosters
    separate and are tracked too); lower-case ``srbm``/``mrbm`` use the small synthetic profiles.
    """
    res = CalibrationResult(cls, runs, list(report_s))
    d2s: dict[float, list[float]] = {s: [] for s in report_s}
    hits: dict[float, list[bool]] = {s: [] for s in report_s}
    errs: dict[float, list[float]] = {s: [] for s in report_s}
    majors: dict[float, list[float]] = {s: [] for s in report_s}
    since: dict[float, list[float]] = {s: [] for s in report_s}
    for run in range(runs):
        if cls.upper() in PHYSICS_MISSILES:
            trajs, t_launch, t_bo = _physics_flight(cls.upper(), seed * 100_003 + run)
        else:
            launch = salvo(1, seed=seed * 100_003 + run, kind=cls)[0]
            trajs = fly([launch])
            t_launch, t_bo = launch.t0, launch.t0 + launch.burn_s
        traj = trajs[0]  # the re-entry vehicle (or the single body)
        plots, _ = make_plots(trajs, seed=seed * 100_003 + run + 7)
        truth = trajectory_impact(traj)[0:2]
        times = sorted(t_bo + s for s in report_s if t_bo + s < traj.t_end - 5.0)
        tracker = Tracker(tracker_config)
        prev = 0
        # Fed in 1-s batches as in operation: the per-track history (launch point, burnout, so
        # class and time after burnout) is recorded per update, not per scan.
        t_first = float(plots.t[0]) if len(plots.t) else t_launch
        for tr_t in times:
            for e in [*np.arange(t_first, tr_t, 1.0)[1:], tr_t]:
                i = int(np.searchsorted(plots.t, e, side="right"))
                ts = tracker.update(float(e), plots.select(np.arange(prev, i)))
                prev = i
            t_first = tr_t
            if len(ts) == 0:
                continue
            # the track on the re-entry vehicle (nearest the truth, within 5 km)
            p = traj.at(tr_t)[0][0]
            dist = np.linalg.norm(ts.x[:, 0:3] - p, axis=1)
            k = int(np.argmin(dist))
            if dist[k] > 5000.0:
                continue
            sub = ts.subset(np.array([k]))
            a = assess(sub, tracker.history, config)[0]
            if a.impact_lat is None or a.impact_lon is None or a.ellipse_major_m is None:
                continue
            xs, Ps = impact_state(sub, config or AssessConfig())
            imp = predict_impact(sub.t, xs, Ps, *(_beta(config)))
            raw = imp.cov_en[0]
            cov = raw
            if (config or AssessConfig()).calibrated_ellipse:
                after_bo = sub.t - a.burnout_t if a.burnout_t is not None else None
                cov = scale_cov(raw, a.cls, after_bo)
            d2 = inside_ellipse(truth[0], truth[1], a.impact_lat, a.impact_lon, cov)
            s = round(tr_t - t_bo, 6)
            key = min(report_s, key=lambda r: abs(r - s))
            w, v = np.linalg.eigh(raw)
            en = _en(truth[0], truth[1], a.impact_lat, a.impact_lon)
            res.samples.setdefault(key, []).append(
                (float((en @ v[:, 1]) ** 2 / w[1]), float((en @ v[:, 0]) ** 2 / w[0]))
            )
            hits[key].append(d2 <= -2.0 * math.log(0.05))
            d2s[key].append(d2)
            errs[key].append(_dist(truth[0], truth[1], a.impact_lat, a.impact_lon))
            majors[key].append(a.ellipse_major_m)
            since[key].append(tr_t - t_launch)
    for s in report_s:
        n = len(hits[s])
        res.n.append(n)
        res.coverage.append(float(np.mean(hits[s])) if n else math.nan)
        res.mean_d2.append(float(np.mean(d2s[s])) if n else math.nan)
        res.median_err_m.append(float(np.median(errs[s])) if n else math.nan)
        res.median_major_m.append(float(np.median(majors[s])) if n else math.nan)
        res.t_since_launch_s.append(float(np.median(since[s])) if n else math.nan)
    return res


def _beta(config: AssessConfig | None) -> tuple[float, float]:
    c = config or AssessConfig()
    return c.beta, c.log_beta_sigma


def _dist(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(geodesic_inverse(lat1, lon1, lat2, lon2)[2])
