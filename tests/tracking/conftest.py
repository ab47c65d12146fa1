"""Shared fixtures: a small seeded salvo seen by three radars with clutter.

The generator lives in :mod:`trilink.synthetic.flights` (the benchmark needs it too); the scenario
library's plots are used by the tests in ``test_library_scenarios.py`` when it is available.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from trilink.physics.trajectory import Trajectory
from trilink.synthetic.flights import fly, make_plots, salvo
from trilink.tracking.metrics import TrackerRun, run_tracker
from trilink.tracking.plots import PlotBatch


@pytest.fixture(scope="session")
def salvo3() -> tuple[list[Trajectory], PlotBatch, NDArray[np.int64]]:
    trajs = fly(salvo(3, seed=11, spread_s=20.0))
    plots, truth = make_plots(trajs, seed=12)
    return trajs, plots, truth


@pytest.fixture(scope="session")
def run3(salvo3: tuple[list[Trajectory], PlotBatch, NDArray[np.int64]]) -> TrackerRun:
    trajs, plots, truth = salvo3
    tracker, scores, sets = run_tracker(trajs, plots)
    return TrackerRun(trajs, plots, truth, tracker, scores, sets)
