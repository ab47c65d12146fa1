"""``trilink bench tracker`` prints one JSON object (trilink side only here: Stone Soup is a
bench-only dependency and never imported by the tests)."""

from __future__ import annotations

import json

import pytest

from trilink.cli import main


def test_bench_tracker_json_trilink_only(capsys: pytest.CaptureFixture[str]) -> None:
    main(["bench", "tracker", "--targets", "2", "--duration", "120", "--no-stonesoup", "--json"])
    out = json.loads(capsys.readouterr().out)
    t = out["trilink"]
    for key in ("plots_per_s", "rmse_m", "ospa_m", "track_breaks", "false_tracks", "peak_mb"):
        assert key in t, key
    assert t["plots"] > 100 and t["plots_per_s"] > 0
    assert out["scenario"]["targets"] == 2 and "stonesoup" not in out
