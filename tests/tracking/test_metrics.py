"""The scorer's definitions (trilink.tracking.metrics): CLEAR-MOT matching, observability, NEES."""

from __future__ import annotations

import numpy as np

from trilink.physics.trajectory import Trajectory
from trilink.tracking.metrics import Scorer, detection_times

_R0 = np.array([-3.0e6, 4.0e6, 4.0e6])


def _line(name: str, t0: float, t1: float, p0: np.ndarray, v: np.ndarray) -> Trajectory:
    t = np.arange(t0, t1 + 0.5, 1.0)
    ecef = p0 + (t - t0)[:, None] * v
    return Trajectory(name, t, ecef, np.tile(v, (len(t), 1)), np.zeros(len(t), bool))


def _pos(tr: Trajectory, t: float) -> np.ndarray:
    return np.asarray(tr.at(t)[0][0])


def test_a_separating_object_does_not_steal_the_stack_track() -> None:
    """A stage shed at t=10 starts where the stack is; the stack track keeps the stack."""
    v = np.array([1000.0, 0.0, 0.0])
    stack = _line("RV", 0.0, 40.0, _R0, v)
    stage = _line("B1", 10.0, 40.0, _pos(stack, 10.0), v - np.array([0.0, 0.0, 20.0]))
    cov = np.tile(np.eye(6) * 100.0**2, (2, 1, 1))

    def run(sticky_cov: bool) -> Scorer:
        sc = Scorer([stack, stage])
        for t in np.arange(0.0, 41.0):
            ids, pos = [1], [_pos(stack, t) + np.array([0.0, 0.0, -15.0])]  # leans stage-wards
            if t >= 13.0:
                ids.append(2)
                pos.append(_pos(stage, t))
            p = np.array(pos)
            state = np.hstack([p, np.tile(v, (len(p), 1))])
            sc.add(
                float(t),
                np.array(ids),
                p,
                np.zeros(len(ids)),
                state if sticky_cov else None,
                cov[: len(ids)] if sticky_cov else None,
            )
        return sc

    for with_cov in (False, True):
        s = run(with_cov).scores()
        assert s.track_breaks == 0, with_cov
        assert s.false_tracks == 0 and s.confirmed_true == 2


def test_a_truth_matches_the_better_track_when_its_own_wanders_off() -> None:
    """Stickiness ends where the track's own covariance no longer covers the truth."""
    v = np.array([1000.0, 0.0, 0.0])
    truth = _line("RV", 0.0, 30.0, _R0, v)
    sc = Scorer([truth])
    cov = np.tile(np.eye(6) * 50.0**2, (2, 1, 1))
    for t in np.arange(0.0, 31.0):
        p = _pos(truth, t)
        drift = np.array([0.0, 100.0 * max(0.0, t - 10.0), 0.0])  # track 1 wanders off
        pos = np.array([p + drift, p + np.array([0.0, 0.0, 20.0])])
        state = np.hstack([pos, np.tile(v, (2, 1))])
        ids = np.array([1, 2]) if t >= 5.0 else np.array([1])
        k = len(ids)
        sc.add(float(t), ids, pos[:k], np.zeros(k), state[:k], cov[:k])
    s = sc.scores()
    assert s.track_breaks == 1  # 1 -> 2 once track 1 has left its own 99.99 % region
    assert s.false_tracks == 1  # track 1 ends up matched to nothing most of its life


def test_unobserved_truth_takes_no_new_track() -> None:
    """A falls below every horizon at t=20 and its track ends; at t=40 a track of something
    else passes 1 km from where A is: no break of A, unless the scorer is told nothing."""
    v = np.array([1000.0, 0.0, 0.0])
    a = _line("A", 0.0, 60.0, _R0, v)
    b = _line("B", 0.0, 60.0, _R0 + np.array([0.0, 30e3, 0.0]), v)
    truth = np.array([0] * 20 + [1] * 60 + [-1] * 3)
    t_plots = np.concatenate([np.arange(0.0, 20.0), np.arange(0.0, 60.0), [5.0, 6.0, 7.0]])
    observed = detection_times(truth, t_plots, 2)
    assert [len(o) for o in observed] == [20, 60]

    def run(obs: list[np.ndarray] | None) -> tuple[int, int]:
        sc = Scorer([a, b], observed=obs)
        for t in np.arange(0.0, 61.0):
            ids, pos = [2], [_pos(b, t)]
            if t < 25.0:
                ids.append(1)
                pos.append(_pos(a, t))
            if t >= 40.0:
                ids.append(3)
                pos.append(_pos(a, t) + np.array([0.0, 0.0, 1000.0]))
            sc.add(float(t), np.array(ids), np.array(pos), np.zeros(len(ids)))
        s = sc.scores()
        return s.track_breaks, s.false_tracks

    assert run(observed) == (0, 1)  # track 3 is nobody's
    assert run(None) == (1, 0)


def test_nees_of_matched_tracks() -> None:
    v = np.array([1000.0, 0.0, 0.0])
    truth = _line("RV", 0.0, 40.0, _R0, v)
    sc = Scorer([truth], settle_s=10.0)
    sigma = 30.0
    for t in np.arange(0.0, 41.0):
        p = _pos(truth, t)
        err = np.array([sigma, 0.0, 0.0, 0.0, 2.0 * 1.0, 0.0])  # 1σ in x, 2σ in vy
        state = np.concatenate([p, v])[None] + err
        P = np.diag([sigma**2] * 3 + [1.0] * 3)[None]
        sc.add(float(t), np.array([7]), state[:, 0:3], np.zeros(1), state, P)
    s = sc.scores()
    assert s.n_nees == 31  # t = 10 ... 40, after settling
    assert s.nees_mean == np.float64(1.0 + 4.0)
    assert s.nees_over_p99 == 0.0
