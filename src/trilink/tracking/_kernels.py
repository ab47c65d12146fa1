"""Numba kernels for the tracker's per-scan arithmetic (IMM mix + predict, gating, EKF update).

Why: a scan of a 10-target salvo holds ~10 plots, so the NumPy path spends most of its time in
per-call overhead (~60 array calls a scan), not arithmetic. These kernels do the same maths in
one compiled call each. They mirror :mod:`trilink.tracking.dynamics` and
:mod:`trilink.tracking.measurement` exactly (tests compare both paths); without Numba installed
the tracker uses the NumPy path.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from trilink.geo import GM_EARTH, J2_EARTH, OMEGA_EARTH, WGS84_A

try:  # pragma: no cover - exercised when numba is installed
    from numba import njit

    AVAILABLE = True
except ImportError:  # pragma: no cover
    AVAILABLE = False

    def njit(*args: Any, **kwargs: Any) -> Any:  # type: ignore[no-redef]
        def wrap(f: Any) -> Any:
            return f

        return wrap


__all__ = ["AVAILABLE", "gate", "imm_predict", "init_states", "lifecycle", "update", "warm_up"]

_F = 1.0 / 298.257223563
_HB = np.array(
    [0, 25, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 180, 200], dtype=np.float64
)
_RHO0 = np.array(
    [1.225, 3.899e-2, 1.774e-2, 3.972e-3, 1.057e-3, 3.206e-4, 8.770e-5, 1.905e-5, 3.396e-6,
     5.297e-7, 9.661e-8, 2.438e-8, 8.484e-9, 3.845e-9, 2.070e-9, 5.464e-10, 2.789e-10]
)  # fmt: skip
_SCALE = np.array(
    [7.249, 6.349, 6.682, 7.554, 8.382, 7.714, 6.549, 5.799, 5.382, 5.877, 7.263, 9.473,
     12.636, 16.149, 22.523, 29.740, 37.105]
)  # fmt: skip


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
    h = rn - WGS84_A * (1.0 - _F * u)
    if h < 120e3:
        hk = max(h / 1000.0, 0.0)
        i = 0
        while i + 1 < 17 and _HB[i + 1] <= hk:
            i += 1
        rho = _RHO0[i] * math.exp(-(hk - _HB[i]) / _SCALE[i])
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
    if abs(dt) <= 2.0:
        _deriv(y, boost, beta, f)
        for i in range(9):
            s = 0.0
            for m in range(9):
                s += A[i, m] * f[m]
            tmp[i] = y[i] + f[i] * dt + 0.5 * dt * dt * s
        for i in range(9):
            y[i] = tmp[i]
    else:
        steps = math.ceil(abs(dt) / 5.0)
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
    for i in range(n):
        for j in range(n):
            s = 0.0
            for m in range(n):
                s += F[i, m] * Pm[m, j]
            T[i, j] = s
    for i in range(n):
        for j in range(i, n):
            s = 0.0
            for m in range(n):
                s += T[i, m] * F[j, m]
            Pm[i, j] = s
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
    n = x.shape[0]
    A = np.empty((9, 9))
    F = np.empty((9, 9))
    T = np.empty((9, 9))
    f = np.empty(9)
    k1 = np.empty(9)
    k2 = np.empty(9)
    k3 = np.empty(9)
    k4 = np.empty(9)
    tmp = np.empty(9)
    x0 = np.empty((2, 9))
    d = np.empty((4, 9))
    for t in range(n):
        m0, m1 = mu[t, 0], mu[t, 1]
        c0 = m0 * (1.0 - p_bt) + m1 * p_tb
        c1 = m0 * p_bt + m1 * (1.0 - p_tb)
        w00 = m0 * (1.0 - p_bt) / c0
        w10 = m1 * p_tb / c0
        w01 = m0 * p_bt / c1
        w11 = m1 * (1.0 - p_tb) / c1
        # One-way mixing: while boost is implausible the ballistic model keeps its own estimate.
        keep0 = m1 < one_way
        for i in range(9):
            x0[0, i] = w00 * x[t, 0, i] + w10 * x[t, 1, i]
            x0[1, i] = w01 * x[t, 0, i] + w11 * x[t, 1, i]
        for i in range(9):
            d[0, i] = x[t, 0, i] - x0[0, i]
            d[1, i] = x[t, 1, i] - x0[0, i]
            d[2, i] = x[t, 0, i] - x0[1, i]
            d[3, i] = x[t, 1, i] - x0[1, i]
        # mixed covariances, in place (each element needs only the same element of both inputs)
        for i in range(9):
            for k in range(i, 9):
                pa = P[t, 0, i, k]
                pb = P[t, 1, i, k]
                if not keep0:
                    v = w00 * (pa + d[0, i] * d[0, k]) + w10 * (pb + d[1, i] * d[1, k])
                    P[t, 0, i, k] = v
                    P[t, 0, k, i] = v
                v = w01 * (pa + d[2, i] * d[2, k]) + w11 * (pb + d[3, i] * d[3, k])
                P[t, 1, i, k] = v
                P[t, 1, k, i] = v
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
    az_col = -1
    for r in range(m):
        if comps[r] == 1:
            az_col = r
    for t in range(nt):
        for i in range(9):
            xc[i] = mu[t, 0] * x[t, 0, i] + mu[t, 1] * x[t, 1, i]
        for i in range(9):
            da = x[t, 0, i] - xc[i]
            db = x[t, 1, i] - xc[i]
            for k in range(9):
                Pc[i, k] = mu[t, 0] * (P[t, 0, i, k] + da * (x[t, 0, k] - xc[k])) + mu[t, 1] * (
                    P[t, 1, i, k] + db * (x[t, 1, k] - xc[k])
                )
        _meas(xc, site, rot, comps, h, H)
        for r in range(m):
            for k in range(9):
                s = 0.0
                for q in range(9):
                    s += H[r, q] * Pc[q, k]
                HP[r, k] = s
        for r in range(m):
            for c in range(m):
                s = 0.0
                for k in range(9):
                    s += HP[r, k] * H[c, k]
                S0[r, c] = s
        for p in range(npl):
            for r in range(m):
                for c in range(m):
                    S[r, c] = S0[r, c]
                S[r, r] += R[p, r]
                yv[r] = z[p, r] - h[r]
            if az_col >= 0:
                yv[az_col] = _wrap(yv[az_col])
            ld, ok = _chol_solve_logdet(S, yv, m, L, sol)
            if not ok:
                d2[t, p] = 1e30
                logdet[t, p] = 0.0
                continue
            s = 0.0
            for r in range(m):
                s += yv[r] * sol[r]
            d2[t, p] = s
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
    az_col = -1
    for r in range(m):
        if comps[r] == 1:
            az_col = r
    loglik = np.empty(2)
    for a in range(ti.shape[0]):
        t = ti[a]
        for j in range(2):
            xs = x[t, j]
            Ps = P[t, j]
            _meas(xs, site, rot, comps, h, H)
            for i in range(9):
                for r in range(m):
                    s = 0.0
                    for k in range(9):
                        s += Ps[i, k] * H[r, k]
                    PHt[i, r] = s
            for r in range(m):
                for c in range(m):
                    s = 0.0
                    for k in range(9):
                        s += H[r, k] * PHt[k, c]
                    S[r, c] = s
                S[r, r] += R[a, r]
                yv[r] = z[a, r] - h[r]
            if az_col >= 0:
                yv[az_col] = _wrap(yv[az_col])
            ld, ok = _chol_solve_logdet(S, yv, m, L, sol)
            if not ok:
                loglik[j] = -1e30
                continue
            s = 0.0
            for r in range(m):
                s += yv[r] * sol[r]
            loglik[j] = -0.5 * (s + ld)
            # K = PHt S^-1  (row by row: solve S k = PHt[i])
            for i in range(9):
                for r in range(m):
                    col[r] = PHt[i, r]
                _chol_solve_logdet(S, col, m, L, sol)
                for r in range(m):
                    K[i, r] = sol[r]
            for i in range(9):
                s = 0.0
                for r in range(m):
                    s += K[i, r] * yv[r]
                xs[i] += s
            for i in range(9):
                for k in range(9):
                    s = 0.0
                    for r in range(m):
                        s += K[i, r] * H[r, k]
                    IKH[i, k] = (1.0 if i == k else 0.0) - s
            for i in range(9):
                for k in range(9):
                    s = 0.0
                    for q in range(9):
                        s += IKH[i, q] * Ps[q, k]
                    T[i, k] = s
            for i in range(9):
                for k in range(i, 9):
                    s = 0.0
                    for q in range(9):
                        s += T[i, q] * IKH[k, q]
                    for r in range(m):
                        s += K[i, r] * R[a, r] * K[k, r]
                    Pn[i, k] = s
                    Pn[k, i] = s
            for i in range(9):
                for k in range(9):
                    Ps[i, k] = Pn[i, k]
        l0 = math.log(mu[t, 0]) + loglik[0]
        l1 = math.log(mu[t, 1]) + loglik[1]
        top = max(l0, l1)
        w0 = math.exp(l0 - top)
        w1 = math.exp(l1 - top)
        m1 = w1 / (w0 + w1)
        m1 = min(max(m1, 1e-6), 1.0 - 1e-6)
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
