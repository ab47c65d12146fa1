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

__all__ = ["area_warnings", "nation_scores", "timeline", "warned_spans", "write_json"]

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


def warned_spans(alerts: Sequence[Alert]) -> dict[str, list[tuple[float, float]]]:
    """Area code -> the UTC spans [from, to) during which it stood warned (``to`` is inf while it
    still stood at the last alert).

    Per launch: ``shelter`` and ``update`` state the whole warned set, ``passed`` lifts the areas
    it names, ``all_clear`` and ``cancel`` lift them all (an area lifted silently when its
    object fell stays warned to the next such message: it was reached by then)."""
    active: dict[str, dict[str, float]] = {}
    spans: dict[str, list[tuple[float, float]]] = {}

    def lift(lid: str, code: str, t: float) -> None:
        start = active[lid].pop(code)
        spans.setdefault(code, []).append((start, t))

    for a in alerts:
        t = a.issued_ns / 1e9
        cur = active.setdefault(a.launch_id, {})
        if a.stage in _AREA_STAGES:
            now = {th.code for th in a.areas}
            for code in sorted(set(cur) - now):
                lift(a.launch_id, code, t)
            for code in sorted(now - set(cur)):
                cur[code] = t
        elif a.stage == "passed":
            for th in a.areas:
                if th.code in cur:
                    lift(a.launch_id, th.code, t)
        elif a.stage in ("all_clear", "cancel"):
            for code in sorted(cur):
                lift(a.launch_id, code, t)
    for cur in active.values():
        for code, start in cur.items():
            spans.setdefault(code, []).append((start, float("inf")))
    return {c: sorted(v) for c, v in sorted(spans.items())}


def _warned_at(spans: dict[str, list[tuple[float, float]]], code: str, t: float) -> bool:
    return any(a <= t < b for a, b in spans.get(code, ()))


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
    """Recall against the truth (each threatened area warned before the object reaches it and
    still warned when it does), extra areas, and the first notice and warning with and without
    partners; per truth area when it was reached and first warned."""
    t0 = _first_launch_s(run)
    rec = run.nations[n]
    truth = run.truth.for_nation(AREA_PREFIXES[n])
    warned = area_warnings(rec.alerts)
    warned_alone = area_warnings(rec.alerts_alone)
    spans, spans_alone = warned_spans(rec.alerts), warned_spans(rec.alerts_alone)

    def in_time(sp: dict[str, list[tuple[float, float]]]) -> list[str]:
        # warned before the object reached it, and still warned when it did
        return [a for a, reach in truth.items() if _warned_at(sp, a, reach)]

    def rel(w: dict[str, float], a: str) -> float | None:
        return None if a not in w else round(w[a] - t0, 1)

    ok, ok_alone = in_time(spans), in_time(spans_alone)
    per_area = {
        a: {
            "reached_s": round(reach - t0, 1),
            "warned_s": rel(warned, a),
            "warned_alone_s": rel(warned_alone, a),
            "warned_when_reached": a in ok,
            "warned_when_reached_alone": a in ok_alone,
        }
        for a, reach in truth.items()
    }
    share = [s / seen for s, seen in rec.fused_share.values() if seen >= 10]
    first = _first(rec.alerts, t0, area=True)
    alone = _first(rec.alerts_alone, t0, area=True)
    return {
        "truth_areas": {a: round(t - t0, 1) for a, t in truth.items()},
        "warned_at_s": {a: round(t - t0, 1) for a, t in sorted(warned.items())},
        "recall": 1.0 if not truth else len(ok) / len(truth),
        "recall_alone": 1.0 if not truth else len(ok_alone) / len(truth),
        "missed": sorted(set(truth) - set(ok)),
        "missed_alone": sorted(set(truth) - set(ok_alone)),
        "truth": per_area,
        "extra_areas": sorted(set(warned) - set(truth)),
        "extra_areas_alone": sorted(set(warned_alone) - set(truth)),
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
