"""The record of a scenario run: ``timeline.json`` (an exact contract), the scores behind it
(``report.json``: recall against the truth, extra areas, sharing gain, fusion share), and the
files written per alert (CAP, CoT, GeoJSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trilink import NATIONS
from trilink.exercise.run import AREA_PREFIXES, ExerciseRun
from trilink.warning.model import Alert

__all__ = ["area_warnings", "nation_scores", "timeline", "write_json"]

#: stages that state the warned areas
_AREA_STAGES = ("shelter", "update")


def _first_launch_s(run: ExerciseRun) -> float:
    return min(f.launch_time for f in run.flights)


def _rel(alert: Alert, t0: float) -> float:
    return round(alert.issued_ns / 1e9 - t0, 1)


def _first(alerts: Sequence[Alert], t0: float, area: bool) -> float | None:
    for a in alerts:
        if area and a.stage in _AREA_STAGES and a.areas:
            return _rel(a, t0)
        if not area and a.stage == "launch":
            return _rel(a, t0)
    return None


def area_warnings(alerts: Sequence[Alert]) -> dict[str, float]:
    """Area code -> UTC second it was first warned (shelter or update naming it)."""
    out: dict[str, float] = {}
    for a in alerts:
        if a.stage in _AREA_STAGES:
            for th in a.areas:
                out.setdefault(th.code, a.issued_ns / 1e9)
    return out


def timeline(run: ExerciseRun, cap_paths: dict[str, str] | None = None) -> dict[str, Any]:
    """``timeline.json``: exactly the keys of the documented contract (docs/warnings.md)."""
    t0 = _first_launch_s(run)
    cap_paths = cap_paths or {}
    nations: dict[str, Any] = {}
    for n in NATIONS:
        rec = run.nations[n]
        impacts = [a for a in rec.alerts if a.stage == "impact" and a.impact is not None]
        final = impacts[-1].impact if impacts else None
        nations[n] = {
            "first_launch_notice_s": _first(rec.alerts, t0, area=False),
            "first_area_warning_s": _first(rec.alerts, t0, area=True),
            "first_area_warning_alone_s": _first(rec.alerts_alone, t0, area=True),
            "areas_warned": sorted(area_warnings(rec.alerts)),
            "areas_threatened_truth": sorted(run.truth.for_nation(AREA_PREFIXES[n])),
            "final_impact": None
            if final is None
            else {
                "zone": final.zone,
                "nation": final.nation,
                "area": final.area if final.zone == "land" else None,
            },
            "messages": [
                {
                    "t_s": _rel(a, t0),
                    "stage": a.stage,
                    "areas": [th.code for th in a.areas],
                    "impact_zone": None if a.impact is None else a.impact.zone,
                    "impact_nation": None if a.impact is None else a.impact.nation,
                    "cap": cap_paths.get(a.alert_id),
                }
                for a in rec.alerts
            ],
        }
    return {
        "scenario": run.scenario.name,
        "launch_utc": datetime.fromtimestamp(t0, UTC).isoformat().replace("+00:00", "Z"),
        "status": "exercise",
        "nations": nations,
    }


def nation_scores(run: ExerciseRun, n: str) -> dict[str, Any]:
    """Recall against the truth (each threatened area warned before the object reaches it),
    extra areas, and the first warning with and without partners."""
    t0 = _first_launch_s(run)
    rec = run.nations[n]
    truth = run.truth.for_nation(AREA_PREFIXES[n])
    warned = area_warnings(rec.alerts)
    warned_alone = area_warnings(rec.alerts_alone)

    def in_time(w: dict[str, float]) -> list[str]:
        return [a for a, reach in truth.items() if a in w and w[a] < reach]

    ok, ok_alone = in_time(warned), in_time(warned_alone)
    share = [s / seen for s, seen in rec.fused_share.values() if seen >= 10]
    first = _first(rec.alerts, t0, area=True)
    alone = _first(rec.alerts_alone, t0, area=True)
    return {
        "truth_areas": {a: round(t - t0, 1) for a, t in truth.items()},
        "warned_at_s": {a: round(t - t0, 1) for a, t in sorted(warned.items())},
        "recall": 1.0 if not truth else len(ok) / len(truth),
        "recall_alone": 1.0 if not truth else len(ok_alone) / len(truth),
        "missed": sorted(set(truth) - set(ok)),
        "extra_areas": sorted(set(warned) - set(truth)),
        "first_launch_notice_s": _first(rec.alerts, t0, area=False),
        "first_launch_notice_alone_s": _first(rec.alerts_alone, t0, area=False),
        "first_area_warning_s": first,
        "first_area_warning_alone_s": alone,
        "sharing_gain_s": None if first is None or alone is None else round(alone - first, 1),
        "fused_two_nations_share_median": None
        if not share
        else round(sorted(share)[len(share) // 2], 3),
        "alerts": len(rec.alerts),
        "alerts_alone": len(rec.alerts_alone),
    }


def write_json(path: Path, doc: Any) -> None:
    """Stable, readable JSON (sorted lists come from the builders; keys keep their order)."""
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
