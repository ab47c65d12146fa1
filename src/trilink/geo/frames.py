"""WGS84 frames, vectorised over arrays: geodetic ⇄ ECEF ⇄ local ENU / AER.

Angles are radians unless a name says ``_deg``; lengths are metres. Every function broadcasts
over leading array dimensions, so one call converts a whole batch of plots or trajectory samples.
Agreement with pyproj is tested to well under a millimetre.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "WGS84_A",
    "WGS84_F",
    "WGS84_B",
    "WGS84_E2",
    "OMEGA_EARTH",
    "R_EARTH_MEAN",
    "GM_EARTH",
    "J2_EARTH",
    "geodetic_to_ecef",
    "ecef_to_geodetic",
    "enu_rotation",
    "ecef_to_enu",
    "enu_to_ecef",
    "enu_to_aer",
    "aer_to_enu",
    "ecef_to_aer",
    "aer_to_ecef",
    "ecef_to_eci",
    "eci_to_ecef",
]

Array = NDArray[np.float64]

#: WGS84 semi-major axis [m], flattening, semi-minor axis [m] and first eccentricity squared.
WGS84_A = 6378137.0
WGS84_F = 1.0 / 298.257223563
WGS84_B = WGS84_A * (1.0 - WGS84_F)
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
#: IUGG mean Earth radius [m]: for spherical estimates only (Kepler arcs, equivalent ranges).
R_EARTH_MEAN = 6371008.8
#: Earth rotation rate [rad/s] (WGS84), gravitational parameter [m^3/s^2] and J2 (EGM96/WGS84).
OMEGA_EARTH = 7.292115e-5
GM_EARTH = 3.986004418e14
J2_EARTH = 1.08262982131e-3

_EP2 = (WGS84_A**2 - WGS84_B**2) / WGS84_B**2  # second eccentricity squared


def _f(x: ArrayLike) -> Array:
    return np.asarray(x, dtype=np.float64)


def geodetic_to_ecef(lat: ArrayLike, lon: ArrayLike, alt: ArrayLike) -> Array:
    """Geodetic latitude, longitude [rad] and ellipsoidal height [m] -> ECEF [..., 3] in metres."""
    lat, lon, alt = _f(lat), _f(lon), _f(alt)
    slat, clat = np.sin(lat), np.cos(lat)
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * slat * slat)  # prime-vertical radius of curvature
    x = (n + alt) * clat * np.cos(lon)
    y = (n + alt) * clat * np.sin(lon)
    z = (n * (1.0 - WGS84_E2) + alt) * slat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def ecef_to_geodetic(ecef: ArrayLike) -> tuple[Array, Array, Array]:
    """ECEF [..., 3] -> (lat [rad], lon [rad], alt [m]).

    Bowring's parametric-latitude start followed by two Newton-like refinements: sub-millimetre
    from the Earth's centre region out beyond geostationary altitude, with no per-point loop.
    """
    r = _f(ecef)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    lon = np.arctan2(y, x)
    p = np.hypot(x, y)
    beta = np.arctan2(z * WGS84_A, p * WGS84_B)  # parametric latitude, first guess
    lat = np.arctan2(
        z + _EP2 * WGS84_B * np.sin(beta) ** 3, p - WGS84_E2 * WGS84_A * np.cos(beta) ** 3
    )
    for _ in range(2):
        beta = np.arctan2((1.0 - WGS84_F) * np.sin(lat), np.cos(lat))
        lat = np.arctan2(
            z + _EP2 * WGS84_B * np.sin(beta) ** 3, p - WGS84_E2 * WGS84_A * np.cos(beta) ** 3
        )
    slat, clat = np.sin(lat), np.cos(lat)
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * slat * slat)
    # Height formula that stays well-conditioned both near the equator and near the poles.
    alt = p * clat + z * slat - WGS84_A * WGS84_A / n
    return lat, lon, alt


def enu_rotation(lat: ArrayLike, lon: ArrayLike) -> Array:
    """Rotation matrices [..., 3, 3] taking ECEF vectors to local East-North-Up at (lat, lon)."""
    lat, lon = _f(lat), _f(lon)
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(sl * so)
    rows = [
        [-so + zero, co + zero, zero],
        [-sl * co, -sl * so, cl + zero],
        [cl * co, cl * so, sl + zero],
    ]
    return np.stack([np.stack(row, axis=-1) for row in rows], axis=-2)


def ecef_to_enu(ecef: ArrayLike, lat0: ArrayLike, lon0: ArrayLike, alt0: ArrayLike) -> Array:
    """Points in ECEF [..., 3] -> ENU [..., 3] about an origin (lat0, lon0 [rad], alt0 [m])."""
    origin = geodetic_to_ecef(lat0, lon0, alt0)
    rot = enu_rotation(lat0, lon0)
    d = _f(ecef) - origin
    out: Array = np.einsum("...ij,...j->...i", rot, d)
    return out


def enu_to_ecef(enu: ArrayLike, lat0: ArrayLike, lon0: ArrayLike, alt0: ArrayLike) -> Array:
    """ENU [..., 3] about an origin -> ECEF [..., 3]."""
    origin = geodetic_to_ecef(lat0, lon0, alt0)
    rot = enu_rotation(lat0, lon0)
    out: Array = origin + np.einsum("...ji,...j->...i", rot, _f(enu))
    return out


def enu_to_aer(enu: ArrayLike) -> tuple[Array, Array, Array]:
    """ENU [..., 3] -> (azimuth clockwise from true north [0, 2π), elevation [rad], slant range)."""
    e = _f(enu)
    east, north, up = e[..., 0], e[..., 1], e[..., 2]
    horiz = np.hypot(east, north)
    az = np.mod(np.arctan2(east, north), 2.0 * np.pi)
    el = np.arctan2(up, horiz)
    rng = np.hypot(horiz, up)
    return az, el, rng


def aer_to_enu(az: ArrayLike, el: ArrayLike, rng: ArrayLike) -> Array:
    """(azimuth from north, elevation [rad], slant range [m]) -> ENU [..., 3]."""
    az, el, rng = _f(az), _f(el), _f(rng)
    ce = np.cos(el)
    return np.stack(
        np.broadcast_arrays(rng * ce * np.sin(az), rng * ce * np.cos(az), rng * np.sin(el)),
        axis=-1,
    )


def ecef_to_aer(
    ecef: ArrayLike, lat0: ArrayLike, lon0: ArrayLike, alt0: ArrayLike
) -> tuple[Array, Array, Array]:
    """ECEF points -> (azimuth, elevation, range) seen from a site at (lat0, lon0, alt0)."""
    return enu_to_aer(ecef_to_enu(ecef, lat0, lon0, alt0))


def aer_to_ecef(
    az: ArrayLike, el: ArrayLike, rng: ArrayLike, lat0: ArrayLike, lon0: ArrayLike, alt0: ArrayLike
) -> Array:
    """(azimuth, elevation, range) from a site -> ECEF points."""
    return enu_to_ecef(aer_to_enu(az, el, rng), lat0, lon0, alt0)


def _rot_z(theta: Array) -> Array:
    c, s = np.cos(theta), np.sin(theta)
    z, o = np.zeros_like(c), np.ones_like(c)
    return np.stack(
        [np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2
    )


def ecef_to_eci(
    pos: ArrayLike, vel: ArrayLike, t: ArrayLike, t0: float = 0.0
) -> tuple[Array, Array]:
    """ECEF position/velocity at time ``t`` [s] -> an inertial frame aligned with ECEF at ``t0``.

    The frame ignores precession/nutation/polar motion: over a missile flight (< 2 h) these are
    far below the tracking error, and all that matters is a frame in which Newton's law holds.
    """
    theta = OMEGA_EARTH * (_f(t) - t0)
    rot = _rot_z(theta)
    p = _f(pos)
    w = np.array([0.0, 0.0, OMEGA_EARTH])
    v_inertial_in_ecef = _f(vel) + np.cross(w, p)  # v_i = v_r + ω × r
    return (
        np.einsum("...ij,...j->...i", rot, p),
        np.einsum("...ij,...j->...i", rot, v_inertial_in_ecef),
    )


def eci_to_ecef(
    pos: ArrayLike, vel: ArrayLike, t: ArrayLike, t0: float = 0.0
) -> tuple[Array, Array]:
    """Inverse of :func:`ecef_to_eci`."""
    theta = OMEGA_EARTH * (_f(t) - t0)
    rot_t = np.swapaxes(_rot_z(theta), -1, -2)
    p = np.einsum("...ij,...j->...i", rot_t, _f(pos))
    v = np.einsum("...ij,...j->...i", rot_t, _f(vel))
    w = np.array([0.0, 0.0, OMEGA_EARTH])
    return p, v - np.cross(w, p)
