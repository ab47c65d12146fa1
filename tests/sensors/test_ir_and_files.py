"""Space IR, determinism of plot files, the plot file format, the catalogue and `trilink sites`."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from trilink.cli import main
from trilink.geo.frames import ecef_to_aer
from trilink.physics.trajectory import Trajectory
from trilink.sensors import generate_plots, load_catalogue, write_plots_jsonl

from .helpers import ir_sensor, moving_object, radar, static_object

T0 = 1.6e9


def test_ir_sees_only_burning_unoccluded_objects_above_the_clouds() -> None:
    spec = ir_sensor(pd=1.0, clutter_per_scan=0.0)
    burning = static_object("burn", 39.0, 126.0, 50e3, T0, T0 + 200, burning=True)
    cold = static_object("cold", 39.0, 126.5, 50e3, T0, T0 + 200, burning=False)
    low = static_object("low", 39.0, 127.0, 2e3, T0, T0 + 200, burning=True)
    far_side = static_object("far", 0.0, -40.0, 100e3, T0, T0 + 200, burning=True)
    plots = generate_plots([spec], [burning, cold, low, far_side], T0, T0 + 200, seed=1)
    assert set(plots.truth.tolist()) == {0}
    assert np.all(np.isnan(plots.range_m))
    assert np.allclose(plots.available_t, plots.t + spec.latency_s)


def test_ir_stops_detecting_at_burnout() -> None:
    t = np.linspace(T0, T0 + 300, 301)
    from trilink.geo.frames import geodetic_to_ecef

    pos = geodetic_to_ecef(np.radians(39.0), np.radians(126.0), 20e3 + 1e3 * (t - T0))
    vel = np.repeat(np.array([[0.0, 0.0, 0.0]]), len(t), axis=0)
    vel[:] = np.gradient(pos, t, axis=0)
    burn = t < T0 + 120
    tr = Trajectory("B", t, pos, vel, burn)
    spec = ir_sensor(pd=1.0, clutter_per_scan=0.0)
    plots = generate_plots([spec], [tr], T0, T0 + 300, seed=4)
    assert len(plots) > 10
    assert plots.t.max() <= T0 + 120


def test_ir_noise_is_isotropic_across_the_line_of_sight() -> None:
    spec = ir_sensor(pd=1.0, clutter_per_scan=0.0, scan_period_s=1.0)
    tr = static_object("burn", 39.0, 126.0, 50e3, T0, T0 + 4000, burning=True)
    plots = generate_plots([spec], [tr], T0, T0 + 4000, seed=9)
    az, el, _ = ecef_to_aer(tr.ecef[0], 0.0, np.radians(140.0), 35786e3)
    sig = spec.sigma_el_mrad * 1e-3
    daz = (plots.az - az + np.pi) % (2 * np.pi) - np.pi
    # cross-LOS angular error in azimuth direction = daz * cos(el)
    assert abs(np.std(daz * np.cos(el)) / sig - 1) < 0.08
    assert abs(np.std(plots.el - el) / sig - 1) < 0.08
    assert np.allclose(plots.sigma_az * np.cos(el), sig, rtol=1e-3)


def _scene() -> tuple[list, list]:
    from trilink.geo.frames import geodetic_to_ecef

    start = geodetic_to_ecef(np.radians(39.0), np.radians(125.7), 100e3)
    trajs = [
        moving_object("A", start, np.array([500.0, 1500.0, 800.0]), T0, T0 + 600),
        static_object("B", 38.5, 128.0, 200e3, T0, T0 + 600, burning=True),
    ]
    sensors = [radar(id="R1"), radar(id="R2", lat_deg=35.0), ir_sensor()]
    return sensors, trajs


def _bytes(seed: int, sensors: list, trajs: list) -> str:
    buf = io.StringIO()
    write_plots_jsonl(generate_plots(sensors, trajs, T0, T0 + 600, seed=seed), buf)
    return buf.getvalue()


def test_same_seed_same_bytes_and_different_seed_different() -> None:
    sensors, trajs = _scene()
    a, b, c = _bytes(1, sensors, trajs), _bytes(1, sensors, trajs), _bytes(2, sensors, trajs)
    assert a == b
    assert a != c
    # Adding a sensor changes nothing in the others' plots.
    with_extra = generate_plots([*sensors, radar(id="R3")], trajs, T0, T0 + 600, seed=1)
    alone = generate_plots(sensors, trajs, T0, T0 + 600, seed=1)
    r1_a, r1_b = with_extra.of_sensor("R1"), alone.of_sensor("R1")
    assert np.array_equal(r1_a.t, r1_b.t) and np.array_equal(r1_a.range_m, r1_b.range_m)


def test_plot_file_follows_the_format() -> None:
    sensors, trajs = _scene()
    text = _bytes(3, sensors, trajs)
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows and all(line for line in text.splitlines())
    ts = [r["t"] for r in rows]
    assert ts == sorted(ts)
    kinds = {r["sensor"]: r["kind"] for r in rows}
    assert kinds == {"R1": "radar", "R2": "radar", "TEST-IR": "ir"}
    for r in rows:
        assert 0 <= r["az_rad"] < 2 * np.pi and -np.pi / 2 <= r["el_rad"] <= np.pi / 2
        assert {"t", "sensor", "lat", "lon", "alt_m", "az_rad", "el_rad"} <= r.keys()
        assert "object" not in r and "truth" not in r
        if r["kind"] == "radar":
            assert r["range_m"] > 0 and r["sigma_range_m"] > 0
            assert ("range_rate_mps" in r) == ("sigma_range_rate_mps" in r)
        else:
            assert "range_m" not in r
            assert r["available_t"] == pytest.approx(r["t"] + 20.0)


def test_catalogue_sites_are_public_approximate_and_sourced() -> None:
    cat = load_catalogue()
    nations = {s.nation for s in cat.sites.values()}
    assert nations == {"KOR", "USA", "JPN"}
    for s in cat.sites.values():
        assert s.approximate and s.source and s.problem() is None
    assert any(s.kind == "ir" for s in cat.sites.values())
    assert cat.platform_types()


def test_sites_command(capsys: pytest.CaptureFixture[str]) -> None:
    main(["sites", "--nation", "KOR", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["sites"] and {s["nation"] for s in doc["sites"]} == {"KOR"}
    main(["sites"])
    out = capsys.readouterr().out
    assert "JPN-FPS5-SADO" in out and "USA-TPY2-SHARIKI" in out


def test_sites_command_rejects_bad_nation(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["sites", "--nation", "FRA"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("trilink: error:")


def test_coastlines_ship_and_cover_korea_and_japan() -> None:
    from trilink.geo.coast import load_coastlines

    lines = load_coastlines()
    pts = np.concatenate(lines)
    assert len(lines) > 50 and pts.shape[1] == 2
    for lat, lon in ((35.1, 129.05), (35.6, 139.8), (39.0, 125.2)):  # Busan, Tokyo Bay, DPRK west
        d = np.hypot(pts[:, 0] - lon, pts[:, 1] - lat)
        assert d.min() < 0.3
