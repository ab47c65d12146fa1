"""Numba kernels of the tracker: the compiled scan engine and the arithmetic it is made of.

Why: a scan of a 10-target salvo holds ~6-12 plots, so per-call overhead, not arithmetic,
decides the speed: the NumPy path spends ~60 array calls a scan, and even compiled kernels per
step (predict, gate, update, lifecycle, initiate) left more time in the Python between them
(~150 µs a scan) than in the maths. :func:`run_scans` therefore runs the whole loop — IMM mix
and predict, gating, global assignment, EKF update, hit/miss bookkeeping, deletion, two-point
initiation and the duplicate check — for all scans of a batch in one call, and
:func:`prepare` checks a batch (sound plots, in time, sorted, no sensor jumping) in one pass.

They mirror the NumPy path of :class:`trilink.tracking.tracker.Tracker` (``_scan``,
``_advance``, ``_lifecycle``, ``_initiate``, ``_append``, ``_merge_duplicates``) and
:mod:`trilink.tracking.dynamics` / :mod:`trilink.tracking.measurement` rule for rule;
``tests/tracking/test_backends.py`` checks both give the same tracks. The assignment is a
shortest-augmenting-path (Hungarian) solver: the same optimum as
:func:`scipy.optimize.linear_sum_assignment`. Engine state lives in capacity arrays (rows
``0:n`` in use) owned by the tracker; the engine compacts deleted rows in place, keeping order,
and appends new tentative tracks at the end. Without Numba the tracker uses the NumPy path.

All compiled code is in this one file on purpose: Numba's on-disk cache is invalidated by the
defining file's timestamp only, so a caller cached in another file would keep a stale copy of
a kernel edited here. For the same reason the tracker's rule constants shared with the NumPy
path live here; the physical and model constants imported from :mod:`trilink.geo` and
:mod:`trilink.tracking.dynamics` are compiled in too, so after editing one of those, delete the
kernels' cache (``__pycache__/_kernels.*.nbi``/``.nbc``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from trilink.geo import GM_EARTH, J2_EARTH, OMEGA_EARTH, WGS84_A
from trilink.geo.frames import WGS84_E2, WGS84_F
from trilink.tracking.dynamics import (
    BETA_NOMINAL,
    DENSITY_BASE_KM,
    DENSITY_KG_M3,
    DENSITY_SCALE_KM,
    DRAG_CEILING_M,
    RK4_MAX_STEP_S,
    TAYLOR_MAX_DT_S,
    MotionNoise,
)

if TYPE_CHECKING:
    from trilink.tracking.tracker import TrackerConfig

try:  # pragma: no cover - exercised when numba is installed
    from numba import literal_unroll, njit

    AVAILABLE = True
except ImportError:  # pragma: no cover
    AVAILABLE = False

    def njit(*args: Any, **kwargs: Any) -> Any:  # type: ignore[no-redef]
        def wrap(f: Any) -> Any:
            return f

        return wrap

    def literal_unroll(container: Any) -> Any:  # type: ignore[no-redef,misc]
        return container


__all__ = [
    "AVAILABLE",
    "A_PAIR",
    "BIG",
    "EV_CONFIRMED",
    "EV_MERGED",
    "G_PAIR",
    "MERGE_MIN_UPDATES",
    "MERGE_STRIKES",
    "PHASE_BOOST_MU",
    "PHASE_REENTRY_BELOW_M",
    "SITE_SLACK_M",
    "SITE_SPEED_MPS",
    "EngineOutput",
    "PlotPool",
    "ScanInput",
    "TrackState",
    "gate",
    "imm_predict",
    "init_states",
    "lifecycle",
    "lsa",
    "pack_config",
    "plots_clean",
    "prepare",
    "run_scans",
    "site_frame",
    "sites_steady",
    "update",
    "warm_up",
]

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# ---------------------------------------------------------------------------- rule constants
# Shared by the NumPy reference (tracker.py) and the kernels, so that both apply one rule.

#: Cost of a track/plot pair outside the gate in the assignment (never chosen).
BIG = 1e12
#: Acceleration [m/s²] a pair's range rate may change by between its two plots (boost, gravity).
A_PAIR = 100.0
#: Gravity's share of the velocity change over a pair's interval [m/s²] (known, but the pair
#: measures the mean velocity, not the end one; taken as an uncertainty for simplicity).
G_PAIR = 10.0
#: A sensor's position may move from its reference by this slack [m] plus this speed [m/s]
#: times the time between them: 12 km/s covers any satellite's ground-fixed speed, 1 km survey
#: error. Faster, the plot is rejected as a jump.
SITE_SLACK_M = 1000.0
SITE_SPEED_MPS = 12000.0
#: Duplicate check: confirmed tracks with at least this many updates take part; the younger of
#: a pair that agrees on this many checks in a row is deleted.
MERGE_MIN_UPDATES = 10
MERGE_STRIKES = 3
#: Phase: re-entry when descending below this height [m]; boost when P(boost) exceeds this and
#: climbing.
PHASE_REENTRY_BELOW_M = 100e3
PHASE_BOOST_MU = 0.5


# ---------------------------------------------------------------------------- engine interface
class ScanInput(NamedTuple):
    """A sorted batch for :func:`run_scans`: scan ``k`` is plots ``starts[k]:ends[k]`` of sensor
    ``sens[k]`` at ``times[k]``, ``kinds[k]`` 0 radar, 1 radar with range rate, 2 space IR.
    ``cols`` [8, N] holds each plot's range, az, el, range rate and their standard deviations;
    ``lat``/``lon``/``alt`` [N] its sensor's position (radians, metres)."""

    starts: IntArray
    ends: IntArray
    times: Array
    sens: IntArray
    kinds: IntArray
    cols: Array
    lat: Array
    lon: Array
    alt: Array


class TrackState(NamedTuple):
    """Per-track arrays (the :class:`~trilink.tracking.tracker.Tracker` attributes of the same
    names): the engine holds them in capacity arrays whose rows ``0:n`` are in use. A field added
    here is carried through compaction by :func:`_compact` without further change."""

    ids: IntArray
    x: Array  # [n, 2, 9] per IMM model
    P: Array  # [n, 2, 9, 9]
    mu: Array  # [n, 2] model probabilities (ballistic, boost)
    confirmed: BoolArray
    hits: IntArray
    opps: IntArray
    n_upd: IntArray
    t_first: Array
    t_last: Array
    t_hist: Array
    merge_strikes: IntArray
    t_boost: Array
    seen: BoolArray  # [n, sensors]
    miss: IntArray  # [n, sensors]


class PlotPool(NamedTuple):
    """Plots waiting for a partner (two-point initiation): ECEF position [n, 3], its covariance,
    ``f`` [n, 6] = (time, sqrt of the covariance's trace, range, range rate, their σ), sensor.
    The tracker's ``pool_<field>`` attributes."""

    pos: Array
    P: Array
    f: Array
    s: IntArray


class EngineOutput(NamedTuple):
    """Written by :func:`run_scans` for the K confirmed tracks: events (confirmations and
    merge deletions, in order), combined estimates at the last scan (``h_x``/``h_cov``, for the
    history) and at the update time (``o_x``/``o_cov``), ``o_i`` [K, 3] id, update count and
    phase code, ``o_f`` [K, 3] P(boost), first and last update time, ``o_xb``/``o_cov_b`` the
    ballistic model's estimate, and ``h_due`` the tracks (indices into the K) due a history
    point."""

    ev_kind: IntArray
    ev_id: IntArray
    ev_t: Array
    h_x: Array
    h_cov: Array
    o_x: Array
    o_cov: Array
    o_i: IntArray
    o_f: Array
    o_xb: Array
    o_cov_b: Array
    h_due: IntArray


# Settings travel to the engine as a float and an int array (Numba takes no dataclasses, and a
# NamedTuple of ~30 scalars costs several µs a call to type-check); these are their slots, filled
# by name in pack_config only.
C_TAU_TO_BOOST = 0
C_TAU_TO_BALLISTIC = 1
C_ONE_WAY_MIXING = 2
C_Q_BALLISTIC = 3
C_Q_POST = 4
C_TAU_POST = 5
C_Q_JERK = 6
C_Q_HOLD = 7
C_BETA = 8
C_GATE2 = 9  # gate thresholds (chi² quantiles) for 2, 3 and 4 measured components
C_GATE3 = 10
C_GATE4 = 11
C_V_MAX = 12
C_INIT_ACC_SIGMA = 13
C_TENTATIVE_TIMEOUT = 14
C_COAST_TIMEOUT = 15
C_MERGE_CHECK = 16
C_MU_BOOST0 = 17
C_PAIR_WINDOW = 18
C_HISTORY_INTERVAL = 19
C_PAIR_SCANS = 20
C_DRAG_SIGMA = 21
C_DRAG_TAU = 22
C_JPDA_HARD_BETA = 23
C_JPDA_MAX_BOOST = 24
C_DRAG_SIGMA_RV = 25
C_JPDA_AFTER_BOOST = 26
C_JPDA_FREE_ABOVE = 27
N_CF = 28
I_CONFIRM_HITS = 0
I_CONFIRM_WINDOW = 1
I_MISS_DROP = 2
I_JPDA = 3
N_CI = 4

# Engine counters read and written by run_scans: integer ...
S_N = 0  # track rows in use
S_NEXT_ID = 1
S_K = 2  # confirmed tracks output
S_NPOOL = 3
S_NHIST = 4  # tracks due a history point
N_IS = 5
# ... and float
S_TIME = 0
S_LAST_MERGE = 1
N_FS = 2


