"""`trilink scenario list/show/plots` and `print_summary`, on every library scenario."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from trilink.cli import main
from trilink.scenarios.commands import print_summary
from trilink.scenarios.model import load_scenario
from trilink.scenarios.run import run_scenario

from .conftest import ALL_NAMES, GOOD_NAME


def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    main(args)
    return capsys.readouterr().out


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    items = json.loads(_run_cli(["scenario", "list", "--json"], capsys))
    assert [it["name"] for it in items] == ALL_NAMES
    table = _run_cli(["scenario", "list"], capsys)
    for name in ALL_NAMES:
        assert name in table


@pytest.mark.parametrize("name", ALL_NAMES)
def test_show_and_plots_work_for_every_library_scenario(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One test per scenario, so each is flown once per process (flights are cached)."""
    _check_show(name, tmp_path, capsys)
    _check_plots(name, tmp_path, capsys)


def _check_show(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "s.png"
    doc = json.loads(_run_cli(["scenario", "show", name, "--json", "--png", str(png)], capsys))
    scn = load_scenario(name)
    assert len(doc["launches"]) == len(scn.launches)
    for ln in doc["launches"]:
        assert ln["class"] in {"SRBM", "MRBM", "IRBM", "ICBM", "SLV"}
        assert ln["apogee_km"] > 0
        if ln["orbital"]:
            assert ln["class"] == "SLV" and ln["impact_lat"] is None
        for w in ln["detections"].values():
            # Nothing is seen before it is launched, nor after its last object has landed.
            assert 0 <= w["first_s"] <= w["last_s"] <= ln["objects_end_s"] + 1e-6
    seen = {sid for ln in doc["launches"] for sid in ln["detections"]}
    assert seen, "no sensor sees anything"
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    import matplotlib.image

    img = matplotlib.image.imread(str(png))
    assert img.ndim == 3 and img.shape[0] > 300 and img.shape[1] > 600


def _check_plots(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, truth = tmp_path / "p.jsonl", tmp_path / "t.jsonl"
    msg = _run_cli(["scenario", "plots", name, "--out", str(out), "--truth", str(truth)], capsys)
    assert "wrote" in msg
    scn = load_scenario(name)
    lines = out.read_text().splitlines()
    assert lines and all(lines)
    rows = [json.loads(x) for x in lines]
    t = np.array([r["t"] for r in rows])
    assert np.all(np.diff(t) >= 0)
    assert t[0] >= scn.epoch_s and t[-1] <= scn.end_s
    assert {r["kind"] for r in rows} <= {"radar", "ir"}
    trows = [json.loads(x) for x in truth.read_text().splitlines()]
    tt = np.array([r["t"] for r in trows])
    assert np.all(np.diff(tt) >= 0)
    k = (tt - scn.epoch_s) / scn.truth_interval_s
    assert np.allclose(k, np.round(k), atol=1e-4)
    assert {r["launch"] for r in trows} == {ln.id for ln in scn.launches}
    for r in trows[:50]:
        assert len(r["ecef_m"]) == 3 and len(r["vel_ecef_mps"]) == 3
        assert isinstance(r["burning"], bool)


def test_show_table(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run_cli(["scenario", "show", GOOD_NAME], capsys)
    assert "Hwasong-12" in out and "KOR-GP-1" in out and "By nation" in out


def test_same_seed_same_bytes_other_seed_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = GOOD_NAME
    paths = [tmp_path / f"{i}.jsonl" for i in range(3)]
    _run_cli(["scenario", "plots", name, "--out", str(paths[0])], capsys)
    _run_cli(["scenario", "plots", name, "--out", str(paths[1])], capsys)
    _run_cli(["scenario", "plots", name, "--out", str(paths[2]), "--seed", "7"], capsys)
    a, b, c = (p.read_bytes() for p in paths)
    assert a == b
    assert a != c


def test_space_ir_reports_only_burning_objects() -> None:
    run = run_scenario(load_scenario(GOOD_NAME))
    ir = [i for i, s in enumerate(run.sensors) if s.kind == "ir"]
    assert ir
    p = run.plots.select((run.plots.sensor == ir[0]) & (run.plots.truth >= 0))
    assert len(p) > 0
    trajs = run.trajectories
    for k in np.unique(p.truth):
        sel = p.truth == k
        _, _, burning, valid = trajs[int(k)].at(p.t[sel])
        assert np.all(burning & valid)


def test_radar_plots_of_a_real_flight_are_above_the_horizon() -> None:
    from trilink.sensors import radar_geometry

    run = run_scenario(load_scenario(GOOD_NAME))
    trajs = run.trajectories
    for idx, spec in enumerate(run.sensors):
        if spec.kind != "radar":
            continue
        p = run.plots.select((run.plots.sensor == idx) & (run.plots.truth >= 0))
        for k in np.unique(p.truth):
            sel = p.truth == k
            pos, _, _, _ = trajs[int(k)].at(p.t[sel])
            _, el, rng = radar_geometry(spec, pos)
            assert np.all(el >= np.radians(spec.min_elevation_deg) - 1e-12)
            assert np.all(rng <= spec.max_range_km * 1e3)


BAD_ARGS = [
    ["scenario", "show", "no-such-scenario"],
    ["scenario", "show", "/nonexistent/x.toml"],
    ["scenario", "plots", GOOD_NAME],
    ["scenario", "plots", GOOD_NAME, "--out", "p.jsonl", "--seed", "-1"],
    ["scenario", "plots", GOOD_NAME, "--out", "p.jsonl", "--seed", "abc"],
    ["scenario", "plots", GOOD_NAME, "--out", "/nonexistent/dir/p.jsonl"],
    ["scenario", "show", GOOD_NAME, "--png", "/nonexistent/dir/x.png"],
    ["scenario", "list", "--bogus"],
    ["scenario", "frobnicate"],
]


@pytest.mark.parametrize(
    "args", BAD_ARGS, ids=[" ".join(a[1:3]) + str(i) for i, a in enumerate(BAD_ARGS)]
)
def test_bad_cli_arguments_give_one_line_and_exit_2(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("trilink: error: "), err
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_print_summary(capsys: pytest.CaptureFixture[str]) -> None:
    print_summary(GOOD_NAME)
    out = capsys.readouterr().out
    assert "KOR" in out and "USA" in out and "JPN" in out and "USA-IR-GEO-1" in out


def test_print_summary_names_the_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    # `trilink demo` is now the full fabric run (tests/test_demo.py); the summary stays a tool.
    from trilink.scenarios.commands import print_summary

    print_summary(GOOD_NAME)
    assert GOOD_NAME in capsys.readouterr().out


def test_physics_flight_is_invariant_under_launch_time() -> None:
    """scenarios.run reuses one fit for every launch of a volley by shifting it in time."""
    from trilink.physics import plan_flight
    from trilink.scenarios.run import _instantiate

    kw = {"missile": "KN-25", "burnout": (25.0, 1.0, 45.0), "max_time_s": 600.0}
    early = plan_flight(39.0, 125.0, 90.0, 0.0, object_id="X", **kw)  # type: ignore[arg-type]
    late = plan_flight(39.0, 125.0, 90.0, 1.6e9 + 123.5, object_id="Q", **kw)  # type: ignore[arg-type]
    shifted = _instantiate(early, "Q", 1.6e9 + 123.5)
    assert [t.object_id for t in shifted.trajectories] == [t.object_id for t in late.trajectories]
    for a, b in zip(shifted.trajectories, late.trajectories, strict=True):
        assert np.array_equal(a.t, b.t)
        assert np.array_equal(a.ecef, b.ecef) and np.array_equal(a.vel, b.vel)
        assert np.array_equal(a.burning, b.burning)
    assert shifted.launch_time == late.launch_time
