"""The scores of a scenario run: when each area stood warned, and recall as "warned when the
object reached it" (an area warned early but dropped before the object arrived is a miss)."""

from __future__ import annotations

from trilink.exercise.report import warned_spans
from trilink.warning.model import Alert, AreaThreat, Stage


def _alert(t: float, stage: Stage, *codes: str, launch: str = "L1") -> Alert:
    return Alert(
        alert_id=f"JPN-{launch}-{t}",
        nation="JPN",
        launch_id=launch,
        seq=0,
        stage=stage,
        status="exercise",
        issued_ns=round(t * 1e9),
        areas=tuple(AreaThreat(code=c, probability=0.5, kind="overflight") for c in codes),
    )


def test_spans_follow_shelter_update_passed_and_all_clear() -> None:
    alerts = [
        _alert(100, "launch"),
        _alert(160, "shelter", "JP-01", "JP-02"),
        _alert(190, "update", "JP-01"),  # JP-02 dropped as the prediction tightened
        _alert(400, "passed", "JP-01"),
        _alert(900, "all_clear"),
    ]
    assert warned_spans(alerts) == {"JP-01": [(160.0, 400.0)], "JP-02": [(160.0, 190.0)]}


def test_spans_are_per_launch_and_an_open_one_runs_to_the_end() -> None:
    alerts = [
        _alert(10, "shelter", "JP-47", launch="A"),
        _alert(20, "shelter", "JP-47", launch="B"),
        _alert(30, "all_clear", launch="A"),
    ]
    assert warned_spans(alerts) == {"JP-47": [(10.0, 30.0), (20.0, float("inf"))]}


def test_recall_counts_an_area_dropped_before_the_object_arrived_as_missed() -> None:
    from types import SimpleNamespace
    from typing import Any

    from trilink.exercise.report import nation_scores
    from trilink.exercise.run import NationRecord
    from trilink.exercise.truth import TruthThreats

    shared = [_alert(160, "shelter", "JP-01", "JP-02"), _alert(190, "update", "JP-01")]
    alone = [_alert(150, "shelter", "JP-02"), _alert(300, "update", "JP-01", "JP-02")]
    run: Any = SimpleNamespace(
        flights=[SimpleNamespace(launch_time=0.0)],
        truth=TruthThreats(reached={"JP-01": 441.0, "JP-02": 250.0}),
        nations={"JPN": NationRecord("JPN", alerts=shared, alerts_alone=alone)},
    )
    s = nation_scores(run, "JPN")
    # shared: JP-02 warned at 160 but dropped at 190, before the object reached it at 250
    assert s["truth"]["JP-02"] == {
        "reached_s": 250.0,
        "warned_s": 160.0,
        "warned_alone_s": 150.0,
        "warned_when_reached": False,
        "warned_when_reached_alone": True,
    }
    assert s["recall"] == 0.5 and s["missed"] == ["JP-02"]
    # alone: JP-01 warned at 300, before the object reached it at 441; JP-02 held from 150
    assert s["recall_alone"] == 1.0 and s["missed_alone"] == []
    assert s["first_area_warning_s"] == 160.0 and s["sharing_gain_s"] == -10.0
