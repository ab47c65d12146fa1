"""Synthetic truth for sensor tests (physics-free, so geometry is exactly known)."""

from __future__ import annotations

from typing import Any

import numpy as np

from trilink.geo.frames import geodetic_to_ecef
from trilink.physics.trajectory import Trajectory
from trilink.sensors.catalogue import SensorSpec, load_catalogue, make_sensor


def static_object(
    object_id: str,
    lat_deg: float,
    lon_deg: float,
    alt_m: float,
    t0: float,
    t1: float,
    burning: bool = False,
) -> Trajectory:
    """An object standing still in ECEF from t0 to t1."""
    p = geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg), alt_m)
    t = np.array([t0, t1])
    return Trajectory(
        object_id=object_id,
        t=t,
        ecef=np.stack([p, p]),
        vel=np.zeros((2, 3)),
        burning=np.array([burning, burning]),
    )


def moving_object(
    object_id: str, start_ecef: np.ndarray, vel: np.ndarray, t0: float, t1: float, n: int = 50
) -> Trajectory:
    """Straight-line constant-velocity motion in ECEF (exact under Hermite interpolation)."""
    t = np.linspace(t0, t1, n)
    pos = start_ecef[None, :] + (t - t0)[:, None] * vel[None, :]
    return Trajectory(
        object_id=object_id,
        t=t,
        ecef=pos,
        vel=np.repeat(vel[None, :], n, axis=0),
        burning=np.zeros(n, dtype=bool),
    )


def _sensor(site: tuple[str, str, str, str, float, float, float], over: Any) -> SensorSpec:
    """A test sensor of the catalogue type at ``site`` (id, nation, type, name, lat, lon, alt),
    with the fields of ``over`` replaced."""
    names = ("id", "nation", "type", "name", "lat_deg", "lon_deg", "alt_m")
    fields: dict[str, Any] = dict(zip(names, site, strict=True))
    fields.update(over)
    return make_sensor(fields, load_catalogue().types, "test")


def radar(**over: Any) -> SensorSpec:
    """A test radar: the Green Pine type with overrides."""
    site = ("TEST-R", "KOR", "EL/M-2080 Green Pine", "test radar", 37.0, 127.0, 100.0)
    return _sensor(site, over)


def ir_sensor(**over: Any) -> SensorSpec:
    """A test infrared satellite in geostationary orbit, with overrides."""
    site = ("TEST-IR", "USA", "Space IR (GEO, notional)", "test ir", 0.0, 140.0, 35786e3)
    return _sensor(site, over)
