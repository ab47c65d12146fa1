"""Shared by the fusion tests here and in ``tests/node``: the true state behind an estimate."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from trilink.physics.trajectory import Trajectory


def true_state_near(
    trajs: Iterable[Trajectory], t: float, pos: np.ndarray, gate_m: float = 5000.0
) -> np.ndarray | None:
    """The true state (ECEF position and velocity, [6]) at ``t`` of the object in flight within
    ``gate_m`` of the position ``pos`` (the last such in ``trajs``); None when there is none."""
    truth = None
    for tr in trajs:
        if tr.t_start <= t <= tr.t_end:
            p, v, _, _ = tr.at(t)
            if np.linalg.norm(p[0] - pos) < gate_m:
                truth = np.concatenate([p[0], v[0]])
    return truth
