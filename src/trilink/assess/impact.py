"""Impact prediction: sigma points of each track's state (and of the unknown ballistic
coefficient) flown through the full dynamics to the WGS84 surface, batched over tracks.

The unscented transform (2n points, n = 7: position, velocity, log β) captures the curvature of
the state-to-impact map far better than a linearisation, at the cost of 14 trajectories per
track. The 95 % ellipse is that of the 2-D impact covariance in the local horizontal plane at the
mean impact point, scaled by √χ²₂(0.95) = 2.448.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from trilink.geo import GM_EARTH, OMEGA_EARTH, WGS84_A, ecef_to_geodetic
from trilink.geo.frames import enu_rotation
from trilink.physics.trajectory import Trajectory
from trilink.tracking.dynamics import BETA_NOMINAL, derivative

__all__ = [
    "ImpactPrediction",
    "predict_impact",
    "ellipse_from_cov",
    "is_orbital",
    "K95_2D",
    "trajectory_impact",
]

Array = NDArray[np.float64]

#: Scale from 1-σ to the 95 % ellipse in two dimensions: √χ²₂(0.95).
K95_2D = math.sqrt(-2.0 * math.log(0.05))


@dataclass
class ImpactPrediction:
    """Per track: impact point and time, 95 % ellipse, apogee and the nominal ground track."""

    impact_lat: Array  # [K] degrees (NaN if no impact: orbital)
    impact_lon: Array
    impact_t: Array  # [K] UTC seconds
    impact_t_sigma: Array  # [K] s
    ellipse_major_m: Array  # [K] 95 % semi-major axis
    ellipse_minor_m: Array
    ellipse_azimuth_deg: Array  # [K] major axis, clockwise from north, [0, 180)
    cov_en: Array  # [K, 2, 2] impact covariance in east/north [m²]
    apogee_km: Array  # [K] highest altitude on the nominal path (now or ahead)
    orbital: NDArray[np.bool_]  # [K] heads for orbit: no impact
    ground_track: list[Array]  # per track [M, 2] lat/lon degrees from now to impact

    def subset(self, idx: NDArray[np.intp]) -> ImpactPrediction:
        """The predictions of tracks ``idx`` (in that order)."""
        return ImpactPrediction(
            impact_lat=self.impact_lat[idx],
            impact_lon=self.impact_lon[idx],
            impact_t=self.impact_t[idx],
            impact_t_sigma=self.impact_t_sigma[idx],
            ellipse_major_m=self.ellipse_major_m[idx],
            ellipse_minor_m=self.ellipse_minor_m[idx],
            ellipse_azimuth_deg=self.ellipse_azimuth_deg[idx],
            cov_en=self.cov_en[idx],
            apogee_km=self.apogee_km[idx],
            orbital=self.orbital[idx],
            ground_track=[self.ground_track[int(i)] for i in idx],
        )


def is_orbital(x: Array, min_perigee_m: float = 100e3) -> NDArray[np.bool_]:
    """States [N, ≥6] whose inertial two-body orbit has its perigee above ``min_perigee_m``."""
    r = x[:, 0:3]
    v = x[:, 3:6] + np.cross(np.array([0.0, 0.0, OMEGA_EARTH]), r)
    rn = np.linalg.norm(r, axis=1)
    energy = 0.5 * np.sum(v * v, axis=1) - GM_EARTH / rn
    hvec = np.cross(r, v)
    h2 = np.sum(hvec * hvec, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = np.sqrt(np.maximum(0.0, 1.0 + 2.0 * energy * h2 / GM_EARTH**2))
        a = -GM_EARTH / (2.0 * energy)
        rp = np.where(energy < 0, a * (1.0 - e), np.inf)
    out: NDArray[np.bool_] = (energy >= 0) | (rp - WGS84_A > min_perigee_m)
    return out


def ellipse_from_cov(cov_en: Array, scale: float = K95_2D) -> tuple[Array, Array, Array]:
    """Semi-axes [m] and azimuth of the major axis [deg from north] of covariances [K, 2, 2]."""
    w, v = np.linalg.eigh(cov_en)
    w = np.maximum(w, 0.0)
    major = scale * np.sqrt(w[:, 1])
    minor = scale * np.sqrt(w[:, 0])
    ev = v[:, :, 1]  # (east, north) of the major axis
    az = np.mod(np.degrees(np.arctan2(ev[:, 0], ev[:, 1])), 180.0)
    return major, minor, az


def fly_to_ground(
    x: Array,
    beta: Array,
    max_s: float = 7200.0,
    group: NDArray[np.intp] | None = None,
    path_rows: tuple[int, ...] | NDArray[np.intp] = (0,),
) -> tuple[Array, Array, Array, NDArray[np.bool_], list[Array]]:
    """Ballistic flight of states [N, ≥6] to altitude 0.

    Rows of one ``group`` (default: all rows one group) share their step size, chosen from that
    group's rows alone: the sigma points of one track keep a common integration error (it cancels
    in their spread), and one track's prediction does not depend on the other tracks flown in
    the same batch. Returns impact positions [N, 3], flight times [N], highest altitude [N],
    whether each hit the ground within ``max_s``, and the ECEF path [M, 3] of each row in
    ``path_rows``.
    """
    n = len(x)
    g = np.zeros(n, dtype=np.intp) if group is None else np.asarray(group, dtype=np.intp)
    n_groups = int(g.max()) + 1 if n else 0
    y = np.zeros((n, 9))
    y[:, 0:6] = x[:, 0:6]
    zero = np.zeros(n)
    t = np.zeros(n)
    active = np.ones(n, bool)
    hit = np.zeros(n, bool)
    pos = np.full((n, 3), np.nan)
    tof = np.full(n, np.nan)
    h = ecef_to_geodetic(y[:, 0:3])[2]
    hmax = h.copy()
    rows = np.asarray(path_rows, dtype=np.intp)
    paths: list[list[Array]] = [[y[r, 0:3].copy()] for r in rows]
    while active.any():
        ya = y[active]
        ha = h[active]
        ba = beta[active]
        za = zero[active]
        ga = g[active]
        vr = np.sum(ya[:, 0:3] * ya[:, 3:6], axis=1) / np.linalg.norm(ya[:, 0:3], axis=1)
        # Step: coarse high up, fine near the ground (drag, and the crossing to interpolate).
        fall = np.where(vr < 0, ha / np.maximum(-vr, 1.0), np.inf)
        fall_g = np.full(n_groups, np.inf)
        np.minimum.at(fall_g, ga, fall)
        low_g = np.full(n_groups, np.inf)
        np.minimum.at(low_g, ga, ha)
        step_g = np.clip(0.3 * np.minimum(fall_g, 1e9), 0.5, 20.0)
        step_g = np.where(low_g < 120e3, np.minimum(step_g, 2.0), step_g)
        step = step_g[ga]
        hs = step[:, None]
        k1 = derivative(ya, za, ba)
        k2 = derivative(ya + 0.5 * hs * k1, za, ba)
        k3 = derivative(ya + 0.5 * hs * k2, za, ba)
        k4 = derivative(ya + hs * k3, za, ba)
        yn = ya + (hs / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        hn = ecef_to_geodetic(yn[:, 0:3])[2]
        idx = np.flatnonzero(active)
        cross = hn <= 0.0
        if cross.any():
            f = (ha[cross] / (ha[cross] - hn[cross]))[:, None]
            pos[idx[cross]] = ya[cross, 0:3] + f * (yn[cross, 0:3] - ya[cross, 0:3])
            tof[idx[cross]] = t[idx[cross]] + f[:, 0] * step[cross]
            hit[idx[cross]] = True
        y[idx] = yn
        h[idx] = hn
        hmax[idx] = np.maximum(hmax[idx], hn)
        t[idx] += step
        for j, r in enumerate(rows.tolist()):
            if active[r]:  # this row flew this step: keep its path
                paths[j].append(pos[r].copy() if hit[r] else y[r, 0:3].copy())
        active[idx[cross]] = False
        active &= t < max_s
    return pos, tof, hmax, hit, [np.array(p) for p in paths]


def predict_impact(
    t: float | Array,
    x: Array,
    P: Array,
    beta: float = BETA_NOMINAL,
    log_beta_sigma: float = 0.0,
    max_s: float = 7200.0,
    track_points: int = 24,
    ground_track: bool = True,
) -> ImpactPrediction:
    """Impact prediction for tracks with states [K, ≥6] and covariances [K, ≥6, ≥6] at time
    ``t`` (one for all, or one per track [K]). Each track is flown independently of the others
    in the batch (see :func:`fly_to_ground`); ``ground_track=False`` skips the paths."""
    k = len(x)
    tt = np.broadcast_to(np.asarray(t, dtype=float), (k,))
    nd = 7 if log_beta_sigma > 0 else 6
    C = np.zeros((k, nd, nd))
    C[:, 0:6, 0:6] = P[:, 0:6, 0:6]
    if nd == 7:
        C[:, 6, 6] = log_beta_sigma**2
    C = 0.5 * (C + np.swapaxes(C, 1, 2)) + np.eye(nd) * 1e-9
    try:
        L = np.linalg.cholesky(nd * C)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(nd * C)
        L = v * np.sqrt(np.maximum(w, 0.0))[:, None, :]
    mean = np.zeros((k, nd))
    mean[:, 0:6] = x[:, 0:6]
    # sigma point 0 is the mean (weight 0 with κ = 0; flown for the nominal path)
    offs = np.concatenate([np.zeros((k, 1, nd)), np.swapaxes(L, 1, 2), -np.swapaxes(L, 1, 2)], 1)
    pts = (mean[:, None, :] + offs).reshape(-1, nd)
    npts = 2 * nd + 1
    betas = beta * np.exp(pts[:, 6]) if nd == 7 else np.full(len(pts), beta)
    orbital0 = is_orbital(x)
    group = np.repeat(np.arange(k), npts)
    path_rows = np.arange(k) * npts if ground_track else np.zeros(0, dtype=np.intp)
    pos, tof, hmax, hit, paths = fly_to_ground(pts[:, 0:6], betas, max_s, group, path_rows)
    pos = pos.reshape(k, npts, 3)
    tof = tof.reshape(k, npts)
    hit = hit.reshape(k, npts)
    hmax = hmax.reshape(k, npts)
    out_lat = np.full(k, np.nan)
    out_lon = np.full(k, np.nan)
    out_t = np.full(k, np.nan)
    out_ts = np.full(k, np.nan)
    cov = np.full((k, 2, 2), np.nan)
    orbital = orbital0 | ~hit[:, 0]
    tracks: list[Array] = []
    for i in range(k):
        if orbital[i] or not hit[i].all():
            tracks.append(np.zeros((0, 2)))
            continue
        p = pos[i, 1:]
        pm = p.mean(axis=0)
        lat, lon, _ = ecef_to_geodetic(pm)
        rot = enu_rotation(lat, lon)
        d = (p - pm) @ rot.T
        cov[i] = (d[:, 0:2].T @ d[:, 0:2]) / (npts - 1)
        out_lat[i], out_lon[i] = math.degrees(float(lat)), math.degrees(float(lon))
        out_t[i] = tt[i] + float(tof[i, 1:].mean())
        out_ts[i] = float(tof[i, 1:].std())
        if not ground_track:
            tracks.append(np.zeros((0, 2)))
            continue
        pp = paths[i]
        sel = np.unique(np.linspace(0, len(pp) - 1, track_points).round().astype(int))
        glat, glon, _ = ecef_to_geodetic(pp[sel])
        tracks.append(np.stack([np.degrees(glat), np.degrees(glon)], axis=1))
    major, minor, az = ellipse_from_cov(np.nan_to_num(cov))
    bad = np.isnan(out_lat)
    major[bad] = minor[bad] = az[bad] = np.nan
    return ImpactPrediction(
        impact_lat=out_lat,
        impact_lon=out_lon,
        impact_t=out_t,
        impact_t_sigma=out_ts,
        ellipse_major_m=major,
        ellipse_minor_m=minor,
        ellipse_azimuth_deg=az,
        cov_en=cov,
        apogee_km=hmax[:, 0] / 1000.0,
        orbital=orbital,
        ground_track=tracks,
    )


def trajectory_impact(traj: Trajectory) -> tuple[float, float, float]:
    """(lat°, lon°, time) where a sampled trajectory crosses the ellipsoid surface, found on its
    Hermite interpolant by bisection; the last sample is used if it never goes below 0 m."""
    h = ecef_to_geodetic(traj.ecef)[2]
    below = np.flatnonzero((h[1:] <= 0.0) & (h[:-1] > 0.0))
    if not len(below):
        lat, lon, _ = ecef_to_geodetic(traj.ecef[-1])
        return math.degrees(float(lat)), math.degrees(float(lon)), traj.t_end
    i = int(below[-1])
    lo, hi = float(traj.t[i]), float(traj.t[i + 1])
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if float(ecef_to_geodetic(traj.at(mid)[0][0])[2]) > 0.0:
            lo = mid
        else:
            hi = mid
    lat, lon, _ = ecef_to_geodetic(traj.at(lo)[0][0])
    return math.degrees(float(lat)), math.degrees(float(lon)), lo
