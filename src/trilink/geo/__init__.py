"""WGS84 frames, gravity, geodesy and areas; everything vectorised over arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trilink._lazy import lazy_exports

if TYPE_CHECKING:
    from trilink.geo.frames import (
        GM_EARTH,
        J2_EARTH,
        OMEGA_EARTH,
        WGS84_A,
        aer_to_ecef,
        ecef_to_aer,
        ecef_to_eci,
        ecef_to_enu,
        ecef_to_geodetic,
        eci_to_ecef,
        enu_to_ecef,
        geodetic_to_ecef,
    )
    from trilink.geo.geodesy import geodesic_direct, geodesic_inverse, ground_track
    from trilink.geo.gravity import gravity_accel, rotating_frame_accel, specific_energy

__all__ = [
    "GM_EARTH",
    "J2_EARTH",
    "OMEGA_EARTH",
    "WGS84_A",
    "aer_to_ecef",
    "ecef_to_aer",
    "ecef_to_eci",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "eci_to_ecef",
    "enu_to_ecef",
    "geodesic_direct",
    "geodesic_inverse",
    "geodetic_to_ecef",
    "gravity_accel",
    "ground_track",
    "rotating_frame_accel",
    "specific_energy",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "GM_EARTH": "trilink.geo.frames",
        "J2_EARTH": "trilink.geo.frames",
        "OMEGA_EARTH": "trilink.geo.frames",
        "WGS84_A": "trilink.geo.frames",
        "aer_to_ecef": "trilink.geo.frames",
        "ecef_to_aer": "trilink.geo.frames",
        "ecef_to_eci": "trilink.geo.frames",
        "ecef_to_enu": "trilink.geo.frames",
        "ecef_to_geodetic": "trilink.geo.frames",
        "eci_to_ecef": "trilink.geo.frames",
        "enu_to_ecef": "trilink.geo.frames",
        "geodetic_to_ecef": "trilink.geo.frames",
        "geodesic_direct": "trilink.geo.geodesy",
        "geodesic_inverse": "trilink.geo.geodesy",
        "ground_track": "trilink.geo.geodesy",
        "gravity_accel": "trilink.geo.gravity",
        "rotating_frame_accel": "trilink.geo.gravity",
        "specific_energy": "trilink.geo.gravity",
    },
)
