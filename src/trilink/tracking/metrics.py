"""Tracking metrics against truth: OSPA, position RMSE, track breaks, false tracks, NEES.

OSPA is computed directly with :func:`scipy.optimize.linear_sum_assignment` (identical to Stone
Soup's ``OSPAMetric`` to 1e-13 m, much faster).

Truth-to-track matching for RMSE, breaks, false tracks and NEES follows CLEAR MOT (Bernardin &
Stiefelhagen, 2008): at each evaluation time a truth keeps the track it was matched to before if
that track is still within the 5 km gate; the remaining truths and tracks are matched by
:func:`~scipy.optimize.linear_sum_assignment` on distance within the gate. Without the first step
an RV and the spent stage it has just shed (metres apart) swap tracks at random in the scoring,
and each swap counted as a break of a track that never broke.

Definitions:

* matches are kept (first step) only while the truth lies inside the track's own 99.99 %
  position region when covariances are given, so a wandering track does not keep its truth;
* a **break** is a change of the track matched to a truth (number of distinct tracks a truth
  was matched to, minus one);
* a **false track** is a confirmed track matched to no truth in at least half of the evaluation
  times it was confirmed;
* **NEES** is the normalised estimation error squared of the matched tracks' position-velocity
  state under their own 6x6 covariance, evaluated after ``settle_s``; a consistent tracker has
  mean 6 and about 1 % of values above χ²₆(0.99) = 16.8.

When the times at which each truth was detected are given (``observed``), a truth that no
sensor has detected for ``unobserved_s`` seconds may keep its matched track but takes no new
one: an object below every horizon cannot be tracked, and a neighbour's track passing it by is
not a break of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from trilink.physics.trajectory import Trajectory
from trilink.tracking.plots import PlotBatch
from trilink.tracking.tracker import Tracker, TrackSet

__all__ = ["ospa", "Scorer", "Scores", "run_tracker", "TrackerRun", "detection_times"]

#: χ²₆(0.99): a consistent 6-D NEES exceeds it 1 % of the time
NEES6_P99 = 16.811893829770927
#: χ²₃(0.9999): a kept truth-track match must lie inside the track's own position region
_STICKY_D2 = 21.107513346275767

Array = NDArray[np.float64]


def ospa(tracks: Array, truths: Array, c: float = 1000.0, p: float = 2.0) -> float:
    """OSPA distance between point sets [n, 3] and [m, 3] with cut-off ``c`` and order ``p``."""
    n, m = len(tracks), len(truths)
    if n == 0 and m == 0:
        return 0.0
    if n == 0 or m == 0:
        return c
    d = np.minimum(np.linalg.norm(tracks[:, None, :] - truths[None, :, :], axis=-1), c)
    r, k = linear_sum_assignment(d**p)
    total = float(np.sum(d[r, k] ** p)) + c**p * abs(n - m)
    return float((total / max(n, m)) ** (1.0 / p))


@dataclass
class Scores:
    """Accumulated metrics of one tracker run."""

    rmse_m: float
    ospa_m: float
    track_breaks: int
    false_tracks: int
    confirmed_true: int
    n_eval: int
    nees_mean: float = float("nan")  # mean 6-D NEES of matched tracks (6 if consistent)
    nees_median: float = float("nan")  # χ²₆ median 5.35
    nees_over_p99: float = float("nan")  # fraction above χ²₆(0.99) (0.01 if consistent)
    n_nees: int = 0


@dataclass
class Scorer:
    """Feed (time, track ids, positions) samples; compare with truth trajectories."""

    truths: Sequence[Trajectory]
    settle_s: float = 10.0
    gate_m: float = 5000.0
    #: per truth, the sorted times it was detected (see :func:`detection_times`), or None
    observed: Sequence[NDArray[np.float64]] | None = None
    unobserved_s: float = 10.0
    _sq: list[float] = field(default_factory=list)
    _nees: list[float] = field(default_factory=list)
    _last: dict[int, int] = field(default_factory=dict)
    _ospa: list[float] = field(default_factory=list)
    _assoc: dict[int, list[int]] = field(default_factory=dict)
    _track_hits: dict[int, int] = field(default_factory=dict)
    _track_seen: dict[int, int] = field(default_factory=dict)

    def _seen_recently(self, k: int, t: float) -> bool:
        if self.observed is None:
            return True
        obs = self.observed[k]
        i = int(np.searchsorted(obs, t, side="right"))
        return i > 0 and t - float(obs[i - 1]) <= self.unobserved_s

    def add(
        self,
        t: float,
        ids: NDArray[np.int64],
        pos: Array,
        t_first: Array,
        state: Array | None = None,
        cov: Array | None = None,
    ) -> None:
        """One evaluation time: confirmed tracks' ids, positions [K, 3] and start times; with
        ``state`` [K, 6] (position, velocity) and ``cov`` [K, 6, 6] also their NEES."""
        alive = []
        tpos = []
        tvel = []
        for k, tr in enumerate(self.truths):
            if tr.t_start <= t <= tr.t_end:
                p, v, _, _ = tr.at(t)
                alive.append(k)
                tpos.append(p[0])
                tvel.append(v[0])
        truth_pos = np.array(tpos).reshape(-1, 3)
        self._ospa.append(ospa(pos, truth_pos))
        for tid in ids.tolist():
            self._track_seen[tid] = self._track_seen.get(tid, 0) + 1
        if not (len(ids) and len(alive)):
            return
        d = np.linalg.norm(pos[:, None, :] - truth_pos[None, :, :], axis=-1)
        row_of = {tid: r for r, tid in enumerate(ids.tolist())}
        pairs: list[tuple[int, int]] = []
        # CLEAR MOT: keep last time's match while it is still valid: within the gate and, when
        # the tracks' covariances are given, within the track's own 99.99 % position region (a
        # stage that burns away from the track of the stack it left is not that track's object).
        for ki, k in enumerate(alive):
            ri = row_of.get(self._last.get(k, -1), -1)
            if ri < 0 or d[ri, ki] >= self.gate_m or any(ri == r for r, _ in pairs):
                continue
            if cov is not None:
                e = pos[ri] - truth_pos[ki]
                if float(e @ np.linalg.solve(cov[ri, 0:3, 0:3], e)) > _STICKY_D2:
                    continue
            pairs.append((ri, ki))
        used_r = {ri for ri, _ in pairs}
        used_k = {ki for _, ki in pairs}
        free_r = [ri for ri in range(len(ids)) if ri not in used_r]
        free_k = [
            ki for ki, k in enumerate(alive) if ki not in used_k and self._seen_recently(k, t)
        ]
        if free_r and free_k:
            sub = d[np.ix_(free_r, free_k)]
            r, c = linear_sum_assignment(np.where(sub < self.gate_m, sub, 1e9))
            for a, b in zip(r.tolist(), c.tolist(), strict=True):
                if sub[a, b] < self.gate_m:
                    pairs.append((free_r[a], free_k[b]))
        truth_vel = np.array(tvel).reshape(-1, 3)
        for ri, ki in pairs:
            tid = int(ids[ri])
            self._last[alive[ki]] = tid
            self._track_hits[tid] = self._track_hits.get(tid, 0) + 1
            hist = self._assoc.setdefault(alive[ki], [])
            if not hist or hist[-1] != tid:
                hist.append(tid)
            if t - t_first[ri] >= self.settle_s:
                self._sq.append(float(d[ri, ki]) ** 2)
                if state is not None and cov is not None:
                    e = np.concatenate(
                        [state[ri, 0:3] - truth_pos[ki], state[ri, 3:6] - truth_vel[ki]]
                    )
                    self._nees.append(float(e @ np.linalg.solve(cov[ri, 0:6, 0:6], e)))

    def scores(self) -> Scores:
        breaks = sum(max(0, len(set(h)) - 1) for h in self._assoc.values())
        false = sum(
            1 for tid, n in self._track_seen.items() if self._track_hits.get(tid, 0) < 0.5 * n
        )
        nees = np.array(self._nees)
        return Scores(
            rmse_m=float(np.sqrt(np.mean(self._sq))) if self._sq else float("nan"),
            ospa_m=float(np.mean(self._ospa)) if self._ospa else float("nan"),
            track_breaks=int(breaks),
            false_tracks=int(false),
            confirmed_true=len(self._assoc),
            n_eval=len(self._ospa),
            nees_mean=float(nees.mean()) if len(nees) else float("nan"),
            nees_median=float(np.median(nees)) if len(nees) else float("nan"),
            nees_over_p99=float(np.mean(nees > NEES6_P99)) if len(nees) else float("nan"),
            n_nees=len(nees),
        )


def detection_times(truth: NDArray[np.integer[Any]], t: Array, n: int) -> list[Array]:
    """Per truth index ``0..n-1``, the sorted times of the plots it made (``truth`` per plot,
    -1 for clutter)."""
    truth = np.asarray(truth)
    order = np.argsort(truth, kind="stable")
    tt, tr = np.asarray(t)[order], truth[order]
    bounds = np.searchsorted(tr, np.arange(n + 1))
    return [np.sort(tt[bounds[k] : bounds[k + 1]]) for k in range(n)]


def run_tracker(
    trajs: Sequence[Trajectory],
    plots: PlotBatch,
    tracker: Tracker | None = None,
    step: float = 1.0,
    keep_sets: bool = True,
    start: float | None = None,
    truth: NDArray[np.integer[Any]] | None = None,
) -> tuple[Tracker, Scores, list[TrackSet]]:
    """Feed plots in ``step``-second batches (from ``start``, default the first plot) through the
    push API and score every batch. ``truth`` (per plot: index into ``trajs``, -1 for clutter)
    lets the scorer know when each object was observed (see the module docstring)."""
    tracker = tracker or Tracker()
    observed = None if truth is None else detection_times(truth, plots.t, len(trajs))
    scorer = Scorer(trajs, observed=observed)
    sets: list[TrackSet] = []
    if not len(plots):
        return tracker, scorer.scores(), sets
    t0 = float(plots.t[0]) if start is None else start
    edges = np.arange(t0, plots.t[-1] + step, step)
    idx = np.searchsorted(plots.t, edges, side="right")
    prev = 0
    for e, i in zip(edges.tolist(), idx.tolist(), strict=True):
        ts = tracker.update(e, plots.select(np.arange(prev, i)))
        prev = i
        scorer.add(e, ts.ids, ts.x[:, 0:3], ts.t_first, ts.x[:, 0:6], ts.P[:, 0:6, 0:6])
        if keep_sets:
            sets.append(ts)
    return tracker, scorer.scores(), sets


@dataclass
class TrackerRun:
    """A scored run kept for tests and benchmarks: truth, plots, tracker, scores, track sets."""

    trajs: list[Trajectory]
    plots: PlotBatch
    truth: NDArray[np.int64]
    tracker: Tracker
    scores: Scores
    sets: list[TrackSet]