def pack_config(
    c: TrackerConfig, noise: MotionNoise, gates: dict[int, float]
) -> tuple[Array, IntArray]:
    """The engine's float and int settings arrays for config ``c``, its motion ``noise`` and its
    gate thresholds by number of measured components."""
    cf = np.full(N_CF, np.nan)
    cf[C_TAU_TO_BOOST] = c.tau_to_boost_s
    cf[C_TAU_TO_BALLISTIC] = c.tau_to_ballistic_s
    cf[C_ONE_WAY_MIXING] = c.one_way_mixing_below
    cf[C_Q_BALLISTIC] = noise.q_ballistic
    cf[C_Q_POST] = c.q_post
    cf[C_TAU_POST] = c.tau_post_s
    cf[C_Q_JERK] = noise.q_jerk
    cf[C_Q_HOLD] = noise.q_hold
    cf[C_BETA] = BETA_NOMINAL
    cf[C_GATE2] = gates[2]
    cf[C_GATE3] = gates[3]
    cf[C_GATE4] = gates[4]
    cf[C_V_MAX] = c.v_max
    cf[C_INIT_ACC_SIGMA] = c.init_acc_sigma
    cf[C_TENTATIVE_TIMEOUT] = c.tentative_timeout_s
    cf[C_COAST_TIMEOUT] = c.coast_timeout_s
    cf[C_MERGE_CHECK] = c.merge_check_s
    cf[C_MU_BOOST0] = c.mu_boost0
    cf[C_PAIR_WINDOW] = c.pair_window_s
    cf[C_HISTORY_INTERVAL] = c.history_interval_s
    cf[C_PAIR_SCANS] = c.pair_scans
    cf[C_DRAG_SIGMA] = c.drag_sigma
    cf[C_DRAG_TAU] = c.drag_tau_s
    cf[C_JPDA_HARD_BETA] = c.jpda_hard_beta
    cf[C_JPDA_MAX_BOOST] = c.jpda_max_boost
    cf[C_DRAG_SIGMA_RV] = c.drag_sigma_rv
    cf[C_JPDA_AFTER_BOOST] = c.jpda_after_boost_s
    cf[C_JPDA_FREE_ABOVE] = c.jpda_free_above_m
    ci = np.zeros(N_CI, np.int64)
    ci[I_CONFIRM_HITS] = c.confirm_hits
    ci[I_CONFIRM_WINDOW] = c.confirm_window
    ci[I_MISS_DROP] = c.miss_drop
    ci[I_JPDA] = int(c.jpda)
    return cf, ci


@njit(cache=True)
def _rho(h: float) -> float:
    """Air density [kg/m³] at height ``h`` [m] (:func:`trilink.tracking.dynamics.air_density`)."""
    hk = max(h / 1000.0, 0.0)
    i = 0
    while i + 1 < DENSITY_BASE_KM.shape[0] and DENSITY_BASE_KM[i + 1] <= hk:
        i += 1
    return float(DENSITY_KG_M3[i] * math.exp(-(hk - DENSITY_BASE_KM[i]) / DENSITY_SCALE_KM[i]))


@njit(cache=True)
def _deriv(y: Any, boost: float, beta: float, out: Any) -> None:
    x, yy, z = y[0], y[1], y[2]
    vx, vy, vz = y[3], y[4], y[5]
    r2 = x * x + yy * yy + z * z
    rn = math.sqrt(r2)
    mu_r3 = GM_EARTH / (r2 * rn)
    u = z * z / r2
    k = 1.5 * J2_EARTH * GM_EARTH * WGS84_A * WGS84_A / (r2 * r2 * rn)
    ax = -mu_r3 * x - k * x * (1.0 - 5.0 * u)
    ay = -mu_r3 * yy - k * yy * (1.0 - 5.0 * u)
    az = -mu_r3 * z - k * z * (3.0 - 5.0 * u)
    w2 = OMEGA_EARTH * OMEGA_EARTH
    ax += 2.0 * OMEGA_EARTH * vy + w2 * x
    ay += -2.0 * OMEGA_EARTH * vx + w2 * yy
    h = rn - WGS84_A * (1.0 - WGS84_F * u)
    if h < DRAG_CEILING_M:
        rho = _rho(h)
        sp = math.sqrt(vx * vx + vy * vy + vz * vz)
        kd = rho * sp / (2.0 * beta)
        ax -= kd * vx
        ay -= kd * vy
        az -= kd * vz
    out[0], out[1], out[2] = vx, vy, vz
    out[3] = ax + boost * y[6]
    out[4] = ay + boost * y[7]
    out[5] = az + boost * y[8]
    out[6] = 0.0
    out[7] = 0.0
    out[8] = 0.0


@njit(cache=True)
def _jac(y: Any, boost: float, A: Any) -> None:
    A[:, :] = 0.0
    A[0, 3] = 1.0
    A[1, 4] = 1.0
    A[2, 5] = 1.0
    x, yy, z = y[0], y[1], y[2]
    rn = math.sqrt(x * x + yy * yy + z * z)
    k = GM_EARTH / (rn * rn * rn)
    u0, u1, u2 = x / rn, yy / rn, z / rn
    uu = (u0, u1, u2)
    for i in range(3):
        for j in range(3):
            A[3 + i, j] = k * (3.0 * uu[i] * uu[j] - (1.0 if i == j else 0.0))
    A[3, 0] += OMEGA_EARTH * OMEGA_EARTH
    A[4, 1] += OMEGA_EARTH * OMEGA_EARTH
    A[3, 4] = 2.0 * OMEGA_EARTH
    A[4, 3] = -2.0 * OMEGA_EARTH
    A[3, 6] = boost
    A[4, 7] = boost
    A[5, 8] = boost


# Small dense-matrix helpers of the filters. Each sums in index order, as the loops they
# replaced did, so results are bit-for-bit those of the written-out loops; Numba inlines them.
@njit(cache=True)
def _matmul(A: Any, B: Any, ni: int, nk: int, nq: int, out: Any) -> None:
    """``out[:ni, :nk] = A[:ni, :nq] @ B[:nq, :nk]``."""
    for i in range(ni):
        for k in range(nk):
            s = 0.0
            for q in range(nq):
                s += A[i, q] * B[q, k]
            out[i, k] = s


@njit(cache=True)
def _matmul_t(A: Any, B: Any, ni: int, nk: int, nq: int, upper: bool, out: Any) -> None:
    """``out[:ni, :nk] = A[:ni, :nq] @ B[:nk, :nq].T``; with ``upper`` only the entries on and
    above the diagonal (a symmetric result the caller mirrors)."""
    for i in range(ni):
        for k in range(i if upper else 0, nk):
            s = 0.0
            for q in range(nq):
                s += A[i, q] * B[k, q]
            out[i, k] = s


@njit(cache=True)
def _predict_one(
    y: Any, Pm: Any, boost: float, dt: float, qb: float, qj: float, qh: float, beta: float,
    A: Any, F: Any, T: Any, f: Any, k1: Any, k2: Any, k3: Any, k4: Any, tmp: Any,
) -> None:  # fmt: skip
    # The ballistic model (boost 0) holds its thrust states at zero: A's columns 6-8 vanish, so
    # F = diag(F6, 0) and only the 6x6 position-velocity block needs propagating (a third of the
    # arithmetic; the result is the same as the full 9x9 product, whose extra terms are zeros).
    n = 6 if boost == 0.0 else 9
    _jac(y, boost, A)
    # F = I + A dt + (A dt)^2 / 2   (A is sparse: skip its zero entries)
    for i in range(n):
        for j in range(n):
            F[i, j] = A[i, j] * dt + (1.0 if i == j else 0.0)
        for m in range(n):
            a = A[i, m]
            if a != 0.0:
                for j in range(n):
                    F[i, j] += 0.5 * a * A[m, j] * dt * dt
    # mean
    if abs(dt) <= TAYLOR_MAX_DT_S:
        _deriv(y, boost, beta, f)
        for i in range(9):
            s = 0.0
            for m in range(9):
                s += A[i, m] * f[m]
            tmp[i] = y[i] + f[i] * dt + 0.5 * dt * dt * s
        for i in range(9):
            y[i] = tmp[i]
    else:
        steps = math.ceil(abs(dt) / RK4_MAX_STEP_S)
        h = dt / steps
        for _ in range(steps):
            _deriv(y, boost, beta, k1)
            for i in range(9):
                tmp[i] = y[i] + 0.5 * h * k1[i]
            _deriv(tmp, boost, beta, k2)
            for i in range(9):
                tmp[i] = y[i] + 0.5 * h * k2[i]
            _deriv(tmp, boost, beta, k3)
            for i in range(9):
                tmp[i] = y[i] + h * k3[i]
            _deriv(tmp, boost, beta, k4)
            for i in range(9):
                y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
    if boost == 0.0:
        y[6] = 0.0
        y[7] = 0.0
        y[8] = 0.0
        for i in range(6, 9):
            for j in range(9):
                Pm[i, j] = 0.0
                Pm[j, i] = 0.0
    # covariance: F P F^T + Q
    _matmul(F, Pm, n, n, n, T)
    _matmul_t(T, F, n, n, n, True, Pm)
    adt = abs(dt)
    jq = qj * boost
    b00 = qb * adt**3 / 3 + jq * adt**5 / 20
    b01 = qb * adt**2 / 2 + jq * adt**4 / 8
    b02 = jq * adt**3 / 6
    b11 = qb * adt + jq * adt**3 / 3
    b12 = jq * adt**2 / 2
    b22 = jq * adt + (1.0 - boost) * qh
    for a in range(3):
        Pm[a, a] += b00
        Pm[a, 3 + a] += b01
        Pm[a, 6 + a] += b02
        Pm[3 + a, 3 + a] += b11
        Pm[3 + a, 6 + a] += b12
        Pm[6 + a, 6 + a] += b22
    for i in range(n):
        for j in range(i):
            Pm[i, j] = Pm[j, i]


@njit(cache=True)
def imm_predict(
    x: Any, P: Any, mu: Any, dt: float, p_bt: float, p_tb: float, one_way: float,
    qb: Any, qj: float, qh: float, beta: float,
) -> None:  # fmt: skip
    """Mix and predict every track's two models in place (see Tracker._advance)."""
    ws9 = np.empty((6, 9))
    ws99 = np.empty((3, 9, 9))
    _imm_predict_n(
        x, P, mu, x.shape[0], dt, p_bt, p_tb, one_way, qb, qj, qh, beta, ws9, ws99,
        np.empty((4, 9)), np.empty((2, 9)),
    )  # fmt: skip


