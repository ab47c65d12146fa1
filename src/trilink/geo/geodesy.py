"""Geodesic distance, azimuth and ground tracks on the WGS84 ellipsoid (pyproj.Geod)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod

__all__ = ["GEOD", "geodesic_inverse", "geodesic_direct", "ground_track"]

Array = NDArray[np.float64]

#: One shared WGS84 geodesic solver (Karney's algorithms, nanometre-accurate).
GEOD = Geod(ellps="WGS84")


def geodesic_inverse(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> tuple[Array, Array, Array]:
    """Forward azimuth [deg], back azimuth [deg] and distance [m] between point pairs."""
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (lat1_deg, lon1_deg, lat2_deg, lon2_deg))
    )
    az12, az21, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(az12), np.asarray(az21), np.asarray(dist)


def geodesic_direct(
    lat_deg: ArrayLike, lon_deg: ArrayLike, az_deg: ArrayLike, dist_m: ArrayLike
) -> tuple[Array, Array]:
    """Point [deg] reached from (lat, lon) along azimuth ``az_deg`` after ``dist_m`` metres."""
    lat, lon, az, dist = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (lat_deg, lon_deg, az_deg, dist_m))
    )
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, dist)
    return np.asarray(lat2), np.asarray(lon2)


def ground_track(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float, npts: int = 64
) -> tuple[Array, Array]:
    """Geodesic ('great-circle' on the ellipsoid) track of ``npts`` points, ends included."""
    if npts < 2:
        raise ValueError("a ground track needs at least 2 points")
    mid = GEOD.npts(lon1_deg, lat1_deg, lon2_deg, lat2_deg, npts - 2)
    lons = np.array([lon1_deg, *(p[0] for p in mid), lon2_deg])
    lats = np.array([lat1_deg, *(p[1] for p in mid), lat2_deg])
    return lats, lons
