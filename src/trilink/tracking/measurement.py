"""Measurement models, batched: radar (range, azimuth, elevation, optional range rate) and
space-IR line of sight (azimuth, elevation in the satellite's local ENU frame).

Component order everywhere: ``(range, az, el, range_rate)``; a model uses a subset given by a
component index list (radar ``[0, 1, 2]`` or ``[0, 1, 2, 3]``, IR ``[1, 2]``). Jacobians are
analytic — no finite differences.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from trilink.tracking.dynamics import NX

__all__ = ["RADAR", "RADAR_RR", "IR", "predict_measurement", "wrap_residual"]

Array = NDArray[np.float64]

RADAR = (0, 1, 2)
RADAR_RR = (0, 1, 2, 3)
IR = (1, 2)


def predict_measurement(
    x: Array, site: Array, rot: Array, comps: tuple[int, ...]
) -> tuple[Array, Array]:
    """Predicted measurements [N, m] and Jacobians [N, m, 9] for states ``x`` [N, ≥6].

    ``site`` [N, 3] or [3] is the sensor's ECEF position, ``rot`` [N, 3, 3] or [3, 3] its
    ECEF→ENU rotation. Returns values in the component order of ``comps``.
    """
    d = x[:, 0:3] - site
    enu = d @ rot.T if rot.ndim == 2 else np.einsum("nij,nj->ni", rot, d)
    e, n_, u = enu[:, 0], enu[:, 1], enu[:, 2]
    rho2 = e * e + n_ * n_
    rho = np.sqrt(rho2)
    rng = np.sqrt(rho2 + u * u)
    N = x.shape[0]
    full_h = np.empty((N, 4))
    full_h[:, 0] = rng
    full_h[:, 1] = np.mod(np.arctan2(e, n_), 2.0 * np.pi)
    full_h[:, 2] = np.arctan2(u, rho)
    # Jacobians with respect to ENU, then rotated into ECEF (d/dr = d/denu · rot).
    J = np.zeros((N, 4, 3))
    J[:, 0, :] = enu / rng[:, None]
    J[:, 1, 0] = n_ / rho2
    J[:, 1, 1] = -e / rho2
    c = 1.0 / (rng * rng * rho)
    J[:, 2, 0] = -e * u * c
    J[:, 2, 1] = -n_ * u * c
    J[:, 2, 2] = rho2 * c
    Jr = J @ rot if rot.ndim == 2 else np.einsum("nmi,nij->nmj", J, rot)
    H = np.zeros((N, 4, NX))
    H[:, :, 0:3] = Jr
    if 3 in comps:
        v = x[:, 3:6]
        los = d / rng[:, None]
        rr = np.sum(los * v, axis=1)
        full_h[:, 3] = rr
        H[:, 3, 0:3] = (v - rr[:, None] * los) / rng[:, None]
        H[:, 3, 3:6] = los
    idx = list(comps)
    return full_h[:, idx], H[:, idx, :]


def wrap_residual(y: Array, comps: tuple[int, ...]) -> Array:
    """Wrap the azimuth residual column into [-π, π)."""
    if 1 in comps:
        k = comps.index(1)
        y[..., k] = np.mod(y[..., k] + np.pi, 2.0 * np.pi) - np.pi
    return y
