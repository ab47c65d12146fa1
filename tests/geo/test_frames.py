"""Geodesy against pyproj, to well under a millimetre."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from trilink.geo import (
    aer_to_ecef,
    ecef_to_aer,
    ecef_to_eci,
    ecef_to_geodetic,
    eci_to_ecef,
    geodesic_direct,
    geodesic_inverse,
    geodetic_to_ecef,
    gravity_accel,
    ground_track,
)

LLA_TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)


def _random_lla(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-90, 90, n)
    lon = rng.uniform(-180, 180, n)
    alt = rng.uniform(-500, 40_000_000, n)  # from below sea level to beyond GEO
    return lat, lon, alt


def test_geodetic_to_ecef_matches_pyproj() -> None:
    lat, lon, alt = _random_lla(20_000)
    ours = geodetic_to_ecef(np.radians(lat), np.radians(lon), alt)
    x, y, z = LLA_TO_ECEF.transform(lon, lat, alt)
    ref = np.stack([x, y, z], axis=-1)
    assert np.max(np.abs(ours - ref)) < 1e-3


def test_ecef_to_geodetic_matches_pyproj() -> None:
    lat, lon, alt = _random_lla(20_000, seed=2)
    x, y, z = LLA_TO_ECEF.transform(lon, lat, alt)
    la, lo, al = ecef_to_geodetic(np.stack([x, y, z], axis=-1))
    # 1 mm of arc on the Earth's surface is ~1.6e-10 rad.
    r = np.hypot(np.hypot(x, y), z)
    assert np.max(np.abs(np.radians(lat) - la) * r) < 1e-3
    dlon = np.angle(np.exp(1j * (np.radians(lon) - lo)))
    assert np.max(np.abs(dlon) * np.hypot(x, y)) < 1e-3
    assert np.max(np.abs(al - alt)) < 1e-3


def test_poles_and_equator_round_trip() -> None:
    lat = np.radians([90.0, -90.0, 0.0, 0.0, 89.999999])
    lon = np.radians([0.0, 45.0, 0.0, 180.0, 10.0])
    alt = np.array([0.0, 1000.0, -100.0, 3.6e7, 50.0])
    la, _, al = ecef_to_geodetic(geodetic_to_ecef(lat, lon, alt))
    assert np.allclose(la, lat, atol=1e-12)
    assert np.allclose(al, alt, atol=1e-3)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-89.0, 89.0),
    st.floats(-180.0, 180.0),
    st.floats(0.0, 3000.0),
    st.floats(0.0, 2 * np.pi - 1e-9),
    st.floats(-np.pi / 2 + 1e-6, np.pi / 2 - 1e-6),
    st.floats(1.0, 5e6),
)
def test_aer_round_trip(
    lat: float, lon: float, alt: float, az: float, el: float, rng_m: float
) -> None:
    p = aer_to_ecef(az, el, rng_m, np.radians(lat), np.radians(lon), alt)
    az2, el2, r2 = ecef_to_aer(p, np.radians(lat), np.radians(lon), alt)
    assert r2 == pytest.approx(rng_m, abs=1e-6 * max(1.0, rng_m))
    assert abs(el2 - el) < 1e-8
    if abs(el) < np.pi / 2 - 1e-4:
        assert abs(np.angle(np.exp(1j * (az2 - az)))) < 1e-7


def test_azimuth_convention_is_clockwise_from_north() -> None:
    lat0, lon0 = np.radians(37.0), np.radians(127.0)
    north = geodetic_to_ecef(np.radians(37.1), lon0, 0.0)
    east = geodetic_to_ecef(lat0, np.radians(127.1), 0.0)
    az_n, _, _ = ecef_to_aer(north, lat0, lon0, 0.0)
    az_e, _, _ = ecef_to_aer(east, lat0, lon0, 0.0)
    assert abs(np.angle(np.exp(1j * az_n))) < 1e-3
    assert abs(az_e - np.pi / 2) < 2e-3


def test_eci_round_trip_and_rotation() -> None:
    p = geodetic_to_ecef(np.radians(39.0), np.radians(125.7), 100_000.0)
    v = np.array([1000.0, -2000.0, 3000.0])
    pi, vi = ecef_to_eci(p, v, 600.0)
    pe, ve = eci_to_ecef(pi, vi, 600.0)
    assert np.allclose(pe, p, atol=1e-6)
    assert np.allclose(ve, v, atol=1e-9)
    # A point fixed on the Earth moves in inertial space at ω r cos(lat).
    _, v_fixed = ecef_to_eci(p, np.zeros(3), 0.0)
    assert np.linalg.norm(v_fixed) == pytest.approx(7.292115e-5 * np.hypot(p[0], p[1]))


def test_gravity_magnitude_and_j2() -> None:
    eq = geodetic_to_ecef(0.0, 0.0, 0.0)
    pole = geodetic_to_ecef(np.pi / 2, 0.0, 0.0)
    g_eq = np.linalg.norm(gravity_accel(eq))
    g_pole = np.linalg.norm(gravity_accel(pole))
    # Pure gravitation (no centrifugal term): ~9.814 at the equator, ~9.832 at the pole.
    assert 9.80 < g_eq < 9.82
    assert 9.82 < g_pole < 9.84


@pytest.mark.parametrize("degree", [0, 2, 4])
def test_gravity_is_gradient_of_zonal_potential(degree: int) -> None:
    from trilink.geo.frames import GM_EARTH, J2_EARTH, WGS84_A
    from trilink.geo.gravity import J3_EARTH, J4_EARTH

    js = {2: J2_EARTH, 3: J3_EARTH, 4: J4_EARTH}

    def potential(p: np.ndarray) -> float:
        r = float(np.linalg.norm(p))
        s = p[2] / r
        legendre = {
            2: (3 * s**2 - 1) / 2,
            3: (5 * s**3 - 3 * s) / 2,
            4: (35 * s**4 - 30 * s**2 + 3) / 8,
        }
        terms = sum(js[n] * (WGS84_A / r) ** n * legendre[n] for n in js if n <= degree)
        return float(GM_EARTH / r * (1 - terms))

    p = np.array([3.1e6, 4.2e6, 4.4e6])
    numeric = np.array([(potential(p + e) - potential(p - e)) / 2 for e in np.eye(3)])
    assert np.allclose(gravity_accel(p, degree=degree), numeric, atol=1e-7)


def test_geodesic_inverse_direct_and_track() -> None:
    az, _, dist = geodesic_inverse(39.0, 125.7, 43.0, 140.0)
    lat2, lon2 = geodesic_direct(39.0, 125.7, az, dist)
    assert float(lat2) == pytest.approx(43.0, abs=1e-9)
    assert float(lon2) == pytest.approx(140.0, abs=1e-9)
    lats, lons = ground_track(39.0, 125.7, 43.0, 140.0, npts=10)
    assert len(lats) == 10 and lats[0] == 39.0 and lons[-1] == 140.0
    with pytest.raises(ValueError):
        ground_track(0, 0, 1, 1, npts=1)
