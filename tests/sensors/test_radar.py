"""Radar geometry, detection and noise: horizon, range, field of regard, Pd, clutter."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trilink.geo.frames import ecef_to_aer, geodetic_to_ecef
from trilink.sensors import earth_occluded, generate_plots, radar_visible, scan_times, sensor_rng

from .helpers import moving_object, radar, static_object

T0 = 1.5e9


@settings(max_examples=150, deadline=None)
@given(
    site_lat=st.floats(-80, 80),
    site_lon=st.floats(-180, 180),
    site_alt=st.floats(0, 3000),
    min_el=st.floats(0, 5),
    objs=st.lists(
        st.tuples(st.floats(-30, 30), st.floats(-30, 30), st.floats(0, 2_000_000)),
        min_size=1,
        max_size=8,
    ),
)
def test_radar_never_reports_an_object_below_its_horizon(
    site_lat: float,
    site_lon: float,
    site_alt: float,
    min_el: float,
    objs: list[tuple[float, float, float]],
) -> None:
    spec = radar(
        lat_deg=site_lat,
        lon_deg=site_lon,
        alt_m=site_alt,
        min_elevation_deg=min_el,
        max_range_km=20000.0,
        min_range_km=1.0,
        half_sector_deg=180.0,
        pd=1.0,
        clutter_per_scan=0.0,
        scan_period_s=1.0,
    )
    trajs = [
        static_object(f"O{i}", np.clip(site_lat + dlat, -89, 89), site_lon + dlon, alt, T0, T0 + 3)
        for i, (dlat, dlon, alt) in enumerate(objs)
    ]
    plots = generate_plots([spec], trajs, T0, T0 + 3, seed=1)
    site = geodetic_to_ecef(np.radians(site_lat), np.radians(site_lon), site_alt)
    reported = set(plots.truth.tolist())
    for k, tr in enumerate(trajs):
        _, el, rng = ecef_to_aer(tr.ecef[0], np.radians(site_lat), np.radians(site_lon), site_alt)
        hidden = bool(earth_occluded(site, tr.ecef[:1])[0])
        if k in reported:
            # Independent of the elevation formula: the line of sight misses the ellipsoid.
            assert not hidden
            assert float(el) >= np.radians(min_el) - 1e-12
        if float(el) < np.radians(min_el) or hidden:
            assert k not in reported
        elif np.radians(min_el) + 1e-9 < float(el) < np.radians(85) - 1e-9 and float(rng) > 1e3:
            assert k in reported  # pd = 1 and in range: it must be seen


def test_object_beyond_curvature_is_hidden_even_if_in_range() -> None:
    spec = radar(
        lat_deg=37.0,
        lon_deg=127.0,
        alt_m=0.0,
        max_range_km=5000.0,
        pd=1.0,
        clutter_per_scan=0.0,
        half_sector_deg=180.0,
    )
    # 1,500 km down-range at 50 km altitude: the bulge of the Earth (~175 km) hides it.
    low = static_object("low", 37.0, 127.0 + 1500 / 89.0, 50e3, T0, T0 + 10)
    high = static_object("high", 37.0, 127.0 + 1500 / 89.0, 400e3, T0, T0 + 10)
    plots = generate_plots([spec], [low, high], T0, T0 + 10, seed=3)
    assert set(plots.truth.tolist()) == {1}


def test_max_range_and_field_of_regard() -> None:
    spec = radar(
        max_range_km=800.0,
        boresight_az_deg=350.0,
        half_sector_deg=60.0,
        pd=1.0,
        clutter_per_scan=0.0,
    )
    trajs = []
    lat0, lon0 = np.radians(spec.lat_deg), np.radians(spec.lon_deg)
    from trilink.geo import geodesic_direct

    expected = set()
    forbidden = set()
    k = 0
    for az_deg in range(0, 360, 10):
        for dist_km in (200, 500, 760, 840, 1200):
            lat, lon = geodesic_direct(spec.lat_deg, spec.lon_deg, az_deg, dist_km * 1e3)
            tr = static_object(f"O{k}", float(lat), float(lon), 300e3, T0, T0 + 4)
            az, el, rng = ecef_to_aer(tr.ecef[0], lat0, lon0, spec.alt_m)
            off = abs((np.degrees(az) - 350 + 180) % 360 - 180)
            if rng < 0.97 * 800e3 and off < 57 and el > np.radians(1):
                expected.add(k)
            if rng > 1.03 * 800e3 or off > 63:
                forbidden.add(k)
            trajs.append(tr)
            k += 1
    plots = generate_plots([spec], trajs, T0, T0 + 4, seed=5)
    seen = set(plots.truth.tolist())
    assert expected and forbidden
    assert expected <= seen
    assert not (seen & forbidden)
    assert np.all(radar_visible(spec, np.stack([trajs[i].ecef[0] for i in seen])))


def test_detection_probability_and_clutter_rate_are_statistically_right() -> None:
    n_scans = 20000
    spec = radar(
        pd=0.7,
        clutter_per_scan=0.5,
        scan_period_s=1.0,
        boresight_az_deg=350.0,
        half_sector_deg=45.0,
    )
    tr = static_object("O", 40.0, 127.0, 300e3, T0, T0 + n_scans)
    plots = generate_plots([spec], [tr], T0, T0 + n_scans - 0.5, seed=11)
    scans = n_scans
    hits = int(np.sum(plots.truth == 0))
    p = 0.7
    assert abs(hits - p * scans) < 4.5 * np.sqrt(scans * p * (1 - p))
    clutter = plots.select(plots.truth == -1)
    lam = 0.5 * scans
    assert abs(len(clutter) - lam) < 4.5 * np.sqrt(lam)
    # Clutter fills the surveillance volume and nothing outside it.
    assert clutter.range_m.min() >= spec.min_range_km * 1e3
    assert clutter.range_m.max() <= spec.max_range_km * 1e3
    off = np.degrees(np.abs(np.mod(clutter.az - np.radians(350) + np.pi, 2 * np.pi) - np.pi))
    assert off.max() <= 45.0 + 1e-9
    assert clutter.el.min() >= np.radians(spec.min_elevation_deg)
    # ... and spreads over it (not piled at one value).
    assert np.ptp(clutter.range_m) > 0.9 * (spec.max_range_km - spec.min_range_km) * 1e3


def test_noise_has_the_stated_sigma_and_bias() -> None:
    spec = radar(
        pd=1.0,
        clutter_per_scan=0.0,
        sigma_range_m=25.0,
        sigma_az_mrad=0.8,
        sigma_el_mrad=0.6,
        sigma_range_rate_mps=3.0,
        bias_range_m=40.0,
        scan_period_s=1.0,
    )
    site = geodetic_to_ecef(np.radians(37.0), np.radians(127.0), 100.0)
    start = geodetic_to_ecef(np.radians(40.0), np.radians(127.5), 300e3)
    vel = np.array([30.0, -60.0, 15.0])
    tr = moving_object("M", start, vel, T0, T0 + 5000)
    plots = generate_plots([spec], [tr], T0, T0 + 5000, seed=2)
    pos, v, _, _ = tr.at(plots.t)
    az, el, rng = ecef_to_aer(pos, np.radians(37.0), np.radians(127.0), 100.0)
    los = (pos - site) / rng[:, None]
    rr = np.einsum("ij,ij->i", v, los)
    n = len(plots)
    assert n > 4000
    for resid, bias, sigma in (
        (plots.range_m - rng, 40.0, 25.0),
        ((plots.az - az + np.pi) % (2 * np.pi) - np.pi, 0.0, 0.8e-3),
        (plots.el - el, 0.0, 0.6e-3),
        (plots.range_rate - rr, 0.0, 3.0),
    ):
        assert abs(resid.mean() - bias) < 5 * sigma / np.sqrt(n)
        assert abs(resid.std() / sigma - 1) < 0.06
    assert np.all(plots.sigma_range == 25.0)


def test_scan_times_are_periodic_and_staggered() -> None:
    a = radar(id="A", scan_period_s=2.0)
    b = radar(id="B", scan_period_s=2.0)
    ta = scan_times(a, T0, T0 + 100, sensor_rng(7, "A"))
    tb = scan_times(b, T0, T0 + 100, sensor_rng(7, "B"))
    assert np.allclose(np.diff(ta), 2.0) and np.allclose(np.diff(tb), 2.0)
    assert T0 <= ta[0] < T0 + 2 and ta[-1] <= T0 + 100
    assert ta[0] != tb[0]
    fixed = radar(id="C", scan_period_s=2.0, phase_s=0.25)
    assert scan_times(fixed, T0, T0 + 10, sensor_rng(7, "C"))[0] == T0 + 0.25