@njit(cache=True)
def _meas(y: Any, site: Any, rot: Any, comps: Any, h: Any, H: Any) -> None:
    """Predicted measurement ``h`` [m] and Jacobian ``H`` [m, 9] at state ``y``."""
    d0, d1, d2 = y[0] - site[0], y[1] - site[1], y[2] - site[2]
    e = rot[0, 0] * d0 + rot[0, 1] * d1 + rot[0, 2] * d2
    nn = rot[1, 0] * d0 + rot[1, 1] * d1 + rot[1, 2] * d2
    u = rot[2, 0] * d0 + rot[2, 1] * d1 + rot[2, 2] * d2
    rho2 = e * e + nn * nn
    rho = math.sqrt(rho2)
    rng = math.sqrt(rho2 + u * u)
    for r in range(comps.shape[0]):
        c = comps[r]
        for k in range(9):
            H[r, k] = 0.0
        if c == 0:
            h[r] = rng
            g0, g1, g2 = e / rng, nn / rng, u / rng
        elif c == 1:
            az = math.atan2(e, nn)
            if az < 0:
                az += 2.0 * math.pi
            h[r] = az
            g0, g1, g2 = nn / rho2, -e / rho2, 0.0
        elif c == 2:
            h[r] = math.atan2(u, rho)
            cc = 1.0 / (rng * rng * rho)
            g0, g1, g2 = -e * u * cc, -nn * u * cc, rho2 * cc
        else:
            l0, l1, l2 = d0 / rng, d1 / rng, d2 / rng
            rr = l0 * y[3] + l1 * y[4] + l2 * y[5]
            h[r] = rr
            H[r, 0] = (y[3] - rr * l0) / rng
            H[r, 1] = (y[4] - rr * l1) / rng
            H[r, 2] = (y[5] - rr * l2) / rng
            H[r, 3] = l0
            H[r, 4] = l1
            H[r, 5] = l2
            continue
        for k in range(3):
            H[r, k] = g0 * rot[0, k] + g1 * rot[1, k] + g2 * rot[2, k]


@njit(cache=True)
def _wrap(v: float) -> float:
    return (v + math.pi) % (2.0 * math.pi) - math.pi


@njit(cache=True)
def _chol_solve_logdet(S: Any, y: Any, m: int, L: Any, sol: Any) -> tuple[float, bool]:
    """Cholesky of S [m, m]; solves S sol = y; returns (log det S, ok)."""
    for i in range(m):
        for j in range(i + 1):
            s = S[i, j]
            for k in range(j):
                s -= L[i, k] * L[j, k]
            if i == j:
                if s <= 0.0:
                    return 0.0, False
                L[i, i] = math.sqrt(s)
            else:
                L[i, j] = s / L[j, j]
    ld = 0.0
    for i in range(m):
        ld += 2.0 * math.log(L[i, i])
    for i in range(m):
        s = y[i]
        for k in range(i):
            s -= L[i, k] * sol[k]
        sol[i] = s / L[i, i]
    for i in range(m - 1, -1, -1):
        s = sol[i]
        for k in range(i + 1, m):
            s -= L[k, i] * sol[k]
        sol[i] = s / L[i, i]
    return ld, True


@njit(cache=True)
def _mahalanobis(S: Any, v: Any, m: int, L: Any, sol: Any) -> tuple[float, float, bool]:
    """Squared Mahalanobis length of ``v`` [m] under ``S`` [m, m] and log det S, and whether S
    was positive definite (both 0 when not)."""
    ld, ok = _chol_solve_logdet(S, v, m, L, sol)
    if not ok:
        return 0.0, 0.0, False
    s = 0.0
    for r in range(m):
        s += v[r] * sol[r]
    return s, ld, True


@njit(cache=True)
def _az_col(comps: Any) -> int:
    """Column of the azimuth (component 1) among ``comps``, or -1."""
    az_col = -1
    for r in range(comps.shape[0]):
        if comps[r] == 1:
            az_col = r
    return az_col


@njit(cache=True)
def _innovation(z: Any, h: Any, m: int, az_col: int, out: Any) -> None:
    """``out = z - h`` with the azimuth difference wrapped into [-π, π)."""
    for r in range(m):
        out[r] = z[r] - h[r]
    if az_col >= 0:
        out[az_col] = _wrap(out[az_col])


@njit(cache=True)
def _innov_cov(Ps: Any, H: Any, Rd: Any, nn: int, m: int, PHt: Any, S: Any) -> None:
    """``PHt = P Hᵀ`` and the innovation covariance ``S = H P Hᵀ + diag(Rd)`` over the first
    ``nn`` states."""
    _matmul_t(Ps, H, nn, m, nn, False, PHt)
    _matmul(H, PHt, m, m, nn, S)
    for r in range(m):
        S[r, r] += Rd[r]


@njit(cache=True)
def _gain(PHt: Any, S: Any, nn: int, m: int, L: Any, col: Any, sol: Any, K: Any) -> None:
    """Kalman gain ``K = PHt S⁻¹`` row by row (solve S k = PHt[i])."""
    for i in range(nn):
        for r in range(m):
            col[r] = PHt[i, r]
        _chol_solve_logdet(S, col, m, L, sol)
        for r in range(m):
            K[i, r] = sol[r]


@njit(cache=True)
def _add_gain(xs: Any, K: Any, v: Any, nn: int, m: int) -> None:
    """``xs[:nn] += K v``."""
    for i in range(nn):
        s = 0.0
        for r in range(m):
            s += K[i, r] * v[r]
        xs[i] += s


@njit(cache=True)
def _joseph(
    K: Any, H: Any, Ps: Any, Rd: Any, nn: int, m: int, sym: bool, IKH: Any, T: Any, out: Any
) -> None:
    """Joseph-form covariance ``(I - KH) P (I - KH)ᵀ + K diag(Rd) Kᵀ`` over the first ``nn``
    states into ``out``; with ``sym`` the upper triangle is computed and mirrored."""
    _matmul(K, H, nn, nn, m, IKH)
    for i in range(nn):
        for k in range(nn):
            IKH[i, k] = (1.0 if i == k else 0.0) - IKH[i, k]
    _matmul(IKH, Ps, nn, nn, nn, T)
    _matmul_t(T, IKH, nn, nn, nn, sym, out)
    for i in range(nn):
        for k in range(i if sym else 0, nn):
            s = out[i, k]
            for r in range(m):
                s += K[i, r] * Rd[r] * K[k, r]
            out[i, k] = s
            if sym:
                out[k, i] = s


@njit(cache=True)
def gate(
    x: Any, P: Any, mu: Any, site: Any, rot: Any, comps: Any, z: Any, R: Any,
    d2: Any, logdet: Any,
) -> None:  # fmt: skip
    """Mahalanobis distances d2 [T, Pl] and log det S [T, Pl] of every track/plot pair, with the
    combined IMM estimate."""
    nt = x.shape[0]
    npl = z.shape[0]
    m = comps.shape[0]
    xc = np.empty(9)
    Pc = np.empty((9, 9))
    h = np.empty(m)
    H = np.empty((m, 9))
    HP = np.empty((m, 9))
    S0 = np.empty((m, m))
    S = np.empty((m, m))
    L = np.zeros((m, m))
    yv = np.empty(m)
    sol = np.empty(m)
    az_col = _az_col(comps)
    for t in range(nt):
        _combined(x, P, mu, t, xc, Pc)
        _meas(xc, site, rot, comps, h, H)
        _matmul(H, Pc, m, 9, 9, HP)
        _matmul_t(HP, H, m, m, 9, False, S0)
        for p in range(npl):
            for r in range(m):
                for c in range(m):
                    S[r, c] = S0[r, c]
                S[r, r] += R[p, r]
            _innovation(z[p], h, m, az_col, yv)
            dd, ld, ok = _mahalanobis(S, yv, m, L, sol)
            d2[t, p] = dd if ok else 1e30
            logdet[t, p] = ld


@njit(cache=True)
def update(
    x: Any, P: Any, mu: Any, ti: Any, z: Any, R: Any, site: Any, rot: Any, comps: Any
) -> None:
    """EKF (Joseph form) update of both models of tracks ``ti`` with plots ``z``; IMM weights."""
    m = comps.shape[0]
    h = np.empty(m)
    H = np.empty((m, 9))
    PHt = np.empty((9, m))
    S = np.empty((m, m))
    L = np.zeros((m, m))
    K = np.empty((9, m))
    yv = np.empty(m)
    sol = np.empty(m)
    col = np.empty(m)
    IKH = np.empty((9, 9))
    T = np.empty((9, 9))
    Pn = np.empty((9, 9))
    az_col = _az_col(comps)
    loglik = np.empty(2)
    for a in range(ti.shape[0]):
        t = ti[a]
        for j in range(2):
            xs = x[t, j]
            Ps = P[t, j]
            # The ballistic model's thrust states are held (zero, uncorrelated after each
            # predict) and unobserved, so its gain there is zero: update the 6x6 block only.
            nn = 6 if j == 0 else 9
            _meas(xs, site, rot, comps, h, H)
            _innov_cov(Ps, H, R[a], nn, m, PHt, S)
            _innovation(z[a], h, m, az_col, yv)
            dd, ld, ok = _mahalanobis(S, yv, m, L, sol)
            if not ok:
                loglik[j] = -1e30
                continue
            loglik[j] = -0.5 * (dd + ld)
            _gain(PHt, S, nn, m, L, col, sol, K)
            _add_gain(xs, K, yv, nn, m)
            _joseph(K, H, Ps, R[a], nn, m, True, IKH, T, Pn)
            for i in range(nn):
                for k in range(nn):
                    Ps[i, k] = Pn[i, k]
        _mode_update(mu, t, loglik[0], loglik[1])


@njit(cache=True)
def _mode_update(mu: Any, t: int, ll_ballistic: float, ll_boost: float) -> None:
    """IMM mode probabilities of track ``t`` after an update with these model log-likelihoods
    (in log space: one model's likelihood can underflow), kept inside [1e-6, 1 − 1e-6]."""
    l0 = math.log(mu[t, 0]) + ll_ballistic
    l1 = math.log(mu[t, 1]) + ll_boost
    top = max(l0, l1)
    w0 = math.exp(l0 - top)
    w1 = math.exp(l1 - top)
    m1 = min(max(w1 / (w0 + w1), 1e-6), 1.0 - 1e-6)
    mu[t, 0] = 1.0 - m1
    mu[t, 1] = m1


