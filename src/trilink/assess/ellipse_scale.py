"""Empirical calibration of the 95 % impact ellipse, fitted on one seed set, checked on another.

Why: the unscented impact covariance of the tracker's ballistic estimate plus the β prior is
right in *order* but not in *shape*. The calibration study (:mod:`trilink.bench.calibration`)
shows the error across the flight path (minor axis) has ~0.2–0.35 of its stated variance
(the isotropic coast process noise, there to absorb unmodelled drag and post-boost effects along
the flight path, also widens the cross-range spread), and the along-range error varies with time
since burnout and class: over-stated in early midcourse (the post-boost noise has been
integrated but the ballistic arcs since then are not yet informative), about right in an SRBM's
re-entry (the catalogue's SRBM RVs have β 2,500–4,000 kg/m², below the 4,000 nominal). A 2-D
"95 %" ellipse whose real error lies mostly along one axis also over-covers.

The correction multiplies the impact covariance's eigenvalues by factors per class and report
time after burnout: first per cell, the minor one by the cell's mean squared normalised
cross-range error and the major one by the factor that then puts 95 % of the cell's runs inside
(:func:`fit_scales`; where a cell's cross-range errors are heavy-tailed both axes get one common
factor); then refined (:func:`refine_scales`) so that each cell covers 95 % *as looked up at run
time*: at the assessor's class and time since its own burnout (2–7 s late), or, for a track
whose burnout nobody saw (most KN-23/KN-25 warheads: the radars first see them after their
20–30 s burn), the class's largest factor. Between the tabulated times the log-factor is
interpolated, outside them the nearest is held; a class not known yet gets the largest factor of
any class.

Fitted with ``benchmarks/bench_calibration.py --runs 2000 --seed 1 --out out/bo_seed1`` and
``--seed 2 --out out/bo_seed2``, then ``--fit-cells out/bo_seed1.cells.json
out/bo_seed2.cells.json`` (2026-11-28; 4,000 runs per class; uncorrected coverage 98.0–100 %),
and checked on the disjoint seed set ``--seed 3``: see ``docs/calibration.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ELLIPSE_SCALE",
    "MINOR_SCALE",
    "REPORT_S",
    "FitSample",
    "applied_factors",
    "fit_scales",
    "refine_scales",
    "scale_cov",
]

Array = NDArray[np.float64]

#: Times after burnout [s] each class's table is tabulated at (and the study reports at): from
#: early midcourse to the last time every flight of the class is still inside the study's radar
#: coverage (SRBM: impact; IRBM/ICBM: they leave the radars' 2,500 km reach in midcourse).
REPORT_S: dict[str, tuple[float, ...]] = {
    "SRBM": (20.0, 60.0, 120.0, 150.0),
    "MRBM": (20.0, 120.0, 300.0, 480.0),
    "IRBM": (20.0, 120.0, 360.0, 600.0),
    "ICBM": (20.0, 120.0, 240.0, 360.0),
}

#: Variance factor of the minor axis per class, at that class's :data:`REPORT_S`.
MINOR_SCALE: dict[str, tuple[float, ...]] = {
    "SRBM": (0.344, 0.217, 0.345, 0.325),
    "MRBM": (0.191, 0.29, 0.258, 0.255),
    "IRBM": (0.168, 0.226, 0.281, 0.258),
    "ICBM": (0.174, 0.239, 0.348, 0.262),
}

#: Variance factor of the major axis per class, at that class's :data:`REPORT_S`.
ELLIPSE_SCALE: dict[str, tuple[float, ...]] = {
    "SRBM": (0.7, 0.396, 0.991, 1.14),
    "MRBM": (0.361, 0.632, 0.253, 0.223),
    "IRBM": (0.197, 0.379, 0.249, 0.249),
    "ICBM": (0.185, 0.412, 0.332, 0.277),
}

_K95 = -2.0 * math.log(0.05)


def scale_cov(cov_en: Array, cls: str, since_burnout_s: float | None) -> Array:
    """The calibrated east/north impact covariance [2, 2] of one track of class ``cls`` at
    ``since_burnout_s`` after its (estimated) burnout. NaN covariances pass through."""
    if not np.all(np.isfinite(cov_en)):
        return cov_en
    w, v = np.linalg.eigh(cov_en)
    s = math.nan if since_burnout_s is None else since_burnout_s
    fmin, fmaj = applied_factors(MINOR_SCALE, ELLIPSE_SCALE, [cls], np.array([s]))
    w = np.maximum(w, 0.0) * np.array([fmin[0], fmaj[0]])
    out: Array = (v * w) @ v.T
    return out


def fit_scales(
    samples: dict[str, dict[float, list[tuple[float, float]]]],
) -> tuple[dict[str, tuple[float, ...]], dict[str, tuple[float, ...]]]:
    """Fit (:data:`MINOR_SCALE`, :data:`ELLIPSE_SCALE`) from a calibration set.

    ``samples[cls][report_s]`` holds per run (z²_major, z²_minor): the squared true impact error
    along each axis of the *uncorrected* covariance over that axis' variance. A cell's minor
    factor is its mean z²_minor; its major factor the one that then puts 95 % of the cell's runs
    inside the corrected ellipse. Rows follow the sorted report times of each class's samples
    (cells without samples get 1).
    """
    minors: dict[str, tuple[float, ...]] = {}
    table: dict[str, tuple[float, ...]] = {}
    for cls, per in samples.items():
        if not any(per.values()):
            continue
        row, mrow = [], []
        for s in sorted(per):
            rows = per[s]
            if not rows:
                row.append(1.0)
                mrow.append(1.0)
                continue
            za = np.array([a for a, _ in rows])
            zb = np.array([b for _, b in rows])
            a_min = round(float(np.mean(zb)), 3)
            f = _bisect(za, zb / a_min, 1.0)
            if f > 4.0:
                # Heavy tails across the minor axis (a few runs far off, e.g. a track that
                # swapped objects): shrinking the minor axis to its mean would need a huge major
                # factor. Scale both axes by one factor instead.
                f = _bisect(za, zb, 0.0)
                a_min = f
            mrow.append(a_min)
            row.append(f)
        table[cls] = tuple(row)
        minors[cls] = tuple(mrow)
    if not table:
        raise ValueError("no calibration samples")
    return minors, table


def _bisect(za: Array, zb: Array, minor_fixed: float) -> float:
    """The variance factor f at which 95 % of the cell's d² = za/f + zb/(minor_fixed or f) fall
    inside χ²₂(0.95); coverage falls as f shrinks, so bisect in log."""
    lo, hi = 1e-3, 1e3
    for _ in range(80):
        mid = math.sqrt(lo * hi)
        d2 = za / mid + zb / (minor_fixed if minor_fixed > 0 else mid)
        if np.mean(d2 <= _K95) < 0.95:
            lo = mid
        else:
            hi = mid
    return round(hi, 3)


Table = Mapping[str, Sequence[float]]


class FitSample(NamedTuple):
    """One assessed run as the refinement needs it: the cell it belongs to (true class, report
    time after the true burnout), what the table was looked up with at run time (the class the
    assessor gave, the time since *its* burnout, NaN when it saw none) and the squared error
    along each axis of the uncorrected covariance over that axis' variance."""

    cls: str
    report_s: float
    est_cls: str
    est_since_burnout_s: float
    z2_major: float
    z2_minor: float


