"""`trilink bench fabric` produces the documented JSON, with nothing lost or duplicated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trilink.bench.fabric import FLOOD_ROUTE, RunSpec, run_bench
from trilink.cli import main

pytestmark = pytest.mark.xdist_group("nats")

KEYS = {"route", "rate_per_s", "outage_s", "latency_ms", "sent", "delivered", "lost", "duplicated"}


def check_run(run: dict[str, Any]) -> None:
    assert set(run) >= KEYS
    assert set(run["latency_ms"]) >= {"p50", "p99", "p999"}
    assert run["sent"] == run["delivered"] and run["lost"] == 0 and run["duplicated"] == 0
    assert isinstance(run["sent"], int) and run["sent"] > run["latency_samples"] > 0


def test_bench_cli_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "bench",
            "fabric",
            "--json",
            "--in-process",
            "--rates",
            "300",
            "--seconds",
            "1.5",
            "--event-rate",
            "20",
            "--warmup-s",
            "0.5",
            "--outage-s",
            "0",
            "--switch-s",
            "0",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert [r["route"] for r in data["runs"]] == ["KOR->JPN", "KOR->USA->JPN"]
    for run in data["runs"]:
        check_run(run)
    assert data["runs"][1]["routes_seen"] == ["r"]
    assert "300" in data["relay_overhead_p99_ms"]


def test_bench_one_process_per_node(tmp_path: Path) -> None:
    data = run_bench(
        [RunSpec("KOR->USA->JPN", 300, 1.5, event_rate=20, warmup_s=0.5)], keep=tmp_path
    )
    [run] = data["runs"]
    check_run(run)
    assert run["processes"] is True and run["routes_seen"] == ["r"]


def test_bench_gsomia_switch_run_loses_nothing() -> None:
    spec = RunSpec("KOR->JPN", 300, 1.0, event_rate=20, warmup_s=0.5, outage_at_s=0.5, switch_s=1.5)
    [run] = run_bench([spec], processes=False)["runs"]
    check_run(run)
    assert run["gsomia_switch_s"] == 1.5
    assert run["track_reports_sent"] > 0 and run["track_reports_lost"] == 0
    assert run["routes_seen"] == ["d", "r"]  # events went both ways across the switch


def test_bench_flood_run_loses_no_real_traffic_and_accounts_for_every_flood_message(
    tmp_path: Path,
) -> None:
    spec = RunSpec(FLOOD_ROUTE, 300, 1.0, event_rate=20, warmup_s=0.5, flood_s=2.0)
    [run] = run_bench([spec], keep=tmp_path)["runs"]
    check_run(run)  # USA's events to JPN: none lost or duplicated
    assert run["sender"] == "USA" and run["routes_seen"] == ["d"]
    assert run["track_reports_sent"] > 0 and run["track_reports_lost"] == 0
    assert set(run["track_report_latency_ms"]) >= {"p50", "p99"}
    flood = run["flood"]
    assert flood["sent"] > 0
    assert flood["accounted"] == flood["sent"] and flood["unaccounted"] == 0
    assert flood["refused_bad_signature"] > 0
