"""The sampled truth of one flying object, and its interpolation at arbitrary times.

Every producer of truth (the boost/coast/re-entry propagator, recorded flights) yields a
:class:`Trajectory`; every consumer (sensors, scenario summaries, tests of the tracker) reads it
through :meth:`Trajectory.at`, which interpolates with cubic Hermite splines on position and
velocity — exact for the sampled states and accurate to centimetres between 1 s samples in coast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Trajectory", "hermite"]

Array = NDArray[np.float64]


def hermite(t: Array, pos: Array, vel: Array, tq: Array) -> tuple[Array, Array, NDArray[np.intp]]:
    """Cubic Hermite interpolation of (pos, vel) samples at times ``t`` [K] to query times ``tq``.

    Returns positions, velocities and the index of the left sample for each query. Queries
    outside ``[t[0], t[-1]]`` are clamped to the ends (callers mask them with ``valid``).
    """
    tq = np.clip(tq, t[0], t[-1])
    i = np.clip(np.searchsorted(t, tq, side="right") - 1, 0, len(t) - 2)
    h = (t[i + 1] - t[i])[:, None]
    s = ((tq - t[i]) / (t[i + 1] - t[i]))[:, None]
    p0, p1, v0, v1 = pos[i], pos[i + 1], vel[i] * h, vel[i + 1] * h
    s2, s3 = s * s, s * s * s
    p = (
        (2 * s3 - 3 * s2 + 1) * p0
        + (s3 - 2 * s2 + s) * v0
        + (-2 * s3 + 3 * s2) * p1
        + (s3 - s2) * v1
    )
    dp = (
        (6 * s2 - 6 * s) * p0
        + (3 * s2 - 4 * s + 1) * v0
        + (-6 * s2 + 6 * s) * p1
        + (3 * s2 - 2 * s) * v1
    )
    return p, dp / h, i


@dataclass(frozen=True)
class Trajectory:
    """One object's flight: ECEF states sampled at increasing UTC POSIX times.

    ``burning`` marks samples where a motor burns (space-IR sees only those). ``kind`` is
    "missile" (the re-entry vehicle or single-stage body), "booster" (a spent stage) or "slv".
    """

    object_id: str
    t: Array  # [K] UTC POSIX seconds, strictly increasing
    ecef: Array  # [K, 3] metres
    vel: Array  # [K, 3] m/s, Earth-relative, in ECEF
    burning: NDArray[np.bool_]  # [K]
    kind: str = "missile"
    missile: str = ""
    meta: dict[str, float | str | bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        k = len(self.t)
        if k < 2 or self.ecef.shape != (k, 3) or self.vel.shape != (k, 3):
            raise ValueError(f"trajectory {self.object_id}: inconsistent sample arrays")
        if self.burning.shape != (k,):
            raise ValueError(f"trajectory {self.object_id}: burning must have one flag per sample")
        if not np.all(np.diff(self.t) > 0):
            raise ValueError(f"trajectory {self.object_id}: times must strictly increase")
        if not (np.all(np.isfinite(self.ecef)) and np.all(np.isfinite(self.vel))):
            raise ValueError(f"trajectory {self.object_id}: non-finite state")

    @property
    def t_start(self) -> float:
        return float(self.t[0])

    @property
    def t_end(self) -> float:
        return float(self.t[-1])

    def at(self, times: ArrayLike) -> tuple[Array, Array, NDArray[np.bool_], NDArray[np.bool_]]:
        """States at ``times``: (ecef [N,3], vel [N,3], burning [N], valid [N]).

        ``valid`` is False outside the flight (before launch or after impact/end of run).
        """
        tq = np.atleast_1d(np.asarray(times, dtype=np.float64))
        p, v, i = hermite(self.t, self.ecef, self.vel, tq)
        valid = (tq >= self.t[0]) & (tq <= self.t[-1])
        # A motor burns over a whole sample interval only if it burns at both ends.
        burning = self.burning[i] & self.burning[np.minimum(i + 1, len(self.t) - 1)] & valid
        return p, v, burning, valid
