"""``trilink track`` end to end through the CLI entry point."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from trilink.assess.assessor import Assessment
from trilink.cli import main
from trilink.synthetic.flights import fly, make_plots, salvo


@pytest.fixture(scope="module")
def plot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    trajs = fly(salvo(2, seed=31, spread_s=5.0))
    plots, _ = make_plots(trajs, seed=32)
    keep = np.flatnonzero(plots.t < plots.t[0] + 200.0)
    p = tmp_path_factory.mktemp("plots") / "plots.jsonl"
    with p.open("w") as f:
        for i, rec in enumerate(plots.select(keep).to_records()):
            if i == 10:
                f.write('{"t": 1, "sensor": "X", "lat": NaN}\n')
            rec["unknown_field"] = "ignored"
            f.write(json.dumps(rec) + "\n")
    return p


def test_track_writes_documented_fields(
    plot_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tracks.jsonl"
    main(["track", "--plots", str(plot_file), "--out", str(out), "--assess", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert summary["tracks"] == 2
    assert summary["plots_rejected"] == 1
    assert "line 11" in summary["first_issues"][0]
    assert any("unknown key(s) ignored: 'unknown_field'" in i for i in summary["first_issues"])
    lines = [json.loads(s) for s in out.read_text().splitlines()]
    assert len(lines) == summary["lines_written"] > 100
    with_assessment = [rec for rec in lines if "assessment" in rec]
    assert with_assessment
    for rec in lines:
        assert {"t", "track", "ecef_m", "vel_ecef_mps", "cov", "phase"} <= set(rec)
        assert len(rec["ecef_m"]) == 3 and len(rec["vel_ecef_mps"]) == 3
        cov = np.array(rec["cov"])
        assert cov.shape == (6, 6) and np.all(np.linalg.eigvalsh(cov) > 0)
        assert rec["phase"] in ("boost", "coast", "reentry")
    a = with_assessment[-1]["assessment"]
    # every field of an assessment (its record: ``cls`` written as ``class``)
    fields = {f.name for f in dataclasses.fields(Assessment)}
    assert set(a) == fields - {"cls"} | {"class"}
    assert a["class"] == "SRBM" or a["class"] == "MRBM"
    assert len({rec["track"] for rec in lines}) == 2


def test_track_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["track", "--plots", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("trilink: error: cannot read plots") and err.count("\n") == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"t": 1.0, "sensor": "A"}\nnot json\n')
    with pytest.raises(SystemExit):
        main(["track", "--plots", str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert "no usable plots" in err and "2 issue(s)" in err
