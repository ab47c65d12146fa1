"""Empirical calibration of the 95 % impact ellipse, fitted on one seed set, checked on another.

Why: the unscented impact covariance of the tracker's ballistic estimate plus the β prior is
right in *order* but not in *shape*. The calibration study (:mod:`trilink.assess.calibration`)
shows the error across the flight path (minor axis) is ~0.3–0.5 of its stated variance
(the isotropic coast process noise, there to absorb unmodelled drag and post-boost effects along
the flight path, also widens the cross-range spread), and the along-range error varies with time
since burnout and class: over-stated in early midcourse (the post-boost noise has been
integrated but the ballistic arcs since then are not yet informative), about right in an SRBM's
re-entry (the catalogue's SRBM RVs have β 2,500–4,000 kg/m², below the 4,000 nominal). A 2-D
"95 %" ellipse whose real error lies mostly along one axis also over-covers.

The correction multiplies the impact covariance's eigenvalues by factors per class and report
time after burnout: the minor one by the cell's mean squared normalised cross-range error, the
major one by the factor that then puts 95 % of the cell's runs inside; between the tabulated
times the log-factor is interpolated, outside them the nearest is held; a class not known yet
gets the largest factor of any class. Where a cell's cross-range errors are heavy-tailed (a few
runs far off) both axes get one common factor instead.

Fitted with ``benchmarks/bench_calibration.py --runs 2000 --seed 1 --out out/fit_seed1`` then
``--fit-from out/fit_seed1.samples.json`` (2026-11-28; 2,000 runs per class; uncorrected
coverage 98.3–100 % in 15 of 16 cells) and checked on the disjoint seed set ``--seed 2``: see
``docs/calibration.md``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

__all__ = ["ELLIPSE_SCALE", "MINOR_SCALE", "REPORT_S", "scale_cov", "fit_scales"]

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
    "SRBM": (0.357, 0.304, 0.358, 0.334),
    "MRBM": (0.306, 0.406, 0.292, 0.332),
    "IRBM": (0.27, 0.45, 0.667, 0.858),
    "ICBM": (0.287, 0.487, 0.545, 0.499),
}

#: Variance factor of the major axis per class, at that class's :data:`REPORT_S`.
ELLIPSE_SCALE: dict[str, tuple[float, ...]] = {
    "SRBM": (0.948, 0.549, 0.983, 1.153),
    "MRBM": (0.489, 0.714, 0.276, 0.257),
    "IRBM": (0.287, 0.659, 0.673, 0.858),
    "ICBM": (0.286, 0.732, 0.389, 0.597),
}

_K95 = -2.0 * math.log(0.05)


def _factors(cls: str, since_burnout_s: float | None) -> tuple[float, float]:
    """(minor, major) variance factors; a class not known yet gets the most cautious of all."""
    names = [cls] if cls in ELLIPSE_SCALE else list(ELLIPSE_SCALE)
    minor = major = 0.0
    for c in names:
        minor = max(minor, _interp(MINOR_SCALE[c], REPORT_S[c], since_burnout_s))
        major = max(major, _interp(ELLIPSE_SCALE[c], REPORT_S[c], since_burnout_s))
    return minor, major


def _interp(row: tuple[float, ...], times: tuple[float, ...], s: float | None) -> float:
    if s is None or not math.isfinite(s):
        return max(row)  # never seen boosting: no time reference, be cautious
    return math.exp(float(np.interp(s, times, np.log(row))))


def scale_cov(cov_en: Array, cls: str, since_burnout_s: float | None) -> Array:
    """The calibrated east/north impact covariance [2, 2] of one track of class ``cls`` at
    ``since_burnout_s`` after its (estimated) burnout. NaN covariances pass through."""
    if not np.all(np.isfinite(cov_en)):
        return cov_en
    w, v = np.linalg.eigh(cov_en)
    w = np.maximum(w, 0.0) * np.array(_factors(cls, since_burnout_s))
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
