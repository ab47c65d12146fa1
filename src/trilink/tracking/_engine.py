"""The tracker's compiled scan loop: every scan of a plot batch in one Numba call.

Why: a scan of a 10-target salvo holds ~6-12 plots, and even with compiled kernels per step
(predict, gate, update, lifecycle, initiate) the Python between them cost more than the
arithmetic (~150 µs a scan). This engine runs the whole loop — IMM mix and predict, gating,
global assignment, EKF update, hit/miss bookkeeping, deletion, initiation and the duplicate
check — for all scans of a batch in compiled code. It mirrors the NumPy path of
:class:`trilink.tracking.tracker.Tracker` (``_scan``, ``_advance``, ``_lifecycle``,
``_initiate``, ``_append``, ``_merge_duplicates``) rule for rule;
``tests/tracking/test_backends.py`` checks both give the same tracks. The assignment is a
shortest-augmenting-path (Hungarian) solver: the same optimum as
:func:`scipy.optimize.linear_sum_assignment`.

State lives in capacity arrays (rows ``0:n`` in use) owned by the tracker; the engine compacts
deleted rows in place, keeping order, and appends new tentative tracks at the end.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from trilink.geo.frames import WGS84_A, WGS84_E2
from trilink.tracking._kernels import (
    _chol_solve_logdet,
    _predict_one,
    gate,
    init_states,
    lifecycle,
    njit,
    update,
)

__all__ = [
    "EV_CONFIRMED",
    "EV_MERGED",
    "F_CFG",
    "I_CFG",
    "lsa",
    "plots_clean",
    "run_scans",
    "site_frame",
    "sites_steady",
]

#: event kinds written to the event arrays
EV_CONFIRMED = 1
EV_MERGED = 2

#: order of the float and integer configuration arrays
F_CFG = (
    "tau_to_boost_s",
    "tau_to_ballistic_s",
    "one_way_mixing_below",
    "q_ballistic",
    "q_post",
    "tau_post_s",
    "q_jerk",
    "q_hold",
    "beta",
    "gate2",
    "gate3",
    "gate4",
    "v_max",
    "init_acc_sigma",
    "tentative_timeout_s",
    "coast_timeout_s",
    "merge_check_s",
    "mu_boost0",
    "pair_window_s",
)
I_CFG = ("confirm_hits", "confirm_window", "miss_drop")

_BIG = 1e12


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
def _compact(
    keep: Any, n: int, ids: Any, x: Any, P: Any, mu: Any, confirmed: Any, hits: Any, opps: Any,
    n_upd: Any, t_first: Any, t_last: Any, t_hist: Any, strikes: Any, t_boost: Any, seen: Any,
    miss: Any,
) -> int:  # fmt: skip
    """Drop rows with ``keep`` False from ``0:n``, keeping order; returns the new count."""
    w = 0
    for r in range(n):
        if not keep[r]:
            continue
        if w != r:
            ids[w] = ids[r]
            x[w] = x[r]
            P[w] = P[r]
            mu[w] = mu[r]
            confirmed[w] = confirmed[r]
            hits[w] = hits[r]
            opps[w] = opps[r]
            n_upd[w] = n_upd[r]
            t_first[w] = t_first[r]
            t_last[w] = t_last[r]
            t_hist[w] = t_hist[r]
            strikes[w] = strikes[r]
            t_boost[w] = t_boost[r]
            seen[w] = seen[r]
            miss[w] = miss[r]
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
def _merge_strikes(
    n: int, x: Any, P: Any, mu: Any, confirmed: Any, n_upd: Any, t_first: Any, strikes: Any
) -> bool:
    """Tracker._merge_duplicates' test: strike the younger of two confirmed tracks that keep
    describing the same object; returns whether any track has reached three strikes."""
    nc = 0
    for r in range(n):
        if confirmed[r] and n_upd[r] >= 10:
            nc += 1
    if nc < 2:
        return False
    c = np.empty(nc, np.int64)
    q = 0
    for r in range(n):
        if confirmed[r] and n_upd[r] >= 10:
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
            _ld, ok = _chol_solve_logdet(S, dx, 6, L, sol)
            if not ok:
                continue
            m2 = 0.0
            for a in range(6):
                m2 += dx[a] * sol[a]
            if m2 < 3.0:
                young = i if t_first[c[i]] > t_first[c[j]] else j
                hit[young] = True
    any_dup = False
    for a in range(nc):
        r = c[a]
        strikes[r] = strikes[r] + 1 if hit[a] else 0
    for r in range(n):
        if strikes[r] >= 3:
            any_dup = True
    return any_dup


_G_PAIR = 10.0  # as trilink.tracking.tracker._G_PAIR


@njit(cache=True)
def _pair_and_pool(
    t: float, s: int, xs: Any, Ps: Any, n: int, next_id: int, npool: int, v_max: float,
    window_s: float, acc_sigma: float, mu0: float,
    ids: Any, x: Any, P: Any, mu: Any, confirmed: Any, hits: Any, opps: Any, n_upd: Any,
    t_first: Any, t_last: Any, t_hist: Any, strikes: Any, t_boost: Any, seen: Any, miss: Any,
    pool_pos: Any, pool_P: Any, pool_t: Any, pool_s: Any, pool_sig: Any,
) -> tuple[int, int, int]:  # fmt: skip
    """Tracker._initiate: pair the free plots (positions ``xs[:, 0, 0:3]``, covariances
    ``Ps[:, 0, 0:3, 0:3]``) with pooled plots, start tracks from pairs, pool the rest."""
    nf = xs.shape[0]
    w = 0
    for q in range(npool):  # drop pooled plots that waited too long
        if t - pool_t[q] <= window_s:
            if w != q:
                pool_pos[w] = pool_pos[q]
                pool_P[w] = pool_P[q]
                pool_t[w] = pool_t[q]
                pool_s[w] = pool_s[q]
                pool_sig[w] = pool_sig[q]
            w += 1
    npool = w
    used = np.zeros(npool, np.bool_)
    pair = np.full(nf, -1, np.int64)
    sig = np.empty(nf)
    for i in range(nf):
        sig[i] = math.sqrt(Ps[i, 0, 0, 0] + Ps[i, 0, 1, 1] + Ps[i, 0, 2, 2])
        best = -1
        bestr = np.inf
        for q in range(npool):
            dtq = t - pool_t[q]
            if pool_s[q] != s or not dtq > 0.0 or used[q]:
                continue
            d0 = xs[i, 0, 0] - pool_pos[q, 0]
            d1 = xs[i, 0, 1] - pool_pos[q, 1]
            d2 = xs[i, 0, 2] - pool_pos[q, 2]
            d = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
            r = d / (v_max * dtq + 3.0 * math.sqrt(sig[i] ** 2 + pool_sig[q] ** 2))
            if r < bestr:
                bestr = r
                best = q
        if best >= 0 and bestr <= 1.0:
            pair[i] = best
            used[best] = True
    for i in range(nf):
        q = pair[i]
        if q < 0:
            continue
        r = n
        dt = t - pool_t[q]
        acc = (acc_sigma**2 + _G_PAIR**2) * dt**2 / 4.0
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
        ids[r] = next_id
        mu[r, 0] = 1.0 - mu0
        mu[r, 1] = mu0
        confirmed[r] = False
        hits[r] = 2
        opps[r] = 2
        n_upd[r] = 2
        t_first[r] = pool_t[q]
        t_last[r] = t
        t_hist[r] = -np.inf
        strikes[r] = 0
        t_boost[r] = t
        seen[r] = False
        seen[r, s] = True
        miss[r] = 0
        n += 1
        next_id += 1
    w = 0
    for q in range(npool):  # keep the unused pooled plots, in order
        if not used[q]:
            if w != q:
                pool_pos[w] = pool_pos[q]
                pool_P[w] = pool_P[q]
                pool_t[w] = pool_t[q]
                pool_s[w] = pool_s[q]
                pool_sig[w] = pool_sig[q]
            w += 1
    for i in range(nf):  # then the plots that found no partner
        if pair[i] < 0:
            for a in range(3):
                pool_pos[w, a] = xs[i, 0, a]
                for c in range(3):
                    pool_P[w, a, c] = Ps[i, 0, a, c]
            pool_t[w] = t
            pool_s[w] = s
            pool_sig[w] = sig[i]
            w += 1
    return n, next_id, w


@njit(cache=True)
def run_scans(
    starts: Any, ends: Any, times: Any, sens: Any, kinds: Any,
    cols: Any, lat: Any, lon: Any, alt: Any,
    ids: Any, x: Any, P: Any, mu: Any, confirmed: Any, hits: Any, opps: Any, n_upd: Any,
    t_first: Any, t_last: Any, t_hist: Any, strikes: Any, t_boost: Any, seen: Any, miss: Any,
    pool_pos: Any, pool_P: Any, pool_t: Any, pool_s: Any, pool_sig: Any,
    istate: Any, fstate: Any, cf: Any, ci: Any,
    ev_kind: Any, ev_id: Any, ev_t: Any,
    t_end: float, hx: Any, hP: Any, ox: Any, oP: Any,
) -> int:  # fmt: skip
    """Process scans ``k`` (plots ``starts[k]:ends[k]`` of sensor ``sens[k]`` at ``times[k]``;
    ``kinds[k]`` 0 radar, 1 radar with range rate, 2 space IR) against the track rows.
    ``cols`` [8, N] holds each plot's range, az, el, range rate and their standard deviations;
    ``lat``/``lon``/``alt`` the sensor's position (radians, metres).

    ``pool_*`` are the plots waiting for a partner (``Tracker._initiate``).

    ``istate`` = [n, next_id, K, pool size], ``fstate`` = [time, last_merge] are read and written;
    ``cf``/``ci`` hold :data:`F_CFG`/:data:`I_CFG`. Confirmations and merge deletions are written
    to the event arrays in order; returns the number of events. Afterwards the K confirmed
    tracks' combined estimates are written to ``hx``/``hP`` at the last scan's time (for the
    history) and, after predicting every track to ``t_end`` (when later), to ``ox``/``oP``.
    """
    n = istate[0]
    next_id = istate[1]
    time = fstate[0]
    last_merge = fstate[1]
    tau_tb, tau_tbal, one_way = cf[0], cf[1], cf[2]
    q_ball, q_post, tau_post, q_jerk, q_hold, beta = cf[3], cf[4], cf[5], cf[6], cf[7], cf[8]
    v_max, acc_sigma, tent_to, coast_to, merge_s, mu0, window_s = (
        cf[12], cf[13], cf[14], cf[15], cf[16], cf[17], cf[18]
    )  # fmt: skip
    npool = istate[3]
    confirm_hits, window, miss_drop = ci[0], ci[1], ci[2]
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
        # ---- advance (IMM mix + predict) to the scan time
        dt = t - time if math.isfinite(time) else 0.0
        time = t
        if n > 0 and dt > 0.0:
            p_bt = 1.0 - math.exp(-dt / tau_tb)
            p_tb = 1.0 - math.exp(-dt / tau_tbal)
            for r in range(n):
                qb[r] = q_ball + q_post * math.exp(-(t - t_boost[r]) / tau_post)
            _imm_predict_n(
                x, P, mu, n, dt, p_bt, p_tb, one_way, qb, q_jerk, q_hold, beta, ws9, ws99, dmix, x0
            )
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
            gthr = cf[9] if m == 2 else (cf[10] if m == 3 else cf[11])
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
                cost = np.full((nrows, ncol + nrows), _BIG)
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
            if na > 0:
                zz = np.empty((na, m))
                RR = np.empty((na, m))
                for a in range(na):
                    assigned[pa[a]] = ta[a]
                    for c in range(m):
                        zz[a, c] = z[pa[a], c]
                        RR[a, c] = R[pa[a], c]
                update(x[:n], P[:n], mu[:n], ta[:na], zz, RR, st, ro, comps)
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
                n = _compact(
                    keep, n, ids, x, P, mu, confirmed, hits, opps, n_upd, t_first, t_last, t_hist,
                    strikes, t_boost, seen, miss,
                )  # fmt: skip
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
                n, next_id, npool = _pair_and_pool(
                    t, s, xs, Ps, n, next_id, npool, v_max, window_s, acc_sigma, mu0,
                    ids, x, P, mu, confirmed, hits, opps, n_upd, t_first, t_last, t_hist,
                    strikes, t_boost, seen, miss, pool_pos, pool_P, pool_t, pool_s, pool_sig,
                )  # fmt: skip
        # ---- duplicate check
        if t - last_merge >= merge_s:
            last_merge = t
            if _merge_strikes(n, x, P, mu, confirmed, n_upd, t_first, strikes):
                for r in range(n):
                    keep[r] = strikes[r] < 3
                    if not keep[r]:
                        ev_kind[nev] = 2
                        ev_id[nev] = ids[r]
                        ev_t[nev] = t
                        nev += 1
                n = _compact(
                    keep, n, ids, x, P, mu, confirmed, hits, opps, n_upd, t_first, t_last, t_hist,
                    strikes, t_boost, seen, miss,
                )  # fmt: skip
    # confirmed tracks' combined estimates: at the last scan (history), then at t_end (output)
    nk = 0
    for r in range(n):
        if confirmed[r]:
            _combined(x, P, mu, r, hx[nk], hP[nk])
            nk += 1
    dt = t_end - time if math.isfinite(time) else 0.0
    if math.isfinite(t_end) and t_end > time:
        time = t_end
        if n > 0 and dt > 0.0:
            p_bt = 1.0 - math.exp(-dt / tau_tb)
            p_tb = 1.0 - math.exp(-dt / tau_tbal)
            for r in range(n):
                qb[r] = q_ball + q_post * math.exp(-(t_end - t_boost[r]) / tau_post)
            _imm_predict_n(
                x, P, mu, n, dt, p_bt, p_tb, one_way, qb, q_jerk, q_hold, beta, ws9, ws99, dmix, x0
            )
    nk = 0
    for r in range(n):
        if confirmed[r]:
            _combined(x, P, mu, r, ox[nk], oP[nk])
            nk += 1
    istate[0] = n
    istate[1] = next_id
    istate[2] = nk
    istate[3] = npool
    fstate[0] = time
    fstate[1] = last_merge
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
    nsens = ref_pos.shape[0]
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
        # 12 km/s covers any satellite's ground-fixed speed; 1 km covers survey error.
        if math.sqrt(d0 * d0 + d1 * d1 + d2 * d2) > 1000.0 + 12000.0 * abs(t[i] - rt[s]):
            return False
    for i in range(gs.shape[0]):
        s = gs[i]
        ref_pos[s] = pos[i]
        ref_t[s] = t[i]
        has_ref[s] = True
    return nsens >= 0


_TWO_PI = 2.0 * math.pi


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
