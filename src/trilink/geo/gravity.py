"""Gravity of the Earth: point mass plus J2 (and optionally J3, J4), vectorised.

trilink propagates flight in an Earth-centred inertial frame aligned with ECEF at the scenario
epoch (see :mod:`trilink.geo.frames`). The zonal harmonics are symmetric about the spin axis, so
the same formula serves in ECI and ECEF; in ECEF the caller adds Coriolis and centrifugal terms
(:func:`rotating_frame_accel`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from trilink.geo.frames import GM_EARTH, J2_EARTH, OMEGA_EARTH, WGS84_A

__all__ = ["J3_EARTH", "J4_EARTH", "gravity_accel", "rotating_frame_accel", "specific_energy"]

Array = NDArray[np.float64]

#: Zonal harmonics J3, J4 (EGM96, unnormalised).
J3_EARTH = -2.53265649e-6
J4_EARTH = -1.61962159e-6


def gravity_accel(pos: ArrayLike, degree: int = 2) -> Array:
    """Gravitational acceleration [m/s²] at positions [..., 3] (metres, Earth-centred).

    ``degree`` 0 is the point mass only, 2 adds J2, 4 adds J3 and J4.
    """
    r = np.asarray(pos, dtype=np.float64)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    mu_r3 = GM_EARTH / (r2 * rn)
    ax, ay, az = -mu_r3 * x, -mu_r3 * y, -mu_r3 * z
    if degree >= 2:
        # J2 oblateness: a = -(3/2) J2 μ a_e² / r⁵ [x(1-5u), y(1-5u), z(3-5u)], u = z²/r²
        u = z * z / r2
        k = 1.5 * J2_EARTH * GM_EARTH * WGS84_A**2 / (r2 * r2 * rn)
        ax = ax - k * x * (1.0 - 5.0 * u)
        ay = ay - k * y * (1.0 - 5.0 * u)
        az = az - k * z * (3.0 - 5.0 * u)
    if degree >= 4:
        u = z * z / r2
        zr = z / rn
        k3 = 0.5 * J3_EARTH * GM_EARTH * WGS84_A**3 / (r2 * r2 * r2 * rn)
        ax = ax - k3 * x * 5.0 * zr * rn * (3.0 - 7.0 * u)
        ay = ay - k3 * y * 5.0 * zr * rn * (3.0 - 7.0 * u)
        az = az - k3 * r2 * 3.0 * (10.0 * u - 35.0 / 3.0 * u * u - 1.0)
        k4 = 0.625 * J4_EARTH * GM_EARTH * WGS84_A**4 / (r2 * r2 * r2 * rn)
        ax = ax + k4 * x * (3.0 - 42.0 * u + 63.0 * u * u)
        ay = ay + k4 * y * (3.0 - 42.0 * u + 63.0 * u * u)
        az = az + k4 * z * (15.0 - 70.0 * u + 63.0 * u * u)
    return np.stack([ax, ay, az], axis=-1)


def rotating_frame_accel(pos: ArrayLike, vel: ArrayLike) -> Array:
    """Coriolis plus centrifugal acceleration in ECEF: -2ω×v - ω×(ω×r)."""
    w = np.array([0.0, 0.0, OMEGA_EARTH])
    p = np.asarray(pos, dtype=np.float64)
    v = np.asarray(vel, dtype=np.float64)
    return -2.0 * np.cross(w, v) - np.cross(w, np.cross(w, p))


def specific_energy(pos: ArrayLike, vel: ArrayLike, degree: int = 2) -> Array:
    """Specific orbital energy [J/kg] in an inertial frame, including the J2 potential term."""
    p = np.asarray(pos, dtype=np.float64)
    v = np.asarray(vel, dtype=np.float64)
    r = np.linalg.norm(p, axis=-1)
    pot = -GM_EARTH / r
    if degree >= 2:
        sin_phi = p[..., 2] / r
        # U_J2 = (μ J2 a_e² / (2 r³)) (3 sin²φ - 1), sign so that a = -∇(pot)
        pot = pot + GM_EARTH * J2_EARTH * WGS84_A**2 / (2.0 * r**3) * (3.0 * sin_phi**2 - 1.0)
    out: Array = 0.5 * np.sum(v * v, axis=-1) + pot
    return out
