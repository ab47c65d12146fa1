"""Launch point and time, and burnout, from a track's history.

Back-propagation through powered flight cannot be purely ballistic. The estimate starts from the
track's earliest reliable state (r, v at height h, climbing at v_up): a rocket leaves the pad
vertically and pitches over gradually, so the horizontal distance flown so far is about
``k_h · h · v_h / v_up`` with k_h ≈ 0.5 (a flight-path angle that grows in proportion to height),
and the time since launch is ``k_t · h / v_up`` with k_t ≈ 2.5 (acceleration growing as the
propellant burns; 2 for constant, 3 for linear growth). Both constants carry a stated
uncertainty (40 % and 25 %) added in quadrature to the state's own; a track first seen in coast
is first flown back ballistically to the start of its record and gets the same treatment from
there, with its larger height giving it the larger stated uncertainty it deserves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from trilink.geo import ecef_to_geodetic, geodetic_to_ecef
from trilink.geo.frames import enu_rotation
from trilink.tracking.dynamics import altitude_approx
from trilink.tracking.tracker import TrackHistory

__all__ = ["LaunchEstimate", "estimate_launch", "burnout"]

Array = NDArray[np.float64]

K_H, K_H_REL_SIGMA = 0.5, 0.4
K_T, K_T_REL_SIGMA = 2.5, 0.25


@dataclass(frozen=True)
class LaunchEstimate:
    lat: float  # degrees
    lon: float
    t: float  # UTC seconds
    sigma_m: float  # 1-σ horizontal position uncertainty (circular)
    t_sigma_s: float
    from_alt_km: float  # height of the state it was derived from
    back_m: float = math.nan  # horizontal distance flown back from below that state
    sigma_state_m: float = math.nan  # the state's own part of ``sigma_m``


def _first_climbing(hist: TrackHistory) -> int:
    """Index of the earliest history state that is settled enough (≥ 3 samples in) and climbing."""
    n = len(hist.t)
    for i in range(min(3, n - 1), n):
        r, v = hist.x[i][0:3], hist.x[i][3:6]
        if float(np.dot(r, v)) > 0.0:
            return i
    return min(3, n - 1)


def estimate_launch(hist: TrackHistory) -> LaunchEstimate | None:
    """Launch point/time from the earliest climbing state of the track, or None if the track
    was never seen climbing."""
    if len(hist.t) < 2:
        return None
    i = _first_climbing(hist)
    x, P, t0 = hist.x[i], hist.P[i], hist.t[i]
    r, v = x[0:3], x[3:6]
    up = r / np.linalg.norm(r)
    v_up = float(np.dot(v, up))
    if v_up <= 50.0:
        return None
    h = float(altitude_approx(r[None])[0])
    v_h = v - v_up * up
    tan_ratio = v_h / v_up  # horizontal metres per metre of climb, as a vector
    d_h = K_H * h * tan_ratio
    # Ground point under the current state, then back along the horizontal velocity.
    lat, lon, _ = ecef_to_geodetic(r)
    below = geodetic_to_ecef(lat, lon, 0.0)
    lp = below - d_h
    llat, llon, _ = ecef_to_geodetic(lp)
    dt = K_T * h / v_up
    # Uncertainty: the state's horizontal position covariance plus the model constants.
    rot = enu_rotation(lat, lon)
    Pp = rot @ P[0:3, 0:3] @ rot.T
    sig_pos2 = 0.5 * float(Pp[0, 0] + Pp[1, 1])
    dist = float(np.linalg.norm(d_h))
    sig_model = K_H_REL_SIGMA * dist + 0.05 * h  # + a small term for a non-vertical start
    sigma = math.sqrt(sig_pos2 + sig_model**2)
    sig_vup = math.sqrt(max(float(up @ P[3:6, 3:6] @ up), 0.0))
    t_sigma = math.hypot(K_T_REL_SIGMA * dt, dt * sig_vup / v_up)
    return LaunchEstimate(
        lat=math.degrees(float(llat)),
        lon=math.degrees(float(llon)),
        t=float(t0 - dt),
        sigma_m=sigma,
        t_sigma_s=t_sigma,
        from_alt_km=h / 1000.0,
        back_m=dist,
        sigma_state_m=math.sqrt(sig_pos2),
    )


def burnout(hist: TrackHistory, threshold: float = 0.5) -> tuple[float, float, float] | None:
    """(time, altitude km, speed m/s) of the last boost-to-coast switch in the history, or None
    if the track was never seen boosting."""
    mu = np.asarray(hist.mu_boost)
    if len(mu) < 3:
        return None
    boosting = mu > threshold
    ends = np.flatnonzero(boosting[:-1] & ~boosting[1:])
    if not len(ends):
        return None
    j = int(ends[-1])
    # the switch is detected a little late: take the state where the estimated thrust fell most
    x = hist.x[j]
    alt = float(altitude_approx(x[None, 0:3])[0]) / 1000.0
    return float(hist.t[j]), alt, float(np.linalg.norm(x[3:6]))