@njit(cache=True)
def init_states(
    az: Any, el: Any, rg: Any, s_r: Any, s_az: Any, s_el: Any, rr: Any, s_rr: Any,
    site: Any, rot: Any, vel_sigma: float, acc_sigma: float, x: Any, P: Any,
) -> None:  # fmt: skip
    """Single-plot initiation of tracks ``x`` [k, 2, 9], ``P`` [k, 2, 9, 9] (zeroed by caller):
    position from the plot, velocity zero (or range rate along the line of sight) with a wide
    spread, thrust acceleration zero with spread ``acc_sigma`` in the boost model."""
    for i in range(az.shape[0]):
        ca, sa = math.cos(az[i]), math.sin(az[i])
        ce, se = math.cos(el[i]), math.sin(el[i])
        r = rg[i]
        enu = (r * ce * sa, r * ce * ca, r * se)
        J = np.empty((3, 3))  # d(enu)/d(range, az, el)
        J[0, 0], J[0, 1], J[0, 2] = ce * sa, r * ce * ca, -r * se * sa
        J[1, 0], J[1, 1], J[1, 2] = ce * ca, -r * ce * sa, -r * se * ca
        J[2, 0], J[2, 1], J[2, 2] = se, 0.0, r * ce
        Jx = np.empty((3, 3))  # rot^T J
        for a in range(3):
            for b in range(3):
                Jx[a, b] = rot[0, a] * J[0, b] + rot[1, a] * J[1, b] + rot[2, a] * J[2, b]
        var = (s_r[i] ** 2, s_az[i] ** 2, s_el[i] ** 2)
        pos = np.empty(3)
        u = np.empty(3)
        for a in range(3):
            pos[a] = site[a] + rot[0, a] * enu[0] + rot[1, a] * enu[1] + rot[2, a] * enu[2]
            u[a] = (pos[a] - site[a]) / r
        has_rr = not math.isnan(rr[i])
        vr = rr[i] if has_rr else 0.0
        v2 = s_rr[i] ** 2 if has_rr else vel_sigma**2
        for j in range(2):
            for a in range(3):
                x[i, j, a] = pos[a]
                x[i, j, 3 + a] = vr * u[a]
                for b in range(3):
                    s = 0.0
                    for c in range(3):
                        s += Jx[a, c] * var[c] * Jx[b, c]
                    P[i, j, a, b] = s
                    eye = 1.0 if a == b else 0.0
                    P[i, j, 3 + a, 3 + b] = vel_sigma**2 * (eye - u[a] * u[b]) + v2 * u[a] * u[b]
            for a in range(3):
                P[i, j, 6 + a, 6 + a] = 1e-6 if j == 0 else acc_sigma**2


@njit(cache=True)
def lifecycle(
    hit: Any, s: int, t: float, seen: Any, miss: Any, opps: Any, hits: Any, n_upd: Any,
    t_last: Any, t_first: Any, confirmed: Any, confirm_hits: int, window: int, miss_drop: int,
    tent_timeout: float, coast_timeout: float, newly: Any, dead: Any,
) -> None:  # fmt: skip
    """Hit/miss bookkeeping after a scan of sensor ``s``; fills ``newly`` and ``dead`` masks."""
    for k in range(hit.shape[0]):
        h = hit[k]
        expected = seen[k, s] or h
        if expected and not confirmed[k]:
            opps[k] += 1
        if h:
            hits[k] += 1
            n_upd[k] += 1
            t_last[k] = t
            seen[k, s] = True
            miss[k, s] = 0
        elif expected:
            miss[k, s] += 1
            if miss[k, s] >= miss_drop:
                seen[k, s] = False
        newly[k] = (not confirmed[k]) and hits[k] >= confirm_hits and t_last[k] > t_first[k]
        if newly[k]:
            confirmed[k] = True
        any_seen = False
        for q in range(seen.shape[1]):
            if seen[k, q]:
                any_seen = True
                break
        if confirmed[k]:
            dead[k] = (t - t_last[k] > coast_timeout) or not any_seen
        else:
            dead[k] = (
                (opps[k] - hits[k] > window - confirm_hits)
                or (t - t_last[k] > tent_timeout)
                or not any_seen
            )


#: event kinds written to the event arrays
EV_CONFIRMED = 1
EV_MERGED = 2


