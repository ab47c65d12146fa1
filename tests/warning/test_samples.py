"""Sampled ground tracks stay on the globe whatever the ellipse: each point is moved along a great
circle by its share of the sample's impact offset (a plane offset of thousands of km reached past
a pole to impossible latitudes: the 2023-11-21 Chollima-1 scenario run stopped on it)."""

from __future__ import annotations

import numpy as np

from trilink.warning.picture import _R_EARTH, sample_tracks


def _arc_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    c = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(_R_EARTH * np.arccos(np.clip(c, -1.0, 1.0)))


def test_a_wide_ellipse_near_the_pole_goes_over_it_at_the_offsets_distance() -> None:
    # 1,000 km σ on a track ending 2° from the pole: many samples' offsets reach past the pole
    lat, lon, frac = sample_tracks(
        np.array([80.0, 88.0]), np.array([0.0, 10.0]), np.eye(2) * 1e12, samples=200, seed=1
    )
    assert np.all(np.abs(lat) <= 90.0) and np.all(np.abs(lon) <= 180.0)
    assert frac[0] == 0.0 and frac[-1] == 1.0
    # the same draw's offsets (the generator and its use are deterministic for the seed)
    off = np.random.default_rng(1).standard_normal((200, 2)) * 1e6
    # offsets are bounded by the ground left to fly (the nominal track's length on the sphere)
    reach = max(float(_arc_m(np.array(80.0), np.array(0.0), np.array(88.0), np.array(10.0))), 5e4)
    norm = np.hypot(off[:, 0], off[:, 1])
    want = np.minimum(norm, reach)
    past_pole = off[:, 1] > (90.0 - 88.0) * np.pi / 180 * _R_EARTH * 1.5
    assert past_pole.sum() > 10  # the case is exercised
    got = _arc_m(np.full(200, 88.0), np.full(200, 10.0), lat[:, -1], lon[:, -1])
    # each impact sample lies at its offset's length from the nominal impact (sphere)
    assert np.allclose(got, want, rtol=1e-6, atol=1.0)
    # and one pushed far north ended on the far side of the pole, below 88°
    assert np.all(lat[past_pole, -1] < 88.0)
    dlon = np.abs(((lon[past_pole, -1] - 10.0 + 180.0) % 360.0) - 180.0)
    assert np.all(dlon > 60.0)


def test_small_offsets_are_the_plane_offsets() -> None:
    # 1-2 km σ at mid latitude: the great-circle step is the east/north step to a few metres
    cov = np.diag([1e6, 4e6])
    lat, lon, _ = sample_tracks(np.array([37.0, 38.0]), np.array([128.0, 131.0]), cov, seed=3)
    off = np.random.default_rng(3).standard_normal((128, 2)) @ np.diag([1e3, 2e3])
    north = np.radians(lat[:, -1] - 38.0) * _R_EARTH
    east = np.radians(lon[:, -1] - 131.0) * _R_EARTH * np.cos(np.radians(38.0))
    assert np.allclose(north, off[:, 1], atol=3.0) and np.allclose(east, off[:, 0], atol=3.0)
