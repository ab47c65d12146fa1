"""Fixtures: one tracked 3-missile salvo (seeded) for the assessor's tests."""

from __future__ import annotations

import pytest

from trilink.synthetic.flights import Launch, fly, make_plots, salvo
from trilink.tracking.metrics import TrackerRun, run_tracker


@pytest.fixture(scope="session")
def launches() -> list[Launch]:
    return salvo(3, seed=21, spread_s=20.0, kind="mrbm")


@pytest.fixture(scope="session")
def tracked(launches: list[Launch]) -> TrackerRun:
    trajs = fly(launches)
    plots, truth = make_plots(trajs, seed=22)
    tracker, scores, sets = run_tracker(trajs, plots)
    return TrackerRun(trajs, plots, truth, tracker, scores, sets)