@njit(cache=True)
def lsa(cost: Any, out_col: Any) -> None:
    """Minimum-cost assignment of every row of ``cost`` [nr, nc] (nr ≤ nc) to a distinct column;
    ``out_col[i]`` receives row i's column (shortest augmenting paths with potentials)."""
    nr, nc = cost.shape
    u = np.zeros(nr + 1)
    v = np.zeros(nc + 1)
    p = np.zeros(nc + 1, np.int64)
    way = np.zeros(nc + 1, np.int64)
    minv = np.empty(nc + 1)
    used = np.empty(nc + 1, np.bool_)
    for i in range(1, nr + 1):
        p[0] = i
        j0 = 0
        minv[:] = np.inf
        used[:] = False
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = np.inf
            j1 = 0
            for j in range(1, nc + 1):
                if not used[j]:
                    cur = cost[i0 - 1, j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(nc + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    for j in range(1, nc + 1):
        if p[j] != 0:
            out_col[p[j] - 1] = j - 1


@njit(cache=True)
def _imm_predict_n(
    x: Any, P: Any, mu: Any, n: int, dt: float, p_bt: float, p_tb: float, one_way: float,
    qb: Any, qj: float, qh: float, beta: float, ws9: Any, ws99: Any, d: Any, x0: Any,
) -> None:  # fmt: skip
    """:func:`trilink.tracking._kernels.imm_predict` on rows ``0:n`` with caller workspace."""
    A, F, T = ws99[0], ws99[1], ws99[2]
    f, k1, k2, k3, k4, tmp = ws9[0], ws9[1], ws9[2], ws9[3], ws9[4], ws9[5]
    for t in range(n):
        m0, m1 = mu[t, 0], mu[t, 1]
        c0 = m0 * (1.0 - p_bt) + m1 * p_tb
        c1 = m0 * p_bt + m1 * (1.0 - p_tb)
        w00 = m0 * (1.0 - p_bt) / c0
        w10 = m1 * p_tb / c0
        w01 = m0 * p_bt / c1
        w11 = m1 * (1.0 - p_tb) / c1
        keep0 = m1 < one_way
        for i in range(9):
            x0[0, i] = w00 * x[t, 0, i] + w10 * x[t, 1, i]
            x0[1, i] = w01 * x[t, 0, i] + w11 * x[t, 1, i]
        for i in range(9):
            d[0, i] = x[t, 0, i] - x0[0, i]
            d[1, i] = x[t, 1, i] - x0[0, i]
            d[2, i] = x[t, 0, i] - x0[1, i]
            d[3, i] = x[t, 1, i] - x0[1, i]
        for i in range(9):
            for k in range(i, 9):
                pa = P[t, 0, i, k]
                pb = P[t, 1, i, k]
                if not keep0:
                    val = w00 * (pa + d[0, i] * d[0, k]) + w10 * (pb + d[1, i] * d[1, k])
                    P[t, 0, i, k] = val
                    P[t, 0, k, i] = val
                val = w01 * (pa + d[2, i] * d[2, k]) + w11 * (pb + d[3, i] * d[3, k])
                P[t, 1, i, k] = val
                P[t, 1, k, i] = val
        for i in range(9):
            if not keep0:
                x[t, 0, i] = x0[0, i]
            x[t, 1, i] = x0[1, i]
        for j in range(2):
            _predict_one(
                x[t, j], P[t, j], float(j), dt, qb[t], qj, qh, beta, A, F, T, f, k1, k2, k3, k4, tmp
            )
        mu[t, 0] = c0
        mu[t, 1] = c1


@njit(cache=True)
def _move_row(arrays: Any, w: int, r: int) -> None:
    """Copy row ``r`` of every array in the tuple ``arrays`` to row ``w``."""
    for a in literal_unroll(arrays):
        a[w] = a[r]


@njit(cache=True)
def _compact(keep: Any, n: int, trk: Any) -> int:
    """Drop rows with ``keep`` False from ``0:n`` of every :class:`TrackState` array, keeping
    order; returns the new count."""
    w = 0
    for r in range(n):
        if not keep[r]:
            continue
        if w != r:
            _move_row(trk, w, r)
        w += 1
    return w


@njit(cache=True)
def _combined(x: Any, P: Any, mu: Any, t: int, xc: Any, Pc: Any) -> None:
    for i in range(9):
        xc[i] = mu[t, 0] * x[t, 0, i] + mu[t, 1] * x[t, 1, i]
    for i in range(9):
        da = x[t, 0, i] - xc[i]
        db = x[t, 1, i] - xc[i]
        for k in range(9):
            Pc[i, k] = mu[t, 0] * (P[t, 0, i, k] + da * (x[t, 0, k] - xc[k])) + mu[t, 1] * (
                P[t, 1, i, k] + db * (x[t, 1, k] - xc[k])
            )


@njit(cache=True)
def _merge_strikes(n: int, trk: Any, time: float, fresh_s: float) -> bool:
    """Tracker._merge_duplicates' test: strike the younger of two confirmed tracks (updated in
    the last ``fresh_s``) that keep describing the same object; returns whether any track has
    reached ``MERGE_STRIKES`` strikes."""
    x, P, mu, confirmed, n_upd = trk.x, trk.P, trk.mu, trk.confirmed, trk.n_upd
    t_first, t_last, strikes = trk.t_first, trk.t_last, trk.merge_strikes
    nc = 0
    for r in range(n):
        if confirmed[r] and n_upd[r] >= MERGE_MIN_UPDATES and time - t_last[r] <= fresh_s:
            nc += 1
    if nc < 2:
        return False
    c = np.empty(nc, np.int64)
    q = 0
    for r in range(n):
        if confirmed[r] and n_upd[r] >= MERGE_MIN_UPDATES and time - t_last[r] <= fresh_s:
            c[q] = r
            q += 1
    xc = np.empty((nc, 9))
    Pc = np.empty((nc, 9, 9))
    sig = np.empty(nc)
    for a in range(nc):
        _combined(x, P, mu, c[a], xc[a], Pc[a])
        sig[a] = math.sqrt(Pc[a, 0, 0] + Pc[a, 1, 1] + Pc[a, 2, 2])
    hit = np.zeros(nc, np.bool_)
    S = np.empty((6, 6))
    L = np.zeros((6, 6))
    dx = np.empty(6)
    sol = np.empty(6)
    for i in range(nc):
        for j in range(i + 1, nc):
            d0 = xc[i, 0] - xc[j, 0]
            d1 = xc[i, 1] - xc[j, 1]
            d2 = xc[i, 2] - xc[j, 2]
            if not math.sqrt(d0 * d0 + d1 * d1 + d2 * d2) < 3.0 * (sig[i] + sig[j]) + 50.0:
                continue
            for a in range(6):
                dx[a] = xc[i, a] - xc[j, a]
                for b in range(6):
                    S[a, b] = Pc[i, a, b] + Pc[j, a, b]
            m2, _ld, ok = _mahalanobis(S, dx, 6, L, sol)
            if ok and m2 < 3.0:
                young = i if t_first[c[i]] > t_first[c[j]] else j
                hit[young] = True
    any_dup = False
    for a in range(nc):
        r = c[a]
        strikes[r] = strikes[r] + 1 if hit[a] else 0
    for r in range(n):
        if strikes[r] >= MERGE_STRIKES:
            any_dup = True
    return any_dup


@njit(cache=True)
def _pair_ok(rng: float, rr: float, s_rng: float, s_rr: float, q: Any, dt: float) -> bool:
    """Range-rate consistency of a plot (range, range rate and σ) with a pooled one (``q`` =
    pool row: t, σ, range, range rate, their σ) ``dt`` earlier: the range change over ``dt``
    must match the mean range rate. Without range rates any pair passes (distance decides).

    Why: missiles of a salvo fly the same path seconds apart, so one missile's plot lies close to
    where another was a scan ago — the distance gate alone cannot tell them apart; the Doppler
    can (a wrong pair implies a range rate far from both measured ones)."""
    if math.isnan(rr) or math.isnan(q[3]):
        return True
    lhs = abs((rng - q[2]) / dt - 0.5 * (rr + q[3]))
    tol = 3.0 * math.sqrt((s_rng**2 + q[4] ** 2) / dt**2 + 0.25 * (s_rr**2 + q[5] ** 2))
    return bool(lhs <= tol + A_PAIR * dt / 2.0)


@njit(cache=True)
def _move_pooled(pool: Any, w: int, q: int) -> None:
    """Move pooled plot ``q`` to row ``w`` (``w`` ≤ ``q``) of every :class:`PlotPool` array.

    Field by field, not by :func:`_move_row`: this runs every scan, and the tuple loop
    (``literal_unroll``) cost ~7 % of the engine's time in the 10-target benchmark."""
    if w != q:
        pool.pos[w] = pool.pos[q]
        pool.P[w] = pool.P[q]
        pool.f[w] = pool.f[q]
        pool.s[w] = pool.s[q]


@njit(cache=True)
def _pair_and_pool(
    t: float, s: int, xs: Any, Ps: Any, pf: Any, n: int, next_id: int, npool: int,
    v_max: float, window_s: float, max_age: float, acc_sigma: float, mu0: float,
    trk: Any, pool: Any,
) -> tuple[int, int, int]:  # fmt: skip
    """Tracker._initiate: pair the free plots (positions ``xs[:, 0, 0:3]``, covariances
    ``Ps[:, 0, 0:3, 0:3]``, ``pf`` [nf, 4] range, range rate and their σ) with pooled plots of
    the same sensor, start tracks from pairs (appended to ``trk``), pool the rest."""
    pool_pos, pool_P, pool_f, pool_s = pool.pos, pool.P, pool.f, pool.s
    x, P = trk.x, trk.P
    nf = xs.shape[0]
    w = 0
    for q in range(npool):  # drop pooled plots that waited too long
        if t - pool_f[q, 0] <= window_s:
            _move_pooled(pool, w, q)
            w += 1
    npool = w
    used = np.zeros(npool, np.bool_)
    pair = np.full(nf, -1, np.int64)
    sig = np.empty(nf)
    for i in range(nf):
        sig[i] = math.sqrt(Ps[i, 0, 0, 0] + Ps[i, 0, 1, 1] + Ps[i, 0, 2, 2])
        best = -1
        bestt = -np.inf
        bestr = np.inf
        for q in range(npool):
            tq = pool_f[q, 0]
            if pool_s[q] != s or not tq < t or t - tq > max_age or used[q] or tq < bestt:
                continue
            dtq = t - tq
            if _pair_ok(pf[i, 0], pf[i, 1], pf[i, 2], pf[i, 3], pool_f[q], dtq):
                d0 = xs[i, 0, 0] - pool_pos[q, 0]
                d1 = xs[i, 0, 1] - pool_pos[q, 1]
                d2 = xs[i, 0, 2] - pool_pos[q, 2]
                d = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
                r = d / (v_max * dtq + 3.0 * math.sqrt(sig[i] ** 2 + pool_f[q, 1] ** 2))
                # the latest reachable plot wins; among one scan's, the nearest
                if r <= 1.0 and (tq > bestt or r < bestr):
                    bestt = tq
                    bestr = r
                    best = q
        if best >= 0:
            pair[i] = best
            used[best] = True
    for i in range(nf):
        q = pair[i]
        if q < 0:
            continue
        r = n
        dt = t - pool_f[q, 0]
        acc = (acc_sigma**2 + G_PAIR**2) * dt**2 / 4.0
        x[r] = 0.0
        P[r] = 0.0
        for j in range(2):
            for a in range(3):
                x[r, j, a] = xs[i, 0, a]
                x[r, j, 3 + a] = (xs[i, 0, a] - pool_pos[q, a]) / dt
                for c in range(3):
                    pp = Ps[i, 0, a, c]
                    P[r, j, a, c] = pp
                    P[r, j, a, 3 + c] = pp / dt
                    P[r, j, 3 + c, a] = pp / dt
                    P[r, j, 3 + a, 3 + c] = (pp + pool_P[q, a, c]) / (dt * dt) + (
                        acc if a == c else 0.0
                    )
            for a in range(3):
                P[r, j, 6 + a, 6 + a] = 1e-6 if j == 0 else acc_sigma**2
        trk.ids[r] = next_id
        trk.mu[r, 0] = 1.0 - mu0
        trk.mu[r, 1] = mu0
        trk.confirmed[r] = False
        trk.hits[r] = 2
        trk.opps[r] = 2
        trk.n_upd[r] = 2
        trk.t_first[r] = pool_f[q, 0]
        trk.t_last[r] = t
        trk.t_hist[r] = -np.inf
        trk.merge_strikes[r] = 0
        trk.t_boost[r] = t
        trk.seen[r] = False
        trk.seen[r, s] = True
        trk.miss[r] = 0
        n += 1
        next_id += 1
    w = 0
    for q in range(npool):  # keep the unused pooled plots, in order
        if not used[q]:
            _move_pooled(pool, w, q)
            w += 1
    for i in range(nf):  # then the plots that found no partner
        if pair[i] < 0:
            for a in range(3):
                pool_pos[w, a] = xs[i, 0, a]
                for c in range(3):
                    pool_P[w, a, c] = Ps[i, 0, a, c]
            pool_f[w, 0] = t
            pool_f[w, 1] = sig[i]
            for c in range(4):
                pool_f[w, 2 + c] = pf[i, c]
            pool_s[w] = s
            w += 1
    return n, next_id, w


@njit(cache=True)
def _jpda(
    g: Any, d2: Any, logdet: Any, gthr: float, confirmed: Any, mu: Any, hard_beta: float,
    max_boost: float, t_boost: Any, t: float, after_boost: float, x0: Any, free_above: float,
) -> tuple[Any, Any, Any]:  # fmt: skip
    """``Tracker._jpda``: association probabilities (Fitzgerald's cheap JPDA) of confirmed
    tracks in contention; returns the tracks to update softly [A], the plots [M] and β [A, M]."""
    n, npl = g.shape
    rowc = np.zeros(n, np.int64)
    colc = np.zeros(npl, np.int64)
    for r in range(n):
        if confirmed[r]:
            for p in range(npl):
                if g[r, p]:
                    rowc[r] += 1
                    colc[p] += 1
    shared = np.zeros(n, np.bool_)
    for r in range(n):
        if confirmed[r]:
            s = rowc[r] > 1
            for p in range(npl):
                if g[r, p] and colc[p] > 1:
                    s = True
            shared[r] = s
    T = np.flatnonzero(shared)
    nt = T.shape[0]
    if nt == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, 0))
    inpl = np.zeros(npl, np.bool_)
    for a in range(nt):
        for p in range(npl):
            if g[T[a], p]:
                inpl[p] = True
    Pl = np.flatnonzero(inpl)
    nm = Pl.shape[0]
    c0 = np.inf
    for a in range(nt):
        for b in range(nm):
            if g[T[a], Pl[b]]:
                c0 = min(c0, d2[T[a], Pl[b]] + logdet[T[a], Pl[b]])
    G = np.zeros((nt, nm))
    for a in range(nt):
        for b in range(nm):
            if g[T[a], Pl[b]]:
                G[a, b] = math.exp(-0.5 * (d2[T[a], Pl[b]] + logdet[T[a], Pl[b]] - c0))
    St = np.zeros(nt)
    Sp = np.zeros(nm)
    for a in range(nt):
        for b in range(nm):
            St[a] += G[a, b]
            Sp[b] += G[a, b]
    beta = np.zeros((nt, nm))
    soft = np.zeros(nt, np.bool_)
    ns = 0
    for a in range(nt):
        ld = np.inf
        for p in range(npl):
            ld = min(ld, logdet[T[a], p])
        B = math.exp(-0.5 * (gthr + ld - c0))
        bmax = 0.0
        for b in range(nm):
            if g[T[a], Pl[b]]:
                beta[a, b] = G[a, b] / (St[a] + Sp[b] - G[a, b] + B)
                bmax = max(bmax, beta[a, b])
        r = T[a]
        xr = x0[r]
        rn = math.sqrt(xr[0] * xr[0] + xr[1] * xr[1] + xr[2] * xr[2])
        alt = rn - WGS84_A * (1.0 - WGS84_F * (xr[2] / rn) ** 2)
        soft[a] = (
            bmax < hard_beta
            and mu[r, 1] < max_boost
            and (t - t_boost[r] >= after_boost or alt >= free_above)
        )
        if soft[a]:
            ns += 1
    Ts = np.empty(ns, np.int64)
    Bs = np.empty((ns, nm))
    q = 0
    for a in range(nt):
        if soft[a]:
            Ts[q] = T[a]
            Bs[q] = beta[a]
            q += 1
    return Ts, Pl, Bs