def applied_factors(
    minor: Table, major: Table, est_cls: Sequence[str], est_s: Array
) -> tuple[Array, Array]:
    """(minor, major) variance factors of runs of class ``est_cls`` at ``est_s`` after burnout
    (NaN: none seen — the row's largest, no time reference) from the tables ``minor``/``major``
    (rows at :data:`REPORT_S`): log-interpolated in time, held outside; a class not in the tables
    (not known yet) gets the most cautious factor of any class. :func:`scale_cov` uses it with
    the module's tables."""
    cls_arr = np.asarray(est_cls, dtype=object)
    est_s = np.asarray(est_s, dtype=np.float64)
    fmin = np.zeros(len(est_s))
    fmaj = np.zeros(len(est_s))
    for c in set(cls_arr.tolist()):
        m = cls_arr == c
        for name in [c] if c in major else list(major):
            for row, out in ((minor[name], fmin), (major[name], fmaj)):
                out[m] = np.maximum(out[m], _interp_v(row, REPORT_S[name], est_s[m]))
    return fmin, fmaj


def _interp_v(row: Sequence[float], times: Sequence[float], s: Array) -> Array:
    out: Array = np.full(len(s), max(row))  # never seen boosting: the most cautious
    ok = np.isfinite(s)
    out[ok] = np.exp(np.interp(s[ok], times, np.log(np.asarray(row))))
    return out


def refine_scales(
    samples: Sequence[FitSample], minor: Table, major: Table, sweeps: int = 8
) -> tuple[dict[str, tuple[float, ...]], dict[str, tuple[float, ...]]]:
    """Refit the table so that each cell's coverage *as applied at run time* is 95 %.

    Why: :func:`fit_scales` puts each cell at 95 % with its own factors, but at run time the
    table is looked up at the assessor's class and time since *its* burnout, which lags the
    true one by seconds: between nodes of a steep row (an SRBM's factor halves from 20 to 60 s
    after burnout) the interpolated factor is not the cell's, and the check set over-covered by
    3 points. Here each node's (minor, major) pair is scaled by one factor, found by bisection
    with every run's factor looked up as at run time; sweeps repeat until the nodes settle
    (a run's factor depends on its neighbouring nodes too).
    """
    mins = {c: list(v) for c, v in minor.items()}
    majs = {c: list(v) for c, v in major.items()}
    cls = np.array([f.cls for f in samples], dtype=object)
    key = np.array([f.report_s for f in samples])
    est_cls = [f.est_cls for f in samples]
    est_s = np.array([f.est_since_burnout_s for f in samples])
    za = np.array([f.z2_major for f in samples])
    zb = np.array([f.z2_minor for f in samples])
    cells = [
        (c, i, np.flatnonzero((cls == c) & (key == s)))
        for c in majs
        for i, s in enumerate(REPORT_S[c])
    ]
    for _ in range(sweeps):
        for c, i, idx in cells:
            if not len(idx):
                continue
            m0, M0 = mins[c][i], majs[c][i]
            sub_cls = [est_cls[j] for j in idx]
            lo, hi = 1e-2, 1e2
            for _ in range(50):
                mid = math.sqrt(lo * hi)
                mins[c][i], majs[c][i] = m0 * mid, M0 * mid
                fmin, fmaj = applied_factors(mins, majs, sub_cls, est_s[idx])
                if np.mean(za[idx] / fmaj + zb[idx] / fmin <= _K95) < 0.95:
                    lo = mid
                else:
                    hi = mid
            mins[c][i], majs[c][i] = m0 * hi, M0 * hi
    return (
        {c: tuple(round(v, 3) for v in row) for c, row in mins.items()},
        {c: tuple(round(v, 3) for v in row) for c, row in majs.items()},
    )
