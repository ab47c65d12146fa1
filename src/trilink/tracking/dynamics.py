"""Motion models for ballistic tracking, batched over tracks (NumPy, no per-track loops).

State (9): ECEF position r [m], Earth-relative velocity v [m/s] expressed in ECEF, and an
unknown specific force ``a`` [m/s²] (thrust, or the part of drag the nominal model misses).

* ``BALLISTIC`` — r'' = g(r) (point mass + J2, :func:`trilink.geo.gravity_accel`) + Coriolis +
  centrifugal (:func:`trilink.geo.rotating_frame_accel`) + nominal drag below ~100 km; the
  ``a`` components are held at zero.
* ``BOOST`` — the same plus ``a``, modelled as a random walk (white jerk): thrust magnitude and
  direction are unknown and change with the pitch programme and staging.

The state is propagated with a batched fixed-step RK4 (the exact nonlinear mean); covariance with
the second-order transition ``I + A dt + (A dt)²/2`` linearised at the start of each step, which
is enough because the gravity gradient is ~1.5e-6 s⁻² (errors ~1e-6 over a minute).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from trilink.geo import GM_EARTH, OMEGA_EARTH, WGS84_A, gravity_accel
from trilink.geo.frames import WGS84_F

__all__ = [
    "BALLISTIC",
    "BETA_NOMINAL",
    "BOOST",
    "DENSITY_BASE_KM",
    "DENSITY_KG_M3",
    "DENSITY_SCALE_KM",
    "DRAG_CEILING_M",
    "NX",
    "RK4_MAX_STEP_S",
    "TAYLOR_MAX_DT_S",
    "MotionNoise",
    "air_density",
    "altitude_approx",
    "derivative",
    "propagate",
    "jacobian",
    "transition",
    "process_noise",
    "predict",
]

Array = NDArray[np.float64]

NX = 9
BALLISTIC = 0
BOOST = 1

_W = np.array([0.0, 0.0, OMEGA_EARTH])
#: Nominal ballistic coefficient m/(Cd·A) [kg/m²] for the drag every object is assumed to feel;
#: what the real object differs by is left to the process noise and the boost model's ``a``.
BETA_NOMINAL = 4000.0
#: Drag is left out above this height [m] (the density is < 3e-8 kg/m³ there).
DRAG_CEILING_M = 120e3
#: Predictions up to this step [s] take one second-order Taylor step, longer ones RK4 ...
TAYLOR_MAX_DT_S = 2.0
#: ... in steps of at most this [s].
RK4_MAX_STEP_S = 5.0

# Air density: piecewise exponential model (Vallado, after US76 / CIRA-72); public textbook
# table of layer bases [km], base densities [kg/m³] and scale heights [km]. The compiled kernels
# read the same arrays (Numba freezes them into the code as constants).
DENSITY_BASE_KM = np.array(
    [0, 25, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 180, 200], dtype=np.float64
)
DENSITY_KG_M3 = np.array(
    [1.225, 3.899e-2, 1.774e-2, 3.972e-3, 1.057e-3, 3.206e-4, 8.770e-5, 1.905e-5, 3.396e-6,
     5.297e-7, 9.661e-8, 2.438e-8, 8.484e-9, 3.845e-9, 2.070e-9, 5.464e-10, 2.789e-10]
)  # fmt: skip
DENSITY_SCALE_KM = np.array(
    [7.249, 6.349, 6.682, 7.554, 8.382, 7.714, 6.549, 5.799, 5.382, 5.877, 7.263, 9.473,
     12.636, 16.149, 22.523, 29.740, 37.105]
)  # fmt: skip


class MotionNoise:
    """Process-noise spectral densities of the two models."""

    def __init__(self, q_ballistic: float = 0.05, q_jerk: float = 20.0, q_hold: float = 1e-6):
        self.q_ballistic = q_ballistic  # m²/s³, white acceleration in coast
        self.q_jerk = q_jerk  # m²/s⁵, white jerk driving the unknown thrust acceleration
        self.q_hold = q_hold  # m²/s⁴ per step, keeps the held 'a' block positive definite


def altitude_approx(r: Array) -> Array:
    """Height above the ellipsoid [m], within ~100 m below 1,000 km (no iteration)."""
    rn = np.linalg.norm(r, axis=-1)
    s2 = (r[..., 2] / rn) ** 2
    # Radius of the ellipsoid at the geocentric latitude, first order in the flattening.
    out: Array = rn - WGS84_A * (1.0 - WGS84_F * s2)
    return out


def air_density(h: Array) -> Array:
    """Air density [kg/m³] from the piecewise exponential table (:data:`DENSITY_KG_M3`)."""
    hb, rho0, scale = DENSITY_BASE_KM, DENSITY_KG_M3, DENSITY_SCALE_KM
    hk = np.clip(np.asarray(h, dtype=np.float64) / 1000.0, 0.0, None)
    i = np.clip(np.searchsorted(hb, hk, side="right") - 1, 0, len(hb) - 1)
    out: Array = rho0[i] * np.exp(-(hk - hb[i]) / scale[i])
    return out


def derivative(x: Array, boost: Array, beta: float | Array = BETA_NOMINAL) -> Array:
    """Time derivative of states ``x`` [N, 9]; ``boost`` [N] float (1 adds the ``a`` term)."""
    r, v = x[:, 0:3], x[:, 3:6]
    acc = gravity_accel(r)
    # Coriolis -2ω×v and centrifugal -ω×(ω×r) written out: np.cross is slow on small arrays.
    w2 = OMEGA_EARTH * OMEGA_EARTH
    acc[:, 0] += 2.0 * OMEGA_EARTH * v[:, 1] + w2 * r[:, 0]
    acc[:, 1] += -2.0 * OMEGA_EARTH * v[:, 0] + w2 * r[:, 1]
    h = altitude_approx(r)
    low = h < DRAG_CEILING_M
    if low.any():
        speed = np.linalg.norm(v[low], axis=-1)
        b = beta if np.ndim(beta) == 0 else np.asarray(beta)[low]
        k = air_density(h[low]) * speed / (2.0 * b)
        acc[low] -= k[:, None] * v[low]
    acc += boost[:, None] * x[:, 6:9]
    out = np.zeros_like(x)
    out[:, 0:3] = v
    out[:, 3:6] = acc
    return out


def propagate(
    x: Array,
    boost: Array,
    dt: float,
    max_step: float = RK4_MAX_STEP_S,
    beta: float | Array = BETA_NOMINAL,
) -> Array:
    """RK4 propagation of states [N, 9] by ``dt`` seconds (negative runs backwards)."""
    if dt == 0.0:
        return x.copy()
    n = max(1, int(np.ceil(abs(dt) / max_step)))
    h = dt / n
    y = x
    for _ in range(n):
        k1 = derivative(y, boost, beta)
        k2 = derivative(y + 0.5 * h * k1, boost, beta)
        k3 = derivative(y + 0.5 * h * k2, boost, beta)
        k4 = derivative(y + h * k3, boost, beta)
        y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y


def _gravity_gradient(r: Array) -> Array:
    """d(g + centrifugal)/dr [N, 3, 3] (point mass; J2 adds < 0.2 %)."""
    rn = np.linalg.norm(r, axis=-1)
    u = r / rn[:, None]
    k = (GM_EARTH / rn**3)[:, None, None]
    G = k * (3.0 * u[:, :, None] * u[:, None, :] - np.eye(3))
    # centrifugal -ω×(ω×r) = ω²(x, y, 0)
    G[:, 0, 0] += OMEGA_EARTH**2
    G[:, 1, 1] += OMEGA_EARTH**2
    out: Array = G
    return out


_CORIOLIS = -2.0 * np.array([[0.0, -OMEGA_EARTH, 0.0], [OMEGA_EARTH, 0.0, 0.0], [0.0, 0.0, 0.0]])


def jacobian(x: Array, boost: Array) -> Array:
    """Jacobian A = df/dx [N, 9, 9] of :func:`derivative` (drag's small gradient left out)."""
    n = x.shape[0]
    A = np.zeros((n, NX, NX))
    A[:, 0, 3] = A[:, 1, 4] = A[:, 2, 5] = 1.0
    A[:, 3:6, 0:3] = _gravity_gradient(x[:, 0:3])
    A[:, 3:6, 3:6] = _CORIOLIS
    A[:, 3, 6] = A[:, 4, 7] = A[:, 5, 8] = boost
    return A


def transition(x: Array, boost: Array, dt: float) -> Array:
    """Linearised state transition [N, 9, 9] over ``dt`` at states ``x``.

    For the ballistic model the ``a`` block maps to zero (the held acceleration is reset).
    """
    Adt = jacobian(x, boost) * dt
    F = np.eye(NX) + Adt + 0.5 * (Adt @ Adt)
    F[:, 6:9, :] *= boost[:, None, None]
    return F


def process_noise(
    boost: Array, dt: float, noise: MotionNoise, q_ballistic: Array | None = None
) -> Array:
    """Process noise [N, 9, 9] over ``dt`` for each row's model (``q_ballistic`` per row
    overrides the noise object's)."""
    dt = abs(dt)
    n = boost.shape[0]
    q = noise.q_ballistic if q_ballistic is None else q_ballistic
    j = noise.q_jerk * boost
    blk = np.zeros((n, 3, 3))
    blk[:, 0, 0] = q * dt**3 / 3 + j * dt**5 / 20
    blk[:, 0, 1] = blk[:, 1, 0] = q * dt**2 / 2 + j * dt**4 / 8
    blk[:, 0, 2] = blk[:, 2, 0] = j * dt**3 / 6
    blk[:, 1, 1] = q * dt + j * dt**3 / 3
    blk[:, 1, 2] = blk[:, 2, 1] = j * dt**2 / 2
    blk[:, 2, 2] = j * dt + (1.0 - boost) * noise.q_hold
    # Kronecker with I3: state order is (r xyz, v xyz, a xyz).
    Q: Array = np.einsum("nab,ij->naibj", blk, np.eye(3)).reshape(n, NX, NX)
    return Q


def predict(
    x: Array,
    P: Array,
    boost: Array,
    dt: float,
    noise: MotionNoise,
    q_ballistic: Array | None = None,
) -> tuple[Array, Array]:
    """Predict states [N, 9] and covariances [N, 9, 9] by ``dt`` (one linearisation per call).

    Steps up to 2 s (the tracker's revisit) use one second-order Taylor step,
    ``x + f dt + A f dt²/2``, whose error (~ jerk·dt³/6 < 1 mm) is far below any sensor's noise;
    longer steps use RK4.
    """
    F = transition(x, boost, dt)
    if abs(dt) <= TAYLOR_MAX_DT_S:
        f = derivative(x, boost)
        A = jacobian(x, boost)
        xp = x + f * dt + (0.5 * dt * dt) * np.einsum("nij,nj->ni", A, f)
    else:
        xp = propagate(x, boost, dt)
    xp[:, 6:9] *= boost[:, None]
    Pp = F @ P @ np.swapaxes(F, 1, 2) + process_noise(boost, dt, noise, q_ballistic)
    Pp = 0.5 * (Pp + np.swapaxes(Pp, 1, 2))
    return xp, Pp