@njit(cache=True)
def _pda_update(
    x: Any, P: Any, mu: Any, ti: Any, beta: Any, z: Any, R: Any, site: Any, rot: Any, comps: Any
) -> None:
    """``Tracker._pda_update``: PDA update of both models of tracks ``ti`` with plots ``z``
    [M, m] weighted by ``beta`` [A, M]; the gain uses the noise of the most likely plot."""
    m = comps.shape[0]
    nm = z.shape[0]
    h = np.empty(m)
    H = np.empty((m, 9))
    PHt = np.empty((9, m))
    S = np.empty((m, m))
    L = np.zeros((m, m))
    K = np.empty((9, m))
    nu = np.empty((nm, m))
    nbar = np.empty(m)
    sol = np.empty(m)
    col = np.empty(m)
    Rd = np.empty(m)
    IKH = np.empty((9, 9))
    T = np.empty((9, 9))
    Pc = np.empty((9, 9))
    Sp = np.empty((m, m))
    ll = np.empty(nm)
    loglik = np.empty(2)
    az_col = _az_col(comps)
    for a in range(ti.shape[0]):
        t = ti[a]
        best = 0
        for b in range(nm):
            if beta[a, b] > beta[a, best]:
                best = b
        for r in range(m):
            Rd[r] = R[best, r]
        bsum = 0.0
        for b in range(nm):
            bsum += beta[a, b]
        b0 = min(max(1.0 - bsum, 0.0), 1.0)
        for j in range(2):
            xs = x[t, j]
            Ps = P[t, j]
            _meas(xs, site, rot, comps, h, H)
            _innov_cov(Ps, H, Rd, 9, m, PHt, S)
            for b in range(nm):
                _innovation(z[b], h, m, az_col, nu[b])
            for r in range(m):
                s = 0.0
                for b in range(nm):
                    s += beta[a, b] * nu[b, r]
                nbar[r] = s
            ok = True
            top = -np.inf
            for b in range(nm):
                d, ld, ok = _mahalanobis(S, nu[b], m, L, sol)
                if not ok:
                    break
                ll[b] = -0.5 * (d + ld)
                top = max(top, ll[b])
            if not ok:
                loglik[j] = -1e30
                continue
            acc = 0.0
            for b in range(nm):
                acc += beta[a, b] * math.exp(ll[b] - top)
            loglik[j] = top + math.log(acc + 1e-300)
            _gain(PHt, S, 9, m, L, col, sol, K)
            _add_gain(xs, K, nbar, 9, m)
            # the whole product, no mirrored triangle: the average with the transpose below
            # makes the sum symmetric
            _joseph(K, H, Ps, Rd, 9, m, False, IKH, T, Pc)
            # spread of the innovations: sum β ν νᵀ − ν̄ ν̄ᵀ
            for r in range(m):
                for c in range(m):
                    s = 0.0
                    for b in range(nm):
                        s += beta[a, b] * nu[b, r] * nu[b, c]
                    Sp[r, c] = s - nbar[r] * nbar[c]
            for i in range(9):
                for k in range(9):
                    s = 0.0
                    for r in range(m):
                        for c in range(m):
                            s += K[i, r] * Sp[r, c] * K[k, c]
                    T[i, k] = b0 * Ps[i, k] + (1.0 - b0) * Pc[i, k] + s
            for i in range(9):
                for k in range(9):
                    Ps[i, k] = 0.5 * (T[i, k] + T[k, i])
        _mode_update(mu, t, loglik[0], loglik[1])


@njit(cache=True)
def _drag_q(
    xb: Any, mu_boost: float, drag_sigma: float, drag_sigma_rv: float, drag_tau: float, beta: float
) -> float:
    """Coast process noise for unmodelled drag (``Tracker._advance``): (σ·a_d)²·τ with a_d the
    nominal drag deceleration at the ballistic model's state ``xb`` and σ between
    ``drag_sigma_rv`` and ``drag_sigma`` by √P(boost)."""
    if drag_sigma <= 0.0:
        return 0.0
    drag_sigma = drag_sigma_rv + (drag_sigma - drag_sigma_rv) * math.sqrt(mu_boost)
    rn = math.sqrt(xb[0] * xb[0] + xb[1] * xb[1] + xb[2] * xb[2])
    h = rn - WGS84_A * (1.0 - WGS84_F * (xb[2] / rn) ** 2)
    a_d = _rho(h) * (xb[3] * xb[3] + xb[4] * xb[4] + xb[5] * xb[5]) / (2.0 * beta)
    return float((drag_sigma * a_d) ** 2 * drag_tau)


@njit(cache=True)
def _advance(
    trk: Any, n: int, t: float, dt: float, cf: Any, qb: Any, ws9: Any, ws99: Any, dmix: Any,
    x0: Any,
) -> None:  # fmt: skip
    """``Tracker._advance``: IMM mix and predict track rows ``0:n`` of ``trk`` by ``dt`` to time
    ``t`` (nothing when there are none or ``dt`` is not positive), with :func:`pack_config`'s
    settings ``cf``; ``qb`` [cap] and the rest are workspace."""
    if not (n > 0 and dt > 0.0):
        return
    x, P, mu, t_boost = trk.x, trk.P, trk.mu, trk.t_boost
    beta = cf[C_BETA]
    p_bt = 1.0 - math.exp(-dt / cf[C_TAU_TO_BOOST])
    p_tb = 1.0 - math.exp(-dt / cf[C_TAU_TO_BALLISTIC])
    for r in range(n):
        qb[r] = cf[C_Q_BALLISTIC] + cf[C_Q_POST] * math.exp(-(t - t_boost[r]) / cf[C_TAU_POST])
        qb[r] += _drag_q(
            x[r, 0], mu[r, 1], cf[C_DRAG_SIGMA], cf[C_DRAG_SIGMA_RV], cf[C_DRAG_TAU], beta
        )
    _imm_predict_n(
        x, P, mu, n, dt, p_bt, p_tb, cf[C_ONE_WAY_MIXING], qb, cf[C_Q_JERK], cf[C_Q_HOLD], beta,
        ws9, ws99, dmix, x0,
    )  # fmt: skip


@njit(cache=True)
def _phase(xc: Any, mu_boost: float) -> int:
    """Phase code of one combined estimate, as :func:`trilink.tracking.tracker.phases`:
    0 boost, 1 coast, 2 re-entry."""
    rn = math.sqrt(xc[0] * xc[0] + xc[1] * xc[1] + xc[2] * xc[2])
    vr = (xc[0] * xc[3] + xc[1] * xc[4] + xc[2] * xc[5]) / rn
    h = rn - WGS84_A * (1.0 - WGS84_F * (xc[2] / rn) ** 2)
    if vr < 0 and h < PHASE_REENTRY_BELOW_M:
        return 2
    if mu_boost > PHASE_BOOST_MU and vr > 0:
        return 0
    return 1


@njit(cache=True)
def run_scans(
    starts: Any, ends: Any, times: Any, sens: Any, kinds: Any, cols: Any, lat: Any, lon: Any,
    alt: Any,
    ids: Any, x: Any, P: Any, mu: Any, confirmed: Any, hits: Any, opps: Any, n_upd: Any,
    t_first: Any, t_last: Any, t_hist: Any, merge_strikes: Any, t_boost: Any, seen: Any,
    miss: Any,
    pool_pos: Any, pool_P: Any, pool_f: Any, pool_s: Any,
    scan_t: Any, istate: Any, fstate: Any, cf: Any, ci: Any, t_end: float,
    ev_kind: Any, ev_id: Any, ev_t: Any, h_x: Any, h_cov: Any, o_x: Any, o_cov: Any, o_i: Any,
    o_f: Any, o_xb: Any, o_cov_b: Any, h_due: Any,
) -> int:  # fmt: skip
    """:func:`_run_scans` called with its tuples spread out, in field order: ``ScanInput``,
    ``TrackState``, ``PlotPool`` (``pool_``), the counters and settings, ``EngineOutput``.

    Why flat: Numba's dispatcher types a tuple argument at ~0.3 µs per array (a bare array
    costs next to nothing), ~20 µs a call for these tuples, a tenth of the tracker's time per
    1-s batch of a 10-target salvo (measured). Only this pass-through lists the fields;
    ``tests/tracking/test_engine.py`` checks them against the tuples.
    """
    return _run_scans(
        ScanInput(
            starts=starts, ends=ends, times=times, sens=sens, kinds=kinds, cols=cols, lat=lat,
            lon=lon, alt=alt,
        ),
        TrackState(
            ids=ids, x=x, P=P, mu=mu, confirmed=confirmed, hits=hits, opps=opps, n_upd=n_upd,
            t_first=t_first, t_last=t_last, t_hist=t_hist, merge_strikes=merge_strikes,
            t_boost=t_boost, seen=seen, miss=miss,
        ),
        PlotPool(pos=pool_pos, P=pool_P, f=pool_f, s=pool_s),
        scan_t, istate, fstate, cf, ci, t_end,
        EngineOutput(
            ev_kind=ev_kind, ev_id=ev_id, ev_t=ev_t, h_x=h_x, h_cov=h_cov, o_x=o_x, o_cov=o_cov,
            o_i=o_i, o_f=o_f, o_xb=o_xb, o_cov_b=o_cov_b, h_due=h_due,
        ),
    )  # fmt: skip


