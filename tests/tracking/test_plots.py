"""The plot file reader: validation with clear messages, unknown keys ignored, never a crash."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from trilink import TrilinkError
from trilink.tracking.plots import KIND_IR, read_plots

GOOD = {
    "t": 1000.0,
    "sensor": "JPN-1",
    "kind": "radar",
    "lat": 31.0,
    "lon": 130.6,
    "alt_m": 100.0,
    "range_m": 812345.2,
    "az_rad": 5.61,
    "el_rad": 0.21,
    "sigma_range_m": 50.0,
    "sigma_az_rad": 0.0005,
    "sigma_el_rad": 0.0005,
}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "plots.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_reader_accepts_good_plots_ignores_unknown_keys_and_sorts(tmp_path: Path) -> None:
    ir = {k: v for k, v in GOOD.items() if "range" not in k}
    ir.update(kind="ir", sensor="SAT", alt_m=3.5e7, el_rad=-1.4, t=999.0)
    lines = [
        json.dumps({**GOOD, "colour": "blue", "extra": {"nested": 1}}),
        json.dumps({**GOOD, "t": 1001.0, "range_rate_mps": -300.0, "sigma_range_rate_mps": 5}),
        json.dumps(ir),
    ]
    batch, issues = read_plots(_write(tmp_path, lines))
    assert len(batch) == 3
    assert batch.t.tolist() == [999.0, 1000.0, 1001.0]
    assert batch.kind[0] == KIND_IR and math.isnan(batch.range_m[0])
    assert batch.range_rate[2] == -300.0
    assert math.isclose(batch.lat[1], math.radians(31.0))
    assert [str(i) for i in issues] == [
        "1 plot(s) out of time order; sorted by time",
        "unknown key(s) ignored: 'colour' (1 plot(s), first on line 1), 'extra' (1 plot(s), "
        "first on line 1)",
    ]
    assert all(i.line == -1 for i in issues)  # notes: nothing rejected


def test_reader_rejects_bad_lines_with_line_numbers(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD),
        "{not json",
        "[1, 2]",
        json.dumps({k: v for k, v in GOOD.items() if k != "az_rad"}),
        json.dumps(GOOD).replace("812345.2", "NaN"),
        json.dumps({**GOOD, "az_rad": 321.4}),
        json.dumps({**GOOD, "el_rad": -95.0}),
        json.dumps({**GOOD, "lat": 131.0}),
        json.dumps({**GOOD, "kind": "sonar"}),
        json.dumps({**GOOD, "sensor": 7}),
        json.dumps({**GOOD, "range_m": "far"}),
        json.dumps({**GOOD, "range_rate_mps": 1e9, "sigma_range_rate_mps": 1.0}),
    ]
    batch, issues = read_plots(_write(tmp_path, lines))
    text = {i.line: str(i) for i in issues}
    assert len(batch) == 2  # line 1 and line 12 (its bad range rate is dropped, plot kept)
    assert "not JSON" in text[2]
    assert "not a JSON object" in text[3]
    assert "missing az_rad" in text[4]
    assert "range_m is missing or not a finite number" in text[5]
    assert "degrees in a radian field" in text[6]
    assert "degrees in a radian field" in text[7]
    assert "lat outside" in text[8]
    assert "unknown kind" in text[9]
    assert "sensor must be a string" in text[10]
    assert "range_m" in text[11]
    assert "range_rate_mps unusable" in text[12]
    assert np.isnan(batch.range_rate[1])


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrilinkError, match="cannot read plots"):
        read_plots(tmp_path / "nope.jsonl")
