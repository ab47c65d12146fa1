"""Fitting published apogee and range; published flight times; catalogue; CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from trilink import TrilinkError
from trilink.cli import main
from trilink.geo.frames import R_EARTH_MEAN
from trilink.physics import MISSILES, classify_range, plan_flight
from trilink.physics.flight import _required_speed, equivalent_range_km, min_energy_apogee_km

REQUIRED = [
    "KN-23",
    "KN-25",
    "Scud-ER",
    "Nodong",
    "Hwasong-12",
    "Hwasong-14",
    "Hwasong-15",
    "Hwasong-17",
    "Hwasong-18",
    "Chollima-1",
]

# Published (Japan MoD / KCNA) apogee km, range km, flight time minutes.
PUBLIC_FLIGHTS = {
    "Hwasong-15 2017-11-29": (4475.0, 950.0, 53.0),
    "Hwasong-14 2017-07-28": (3725.0, 998.0, 47.0),
    "Hwasong-17 2022-11-18": (6041.0, 999.0, 69.0),
}


def test_catalogue_has_required_missiles_with_sources() -> None:
    for name in REQUIRED:
        m = MISSILES[name]
        assert m.source and m.stages and m.ideal_delta_v > 2000.0


@pytest.mark.parametrize(
    ("below", "bound", "above"),
    [("SRBM", 1000.0, "MRBM"), ("MRBM", 3000.0, "IRBM"), ("IRBM", 5500.0, "ICBM")],
)
def test_classify_range_boundaries(below: str, bound: float, above: str) -> None:
    # each boundary pinned from both sides and at the bound itself (it belongs to the upper class)
    assert classify_range(bound - 1.0) == below
    assert classify_range(bound - 1e-6) == below
    assert classify_range(bound) == above
    assert classify_range(bound + 1.0) == above


def test_classify_range_edges() -> None:
    assert classify_range(0.0) == "SRBM"
    assert classify_range(20000.0) == "ICBM"
    assert classify_range(math.nan) == "unknown"  # a range not known yet
    for bad in (-1.0, math.inf, -math.inf):
        with pytest.raises(ValueError, match="range"):
            classify_range(bad)


@pytest.mark.parametrize("range_km", [300.0, 1000.0, 3000.0, 10000.0])
def test_min_energy_apogee_is_the_arc_needing_the_least_speed(range_km: float) -> None:
    apogee = min_energy_apogee_km(range_km)
    v = _required_speed(apogee, range_km)
    # a lower (depressed) or higher (lofted) arc over the same range needs more speed ...
    assert _required_speed(0.95 * apogee, range_km) > v
    assert _required_speed(1.05 * apogee, range_km) > v
    # ... and that speed's minimum-energy range from the surface is the range itself
    assert equivalent_range_km(v, R_EARTH_MEAN) == pytest.approx(range_km, rel=1e-9)


def test_range_alone_flies_the_minimum_energy_arc() -> None:
    plan = plan_flight(39.2, 125.67, 90.0, 0.0, missile="Hwasong-12", range_km=2700.0)
    assert plan.fit is not None and plan.fit.converged
    assert plan.range_km == pytest.approx(2700.0, rel=1e-3)
    assert plan.apogee_km == pytest.approx(min_energy_apogee_km(2700.0), rel=1e-3)
    assert plan.fit.scale < 1.0  # less than the full load: 2,700 km is short for it


def test_apogee_alone_flies_the_catalogue_load_lofted_to_it() -> None:
    plans = [
        plan_flight(39.2, 125.67, 90.0, 0.0, missile="Hwasong-12", apogee_km=apo)
        for apo in (970.0, 1400.0)
    ]
    for plan, apo in zip(plans, (970.0, 1400.0), strict=True):
        assert plan.fit is not None and plan.fit.converged
        assert plan.apogee_km == pytest.approx(apo, rel=1e-3)
        assert plan.fit.scale == pytest.approx(1.0, abs=0.01)  # the catalogue's load
    # both lofted above the full load's minimum-energy arc: the higher flies shorter
    assert 1000.0 < plans[1].range_km < plans[0].range_km < 4000.0


def test_flight_shape_errors_are_one_line() -> None:
    cases = [
        (dict(apogee_km=500.0), "missile"),  # an apogee alone: no load to set the range
        (dict(), "missile"),  # neither shape nor missile
        (dict(missile="Hwasong-12", apogee_km=3000.0), "out of reach"),
        (dict(missile="Hwasong-12", range_km=-5.0), "range"),
        (dict(missile="Hwasong-12", apogee_km=math.nan), "apogee"),
    ]
    for kwargs, word in cases:
        with pytest.raises(TrilinkError) as exc:
            plan_flight(39.2, 125.67, 90.0, 0.0, **kwargs)  # type: ignore[arg-type]
        assert word in str(exc.value) and "\n" not in str(exc.value), str(exc.value)


@pytest.mark.parametrize("case", sorted(PUBLIC_FLIGHTS))
def test_public_flight_times_within_five_percent(case: str) -> None:
    apogee, rng, minutes = PUBLIC_FLIGHTS[case]
    plan = plan_flight(39.2, 125.67, 90.0, 0.0, apogee_km=apogee, range_km=rng)
    assert plan.fit is not None and plan.fit.converged
    # The fit reproduces what was asked of it ...
    assert plan.apogee_km == pytest.approx(apogee, rel=1e-3)
    assert plan.range_km == pytest.approx(rng, rel=1e-3)
    # ... and the physics then gives the published flight time.
    assert plan.flight_time_s / 60.0 == pytest.approx(minutes, rel=0.05)
    assert plan.missile_class == "ICBM"


def test_fit_minimum_energy_mrbm_and_direction() -> None:
    plan = plan_flight(39.2, 125.67, 60.0, 1e9, missile="Hwasong-12", apogee_km=550, range_km=2700)
    assert plan.apogee_km == pytest.approx(550, rel=1e-3)
    assert plan.range_km == pytest.approx(2700, rel=1e-3)
    from trilink.geo import geodesic_inverse

    az, _, _ = geodesic_inverse(39.2, 125.67, plan.impact_lat, plan.impact_lon)
    assert float(az) == pytest.approx(60.0, abs=0.1)
    rv = plan.trajectories[0]
    assert rv.t[0] == pytest.approx(1e9)
    assert rv.burning[0] and not rv.burning[-1]
    # The spent stage is a separate object; its drag makes it fall short of the re-entry vehicle.
    boosters = [t for t in plan.trajectories if t.kind == "booster"]
    assert len(boosters) == 1
    launch = rv.ecef[0]
    assert np.linalg.norm(boosters[0].ecef[-1] - launch) < np.linalg.norm(rv.ecef[-1] - launch)


def test_fit_depressed_trajectory() -> None:
    # Lower than minimum energy for the range (~600 km apogee for 2,500 km): a depressed shot.
    plan = plan_flight(39.2, 125.67, 90.0, 0.0, missile="Hwasong-12", apogee_km=300, range_km=2500)
    assert plan.fit is not None and plan.fit.converged
    assert plan.fit.theta_end_deg < 30.0
    assert plan.apogee_km == pytest.approx(300, rel=1e-3)
    assert plan.summary()["within_catalogue_envelope"] is True
    lofted = plan_flight(
        39.2, 125.67, 90.0, 0.0, missile="Hwasong-12", apogee_km=2000, range_km=800
    )
    assert lofted.fit is not None and lofted.fit.theta_end_deg > 70.0
    assert lofted.flight_time_s > plan.flight_time_s


def test_slv_reaches_orbit() -> None:
    plan = plan_flight(39.66, 124.71, 180.0, 0.0, missile="Chollima-1", max_time_s=1200.0)
    assert plan.orbital and plan.missile_class == "SLV"
    assert math.isnan(plan.impact_lat)
    assert len([t for t in plan.trajectories if t.kind == "booster"]) == 3


def test_same_inputs_same_bytes() -> None:
    a = plan_flight(39.2, 125.67, 90.0, 0.0, missile="KN-23")
    b = plan_flight(39.2, 125.67, 90.0, 0.0, missile="KN-23")
    assert a.trajectories[0].ecef.tobytes() == b.trajectories[0].ecef.tobytes()
    assert a.missile_class == "SRBM"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"apogee_km": -5.0, "range_km": 100.0},
        {"apogee_km": math.nan, "range_km": 100.0},
        {"apogee_km": 100.0},
        {"missile": "Taepodong-9"},
        {},
    ],
)
def test_bad_inputs_raise_clear_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(TrilinkError):
        plan_flight(39.0, 125.0, 90.0, 0.0, **kwargs)  # type: ignore[arg-type]


def test_cli_fit_json(capsys: pytest.CaptureFixture[str]) -> None:
    main(["trajectory", "fit", "--apogee-km", "970", "--range-km", "4600", "--site", "Sunan",
          "--azimuth", "75", "--missile", "Hwasong-12", "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    for key in ("flight_time_s", "burnout_time_s", "burnout_altitude_km", "burnout_speed_mps",
                "apogee_km", "range_km", "impact_lat", "impact_lon"):  # fmt: skip
        assert isinstance(out[key], float)
    assert out["range_km"] == pytest.approx(4600, rel=1e-3)
    assert out["class"] == "IRBM"
    assert np.isfinite(out["impact_lon"]) and out["impact_lon"] > 140  # east of Japan


@pytest.mark.parametrize(
    "args",
    [
        ["trajectory", "fit", "--apogee-km", "abc", "--range-km", "1"],
        ["trajectory", "fit", "--range-km", "1"],
        ["trajectory", "fit", "--apogee-km", "1", "--range-km", "1", "--site", "Atlantis"],
        [
            "trajectory",
            "fit",
            "--apogee-km",
            "1",
            "--range-km",
            "1",
            "--site",
            "Sunan",
            "--lat",
            "1",
        ],
        ["trajectory", "fit", "--apogee-km", "inf", "--range-km", "1"],
        ["trajectory", "nope"],
    ],
)
def test_cli_bad_arguments_one_line_exit_2(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "trilink.cli", *args], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trilink: error: ")