@njit(cache=True)
def _run_scans(
    scans: Any, trk: Any, pool: Any, scan_t: Any, istate: Any, fstate: Any, cf: Any, ci: Any,
    t_end: float, out: Any,
) -> int:  # fmt: skip
    """Process the scans of ``scans`` (:class:`ScanInput`) against the track rows of ``trk``
    (:class:`TrackState`) and the plots waiting for a partner in ``pool`` (:class:`PlotPool`,
    ``Tracker._initiate``); ``scan_t`` [S] is each sensor's last scan time.

    ``istate`` (slots ``S_N`` .. ``S_NHIST``: track rows in use, next id, confirmed tracks out,
    pool size, history count) and ``fstate`` (``S_TIME``, ``S_LAST_MERGE``) are read and
    written; ``cf``/``ci`` are :func:`pack_config`'s settings. Confirmations and merge
    deletions are written to ``out``'s (:class:`EngineOutput`) event arrays in order; returns
    the number of events. Afterwards the K confirmed tracks' combined estimates are written to
    ``h_x``/``h_cov`` at the last scan's time (for the history) and, after predicting every
    track to ``t_end`` (when later), to ``o_x``/``o_cov``, with their ids, update counts, phase
    codes (``tracker.phases``), P(boost), first and last update times and ballistic estimates;
    ``h_due`` lists the tracks due a history point (``history_interval_s`` apart).
    """
    starts, ends, times, sens, kinds = (
        scans.starts,
        scans.ends,
        scans.times,
        scans.sens,
        scans.kinds,
    )
    cols, lat, lon, alt = scans.cols, scans.lat, scans.lon, scans.alt
    ids, x, P, mu, confirmed = trk.ids, trk.x, trk.P, trk.mu, trk.confirmed
    hits, opps, n_upd, t_first, t_last = trk.hits, trk.opps, trk.n_upd, trk.t_first, trk.t_last
    t_hist, t_boost, seen, miss = trk.t_hist, trk.t_boost, trk.seen, trk.miss
    ev_kind, ev_id, ev_t, h_due = out.ev_kind, out.ev_id, out.ev_t, out.h_due
    hx, hP, ox, oP = out.h_x, out.h_cov, out.o_x, out.o_cov
    o_i, o_f, o_xb, o_Pb = out.o_i, out.o_f, out.o_xb, out.o_cov_b
    n = istate[S_N]
    next_id = istate[S_NEXT_ID]
    npool = istate[S_NPOOL]
    time = fstate[S_TIME]
    last_merge = fstate[S_LAST_MERGE]
    v_max, acc_sigma, mu0 = cf[C_V_MAX], cf[C_INIT_ACC_SIGMA], cf[C_MU_BOOST0]
    tent_to, coast_to = cf[C_TENTATIVE_TIMEOUT], cf[C_COAST_TIMEOUT]
    merge_s, window_s = cf[C_MERGE_CHECK], cf[C_PAIR_WINDOW]
    confirm_hits, window = ci[I_CONFIRM_HITS], ci[I_CONFIRM_WINDOW]
    miss_drop = ci[I_MISS_DROP]
    cap = ids.shape[0]
    ws9 = np.empty((6, 9))
    ws99 = np.empty((3, 9, 9))
    dmix = np.empty((4, 9))
    x0 = np.empty((2, 9))
    qb = np.empty(cap)
    keep = np.empty(cap, np.bool_)
    hit = np.empty(cap, np.bool_)
    newly = np.empty(cap, np.bool_)
    dead = np.empty(cap, np.bool_)
    nev = 0
    npl_all = cols.shape[1]
    zf = np.empty((npl_all, 4))
    rf = np.empty((npl_all, 4))
    sf = np.empty((npl_all, 4))
    for i in range(npl_all):
        for c in range(4):
            zf[i, c] = cols[c, i]
            sf[i, c] = cols[4 + c, i]
            rf[i, c] = cols[4 + c, i] ** 2
    st = np.empty(3)
    ro = np.empty((3, 3))
    for k in range(starts.shape[0]):
        t = times[k]
        s = sens[k]
        i0 = starts[k]
        i1 = ends[k]
        npl = i1 - i0
        kind = kinds[k]
        if kind == 2:
            comps = np.array([1, 2], np.int64)
        elif kind == 1:
            comps = np.array([0, 1, 2, 3], np.int64)
        else:
            comps = np.array([0, 1, 2], np.int64)
        m = comps.shape[0]
        gap = t - scan_t[s]  # since the sensor's previous scan (inf for its first)
        scan_t[s] = t
        # ---- advance (IMM mix + predict) to the scan time
        dt = t - time if math.isfinite(time) else 0.0
        time = t
        _advance(trk, n, t, dt, cf, qb, ws9, ws99, dmix, x0)
        # ---- the scan's measurements
        z = np.empty((npl, m))
        R = np.empty((npl, m))
        for p in range(npl):
            for c in range(m):
                z[p, c] = zf[i0 + p, comps[c]]
                R[p, c] = rf[i0 + p, comps[c]]
        site_frame(lat[i0], lon[i0], alt[i0], st, ro)
        assigned = np.full(npl, -1, np.int64)  # track row per plot
        near_conf = np.zeros(npl, np.bool_)
        if n > 0:
            gthr = cf[C_GATE2] if m == 2 else (cf[C_GATE3] if m == 3 else cf[C_GATE4])
            d2 = np.empty((n, npl))
            logdet = np.empty((n, npl))
            gate(x[:n], P[:n], mu[:n], st, ro, comps, z, R, d2, logdet)
            g = d2 < gthr
            rowc = np.zeros(n, np.int64)
            colc = np.zeros(npl, np.int64)
            for r in range(n):
                for p in range(npl):
                    if g[r, p]:
                        rowc[r] += 1
                        colc[p] += 1
                        if confirmed[r]:
                            near_conf[p] = True
            nrows = 0
            maxr = 0
            maxc = 0
            for r in range(n):
                if rowc[r] > 0:
                    nrows += 1
                maxr = max(maxr, rowc[r])
            for p in range(npl):
                maxc = max(maxc, colc[p])
            pda_t = np.empty(0, np.int64)
            pda_p = np.empty(0, np.int64)
            pda_b = np.empty((0, 0))
            ta = np.empty(npl, np.int64)  # assigned track rows, ascending
            pa = np.empty(npl, np.int64)
            na = 0
            if nrows > 0 and maxr <= 1 and maxc <= 1:
                # no contention: every gated plot has a single candidate track and vice versa
                for r in range(n):
                    for p in range(npl):
                        if g[r, p]:
                            ta[na] = r
                            pa[na] = p
                            na += 1
            elif nrows > 0:
                rows = np.empty(nrows, np.int64)
                q = 0
                for r in range(n):
                    if rowc[r] > 0:
                        rows[q] = r
                        q += 1
                ncol = 0
                for p in range(npl):
                    if colc[p] > 0:
                        ncol += 1
                cols = np.empty(ncol, np.int64)
                q = 0
                for p in range(npl):
                    if colc[p] > 0:
                        cols[q] = p
                        q += 1
                ldmax = -np.inf
                for r in range(n):
                    for p in range(npl):
                        ldmax = max(ldmax, logdet[r, p])
                cost = np.full((nrows, ncol + nrows), BIG)
                for a in range(nrows):
                    r = rows[a]
                    for b in range(ncol):
                        p = cols[b]
                        if g[r, p]:
                            # tentative tracks take a plot only if no confirmed track wants it
                            cost[a, b] = d2[r, p] + logdet[r, p] + (0.0 if confirmed[r] else 1e3)
                    cost[a, ncol + a] = gthr + ldmax + 1e4
                col = np.empty(nrows, np.int64)
                lsa(cost, col)
                for a in range(nrows):
                    b = col[a]
                    if b < ncol and g[rows[a], cols[b]]:
                        ta[na] = rows[a]
                        pa[na] = cols[b]
                        na += 1
                if ci[I_JPDA] != 0:
                    pda_t, pda_p, pda_b = _jpda(
                        g, d2, logdet, gthr, confirmed[:n], mu[:n], cf[C_JPDA_HARD_BETA],
                        cf[C_JPDA_MAX_BOOST], t_boost[:n], t, cf[C_JPDA_AFTER_BOOST], x[:n, 0],
                        cf[C_JPDA_FREE_ABOVE],
                    )  # fmt: skip
            # Tracks updated by JPDA drop their hard (GNN) update; the GNN assignment still
            # decides hits, misses and which plots may start tracks.
            soft = np.zeros(n, np.bool_)
            for a in range(pda_t.shape[0]):
                soft[pda_t[a]] = True
            nh = 0
            for a in range(na):
                assigned[pa[a]] = ta[a]
                if not soft[ta[a]]:
                    nh += 1
            if nh > 0:
                th = np.empty(nh, np.int64)
                zz = np.empty((nh, m))
                RR = np.empty((nh, m))
                q = 0
                for a in range(na):
                    if soft[ta[a]]:
                        continue
                    th[q] = ta[a]
                    for c in range(m):
                        zz[q, c] = z[pa[a], c]
                        RR[q, c] = R[pa[a], c]
                    q += 1
                update(x[:n], P[:n], mu[:n], th, zz, RR, st, ro, comps)
            if pda_t.shape[0] > 0:
                zp = np.empty((pda_p.shape[0], m))
                Rp = np.empty((pda_p.shape[0], m))
                for b in range(pda_p.shape[0]):
                    for c in range(m):
                        zp[b, c] = z[pda_p[b], c]
                        Rp[b, c] = R[pda_p[b], c]
                _pda_update(x[:n], P[:n], mu[:n], pda_t, pda_b, zp, Rp, st, ro, comps)
            for r in range(n):
                if mu[r, 1] >= 0.5:
                    t_boost[r] = t
            # ---- lifecycle
            hit[:n] = False
            for a in range(na):
                hit[ta[a]] = True
            lifecycle(
                hit[:n], s, t, seen[:n], miss[:n], opps[:n], hits[:n], n_upd[:n], t_last[:n],
                t_first[:n], confirmed[:n], confirm_hits, window, miss_drop, tent_to, coast_to,
                newly[:n], dead[:n],
            )  # fmt: skip
            any_dead = False
            for r in range(n):
                if newly[r]:
                    ev_kind[nev] = 1
                    ev_id[nev] = ids[r]
                    ev_t[nev] = t
                    nev += 1
                keep[r] = not dead[r]
                if dead[r]:
                    any_dead = True
            if any_dead:
                n = _compact(keep, n, trk)
        # ---- initiation: unassigned radar plots no confirmed track claims
        if kind != 2:
            nf = 0
            for p in range(npl):
                if assigned[p] < 0 and not near_conf[p]:
                    nf += 1
            if nf > 0:
                idx = np.empty(nf, np.int64)
                q = 0
                for p in range(npl):
                    if assigned[p] < 0 and not near_conf[p]:
                        idx[q] = i0 + p
                        q += 1
                xs = np.zeros((nf, 2, 9))
                Ps = np.zeros((nf, 2, 9, 9))
                init_states(
                    zf[idx, 1], zf[idx, 2], zf[idx, 0], sf[idx, 0], sf[idx, 1], sf[idx, 2],
                    zf[idx, 3], sf[idx, 3], st, ro, 0.0, acc_sigma, xs, Ps,
                )  # fmt: skip
                pf = np.empty((nf, 4))
                for a in range(nf):
                    pf[a, 0] = zf[idx[a], 0]
                    pf[a, 1] = zf[idx[a], 3]
                    pf[a, 2] = sf[idx[a], 0]
                    pf[a, 3] = sf[idx[a], 3]
                n, next_id, npool = _pair_and_pool(
                    t, s, xs, Ps, pf, n, next_id, npool, v_max, window_s, cf[C_PAIR_SCANS] * gap,
                    acc_sigma, mu0, trk, pool,
                )  # fmt: skip
        # ---- duplicate check
        if t - last_merge >= merge_s:
            last_merge = t
            if _merge_strikes(n, trk, t, merge_s):
                for r in range(n):
                    keep[r] = trk.merge_strikes[r] < MERGE_STRIKES
                    if not keep[r]:
                        ev_kind[nev] = 2
                        ev_id[nev] = ids[r]
                        ev_t[nev] = t
                        nev += 1
                n = _compact(keep, n, trk)
    # confirmed tracks' combined estimates: at the last scan (history), then at t_end (output)
    nk = 0
    nd = 0
    for r in range(n):
        if confirmed[r]:
            _combined(x, P, mu, r, hx[nk], hP[nk])
            if time - t_hist[r] >= cf[C_HISTORY_INTERVAL]:
                t_hist[r] = time
                h_due[nd] = nk
                nd += 1
            nk += 1
    dt = t_end - time if math.isfinite(time) else 0.0
    if math.isfinite(t_end) and t_end > time:
        time = t_end
        _advance(trk, n, t_end, dt, cf, qb, ws9, ws99, dmix, x0)
    nk = 0
    for r in range(n):
        if confirmed[r]:
            _combined(x, P, mu, r, ox[nk], oP[nk])
            o_i[nk, 0] = ids[r]
            o_i[nk, 1] = n_upd[r]
            o_i[nk, 2] = _phase(ox[nk], mu[r, 1])
            o_f[nk, 0] = mu[r, 1]
            o_f[nk, 1] = t_first[r]
            o_f[nk, 2] = t_last[r]
            for a in range(6):
                o_xb[nk, a] = x[r, 0, a]
                for c in range(6):
                    o_Pb[nk, a, c] = P[r, 0, a, c]
            nk += 1
    istate[S_N] = n
    istate[S_NEXT_ID] = next_id
    istate[S_K] = nk
    istate[S_NPOOL] = npool
    istate[S_NHIST] = nd
    fstate[S_TIME] = time
    fstate[S_LAST_MERGE] = last_merge
    return nev


