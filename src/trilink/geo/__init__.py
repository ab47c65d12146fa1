"""WGS84 frames, gravity, geodesy and (later) regions; everything vectorised over arrays."""

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
