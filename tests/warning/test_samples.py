"""Sampled ground tracks stay on the globe whatever the ellipse."""

from __future__ import annotations

import numpy as np

from trilink.warning.picture import sample_tracks


def test_a_wide_ellipse_near_the_pole_gives_valid_latitudes() -> None:
    # 1,000 km σ on a track ending 2° from the pole: unclipped samples pass 90°
    lat, lon, frac = sample_tracks(
        np.array([80.0, 88.0]), np.array([0.0, 10.0]), np.eye(2) * 1e12, samples=200, seed=1
    )
    assert np.all(np.abs(lat) <= 90.0) and np.all(np.abs(lon) <= 180.0)
    assert lat.max() > 89.9  # some were held at the pole: the case is exercised
    assert frac[0] == 0.0 and frac[-1] == 1.0
