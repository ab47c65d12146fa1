"""Track-to-track fusion of a node's own tracks with partner tracks that arrive as state and
covariance only (no sensor identity, unknown cross-correlation).

Covariance intersection (Julier & Uhlmann): ``P⁻¹ = ω Pa⁻¹ + (1-ω) Pb⁻¹``,
``P⁻¹x = ω Pa⁻¹ xa + (1-ω) Pb⁻¹ xb``, with ω minimising the determinant of the fused covariance.
It is consistent for *any* correlation between the two estimates — the right choice when a
partner's track may already contain plots from a sensor we also see, or our own shared track
coming back to us through a relay — so fusion never double counts. The fused set is an output:
it is never fed back into the own tracker.

Everything is batched over track pairs; ω is found by a vectorised golden-section search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.stats import chi2

from trilink.tracking.dynamics import NX, MotionNoise, predict

__all__ = ["FusedTracks", "covariance_intersection", "fuse_tracks", "nees"]

Array = NDArray[np.float64]


def covariance_intersection(
    xa: Array, Pa: Array, xb: Array, Pb: Array, iters: int = 40
) -> tuple[Array, Array, Array]:
    """CI of estimate pairs [N, d] / [N, d, d]; returns fused x, P and the chosen ω [N]."""
    Ia = np.linalg.inv(Pa)
    Ib = np.linalg.inv(Pb)

    def logdet(w: Array) -> Array:
        out: Array = -np.linalg.slogdet(w[:, None, None] * Ia + (1.0 - w)[:, None, None] * Ib)[1]
        return out

    g = (np.sqrt(5.0) - 1.0) / 2.0
    lo = np.zeros(len(xa))
    hi = np.ones(len(xa))
    c = hi - g * (hi - lo)
    d = lo + g * (hi - lo)
    fc, fd = logdet(c), logdet(d)
    for _ in range(iters):
        left = fc < fd
        hi = np.where(left, d, hi)
        lo = np.where(left, lo, c)
        c_new = hi - g * (hi - lo)
        d_new = lo + g * (hi - lo)
        c, d = c_new, d_new
        fc, fd = logdet(c), logdet(d)
    w = 0.5 * (lo + hi)
    info = w[:, None, None] * Ia + (1.0 - w)[:, None, None] * Ib
    P = np.linalg.inv(info)
    vec = np.einsum("nij,nj->ni", w[:, None, None] * Ia, xa) + np.einsum(
        "nij,nj->ni", (1.0 - w)[:, None, None] * Ib, xb
    )
    x = np.einsum("nij,nj->ni", P, vec)
    return x, 0.5 * (P + np.swapaxes(P, 1, 2)), w


def nees(err: Array, P: Array) -> Array:
    """Normalised estimation error squared of errors [N, d] under covariances [N, d, d]."""
    out: Array = np.einsum("ni,ni->n", err, np.linalg.solve(P, err[..., None])[..., 0])
    return out


@dataclass
class FusedTracks:
    """Fused picture at time ``t``: one row per object (own, partner or both)."""

    t: float
    x: Array  # [K, 6]
    P: Array  # [K, 6, 6]
    own_index: NDArray[np.int64]  # [K] row in the own set, -1 if partner-only
    partner_index: NDArray[np.int64]  # [K] row in the partner set, -1 if own-only


def fuse_tracks(
    t: float,
    own_x: Array,
    own_P: Array,
    partner_t: Array,
    partner_x: Array,
    partner_P: Array,
    gate_prob: float = 0.999,
) -> FusedTracks:
    """Associate partner tracks (each at its own time, predicted to ``t``) with own tracks at
    ``t`` (global assignment on the Mahalanobis distance of the difference) and fuse pairs by
    covariance intersection. Unpaired tracks of either side are kept as they are."""
    n, m = len(own_x), len(partner_x)
    px = np.zeros((m, 6))
    pP = np.zeros((m, 6, 6))
    if m:
        # bring partner tracks to our time, ballistic model
        for dt in np.unique(t - partner_t):
            sel = (t - partner_t) == dt
            x9 = np.zeros((int(sel.sum()), NX))
            x9[:, 0:6] = partner_x[sel, 0:6]
            P9 = np.tile(np.eye(NX) * 1e-6, (len(x9), 1, 1))
            P9[:, 0:6, 0:6] = partner_P[sel, 0:6, 0:6]
            xp, Pp = predict(x9, P9, np.zeros(len(x9)), float(dt), MotionNoise())
            px[sel], pP[sel] = xp[:, 0:6], Pp[:, 0:6, 0:6]
    pairs_o = np.zeros(0, np.int64)
    pairs_p = np.zeros(0, np.int64)
    if n and m:
        d = own_x[:, None, 0:6] - px[None, :, :]
        S = own_P[:, None, 0:6, 0:6] + pP[None, :, :, :]
        d2 = np.einsum("opi,opi->op", d, np.linalg.solve(S, d[..., None])[..., 0])
        gate = float(chi2.ppf(gate_prob, 6))
        r, c = linear_sum_assignment(np.where(d2 < gate, d2, 1e9))
        ok = d2[r, c] < gate
        pairs_o, pairs_p = r[ok], c[ok]
    xs, Ps, oi, pi = [], [], [], []
    if len(pairs_o):
        xf, Pf, _ = covariance_intersection(
            own_x[pairs_o, 0:6], own_P[pairs_o, 0:6, 0:6], px[pairs_p], pP[pairs_p]
        )
        xs.append(xf)
        Ps.append(Pf)
        oi.append(pairs_o)
        pi.append(pairs_p)
    lone_o = np.setdiff1d(np.arange(n), pairs_o)
    lone_p = np.setdiff1d(np.arange(m), pairs_p)
    xs += [own_x[lone_o, 0:6], px[lone_p]]
    Ps += [own_P[lone_o, 0:6, 0:6], pP[lone_p]]
    oi += [lone_o, np.full(len(lone_p), -1)]
    pi += [np.full(len(lone_o), -1), lone_p]
    return FusedTracks(
        t=t,
        x=np.concatenate(xs).reshape(-1, 6),
        P=np.concatenate(Ps).reshape(-1, 6, 6),
        own_index=np.concatenate(oi).astype(np.int64),
        partner_index=np.concatenate(pi).astype(np.int64),
    )
