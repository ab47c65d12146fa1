"""The multi-target, multi-sensor tracker: IMM-EKF (ballistic / boost), gating, global
assignment, two-point M-of-N initiation, deletion, stable ids — batched over tracks.

Push API::

    tracker = Tracker()
    tracks = tracker.update(time, plots)   # plots: PlotBatch (columns); returns a TrackSet

Plots in a batch are processed in time order, one *scan* (same time, same sensor) at a time:
every track is predicted to the scan time in one batched call, the scan's plots are gated
against all tracks with the Mahalanobis distance and assigned globally
(:func:`scipy.optimize.linear_sum_assignment`, one dummy "miss" column per track), assigned
tracks are updated in one batched EKF step per model, and unassigned radar plots either pair with
a pooled plot of the same sensor into a tentative track or wait in the pool (two-point
initiation, :meth:`Tracker._initiate`). There are no per-plot or per-track Python objects on
this path.

Two backends compute the same tracks: ``numpy`` runs the steps above as batched array calls per
scan (the reference, readable path); ``numba`` (the default when Numba is installed) runs all
scans of a batch in one compiled call, :func:`trilink.tracking._kernels.run_scans`, because with
~10 plots a scan the per-call overhead of the array path, not its arithmetic, set the speed.

Why an IMM of two models: a ballistic object is well described by gravity, rotation and a
nominal drag, but while a motor burns (and, less so, while an unknown ballistic coefficient
decelerates it in re-entry) an unknown acceleration acts. The boost model estimates that
acceleration as a random walk; the IMM's mode probability tells which regime the object is in
(the ``phase`` output and burnout detection in :mod:`trilink.assess`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.stats import chi2

from trilink.geo import aer_to_ecef
from trilink.tracking import _kernels
from trilink.tracking._kernels import (
    A_PAIR,
    BIG,
    G_PAIR,
    MERGE_MIN_UPDATES,
    MERGE_STRIKES,
    PHASE_BOOST_MU,
    PHASE_REENTRY_BELOW_M,
    SITE_SLACK_M,
    SITE_SPEED_MPS,
    EngineOutput,
    PlotPool,
    ScanInput,
    TrackState,
)
from trilink.tracking.dynamics import (
    BETA_NOMINAL,
    NX,
    MotionNoise,
    air_density,
    altitude_approx,
    predict,
)
from trilink.tracking.measurement import IR, RADAR, RADAR_RR, predict_measurement, wrap_residual
from trilink.tracking.plots import KIND_IR, PlotBatch, PlotIssue, check_plots

__all__ = ["TrackerConfig", "Tracker", "TrackSet", "TrackHistory"]

Array = NDArray[np.float64]


@dataclass
class TrackerConfig:
    """Tunable settings; defaults suit 0.1–1 s radar revisit and ~50 m / 0.5 mrad plots."""

    q_ballistic: float = 0.15  # m²/s³ white acceleration in coast (set by the calibration study)
    q_jerk: float = 20.0  # m²/s⁵ white jerk of the unknown thrust acceleration
    gate_prob: float = 0.9997  # probability mass inside the association gate
    v_max: float = 8000.0  # m/s, fastest object a pair of plots may describe
    pair_window_s: float = 6.0  # a pooled plot waits at most this long for its pair
    pair_scans: float = 3.5  # ... and at most this many of its sensor's revisit intervals
    init_acc_sigma: float = 40.0  # m/s², boost model's initial thrust acceleration spread
    confirm_hits: int = 3  # M of N initiation
    confirm_window: int = 5
    miss_drop: int = 6  # consecutive misses by one sensor before it stops expecting the track
    coast_timeout_s: float = 30.0  # confirmed track without any update is deleted after this
    tentative_timeout_s: float = 5.0
    tau_to_boost_s: float = 1000.0  # mean sojourn times of the IMM's Markov chain
    tau_to_ballistic_s: float = 40.0
    mu_boost0: float = 0.3  # prior P(boost) of a new track
    one_way_mixing_below: float = 0.05  # P(boost) under which boost is not mixed into ballistic
    #: Extra coast process noise right after boost (thrust tail-off, separation, venting):
    #: q_post·exp(-(t - t_boost)/tau_post) added to q_ballistic, t_boost = last time P(boost) ≥ ½.
    q_post: float = 30.0
    tau_post_s: float = 20.0
    #: Unmodelled drag: the ballistic model flies the nominal ballistic coefficient, but a
    #: tumbling spent stage has ~300 kg/m² and a re-entry vehicle 2,500-5,000, so in the air the
    #: real deceleration differs from the nominal one a_d by up to ~12 a_d. Process noise gets
    #: σ²·a_d²·drag_tau_s (m²/s³) on top of q_ballistic, σ = drag_sigma_rv + (drag_sigma −
    #: drag_sigma_rv)·√P(boost); nothing above ~100 km, where a_d vanishes.
    drag_sigma: float = 4.0
    drag_sigma_rv: float = 0.5
    drag_tau_s: float = 1.0
    #: JPDA where objects are closely spaced: coasting confirmed tracks whose gates share plots
    #: (an RV and its spent stage drift apart at ~1 m/s and stay unresolved for minutes) are
    #: updated with every gated plot weighted by its association probability, so a track never
    #: takes the neighbour's plot as certainly its own. See :meth:`Tracker._jpda`.
    jpda: bool = True
    jpda_hard_beta: float = 0.99  # a track whose best plot is this sure keeps the hard update
    jpda_max_boost: float = 0.5  # tracks more likely boosting than this keep the hard update
    #: ... and so do tracks in the air that boosted less than this long ago: at an SRBM's
    #: burnout the spent stage falls away from the re-entry vehicle at up to ~19 g (drag), and
    #: blending both plots into the stack's track leaves it between the two, following neither.
    jpda_after_boost_s: float = 20.0
    jpda_free_above_m: float = 100e3  # (in vacuum the stage only drifts off: JPDA at once)
    history_interval_s: float = 1.0  # thinning of the stored per-track history
    merge_check_s: float = 2.0  # how often duplicate confirmed tracks are looked for
    backend: str = "auto"  # "numba" (compiled kernels), "numpy", or "auto" (numba if installed)


@dataclass
class TrackSet:
    """Confirmed tracks at time ``t`` as arrays (combined IMM estimate)."""

    t: float
    ids: NDArray[np.int64]
    x: Array  # [K, 9] ECEF position, velocity, estimated specific force
    P: Array  # [K, 9, 9]
    mu_boost: Array  # [K]
    phase: list[str]
    t_first: Array  # [K] time of the first plot
    t_last: Array  # [K] time of the last update
    n_updates: NDArray[np.int64]
    #: the ballistic model's own estimate [K, 6] / [K, 6, 6]: what impact prediction flies
    x_ballistic: Array = field(default_factory=lambda: np.zeros((0, 6)))
    P_ballistic: Array = field(default_factory=lambda: np.zeros((0, 6, 6)))

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, keep: NDArray[np.bool_] | NDArray[np.int64]) -> TrackSet:
        """The tracks at ``keep`` (mask or indices)."""
        idx = np.arange(len(self.ids))[keep]
        return TrackSet(
            t=self.t,
            ids=self.ids[idx],
            x=self.x[idx],
            P=self.P[idx],
            mu_boost=self.mu_boost[idx],
            phase=[self.phase[i] for i in idx.tolist()],
            t_first=self.t_first[idx],
            t_last=self.t_last[idx],
            n_updates=self.n_updates[idx],
            x_ballistic=self.x_ballistic[idx],
            P_ballistic=self.P_ballistic[idx],
        )

    def records(self) -> list[dict[str, Any]]:
        """One dict per track in the track file format (``docs/formats.md``)."""
        out = []
        for k in range(len(self.ids)):
            cov = self.P[k, 0:6, 0:6]
            out.append(
                {
                    "t": self.t,
                    "track": f"T{int(self.ids[k]):04d}",
                    "ecef_m": [float(v) for v in self.x[k, 0:3]],
                    "vel_ecef_mps": [float(v) for v in self.x[k, 3:6]],
                    "accel_mps2": [float(v) for v in self.x[k, 6:9]],
                    "cov": [[float(c) for c in row] for row in cov],
                    "phase": self.phase[k],
                    "p_boost": float(self.mu_boost[k]),
                    "t_first": float(self.t_first[k]),
                    "t_last": float(self.t_last[k]),
                    "n_updates": int(self.n_updates[k]),
                }
            )
        return out


@dataclass
class TrackHistory:
    """Thinned history of one track: times, combined states [9], covariances, P(boost)."""

    t: list[float] = field(default_factory=list)
    x: list[Array] = field(default_factory=list)
    P: list[Array] = field(default_factory=list)
    mu_boost: list[float] = field(default_factory=list)
    confirmed_at: float = math.nan


def _gain(
    xs: Array, Ps: Array, Rd: Array, site: Array, rot: Array, comps: tuple[int, ...]
) -> tuple[Array, Array, Array, Array]:
    """Predicted measurement h, its Jacobian H, innovation covariance S = H P Hᵀ + R and Kalman
    gain K = P Hᵀ S⁻¹ of states ``xs`` [N, 9] (solved, not inverted)."""
    h, H = predict_measurement(xs, site, rot, comps)
    PHt = Ps @ np.swapaxes(H, 1, 2)
    S = H @ PHt + Rd
    K = np.swapaxes(np.linalg.solve(S, np.swapaxes(PHt, 1, 2)), 1, 2)
    return h, H, S, K


def _joseph(Ps: Array, K: Array, H: Array, Rd: Array) -> Array:
    """Joseph-form updated covariance (I − KH) P (I − KH)ᵀ + K R Kᵀ of each state [N, 9, 9]."""
    IKH = np.eye(NX) - K @ H
    P_upd: Array = IKH @ Ps @ np.swapaxes(IKH, 1, 2) + K @ Rd @ np.swapaxes(K, 1, 2)
    return P_upd


def _combine(x: Array, P: Array, mu: Array) -> tuple[Array, Array]:
    xc = np.einsum("tj,tjk->tk", mu, x)
    dx = x - xc[:, None, :]
    Pc = np.einsum("tj,tjkl->tkl", mu, P) + np.einsum("tj,tjk,tjl->tkl", mu, dx, dx)
    return xc, Pc


class Tracker:
    """Multi-target, multi-sensor IMM tracker. See the module docstring."""

    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.config = config or TrackerConfig()
        self.noise = MotionNoise(self.config.q_ballistic, self.config.q_jerk)
        self.time = -math.inf
        self.issues: list[PlotIssue] = []
        self.n_plots = 0
        self.n_rejected = 0
        self.history: dict[int, TrackHistory] = {}
        self._next_id = 1
        self._sensors: dict[str, int] = {}
        # per sensor index: reference position and time for the jump check, jump counts
        self._ref_pos = np.zeros((0, 3))
        self._ref_t = np.zeros(0)
        self._has_ref = np.zeros(0, bool)
        self._jumps = np.zeros(0, np.int64)
        self._scan_t = np.zeros(0)  # per sensor index: time of its last scan
        self._gates = {m: float(chi2.ppf(self.config.gate_prob, m)) for m in (2, 3, 4)}
        self._last_merge = -math.inf
        if self.config.backend not in ("auto", "numba", "numpy"):
            raise ValueError(f"unknown tracker backend {self.config.backend!r}")
        if self.config.backend == "numba" and not _kernels.AVAILABLE:
            raise ValueError("tracker backend 'numba' needs the numba package")
        self.fast = self.config.backend != "numpy" and _kernels.AVAILABLE
        self._buf: dict[str, Any] | None = None
        self._buf_seq: tuple[Any, ...] = ()  # the same arrays in TrackState, PlotPool order
        self._out: TrackSet | None = None  # the confirmed tracks now, when the engine made them
        self._t_update = math.nan
        self._cf, self._ci = _kernels.pack_config(self.config, self.noise, self._gates)
        self._alloc(0, 0)
        # plots waiting for a partner (two-point initiation): ECEF position, its covariance,
        # [time, sqrt of the covariance's trace, range, range rate, their σ], sensor index
        self.pool_pos = np.zeros((0, 3))
        self.pool_P = np.zeros((0, 3, 3))
        self.pool_f = np.zeros((0, 6))
        self.pool_s = np.zeros(0, np.int64)

    # ----------------------------------------------------------------- state arrays
    def _alloc(self, n: int, s: int) -> None:
        self.ids = np.zeros(n, np.int64)
        self.x = np.zeros((n, 2, NX))
        self.P = np.zeros((n, 2, NX, NX))
        self.mu = np.zeros((n, 2))
        self.confirmed = np.zeros(n, bool)
        self.hits = np.zeros(n, np.int64)
        self.opps = np.zeros(n, np.int64)
        self.n_upd = np.zeros(n, np.int64)
        self.t_first = np.zeros(n)
        self.t_last = np.zeros(n)
        self.t_hist = np.zeros(n)
        self.merge_strikes = np.zeros(n, np.int64)
        self.t_boost = np.zeros(n)
        self.seen = np.zeros((n, s), bool)
        self.miss = np.zeros((n, s), np.int64)

    #: the per-track arrays (attributes of these names), as the engine's :class:`TrackState`
    _ARRAYS: tuple[str, ...] = TrackState._fields
    #: the pool's arrays, attributes ``pool_<field>`` of :class:`PlotPool`
    _POOL: tuple[str, ...] = tuple(f"pool_{f}" for f in PlotPool._fields)

    @property
    def pool_t(self) -> Array:
        """Times of the plots waiting for a partner."""
        out: Array = self.pool_f[:, 0]
        return out

    def _keep(self, keep: NDArray[np.bool_]) -> None:
        for tid in self.ids[~keep]:
            h = self.history.get(int(tid))
            if h is not None and math.isnan(h.confirmed_at):
                del self.history[int(tid)]  # tentative tracks leave no history
        for name in self._ARRAYS:
            setattr(self, name, getattr(self, name)[keep])

    @property
    def n_tracks(self) -> int:
        return len(self.ids)

    def _sensor_index(self, name: str) -> int:
        idx = self._sensors.get(name)
        if idx is None:
            idx = len(self._sensors)
            self._sensors[name] = idx
            pad = ((0, 0), (0, 1))
            self.seen = np.pad(self.seen, pad)
            self.miss = np.pad(self.miss, pad)
            self._ref_pos = np.vstack([self._ref_pos, np.zeros((1, 3))])
            self._ref_t = np.append(self._ref_t, 0.0)
            self._has_ref = np.append(self._has_ref, False)
            self._jumps = np.append(self._jumps, 0)
            self._scan_t = np.append(self._scan_t, -math.inf)
        return idx

    # ----------------------------------------------------------------- public API
    def update(self, time: float, plots: PlotBatch | None = None) -> TrackSet:
        """Process ``plots`` (any order, all with ``t <= time``) and return tracks at ``time``.

        Bad plots are left out and recorded in :attr:`issues`; the tracker never raises on
        plot content.
        """
        self._out = None
        self._t_update = float(time)
        if plots is not None and len(plots):
            self._ingest(float(time), plots)
        if math.isfinite(time) and time > self.time:
            self._out = None
            self._advance(float(time))
        return self.track_set()

    def track_set(self) -> TrackSet:
        """The confirmed tracks at the current time."""
        if self._out is not None:
            return self._out
        c = self.confirmed
        xc, Pc = _combine(self.x[c], self.P[c], self.mu[c])
        mu_b = self.mu[c, 1]
        return TrackSet(
            t=self.time,
            ids=self.ids[c],
            x=xc,
            P=Pc,
            mu_boost=mu_b,
            phase=phases(xc, mu_b),
            t_first=self.t_first[c],
            t_last=self.t_last[c],
            n_updates=self.n_upd[c],
            x_ballistic=self.x[c, 0, 0:6],
            P_ballistic=self.P[c, 0, 0:6, 0:6],
        )

    # ----------------------------------------------------------------- ingest
    def _ingest(self, time: float, plots: PlotBatch) -> None:
        n0 = len(plots)
        self.n_plots += n0
        # Map the batch's sensor names onto the tracker's own sensor indices.
        gmap = np.array([self._sensor_index(s) for s in plots.sensor_names], np.int64)
        if self.fast:
            # The common case (plots sound, in time, sorted, sensors steady) in one pass.
            starts, ends, kinds, sens = (np.empty(n0, np.int64) for _ in range(4))
            times = np.empty(n0)
            nsc = _kernels.prepare(
                plots.t, plots.kind, plots.sensor, gmap, plots.lat, plots.lon, plots.alt,
                plots.range_m, plots.az, plots.el, plots.range_rate, plots.sigma_range,
                plots.sigma_az, plots.sigma_el, plots.sigma_range_rate, self.time - 1e-9,
                time + 1e-9, self._ref_pos, self._ref_t, self._has_ref, self._jumps,
                starts, ends, kinds, sens, times,
            )  # fmt: skip
            if nsc >= 0:
                self._run_engine(plots, starts[:nsc], ends[:nsc], kinds[:nsc], sens[:nsc])
                return
        b = self._checked(time, plots)
        gs = gmap[b.sensor] if len(b) else np.zeros(0, np.int64)
        ok2, more = self._check_sites(b, gs, b.site_ecef())
        self.issues.extend(more)
        b, gs = b.select(ok2), gs[ok2]
        self.n_rejected += n0 - len(b)
        if not len(b):
            return
        order = np.lexsort((gs, b.t))
        b, gs = b.select(order), gs[order]
        rr_ok = np.isfinite(b.range_rate)
        brk = np.flatnonzero((np.diff(b.t) != 0) | (np.diff(gs) != 0)) + 1
        if self.fast:
            first = np.concatenate(([0], brk)).astype(np.int64)
            last = np.concatenate((brk, [len(b)])).astype(np.int64)
            kind = np.where(
                b.kind[first] == KIND_IR, 2, np.logical_and.reduceat(rr_ok, first).astype(np.int64)
            )
            self._run_engine(b, first, last, kind, gs[first])
            return
        site = b.site_ecef()
        rot = b.site_rotation()
        # Measurement columns in component order (range, az, el, range rate) and their variances,
        # assembled once per batch so that a scan only slices them.
        zf = np.stack([b.range_m, b.az, b.el, b.range_rate], axis=1)
        rf = np.stack([b.sigma_range, b.sigma_az, b.sigma_el, b.sigma_range_rate], axis=1) ** 2
        starts_l = np.concatenate(([0], brk)).tolist()
        ends_l = np.concatenate((brk, [len(b)])).tolist()
        times_l = b.t[starts_l].tolist()
        sens_l = gs[starts_l].tolist()
        for k in range(len(starts_l)):
            s, e = starts_l[k], ends_l[k]
            ir = bool(b.kind[s] == KIND_IR)
            comps = IR if ir else (RADAR_RR if bool(rr_ok[s:e].all()) else RADAR)
            self._scan(times_l[k], sens_l[k], b, s, e, site, rot, zf, rf, comps)
        self._record_history(self.time)

    def _checked(self, time: float, plots: PlotBatch) -> PlotBatch:
        """The plots that pass :func:`check_plots` and the time rules; issues recorded."""
        ok, issues = check_plots(plots)
        with np.errstate(invalid="ignore"):
            late = ok & (plots.t > time + 1e-9)
            old = ok & (plots.t < self.time - 1e-9)
        for i in np.flatnonzero(late)[:100]:
            issues.append(
                PlotIssue(
                    f"plot time {plots.t[i]:.3f} is after the update time {time:.3f}",
                    plots.sensor_names[int(plots.sensor[i])],
                    int(plots.line[i]),
                    float(plots.t[i]),
                )
            )
        for i in np.flatnonzero(old)[:100]:
            issues.append(
                PlotIssue(
                    f"out of order: plot time {plots.t[i]:.3f} is before the tracker time "
                    f"{self.time:.3f}",
                    plots.sensor_names[int(plots.sensor[i])],
                    int(plots.line[i]),
                    float(plots.t[i]),
                )
            )
        self.issues.extend(issues)
        ok &= ~late & ~old
        return plots if bool(ok.all()) else plots.select(ok)

    def _run_engine(
        self,
        b: PlotBatch,
        starts: NDArray[np.int64],
        ends: NDArray[np.int64],
        kinds: NDArray[np.int64],
        sens: NDArray[np.int64],
    ) -> None:
        """All scans of a sorted batch in one compiled call (:func:`_kernels.run_scans`), then
        the history and the output estimates at the update time."""
        n, npool = self.n_tracks, len(self.pool_s)
        buf = self._engine_buffers(max(n, npool) + int(np.count_nonzero(b.kind != KIND_IR)))
        istate = np.zeros(_kernels.N_IS, np.int64)
        istate[_kernels.S_N], istate[_kernels.S_NEXT_ID] = n, self._next_id
        istate[_kernels.S_NPOOL] = npool
        fstate = np.zeros(_kernels.N_FS)
        fstate[_kernels.S_TIME], fstate[_kernels.S_LAST_MERGE] = self.time, self._last_merge
        cap = len(buf["ids"])
        # fresh output arrays: the returned TrackSet and the history keep views of them
        out = EngineOutput(
            ev_kind=np.empty(2 * cap, np.int64),
            ev_id=np.empty(2 * cap, np.int64),
            ev_t=np.empty(2 * cap),
            h_x=np.empty((cap, NX)),
            h_cov=np.empty((cap, NX, NX)),
            o_x=np.empty((cap, NX)),
            o_cov=np.empty((cap, NX, NX)),
            o_i=np.empty((cap, 3), np.int64),
            o_f=np.empty((cap, 3)),
            o_xb=np.empty((cap, 6)),
            o_cov_b=np.empty((cap, 6, 6)),
            h_due=np.empty(cap, np.int64),
        )
        cols = np.stack(
            [
                b.range_m, b.az, b.el, b.range_rate,
                b.sigma_range, b.sigma_az, b.sigma_el, b.sigma_range_rate,
            ]
        )  # fmt: skip
        scans = ScanInput(starts, ends, b.t[starts], sens, kinds, cols, b.lat, b.lon, b.alt)
        # The tuples go in spread out (see _kernels.run_scans); the buffers are already in the
        # TrackState then PlotPool field order.
        run_scans: Any = _kernels.run_scans  # Numba's Dispatcher stub limits the arity
        nev = run_scans(
            *scans, *self._buf_seq, self._scan_t, istate, fstate, self._cf, self._ci,
            self._t_update, *out,
        )  # fmt: skip
        n, k = int(istate[_kernels.S_N]), int(istate[_kernels.S_K])
        nd = int(istate[_kernels.S_NHIST])
        self._next_id = int(istate[_kernels.S_NEXT_ID])
        t_scan = float(b.t[ends[-1] - 1])
        self.time = float(fstate[_kernels.S_TIME])
        self._last_merge = float(fstate[_kernels.S_LAST_MERGE])
        for name in self._ARRAYS:
            setattr(self, name, buf[name][:n])
        for name in self._POOL:
            setattr(self, name, buf[name][: int(istate[_kernels.S_NPOOL])])
        for kind, tid, t in zip(
            out.ev_kind[:nev].tolist(),
            out.ev_id[:nev].tolist(),
            out.ev_t[:nev].tolist(),
            strict=True,
        ):
            if kind == _kernels.EV_CONFIRMED:
                self.history.setdefault(tid, TrackHistory()).confirmed_at = t
            else:
                self.history.pop(tid, None)
        for j in out.h_due[:nd].tolist():
            h = self.history.setdefault(int(out.o_i[j, 0]), TrackHistory())
            h.t.append(t_scan)
            h.x.append(out.h_x[j])
            h.P.append(out.h_cov[j])
            h.mu_boost.append(float(out.o_f[j, 0]))
        self._out = TrackSet(
            t=self.time,
            ids=out.o_i[:k, 0],
            x=out.o_x[:k],
            P=out.o_cov[:k],
            mu_boost=out.o_f[:k, 0],
            phase=[_PHASES[c] for c in out.o_i[:k, 2].tolist()],
            t_first=out.o_f[:k, 1],
            t_last=out.o_f[:k, 2],
            n_updates=out.o_i[:k, 1],
            x_ballistic=out.o_xb[:k],
            P_ballistic=out.o_cov_b[:k],
        )

    def _engine_buffers(self, need: int) -> dict[str, Any]:
        """Capacity arrays for the engine whose rows ``0:n`` are the current track arrays."""
        buf = self._buf
        if (
            buf is not None
            and len(buf["ids"]) >= need
            and buf["seen"].shape[1] == self.seen.shape[1]
            and all(getattr(self, name).base is buf[name] for name in self._ARRAYS + self._POOL)
        ):
            return buf
        cap = max(64, 2 * need)
        new: dict[str, Any] = {}
        for name in self._ARRAYS + self._POOL:
            cur = getattr(self, name)
            arr = np.zeros((cap, *cur.shape[1:]), cur.dtype)
            arr[: len(cur)] = cur
            new[name] = arr
        self._buf = new
        self._buf_seq = tuple(new[name] for name in self._ARRAYS + self._POOL)
        return new

    def _check_sites(
        self, b: PlotBatch, gs: NDArray[np.int64], site: Array
    ) -> tuple[NDArray[np.bool_], list[PlotIssue]]:
        """Reject plots whose sensor position jumps faster than any sensor can move."""
        ok = np.ones(len(b), bool)
        issues: list[PlotIssue] = []
        for s in np.unique(gs).tolist():
            idx = np.flatnonzero(gs == s)
            if self._has_ref[s]:
                ref_pos, ref_t = self._ref_pos[s], float(self._ref_t[s])
            else:
                ref_pos, ref_t = site[idx[0]], float(b.t[idx[0]])
            dist = np.linalg.norm(site[idx] - ref_pos, axis=1)
            bad = dist > SITE_SLACK_M + SITE_SPEED_MPS * np.abs(b.t[idx] - ref_t)
            name = next(k for k, v in self._sensors.items() if v == s)
            if np.any(bad):
                nbad = int(bad.sum())
                self._jumps[s] += nbad
                first = idx[np.argmax(bad)]
                issues.append(
                    PlotIssue(
                        f"sensor position jumped {dist[np.argmax(bad)] / 1000:.1f} km from its "
                        f"last position; {nbad} plot(s) rejected",
                        name,
                        int(b.line[first]),
                        float(b.t[first]),
                    )
                )
                ok[idx[bad]] = False
                if self._jumps[s] >= 20 and bad[-1]:
                    # The sensor has really moved (relocated): accept the new position.
                    self._set_ref(s, site[idx[-1]], float(b.t[idx[-1]]))
                    self._jumps[s] = 0
                    issues.append(PlotIssue("sensor relocated; new position accepted", name))
                    continue
            else:
                self._jumps[s] = 0
            good = idx[~bad]
            if len(good):
                self._set_ref(s, site[good[-1]], float(b.t[good[-1]]))
        return ok, issues

    def _set_ref(self, s: int, pos: Array, t: float) -> None:
        self._ref_pos[s] = pos
        self._ref_t[s] = t
        self._has_ref[s] = True

    # ----------------------------------------------------------------- filter steps
    def _advance(self, t: float) -> None:
        """IMM mixing and prediction of every track to time ``t``."""
        dt = t - self.time if math.isfinite(self.time) else 0.0
        self.time = t
        n = self.n_tracks
        if n == 0 or dt <= 0.0:
            return
        cfg = self.config
        p_bt = 1.0 - math.exp(-dt / cfg.tau_to_boost_s)
        p_tb = 1.0 - math.exp(-dt / cfg.tau_to_ballistic_s)
        Pi = np.array([[1.0 - p_bt, p_bt], [p_tb, 1.0 - p_tb]])
        # coast process noise per track: larger just after a boost ended
        qb = self.noise.q_ballistic + cfg.q_post * np.exp(-(t - self.t_boost) / cfg.tau_post_s)
        if cfg.drag_sigma > 0.0:
            # nominal drag deceleration at the ballistic model's state before this prediction
            xb = self.x[:, 0]
            rho = air_density(altitude_approx(xb[:, 0:3]))
            a_d = rho * np.sum(xb[:, 3:6] ** 2, axis=1) / (2.0 * BETA_NOMINAL)
            # The boost model's probability rises when the object decelerates beyond the nominal
            # drag (an unexplained acceleration): evidence of a far-off ballistic coefficient.
            sig = cfg.drag_sigma_rv + (cfg.drag_sigma - cfg.drag_sigma_rv) * np.sqrt(self.mu[:, 1])
            qb = qb + (sig * a_d) ** 2 * cfg.drag_tau_s
        if self.fast:
            _kernels.imm_predict(
                self.x,
                self.P,
                self.mu,
                dt,
                p_bt,
                p_tb,
                cfg.one_way_mixing_below,
                qb,
                self.noise.q_jerk,
                self.noise.q_hold,
                BETA_NOMINAL,
            )
            return
        c = self.mu @ Pi
        w = self.mu[:, :, None] * Pi[None] / c[:, None, :]
        # While the ballistic model clearly holds, it keeps its own estimate: the boost model's
        # wandering thrust estimate would otherwise leak spread into it every scan and make the
        # coast covariance (hence the impact ellipse) over-cautious. Mixing stays two-way as
        # soon as boost is plausible.
        coast = self.mu[:, 1] < cfg.one_way_mixing_below
        w[coast, 0, 0] = 1.0
        w[coast, 1, 0] = 0.0
        x0 = np.einsum("tij,tik->tjk", w, self.x)
        dx = self.x[:, :, None, :] - x0[:, None, :, :]
        P0 = np.einsum("tij,tikl->tjkl", w, self.P) + np.einsum("tij,tijk,tijl->tjkl", w, dx, dx)
        boost = np.tile(np.array([0.0, 1.0]), n)
        xp, Pp = predict(
            x0.reshape(2 * n, NX),
            P0.reshape(2 * n, NX, NX),
            boost,
            dt,
            self.noise,
            np.repeat(qb, 2),
        )
        self.x = xp.reshape(n, 2, NX)
        self.P = Pp.reshape(n, 2, NX, NX)
        self.mu = c

    def _scan(
        self,
        t: float,
        s: int,
        b: PlotBatch,
        i0: int,
        i1: int,
        site_all: Array,
        rot_all: Array,
        zf: Array,
        rf: Array,
        comps: tuple[int, ...],
    ) -> None:
        """One scan: plots ``i0:i1`` of ``b``, all from sensor ``s`` at time ``t``."""
        gap = t - self._scan_t[s]  # since the sensor's previous scan (inf for its first)
        self._scan_t[s] = t
        self._advance(t)
        cfg = self.config
        ir = comps == IR
        sel = list(comps)
        z = np.ascontiguousarray(zf[i0:i1][:, sel])
        R = np.ascontiguousarray(rf[i0:i1][:, sel])
        site, rot = site_all[i0], rot_all[i0]
        npl = i1 - i0
        m = len(comps)
        n = self.n_tracks
        assigned_t = np.zeros(0, np.int64)
        assigned_p = np.zeros(0, np.int64)
        near_confirmed = np.zeros(npl, bool)
        pda_t = np.zeros(0, np.int64)
        pda_p = np.zeros(0, np.int64)
        pda_beta = np.zeros((0, 0))
        if n:
            xc, Pc = _combine(self.x, self.P, self.mu)
            h, H = predict_measurement(xc, site, rot, comps)
            S0 = H @ Pc @ np.swapaxes(H, 1, 2)
            y = wrap_residual(z[None, :, :] - h[:, None, :], comps)
            if bool(np.all(R[0] == R)):
                S = S0 + np.eye(m) * R[0]
                Sinv = np.linalg.inv(S)
                d2 = np.einsum("tpi,tij,tpj->tp", y, Sinv, y)
                logdet = np.linalg.slogdet(S)[1][:, None]
            else:
                S4 = S0[:, None] + R[None, :, :, None] * np.eye(m)
                sol = np.linalg.solve(S4, y[..., None])[..., 0]
                d2 = np.sum(y * sol, axis=-1)
                logdet = np.linalg.slogdet(S4)[1]
        if n:
            gate = d2 < self._gates[m]
            near_confirmed = np.any(gate & self.confirmed[:, None], axis=0)
            rows = np.flatnonzero(np.any(gate, axis=1))
            if len(rows) and gate.sum(axis=0).max() <= 1 and gate.sum(axis=1).max() <= 1:
                # no contention: every gated plot has a single candidate track and vice versa
                assigned_t, assigned_p = np.nonzero(gate)
            elif len(rows):
                colsel = np.flatnonzero(np.any(gate[rows], axis=0))
                g = gate[np.ix_(rows, colsel)]
                cost = np.where(g, (d2 + logdet)[np.ix_(rows, colsel)], BIG)
                # Tentative tracks take a plot only if no confirmed track wants it.
                cost += np.where(self.confirmed[rows], 0.0, 1e3)[:, None] * g
                miss = np.full((len(rows), len(rows)), BIG)
                np.fill_diagonal(miss, self._gates[m] + logdet.max() + 1e4)
                r_i, c_i = linear_sum_assignment(np.hstack([cost, miss]))
                real = c_i < len(colsel)
                r_i, c_i = r_i[real], c_i[real]
                valid = g[r_i, c_i]
                assigned_t = rows[r_i[valid]]
                assigned_p = colsel[c_i[valid]]
                if cfg.jpda:
                    pda_t, pda_p, pda_beta = self._jpda(gate, d2 + logdet, logdet, m)
            # Tracks updated by JPDA drop their hard (GNN) update; the GNN assignment still
            # decides hits, misses and which plots may start tracks.
            hard = ~np.isin(assigned_t, pda_t)
            upd_t, upd_p = assigned_t[hard], assigned_p[hard]
            if len(upd_t):
                self._update(upd_t, z[upd_p], R[upd_p], site, rot, comps)
            if len(pda_t):
                self._pda_update(pda_t, pda_beta, z[pda_p], R[pda_p], site, rot, comps)
            self.t_boost[self.mu[:, 1] >= 0.5] = t
            self._lifecycle(t, s, assigned_t)
        # Unassigned radar plots start tentative tracks unless a confirmed track claims them.
        if not ir:
            free = np.ones(npl, bool)
            free[assigned_p] = False
            free &= ~near_confirmed
            idx = np.flatnonzero(free)
            if len(idx):
                self._initiate(t, s, b, i0 + idx, site, rot, float(gap))
        if t - self._last_merge >= cfg.merge_check_s:
            self._last_merge = t
            self._merge_duplicates()

    def _jpda(
        self, gate: NDArray[np.bool_], cost: Array, logdet: Array, m: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], Array]:
        """Association probabilities for coasting confirmed tracks in contention.

        Contention: a track whose gate holds several of the scan's plots, or a plot in the
        gates of several confirmed tracks. Probabilities follow Fitzgerald's "cheap JPDA":
        β_tp = G_tp / (Σ_p' G_tp' + Σ_t' G_t'p − G_tp + B_t), with G = exp(−cost/2) the Gaussian
        likelihood (``cost`` = d² + ln|S|) and B_t the likelihood of a plot on the gate's edge
        standing for "missed, the plots are someone else's". Tracks whose best plot is almost
        sure (β ≥ ``jpda_hard_beta``) or that are likely boosting (a burning stage pulls away
        fast, and blending it with a spent stage would only drag the track) are left out.
        Returns track indices [A], plot indices [M] and β [A, M].
        """
        cfg = self.config
        cg = gate & self.confirmed[:, None]
        shared = (cg.sum(axis=1) > 1) | np.any(cg & (cg.sum(axis=0) > 1)[None, :], axis=1)
        T = np.flatnonzero(shared)
        if not len(T):
            return T, np.zeros(0, np.int64), np.zeros((0, 0))
        Pl = np.flatnonzero(np.any(cg[T], axis=0))
        g = cg[np.ix_(T, Pl)]
        c = cost[np.ix_(T, Pl)]
        # Likelihoods relative to the best pair (keeps exp() in range; β is scale-free).
        c0 = float(np.min(np.where(g, c, np.inf)))
        G = np.where(g, np.exp(-0.5 * (c - c0)), 0.0)
        ld = np.broadcast_to(logdet, cost.shape)[T].min(axis=1)
        B = np.exp(-0.5 * (self._gates[m] + ld - c0))
        St = G.sum(axis=1, keepdims=True)
        Sp = G.sum(axis=0, keepdims=True)
        beta = np.where(g, G / (St + Sp - G + B[:, None]), 0.0)
        # A boosting neighbour still competes for the plots (it is in β's sums) but keeps its
        # hard update.
        soft = (
            (beta.max(axis=1) < cfg.jpda_hard_beta)
            & (self.mu[T, 1] < cfg.jpda_max_boost)
            & (
                (self.time - self.t_boost[T] >= cfg.jpda_after_boost_s)
                | (altitude_approx(self.x[T, 0, 0:3]) >= cfg.jpda_free_above_m)
            )
        )
        return T[soft], Pl, beta[soft]

    def _pda_update(
        self,
        ti: NDArray[np.int64],
        beta: Array,
        z: Array,
        R: Array,
        site: Array,
        rot: Array,
        comps: tuple[int, ...],
    ) -> None:
        """PDA update of both models of tracks ``ti`` with plots ``z`` [M, m] weighted by
        ``beta`` [A, M] (Bar-Shalom's PDAF with the JPDA weights).

        x⁺ = x + K ν̄ with ν̄ = Σ β_p ν_p; P⁺ = β₀ P + (1 − β₀) P_c + K (Σ β_p ν_p ν_pᵀ − ν̄ ν̄ᵀ) Kᵀ,
        β₀ = 1 − Σ β_p, P_c the Joseph-form update. The gain uses the noise of each track's most
        likely plot (one sensor's plots share their noise). Model likelihoods for the IMM are
        Σ β_p N(ν_p; 0, S).
        """
        a, _ = beta.shape
        m = z.shape[1]
        xs = self.x[ti].reshape(2 * a, NX)
        Ps = self.P[ti].reshape(2 * a, NX, NX)
        bet = np.repeat(beta, 2, axis=0)  # [2a, M], rows in (track, model) order
        Rd = R[np.argmax(bet, axis=1)][:, :, None] * np.eye(m)
        h, H, S, K = _gain(xs, Ps, Rd, site, rot, comps)
        nu = wrap_residual(z[None, :, :] - h[:, None, :], comps)  # [2a, M, m]
        nbar = np.einsum("np,npi->ni", bet, nu)
        b0 = np.clip(1.0 - bet.sum(axis=1), 0.0, 1.0)[:, None, None]
        xs = xs + np.einsum("nij,nj->ni", K, nbar)
        Pc = _joseph(Ps, K, H, Rd)
        spread = np.einsum("np,npi,npj->nij", bet, nu, nu) - nbar[:, :, None] * nbar[:, None, :]
        Ps = b0 * Ps + (1.0 - b0) * Pc + K @ spread @ np.swapaxes(K, 1, 2)
        Ps = 0.5 * (Ps + np.swapaxes(Ps, 1, 2))
        d2 = np.einsum("npi,nij,npj->np", nu, np.linalg.inv(S), nu)
        ll = -0.5 * (d2 + np.linalg.slogdet(S)[1][:, None])
        top = ll.max(axis=1, keepdims=True)
        loglik = (top[:, 0] + np.log(np.sum(bet * np.exp(ll - top), axis=1) + 1e-300)).reshape(a, 2)
        self._store_updated(ti, loglik, xs, Ps)

    def _update(
        self,
        ti: NDArray[np.int64],
        z: Array,
        R: Array,
        site: Array,
        rot: Array,
        comps: tuple[int, ...],
    ) -> None:
        """Batched EKF update of both models of tracks ``ti`` with plots ``z`` [A, m]."""
        a = len(ti)
        m = z.shape[1]
        xs = self.x[ti].reshape(2 * a, NX)
        Ps = self.P[ti].reshape(2 * a, NX, NX)
        zz = np.repeat(z, 2, axis=0)
        Rd = np.repeat(R, 2, axis=0)[:, :, None] * np.eye(m)
        h, H, S, K = _gain(xs, Ps, Rd, site, rot, comps)
        y = wrap_residual(zz - h, comps)
        xs = xs + np.einsum("nij,nj->ni", K, y)
        Ps = _joseph(Ps, K, H, Rd)
        Ps = 0.5 * (Ps + np.swapaxes(Ps, 1, 2))
        sol = np.linalg.solve(S, y[..., None])[..., 0]
        loglik = -0.5 * (np.sum(y * sol, axis=1) + np.linalg.slogdet(S)[1])
        loglik = loglik.reshape(a, 2)
        self._store_updated(ti, loglik, xs, Ps)

    def _store_updated(self, ti: NDArray[np.int64], loglik: Array, xs: Array, Ps: Array) -> None:
        """Tracks ``ti`` take their updated model states [2A, 9] and P(boost) from each model's
        measurement log-likelihood [A, 2] (the IMM's mode-probability update)."""
        a = len(ti)
        logw = np.log(self.mu[ti]) + loglik
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        mu_b = np.clip(w[:, 1] / w.sum(axis=1), 1e-6, 1.0 - 1e-6)
        self.mu[ti] = np.stack([1.0 - mu_b, mu_b], axis=1)
        self.x[ti] = xs.reshape(a, 2, NX)
        self.P[ti] = Ps.reshape(a, 2, NX, NX)

    def _lifecycle(self, t: float, s: int, ti: NDArray[np.int64]) -> None:
        cfg = self.config
        hit = np.zeros(self.n_tracks, bool)
        hit[ti] = True
        expected = self.seen[:, s] | hit
        self.opps += expected & ~self.confirmed
        self.hits += hit
        self.n_upd += hit
        self.t_last[hit] = t
        self.seen[hit, s] = True
        self.miss[hit, s] = 0
        missed = expected & ~hit
        self.miss[missed, s] += 1
        self.seen[self.miss[:, s] >= cfg.miss_drop, s] = False
        newly = ~self.confirmed & (self.hits >= cfg.confirm_hits) & (self.t_last > self.t_first)
        if np.any(newly):
            self.confirmed |= newly
            for tid in self.ids[newly]:
                self.history.setdefault(int(tid), TrackHistory()).confirmed_at = t
        dead = (
            (~self.confirmed & (self.opps - self.hits > cfg.confirm_window - cfg.confirm_hits))
            | (~self.confirmed & (t - self.t_last > cfg.tentative_timeout_s))
            | (self.confirmed & (t - self.t_last > cfg.coast_timeout_s))
            | ~np.any(self.seen, axis=1)
        )
        if np.any(dead):
            self._keep(~dead)

    def _initiate(
        self,
        t: float,
        s: int,
        b: PlotBatch,
        idx: NDArray[np.int64],
        site: Array,
        rot: Array,
        gap: float,
    ) -> None:
        """Two-point initiation: plots no track takes wait in a pool; a plot that a pooled plot
        of the same sensor could have moved to (at most ``v_max``, plus 3σ of both positions;
        and, with range rates, a range change matching the mean range rate, see
        ``_kernels._pair_ok``) starts a tentative track with the velocity of the pair. The
        latest such partner wins (missiles of a salvo fly one path seconds apart), among one
        scan's plots the nearest (distance over gate). A pooled plot pairs only within
        ``pair_scans`` of its sensor's revisit intervals (``gap``, the time since the sensor's
        previous scan) and ``pair_window_s``: a radar that misses a stage behind its re-entry
        vehicle for a scan or two still pairs its plots, while a fast radar's old plots do not
        pair with another missile that has since flown through the same place.

        Why two points: a single-plot track knows nothing of its velocity (σ of km/s), gates
        wide, and each clutter plot would become a track to predict and gate every scan; a
        pooled plot costs nothing until a second plot pairs with it.
        """
        cfg = self.config
        k = len(idx)
        az, el, rg = b.az[idx], b.el[idx], b.range_m[idx]
        pos = aer_to_ecef(az, el, rg, b.lat[idx], b.lon[idx], b.alt[idx])
        ca, sa, ce, se = np.cos(az), np.sin(az), np.cos(el), np.sin(el)
        J = np.zeros((k, 3, 3))  # d(enu)/d(range, az, el)
        J[:, 0] = np.stack([ce * sa, rg * ce * ca, -rg * se * sa], axis=1)
        J[:, 1] = np.stack([ce * ca, -rg * ce * sa, -rg * se * ca], axis=1)
        J[:, 2] = np.stack([se, np.zeros(k), rg * ce], axis=1)
        Jx = rot.T @ J
        Rm = np.stack([b.sigma_range[idx], b.sigma_az[idx], b.sigma_el[idx]], axis=1) ** 2
        Ppos = Jx @ (Rm[:, :, None] * Jx.swapaxes(1, 2))
        sig = np.sqrt(np.trace(Ppos, axis1=1, axis2=2))
        pf = np.stack([rg, b.range_rate[idx], b.sigma_range[idx], b.sigma_range_rate[idx]], axis=1)
        fresh = t - self.pool_f[:, 0] <= cfg.pair_window_s
        if not fresh.all():
            for name in self._POOL:
                setattr(self, name, getattr(self, name)[fresh])
        pt = self.pool_f[:, 0]
        dtq = t - pt
        cand = (self.pool_s == s) & (pt < t) & (dtq <= cfg.pair_scans * gap)
        used = np.zeros(len(pt), bool)
        pair = np.full(k, -1, np.int64)
        for i in range(k):
            elig = cand & ~used
            if not elig.any():
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                d = np.sqrt(np.sum((pos[i] - self.pool_pos) ** 2, axis=1))
                ratio = d / (cfg.v_max * dtq + 3.0 * np.sqrt(sig[i] ** 2 + self.pool_f[:, 1] ** 2))
                q = self.pool_f
                lhs = np.abs((pf[i, 0] - q[:, 2]) / dtq - 0.5 * (pf[i, 1] + q[:, 3]))
                tol = 3.0 * np.sqrt(
                    (pf[i, 2] ** 2 + q[:, 4] ** 2) / dtq**2 + 0.25 * (pf[i, 3] ** 2 + q[:, 5] ** 2)
                )
                rr_ok = np.isnan(pf[i, 1]) | np.isnan(q[:, 3]) | (lhs <= tol + A_PAIR * dtq / 2)
            ok = elig & rr_ok & (ratio <= 1.0)
            if not ok.any():
                continue
            # the latest reachable plot wins (an older one may be another missile of the
            # salvo on the same path); among one scan's plots, the nearest
            latest = ok & (pt == pt[ok].max())
            best = int(np.argmin(np.where(latest, ratio, np.inf)))
            pair[i] = best
            used[best] = True
        paired = np.flatnonzero(pair >= 0)
        if len(paired):
            qs = pair[paired]
            dt = t - pt[qs]
            x, P = two_point_states(
                pos[paired], Ppos[paired], self.pool_pos[qs], self.pool_P[qs], dt,
                cfg.init_acc_sigma,
            )  # fmt: skip
            self._append(t, s, x, P, pt[qs])
        alone = pair < 0
        keep = ~used
        na = int(alone.sum())
        new_f = np.concatenate([np.full((na, 1), t), sig[alone, None], pf[alone]], axis=1)
        self.pool_pos = np.concatenate([self.pool_pos[keep], pos[alone]])
        self.pool_P = np.concatenate([self.pool_P[keep], Ppos[alone]])
        self.pool_f = np.concatenate([self.pool_f[keep], new_f])
        self.pool_s = np.concatenate([self.pool_s[keep], np.full(na, s)])

    def _append(self, t: float, s: int, x: Array, P: Array, t_first: Array) -> None:
        """Add new tentative tracks (two plots each, the first at ``t_first``) with states
        ``x`` [k, 2, 9] and covariances ``P``."""
        cfg = self.config
        k = len(x)
        ids = np.arange(self._next_id, self._next_id + k, dtype=np.int64)
        self._next_id += k
        ns = self.seen.shape[1]
        seen = np.zeros((k, ns), bool)
        seen[:, s] = True
        new = {
            "ids": ids,
            "x": x,
            "P": P,
            "mu": np.tile([1.0 - cfg.mu_boost0, cfg.mu_boost0], (k, 1)),
            "confirmed": np.zeros(k, bool),
            "hits": np.full(k, 2, np.int64),
            "opps": np.full(k, 2, np.int64),
            "n_upd": np.full(k, 2, np.int64),
            "t_first": np.asarray(t_first, np.float64),
            "t_last": np.full(k, t),
            "t_hist": np.full(k, -math.inf),
            "merge_strikes": np.zeros(k, np.int64),
            "t_boost": np.full(k, t),
            "seen": seen,
            "miss": np.zeros((k, ns), np.int64),
        }
        for name in self._ARRAYS:
            setattr(self, name, np.concatenate([getattr(self, name), new[name]]))

    def _merge_duplicates(self) -> None:
        """Delete the younger of two confirmed tracks that keep describing the same object.

        Only tracks updated within the last ``merge_check_s`` take part: a coasting track agrees
        with anything its grown covariance covers (e.g. after impact, or after falling below
        every horizon), which says nothing about duplication.
        """
        fresh = self.time - self.t_last <= self.config.merge_check_s
        c = np.flatnonzero(self.confirmed & (self.n_upd >= MERGE_MIN_UPDATES) & fresh)
        if len(c) < 2:
            return
        xc, Pc = _combine(self.x[c], self.P[c], self.mu[c])
        pos = xc[:, 0:3]
        d = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
        sig = np.sqrt(np.trace(Pc[:, 0:3, 0:3], axis1=1, axis2=2))
        close = d < 3.0 * (sig[:, None] + sig[None, :]) + 50.0
        np.fill_diagonal(close, False)
        strikes = np.zeros(len(c), bool)
        for i, j in zip(*np.nonzero(np.triu(close)), strict=True):
            dx = xc[i, 0:6] - xc[j, 0:6]
            Sx = Pc[i, 0:6, 0:6] + Pc[j, 0:6, 0:6]
            if float(dx @ np.linalg.solve(Sx, dx)) < 3.0:
                young = i if self.t_first[c[i]] > self.t_first[c[j]] else j
                strikes[young] = True
        self.merge_strikes[c] = np.where(strikes, self.merge_strikes[c] + 1, 0)
        dup = self.merge_strikes >= MERGE_STRIKES
        if np.any(dup):
            for tid in self.ids[dup]:
                self.history.pop(int(tid), None)
            self._keep(~dup)

    def _record_history(
        self, t: float, xc_conf: Array | None = None, Pc_conf: Array | None = None
    ) -> None:
        """Append the confirmed tracks due a history point; ``xc_conf``/``Pc_conf`` are their
        combined estimates when the caller has them already."""
        due = self.confirmed & (t - self.t_hist >= self.config.history_interval_s)
        if not np.any(due):
            return
        if xc_conf is not None and Pc_conf is not None:
            sel = due[self.confirmed]
            xc, Pc = xc_conf[sel], Pc_conf[sel]
        else:
            xc, Pc = _combine(self.x[due], self.P[due], self.mu[due])
        self.t_hist[due] = t
        mu_b = self.mu[due, 1].tolist()
        for k, tid in enumerate(self.ids[due].tolist()):
            h = self.history.setdefault(tid, TrackHistory())
            h.t.append(t)
            h.x.append(xc[k])
            h.P.append(Pc[k])
            h.mu_boost.append(mu_b[k])


def two_point_states(
    pos: Array, Ppos: Array, pos0: Array, Ppos0: Array, dt: Array, acc_sigma: float
) -> tuple[Array, Array]:
    """IMM states [k, 2, 9] and covariances of tracks started from plot pairs: position from
    the later plot, velocity the difference over ``dt``; the velocity's covariance is the two
    positions' over dt² plus the unknown acceleration's effect (σ·dt/2)²."""
    k = len(pos)
    vel = (pos - pos0) / dt[:, None]
    x = np.zeros((k, 2, NX))
    x[:, :, 0:3] = pos[:, None]
    x[:, :, 3:6] = vel[:, None]
    acc = (acc_sigma**2 + G_PAIR**2) * dt**2 / 4.0
    Pv = (Ppos + Ppos0) / (dt**2)[:, None, None] + acc[:, None, None] * np.eye(3)
    Ppv = Ppos / dt[:, None, None]
    P = np.zeros((k, 2, NX, NX))
    P[:, :, 0:3, 0:3] = Ppos[:, None]
    P[:, :, 0:3, 3:6] = Ppv[:, None]
    P[:, :, 3:6, 0:3] = Ppv.swapaxes(1, 2)[:, None]
    P[:, :, 3:6, 3:6] = Pv[:, None]
    P[:, 0, 6:9, 6:9] = np.eye(3) * 1e-6
    P[:, 1, 6:9, 6:9] = np.eye(3) * acc_sigma**2
    return x, P


def phases(x: Array, mu_boost: Array) -> list[str]:
    """Flight phase per track: ``boost``, ``coast`` (midcourse) or ``reentry``."""
    r, v = x[:, 0:3], x[:, 3:6]
    vr = np.sum(r * v, axis=1) / np.linalg.norm(r, axis=1)
    h = altitude_approx(r)
    code = np.where(
        (vr < 0) & (h < PHASE_REENTRY_BELOW_M),
        2,
        np.where((mu_boost > PHASE_BOOST_MU) & (vr > 0), 0, 1),
    )
    return [_PHASES[c] for c in code.tolist()]


_PHASES = ("boost", "coast", "reentry")