@njit(cache=True)
def site_frame(lat: float, lon: float, alt: float, site: Any, rot: Any) -> None:
    """ECEF position and ECEF→ENU rotation of a sensor (as :func:`trilink.geo.geodetic_to_ecef`
    and :func:`trilink.geo.enu_rotation`)."""
    slat, clat = math.sin(lat), math.cos(lat)
    so, co = math.sin(lon), math.cos(lon)
    nn = WGS84_A / math.sqrt(1.0 - WGS84_E2 * slat * slat)
    site[0] = (nn + alt) * clat * co
    site[1] = (nn + alt) * clat * so
    site[2] = (nn * (1.0 - WGS84_E2) + alt) * slat
    rot[0, 0], rot[0, 1], rot[0, 2] = -so, co, 0.0
    rot[1, 0], rot[1, 1], rot[1, 2] = -slat * co, -slat * so, clat
    rot[2, 0], rot[2, 1], rot[2, 2] = clat * co, clat * so, slat


@njit(cache=True)
def sites_steady(
    gs: Any, t: Any, lat: Any, lon: Any, alt: Any, ref_pos: Any, ref_t: Any, has_ref: Any
) -> bool:
    """True when no plot's sensor position jumps from its reference (the rule of
    ``Tracker._check_sites``); then the references move to each sensor's last plot."""
    rp = ref_pos.copy()
    rt = ref_t.copy()
    have = has_ref.copy()
    pos = np.empty((gs.shape[0], 3))
    rot = np.empty((3, 3))
    for i in range(gs.shape[0]):
        site_frame(lat[i], lon[i], alt[i], pos[i], rot)
        s = gs[i]
        if not have[s]:
            have[s] = True
            rp[s] = pos[i]
            rt[s] = t[i]
    for i in range(gs.shape[0]):
        s = gs[i]
        d0 = pos[i, 0] - rp[s, 0]
        d1 = pos[i, 1] - rp[s, 1]
        d2 = pos[i, 2] - rp[s, 2]
        if math.sqrt(d0 * d0 + d1 * d1 + d2 * d2) > SITE_SLACK_M + SITE_SPEED_MPS * abs(
            t[i] - rt[s]
        ):
            return False
    for i in range(gs.shape[0]):
        s = gs[i]
        ref_pos[s] = pos[i]
        ref_t[s] = t[i]
        has_ref[s] = True
    return True


_TWO_PI = 2.0 * math.pi


@njit(cache=True)
def prepare(
    t: Any, kind: Any, sensor: Any, gmap: Any, lat: Any, lon: Any, alt: Any, rng: Any, az: Any,
    el: Any, rr: Any, s_rng: Any, s_az: Any, s_el: Any, s_rr: Any, t_lo: float, t_hi: float,
    ref_pos: Any, ref_t: Any, has_ref: Any, jumps: Any,
    starts: Any, ends: Any, kinds: Any, sens: Any, times: Any,
) -> int:  # fmt: skip
    """The common case of a batch in one pass: every plot sound (:func:`plots_clean`), within
    ``[t_lo, t_hi]``, sorted by (time, sensor) and no sensor jumping (:func:`sites_steady`).
    Then the scans' bounds, kinds (0 radar, 1 radar with range rate, 2 IR), sensor indices and
    times are written and their number returned; otherwise -1 and nothing is changed."""
    npl = t.shape[0]
    radar = np.empty(npl, np.bool_)
    for i in range(npl):
        radar[i] = kind[i] == 0
        if not (t_lo <= t[i] <= t_hi):
            return -1
    if not plots_clean(t, radar, lat, lon, alt, rng, az, el, rr, s_rng, s_az, s_el, s_rr):
        return -1
    gs = np.empty(npl, np.int64)
    for i in range(npl):
        gs[i] = gmap[sensor[i]]
        if i > 0 and (t[i] < t[i - 1] or (t[i] == t[i - 1] and gs[i] < gs[i - 1])):
            return -1
    if not sites_steady(gs, t, lat, lon, alt, ref_pos, ref_t, has_ref):
        return -1
    k = -1
    for i in range(npl):
        jumps[gs[i]] = 0
        if i == 0 or t[i] != t[i - 1] or gs[i] != gs[i - 1]:
            k += 1
            starts[k] = i
            kinds[k] = 2 if kind[i] != 0 else 1
            sens[k] = gs[i]
            times[k] = t[i]
        ends[k] = i + 1
        if kind[i] == 0 and math.isnan(rr[i]):
            kinds[k] = 0
    return k + 1


@njit(cache=True)
def plots_clean(
    t: Any, radar: Any, lat: Any, lon: Any, alt: Any, rng: Any, az: Any, el: Any, rr: Any,
    s_rng: Any, s_az: Any, s_el: Any, s_rr: Any,
) -> bool:  # fmt: skip
    """True when every plot passes all of :func:`trilink.tracking.plots.check_plots`' rules and
    carries a usable (or no) range rate — the common case, decided in one pass."""
    for i in range(t.shape[0]):
        if not (
            math.isfinite(t[i]) and math.isfinite(lat[i]) and math.isfinite(lon[i])
            and math.isfinite(alt[i]) and math.isfinite(az[i]) and math.isfinite(el[i])
            and math.isfinite(s_az[i]) and math.isfinite(s_el[i])
        ):  # fmt: skip
            return False
        if radar[i] and not (
            math.isfinite(rng[i]) and math.isfinite(s_rng[i]) and rng[i] > 0.0 and s_rng[i] > 0.0
        ):
            return False
        if abs(lat[i]) > math.pi / 2 or abs(lon[i]) > 2 * math.pi:
            return False
        if az[i] < -1e-9 or az[i] > _TWO_PI + 1e-9 or abs(el[i]) > math.pi / 2 + 1e-9:
            return False
        if not (s_az[i] > 0.0 and s_el[i] > 0.0 and s_az[i] <= 0.2 and s_el[i] <= 0.2):
            return False
        if alt[i] < -1.2e4 or alt[i] > 5e7:
            return False
        if not math.isnan(rr[i]) and not (
            math.isfinite(rr[i]) and math.isfinite(s_rr[i]) and s_rr[i] > 0.0 and abs(rr[i]) < 2e4
        ):
            return False
    return True


def warm_up() -> None:
    """Compile (or load from Numba's cache) every kernel with tiny inputs, so that timing
    measurements do not include compilation; also the tracker's scan engine."""
    if not AVAILABLE:
        return
    from trilink.tracking.plots import PlotBatch
    from trilink.tracking.tracker import Tracker

    trk = Tracker()
    for k in range(4):  # a steady target seen by one radar: pairs, a tentative track, gating
        trk.update(
            float(k),
            PlotBatch.from_columns(
                t=[float(k)], sensor=["warm-up"], lat_deg=38.0, lon_deg=127.0, alt_m=0.0,
                az_rad=0.5, el_rad=0.2, range_m=3.0e5 + 100.0 * k, sigma_range_m=50.0,
            ),
        )  # fmt: skip
    x = np.zeros((1, 2, 9))
    x[0, :, 0] = 7.0e6
    x[0, :, 4] = 7.0e3
    P = np.tile(np.eye(9), (1, 2, 1, 1))
    mu = np.full((1, 2), 0.5)
    imm_predict(x, P, mu, 0.1, 0.01, 0.01, 0.05, np.full(1, 0.1), 20.0, 1e-6, 4000.0)
    site = np.array([6.4e6, 0.0, 0.0])
    rot = np.eye(3)
    comps = np.array([0, 1, 2], np.int64)
    z = np.array([[6.0e5, 0.1, 0.2]])
    R = np.array([[2500.0, 2.5e-7, 2.5e-7]])
    d2 = np.empty((1, 1))
    ld = np.empty((1, 1))
    gate(x, P, mu, site, rot, comps, z, R, d2, ld)
    update(x, P, mu, np.zeros(1, np.int64), z, R, site, rot, comps)
    one = np.ones(1)
    x2 = np.zeros((1, 2, 9))
    P2 = np.zeros((1, 2, 9, 9))
    init_states(
        z[:, 1], z[:, 2], z[:, 0], one, one, one, np.full(1, np.nan), one, site, rot, 4e3, 40.0,
        x2, P2,
    )  # fmt: skip
    seen = np.ones((1, 1), np.bool_)
    miss = np.zeros((1, 1), np.int64)
    cnt = np.zeros(1, np.int64)
    lifecycle(
        np.ones(1, np.bool_), 0, 1.0, seen, miss, cnt.copy(), cnt.copy(), cnt.copy(),
        np.zeros(1), np.zeros(1), np.zeros(1, np.bool_), 3, 5, 6, 5.0, 30.0,
        np.zeros(1, np.bool_), np.zeros(1, np.bool_),
    )  # fmt: skip
