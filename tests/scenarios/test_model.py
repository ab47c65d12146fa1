"""Scenario files: the library, and strict validation with one clear error line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trilink import TrilinkError
from trilink.cli import main
from trilink.scenarios.model import (
    library_names,
    load_scenario,
    parse_scenario,
    scenario_sensors,
)

from .conftest import GOOD_NAME

REQUIRED = {
    "2017-08-29-hwasong12",
    "2022-10-04-hwasong12",
    "2017-11-29-hwasong15",
    "2023-11-21-chollima1",
    "salvo-srbm-20",
    "salvo-100",
}


def test_library_has_the_required_scenarios_with_sources() -> None:
    names = library_names()
    assert set(names) >= REQUIRED and len(names) >= 8
    for name in names:
        scn = load_scenario(name)
        assert scn.name == name
        assert scn.sources, name
        assert scn.epoch.utcoffset() is not None
    assert len(load_scenario("salvo-100").launches) == 100
    assert len(load_scenario("salvo-srbm-20").launches) >= 20
    sites = {ln.site for ln in load_scenario("salvo-srbm-20").launches}
    assert len(sites) >= 4


def test_scenario_sensors_apply_platforms_overrides_and_clutter_scale(good_text: str) -> None:
    text = good_text.replace("seed =", "clutter_scale = 0.5\nseed =", 1)
    text += "\n[sensor_overrides.KOR-GP-1]\npd = 0.5\n"
    scn = parse_scenario(text, "x.toml")
    sensors = {s.id: s for s in scenario_sensors(scn)}
    assert sensors["KOR-GP-1"].pd == 0.5
    assert sensors["KOR-GP-1"].clutter_per_scan == pytest.approx(0.1)
    assert sensors["JPN-DDG-1"].lat_deg == 39.5 and sensors["JPN-DDG-1"].nation == "JPN"


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BAD: list[tuple[str, Any, str]] = [
    ("unknown-field", lambda t: t.replace("seed =", "colour = 1\nseed =", 1), "colour"),
    ("bad-type", lambda t: _replace(t, "apogee_km = 550.0", 'apogee_km = "high"'), "apogee_km"),
    ("unknown-launch-site", lambda t: _replace(t, 'site = "Sunan"', 'site = "Atlantis"'), "site"),
    (
        "unknown-sensor",
        lambda t: _replace(t, '"KOR-GP-2"]', '"KOR-GP-2", "KOR-GP-9"]'),
        "sensors.KOR[2]",
    ),
    (
        "sensor-wrong-nation",
        lambda t: _replace(t, '"KOR-GP-2"]', '"KOR-GP-2", "JPN-FPS5-SADO"]'),
        "sensors.KOR[2]",
    ),
    (
        "unknown-missile",
        lambda t: _replace(t, 'missile = "Hwasong-12"', 'missile = "Taepodong-9"'),
        "missile",
    ),
    ("nan", lambda t: _replace(t, "apogee_km = 550.0", "apogee_km = nan"), "apogee_km"),
    ("inf", lambda t: _replace(t, "azimuth_deg = 72.9", "azimuth_deg = inf"), "azimuth_deg"),
    (
        "negative-duration",
        lambda t: _replace(t, "duration_s = 1080.0", "duration_s = -5.0"),
        "duration_s",
    ),
    ("broken-toml", lambda t: t.replace("[[launches]]", "[[launches]", 1), "invalid TOML"),
    ("no-timezone", lambda t: _replace(t, '20:57:00Z"', '20:57:00"'), "epoch"),
    ("bad-epoch", lambda t: _replace(t, '"2017-08-28T20:57:00Z"', '"yesterday"'), "epoch"),
    ("missing-field", lambda t: _replace(t, "seed = 20170829\n", ""), "seed"),
    (
        "unknown-platform-type",
        lambda t: t.replace('type = "AN/SPY-1D (Aegis)"', 'type = "Rowboat"', 1),
        "platforms[0].type",
    ),
    (
        "override-unknown-sensor",
        lambda t: t + "\n[sensor_overrides.NOPE]\npd = 0.5\n",
        "sensor_overrides.NOPE",
    ),
    (
        "override-bad-value",
        lambda t: t + "\n[sensor_overrides.KOR-GP-1]\npd = 1.5\n",
        "pd",
    ),
    (
        "override-unknown-field",
        lambda t: t + "\n[sensor_overrides.KOR-GP-1]\nwarp = 9\n",
        "warp",
    ),
    (
        "launch-after-end",
        lambda t: t.replace("azimuth_deg = 72.9", "azimuth_deg = 72.9\ntime_s = 5000.0", 1),
        "time_s",
    ),
    ("unknown-nation", lambda t: t.replace("KOR = [", "FRA = [", 1), "sensors.FRA"),
]


@pytest.mark.parametrize(("case", "edit", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_scenario_files_give_one_line_naming_file_and_field(
    case: str,
    edit: Any,
    field: str,
    good_text: str,
    write_toml: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path: Path = write_toml(edit(good_text), f"{case}.toml")
    with pytest.raises(TrilinkError) as exc:
        parse_scenario(path.read_text(), str(path))
    msg = str(exc.value)
    assert "\n" not in msg and str(path) in msg and field in msg, msg
    with pytest.raises(SystemExit) as sysexit:
        main(["scenario", "show", str(path)])
    assert sysexit.value.code == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("trilink: error: ") and field in err[0] and path.name in err[0]
    assert captured.out == ""


def test_good_file_by_path_loads(good_text: str, write_toml: Any) -> None:
    path = write_toml(good_text, "mine.toml")
    assert load_scenario(str(path)).name == GOOD_NAME


SHAPES = {
    "both": ("apogee_km = 550.0\nrange_km = 2700.0", 550.0, 2700.0),
    "apogee-only": ("apogee_km = 550.0", 550.0, None),
    "range-only": ("range_km = 2700.0", None, 2700.0),
    "neither": ("", None, None),  # the missile's nominal flight
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_launch_shape_by_apogee_and_or_range(shape: str, good_text: str) -> None:
    lines, apogee, rng = SHAPES[shape]
    text = _replace(good_text, "apogee_km = 550.0\nrange_km = 2700.0", lines)
    ln = parse_scenario(text, "x.toml").launches[0]
    assert (ln.apogee_km, ln.range_km, ln.burnout) == (apogee, rng, None)


@pytest.mark.parametrize(
    ("lines", "field", "why"),
    [
        ("range_km = 0.0", "launches[0].range_km", "> 0"),
        ("apogee_km = -1.0", "launches[0].apogee_km", "> 0"),
        (
            "range_km = 2700.0\nburnout = { time_s = 60.0, speed_mps = 3000.0, "
            "flight_path_angle_deg = 40.0 }",
            "launches[0].burnout",
            "not both",
        ),
    ],
)
def test_launch_shape_errors_are_one_line(lines: str, field: str, why: str, good_text: str) -> None:
    text = _replace(good_text, "apogee_km = 550.0\nrange_km = 2700.0", lines)
    with pytest.raises(TrilinkError) as exc:
        parse_scenario(text, "x.toml")
    msg = str(exc.value)
    assert msg.startswith(f"x.toml: {field}: ") and why in msg and "\n" not in msg, msg
