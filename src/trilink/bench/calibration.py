"""Calibration study: how often the 95 % impact ellipse holds the true impact point.

Each seeded run flies one missile of a class, makes radar plots (three radars, clutter), tracks
it through the push API and assesses it at fixed times after burnout. For every report time the
fraction of runs whose true impact point lies inside the ellipse is the measured coverage (the
target band is 93–97 %). Also reported: median impact-point error and ellipse semi-major axis, per
report time — the "impact error and ellipse size vs time" table.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trilink.assess.assessor import AssessConfig, assess, impact_state
from trilink.assess.ellipse_scale import REPORT_S, scale_cov
from trilink.assess.impact import K95_2D, predict_impact, trajectory_impact
from trilink.assess.launch import launch_of
from trilink.geo import geodesic_inverse, geodetic_to_ecef
from trilink.geo.frames import enu_rotation
from trilink.physics.flight import fly_missiles
from trilink.physics.trajectory import Trajectory
from trilink.synthetic.flights import fly, make_plots, salvo
from trilink.tracking.tracker import Tracker, TrackerConfig, TrackHistory, TrackSet

__all__ = ["CHUNK", "Cell", "CalibrationResult", "calibrate", "inside_ellipse", "summarize"]

CLASSES = ("srbm", "mrbm")

#: Runs flown per batch: one propagator call flies them all, one impact prediction serves all
#: their report times. Fixed (not derived from the worker count) so that the same seed gives the
#: same bytes however many workers run the chunks.
CHUNK = 25

#: Catalogue missiles flown per class by the physics propagator, each with the range of its
#: propellant load (fraction of the catalogue's, drawn uniformly per run) that keeps every flight
#: (40° final pitch) inside the class's range band with a margin from its edges, so the assessor's
#: class is the flown one: SRBM 115–820 km, MRBM 1,280–2,660 km, IRBM 3,230–5,140 km,
#: ICBM 6,500–10,460 km (measured ranges, launch from 39° N 125.7° E towards the east).
PHYSICS_MISSILES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "SRBM": (("KN-23", 0.8, 1.0), ("KN-25", 0.8, 1.0), ("Scud-ER", 0.8, 1.0)),
    "MRBM": (("Pukguksong-3", 0.5, 0.8), ("Hwasong-12", 0.5, 0.72)),
    "IRBM": (("Hwasong-12", 0.85, 1.0), ("Hwasong-15", 0.5, 0.65)),
    "ICBM": (("Hwasong-15", 0.8, 1.0), ("Hwasong-18", 0.65, 1.0)),
}


@dataclass(frozen=True)
class _Flight:
    trajs: list[Trajectory]  # the re-entry vehicle (or single body) first
    t_launch: float
    t_burnout: float
    lat: float  # true launch point, degrees
    lon: float


def _physics_flights(cls: str, seeds: list[int]) -> list[_Flight]:
    """Catalogue flights of class ``cls``, one per seed, flown in one batch."""
    choices = PHYSICS_MISSILES[cls]
    lat, lon, az, t0, miss, scale = [], [], [], [], [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        lat.append(39.0 + float(rng.uniform(-0.6, 0.6)))
        lon.append(125.7 + float(rng.uniform(-0.6, 0.6)))
        az.append(float(rng.uniform(70.0, 110.0)))
        t0.append(1.7e9 + float(rng.uniform(0.0, 1e5)))
        name, lo, hi = choices[int(rng.integers(len(choices)))]
        miss.append(name)
        scale.append(float(rng.uniform(lo, hi)))
    flown = fly_missiles(
        np.array(lat),
        np.array(lon),
        np.array(az),
        np.array(t0),
        miss,
        [f"L{s}" for s in seeds],
        scale=np.array(scale),
    )
    return [
        _Flight(trajs, t0[i], t0[i] + bo, lat[i], lon[i]) for i, (trajs, bo) in enumerate(flown)
    ]


def _synthetic_flight(cls: str, seed: int) -> _Flight:
    launch = salvo(1, seed=seed, kind=cls)[0]
    trajs = fly([launch])
    return _Flight(trajs, launch.t0, launch.t0 + launch.burn_s, launch.lat_deg, launch.lon_deg)


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


@dataclass(frozen=True)
class Cell:
    """One run assessed at one report time."""

    run: int
    after_burnout_s: float  # the report time (key)
    since_launch_s: float
    cls: str  # the class the assessor gave
    since_burnout_est_s: float  # time since the assessor's burnout (NaN: none seen), the
    # ellipse table's argument; with ``cls`` and the z² below it lets a fit reproduce ``d2``
    true_range_km: float
    d2: float  # squared Mahalanobis distance of the truth in the calibrated covariance
    err_m: float  # impact-point error
    major_m: float  # calibrated 95 % semi-major axis
    z2_major: float  # squared error along each axis of the *uncorrected* covariance / variance
    z2_minor: float
    launch_err_m: float  # NaN when the assessor gave no launch point
    launch_sigma_m: float
    launch_t_err_s: float
    launch_t_sigma_s: float
    launch_from_alt_km: float  # height of the state the launch point was flown back from
    launch_back_m: float  # horizontal distance flown back
    launch_sigma_state_m: float  # the track state's part of the stated σ

    @property
    def hit(self) -> bool:
        return self.d2 <= _K95

    @property
    def launch_hit(self) -> bool:
        return self.launch_err_m <= K95_2D * self.launch_sigma_m


_K95 = -2.0 * math.log(0.05)


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
    #: fraction of runs whose true launch point lies inside the stated 95 % launch circle
    launch_coverage: list[float] = field(default_factory=list)
    median_launch_err_m: list[float] = field(default_factory=list)
    median_launch_sigma_m: list[float] = field(default_factory=list)
    #: per report time, per run: (z²_major, z²_minor) of the *uncorrected* impact covariance,
    #: what :func:`trilink.assess.ellipse_scale.fit_scales` fits the correction from
    samples: dict[float, list[tuple[float, float]]] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)

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
                    "launch_coverage": round(lc, 4),
                    "median_launch_err_m": round(le, 1),
                    "median_launch_sigma_m": round(ls, 1),
                }
                for s, tl, n, c, e, m, d, lc, le, ls in zip(
                    self.report_s,
                    self.t_since_launch_s,
                    self.n,
                    self.coverage,
                    self.median_err_m,
                    self.median_major_m,
                    self.mean_d2,
                    self.launch_coverage,
                    self.median_launch_err_m,
                    self.median_launch_sigma_m,
                    strict=True,
                )
            ],
        }


@dataclass
class _Pending:
    run: int
    key: float
    t: float
    sub: TrackSet
    hists: dict[int, TrackHistory]
    flight: _Flight
    truth: tuple[float, float]


def _snapshot(h: TrackHistory) -> TrackHistory:
    # the tracker keeps appending to its history: freeze what the assessor saw at this time
    return TrackHistory(list(h.t), list(h.x), list(h.P), list(h.mu_boost), h.confirmed_at)


def _run_chunk(
    cls: str,
    seed: int,
    runs: range,
    report_s: tuple[float, ...],
    config: AssessConfig | None,
    tracker_config: TrackerConfig | None,
) -> list[Cell]:
    """Fly, track and assess runs ``runs``; one batched impact prediction for all of them."""
    cfg = config or AssessConfig()
    seeds = [seed * 100_003 + run for run in runs]
    if cls.upper() in PHYSICS_MISSILES:
        flights = _physics_flights(cls.upper(), seeds)
    else:
        flights = [_synthetic_flight(cls, s) for s in seeds]
    pending: list[_Pending] = []
    for run, rseed, fl in zip(runs, seeds, flights, strict=True):
        traj = fl.trajs[0]  # the re-entry vehicle (or the single body)
        times = sorted(fl.t_burnout + s for s in report_s if fl.t_burnout + s < traj.t_end - 5.0)
        if not times:
            continue
        # plots only up to the last report time: nothing later is ever fed to the tracker
        plots, _ = make_plots(fl.trajs, seed=rseed + 7, t_end=times[-1] + 1.0)
        truth = trajectory_impact(traj)[0:2]
        tracker = Tracker(tracker_config)
        prev = 0
        # Fed in 1-s batches as in operation: the per-track history (launch point, burnout, so
        # class and time after burnout) is recorded per update, not per scan.
        t_first = float(plots.t[0]) if len(plots.t) else fl.t_launch
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
            s = round(tr_t - fl.t_burnout, 6)
            key = min(report_s, key=lambda r: abs(r - s))
            hists = {tid: _snapshot(h) for tid, h in tracker.history.items()}
            pending.append(_Pending(run, key, tr_t, sub, hists, fl, truth))
    if not pending:
        return []
    states = [impact_state(p.sub, cfg) for p in pending]
    imp = predict_impact(
        np.array([p.t for p in pending]),
        np.concatenate([x for x, _ in states]),
        np.concatenate([P for _, P in states]),
        cfg.beta,
        cfg.log_beta_sigma,
        ground_track=False,
    )
    cells: list[Cell] = []
    for j, pd in enumerate(pending):
        one = imp.subset(np.array([j]))
        a = assess(pd.sub, pd.hists, cfg, impact=one)[0]
        if a.impact_lat is None or a.impact_lon is None or a.ellipse_major_m is None:
            continue
        raw = one.cov_en[0]
        cov = raw
        after_bo = pd.t - a.burnout_t if a.burnout_t is not None else None
        if cfg.calibrated_ellipse:
            cov = scale_cov(raw, a.cls, after_bo)
        tlat, tlon = pd.truth
        w, v = np.linalg.eigh(raw)
        en = _en(tlat, tlon, a.impact_lat, a.impact_lon)
        le = launch_of(int(pd.sub.ids[0]), pd.hists)  # what assess() reported, with its parts
        if le is not None and le.sigma_m > 0.0:
            l_err = _dist(pd.flight.lat, pd.flight.lon, le.lat, le.lon)
            l_sig, lt_err, lt_sig = le.sigma_m, abs(le.t - pd.flight.t_launch), le.t_sigma_s
            l_alt, l_back, l_state = le.from_alt_km, le.back_m, le.sigma_state_m
        else:
            l_err = l_sig = lt_err = lt_sig = l_alt = l_back = l_state = math.nan
        cells.append(
            Cell(
                run=pd.run,
                after_burnout_s=pd.key,
                since_launch_s=pd.t - pd.flight.t_launch,
                cls=a.cls,
                since_burnout_est_s=math.nan if after_bo is None else after_bo,
                true_range_km=_dist(pd.flight.lat, pd.flight.lon, tlat, tlon) / 1e3,
                d2=inside_ellipse(tlat, tlon, a.impact_lat, a.impact_lon, cov),
                err_m=_dist(tlat, tlon, a.impact_lat, a.impact_lon),
                major_m=a.ellipse_major_m,
                z2_major=float((en @ v[:, 1]) ** 2 / w[1]),
                z2_minor=float((en @ v[:, 0]) ** 2 / w[0]),
                launch_err_m=l_err,
                launch_sigma_m=l_sig,
                launch_t_err_s=lt_err,
                launch_t_sigma_s=lt_sig,
                launch_from_alt_km=l_alt,
                launch_back_m=l_back,
                launch_sigma_state_m=l_state,
            )
        )
    return cells


def calibrate(
    cls: str = "srbm",
    runs: int = 200,
    seed: int = 0,
    report_s: tuple[float, ...] | None = None,
    config: AssessConfig | None = None,
    tracker_config: TrackerConfig | None = None,
    workers: int = 1,
) -> CalibrationResult:
    """Run ``runs`` seeded single-missile flights of class ``cls`` and measure coverage.

    ``cls`` SRBM/MRBM/IRBM/ICBM flies catalogue missiles with the physics propagator (boosters
    separate and are tracked too); lower-case ``srbm``/``mrbm`` use the small synthetic profiles.
    ``report_s`` (seconds after burnout) defaults to the class's
    :data:`~trilink.assess.ellipse_scale.REPORT_S`. Runs are flown in fixed chunks of
    :data:`CHUNK`; ``workers`` > 1 spreads the chunks over that many processes (the result is
    the same bytes for any ``workers``).
    """
    if runs < 0 or workers < 1:
        raise ValueError(f"runs must be ≥ 0 and workers ≥ 1, got {runs} and {workers}")
    if report_s is None:
        report_s = REPORT_S.get(cls.upper(), (20.0, 60.0, 120.0, 180.0))
    chunks = [range(a, min(a + CHUNK, runs)) for a in range(0, runs, CHUNK)]
    args = [(cls, seed, c, tuple(report_s), config, tracker_config) for c in chunks]
    cells: list[Cell] = []
    if workers == 1 or len(chunks) < 2:
        for a in args:
            cells += _run_chunk(*a)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for out in pool.map(_run_chunk, *zip(*args, strict=True)):
                cells += out
    return summarize(cls, runs, tuple(report_s), cells)


def summarize(
    cls: str, runs: int, report_s: tuple[float, ...], cells: list[Cell]
) -> CalibrationResult:
    """Per report time: coverage, medians and the fit samples of ``cells``."""
    res = CalibrationResult(cls, runs, list(report_s), cells=list(cells))
    for s in report_s:
        cs = [c for c in cells if c.after_burnout_s == s]
        n = len(cs)
        res.samples[s] = [(c.z2_major, c.z2_minor) for c in cs]
        res.n.append(n)
        res.coverage.append(float(np.mean([c.hit for c in cs])) if n else math.nan)
        res.mean_d2.append(float(np.mean([c.d2 for c in cs])) if n else math.nan)
        res.median_err_m.append(float(np.median([c.err_m for c in cs])) if n else math.nan)
        res.median_major_m.append(float(np.median([c.major_m for c in cs])) if n else math.nan)
        res.t_since_launch_s.append(
            float(np.median([c.since_launch_s for c in cs])) if n else math.nan
        )
        ls = [c for c in cs if math.isfinite(c.launch_err_m)]
        res.launch_coverage.append(float(np.mean([c.launch_hit for c in ls])) if ls else math.nan)
        res.median_launch_err_m.append(
            float(np.median([c.launch_err_m for c in ls])) if ls else math.nan
        )
        res.median_launch_sigma_m.append(
            float(np.median([c.launch_sigma_m for c in ls])) if ls else math.nan
        )
    return res


def _dist(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(geodesic_inverse(lat1, lon1, lat2, lon2)[2])
