"""Vectorised flight propagation: boost (staged rocket, pitch program), coast, re-entry with drag.

Frame: an Earth-centred inertial (ECI) frame aligned with ECEF at the launch instant
(:func:`trilink.geo.ecef_to_eci`). Newton's law holds there without fictitious forces; the zonal
gravity field (point mass + J2) and the rotating atmosphere are both axisymmetric, so the dynamics
are autonomous and objects launched at different times can share one batch.

Integrator: classical RK4 with a step chosen per object — 0.5 s while a motor burns or below
120 km (drag, staging), 5 s in vacuum coast — and clipped so that every staging event falls on a
step boundary (thrust is discontinuous there, and RK4 keeps its fourth order only between
discontinuities). The error bound is tested against a 10× finer step (``tests/physics``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from trilink.geo.frames import OMEGA_EARTH, ecef_to_geodetic, enu_rotation, geodetic_to_ecef
from trilink.geo.gravity import gravity_accel
from trilink.physics.atmosphere import density
from trilink.physics.catalogue import G0, Missile
from trilink.physics.trajectory import hermite

__all__ = ["BoostProgram", "FlightSamples", "propagate", "launch_state", "DT_FINE", "DT_COAST"]

Array = NDArray[np.float64]

DT_FINE = 0.5
DT_COAST = 5.0
_DRAG_ALT = 120e3
_CD_BODY = 0.3  # notional axial drag coefficient of a missile body during boost
_OMEGA = np.array([0.0, 0.0, OMEGA_EARTH])


@dataclass
class BoostProgram:
    """Per-object boost parameters, as arrays over the batch (S = most stages in the batch).

    Pitch program: vertical rise until ``t_vertical``, then the thrust's elevation above the
    local horizontal falls linearly from 90° to ``theta_end`` at ``t_pitch_end`` and is held until
    burnout. The thrust lies in the launch plane, whose inertial normal is ``plane_normal``.
    """

    t_stage_end: Array  # [N, S] cumulative stage burnout times [s]; padded stages repeat the last
    mass_start: Array  # [N, S] mass at each stage ignition [kg]
    mass_flow: Array  # [N, S] [kg/s]
    thrust: Array  # [N, S] [N]
    payload: Array  # [N] mass after final burnout [kg]
    area: Array  # [N] body reference area [m²]
    rv_beta: Array  # [N] re-entry ballistic coefficient [kg/m²]
    t_vertical: Array  # [N]
    t_pitch_end: Array  # [N]
    theta_end: Array  # [N] radians
    plane_normal: Array  # [N, 3]

    @property
    def burnout(self) -> Array:
        return self.t_stage_end[:, -1]

    @classmethod
    def build(
        cls,
        missiles: list[Missile],
        scale: Array,
        theta_end: Array,
        plane_normal: Array,
        pitch_fraction: float = 0.55,
    ) -> BoostProgram:
        """Programs for a batch: ``scale`` multiplies every stage's propellant (and burn time)."""
        n = len(missiles)
        s_max = max(len(m.stages) for m in missiles)
        t_end = np.zeros((n, s_max))
        m_start = np.zeros((n, s_max))
        mdot = np.zeros((n, s_max))
        thrust = np.zeros((n, s_max))
        for i, (m, k) in enumerate(zip(missiles, scale, strict=True)):
            above = m.payload_kg
            masses = []
            for st in reversed(m.stages):
                m0 = above + st.dry_kg + k * st.propellant_kg
                masses.append(m0)
                above = m0
            masses.reverse()
            t = 0.0
            for j in range(s_max):
                if j < len(m.stages):
                    st = m.stages[j]
                    t += k * st.burn_s
                    t_end[i, j] = t
                    m_start[i, j] = masses[j]
                    mdot[i, j] = st.mass_flow
                    thrust[i, j] = st.mass_flow * st.isp_s * G0
                else:
                    t_end[i, j] = t  # zero-length padding stage: never active
        burn = t_end[:, -1]
        t_vert = np.array([m.vertical_rise_s for m in missiles], dtype=float)
        t_vert = np.minimum(t_vert, 0.3 * burn)
        t_pitch = t_vert + pitch_fraction * (burn - t_vert)
        return cls(
            t_stage_end=t_end,
            mass_start=m_start,
            mass_flow=mdot,
            thrust=thrust,
            payload=np.array([m.payload_kg for m in missiles], dtype=float),
            area=np.array([np.pi * m.diameter_m**2 / 4 for m in missiles], dtype=float),
            rv_beta=np.array([m.rv_beta_kg_m2 for m in missiles], dtype=float),
            t_vertical=t_vert,
            t_pitch_end=t_pitch,
            theta_end=np.asarray(theta_end, dtype=float),
            plane_normal=np.asarray(plane_normal, dtype=float),
        )


def launch_state(
    lat_deg: Array, lon_deg: Array, azimuth_deg: Array, alt_m: Array | float = 0.0
) -> tuple[Array, Array, Array]:
    """ECI position and velocity of launch sites (Earth rotation only) and the launch planes.

    Returns (r0 [N,3], v0 [N,3], plane_normal [N,3]); the plane contains the site's local
    vertical and the horizontal direction at ``azimuth_deg`` (clockwise from north).
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    az = np.radians(np.asarray(azimuth_deg, dtype=float))
    r0 = geodetic_to_ecef(lat, lon, alt_m)
    rot = enu_rotation(lat, lon)  # rows: east, north, up in ECEF
    h = np.sin(az)[:, None] * rot[:, 0, :] + np.cos(az)[:, None] * rot[:, 1, :]
    up = r0 / np.linalg.norm(r0, axis=-1, keepdims=True)
    normal = np.cross(up, h)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    v0 = np.cross(_OMEGA, r0)
    return r0, v0, normal


def _altitude(r: Array) -> Array:
    # Geodetic height depends only on (hypot(x, y), z): valid in ECI as in ECEF.
    return ecef_to_geodetic(r)[2]


def _accel(
    t: Array, r: Array, v: Array, prog: BoostProgram | None, beta: Array, t_step: Array
) -> Array:
    """Acceleration [N,3] at relative times ``t`` [N]: gravity + drag (+ thrust while burning).

    The motor state (which stage burns) is taken from ``t_step``, the start of the current step:
    steps never straddle a staging event, and judging the stage at the evaluation time instead
    would give RK4's end-of-step slope the *next* stage's thrust — a first-order error.
    """
    a = gravity_accel(r, degree=2)
    alt = _altitude(r)
    rho = density(alt)
    v_rel = v - np.cross(_OMEGA, r)  # velocity through the co-rotating atmosphere
    speed = np.linalg.norm(v_rel, axis=-1)
    if prog is None:
        a -= (0.5 * rho * speed / beta)[:, None] * v_rel
        return a
    burning = t_step < prog.burnout
    stage = np.minimum(
        (t_step[:, None] >= prog.t_stage_end).sum(axis=1), prog.t_stage_end.shape[1] - 1
    )
    idx = np.arange(len(t))
    t_start = np.where(stage > 0, prog.t_stage_end[idx, np.maximum(stage - 1, 0)], 0.0)
    mass = prog.mass_start[idx, stage] - prog.mass_flow[idx, stage] * (t - t_start)
    mass = np.where(burning, mass, prog.payload)
    thrust = np.where(burning, prog.thrust[idx, stage], 0.0)
    # Boost drag on the whole body (Cd A / m); after burnout the re-entry vehicle's β.
    k_drag = np.where(burning, _CD_BODY * prog.area / mass, 1.0 / beta)
    a -= (0.5 * rho * speed * k_drag)[:, None] * v_rel
    # Pitch program in the launch plane: θ(t) = 90° → θ_end linearly, then held.
    frac = np.clip((t - prog.t_vertical) / (prog.t_pitch_end - prog.t_vertical), 0.0, 1.0)
    theta = 0.5 * np.pi + frac * (prog.theta_end - 0.5 * np.pi)
    up = r / np.linalg.norm(r, axis=-1, keepdims=True)
    down_range = np.cross(prog.plane_normal, up)
    down_range /= np.linalg.norm(down_range, axis=-1, keepdims=True)
    direction = np.cos(theta)[:, None] * down_range + np.sin(theta)[:, None] * up
    a += (thrust / mass)[:, None] * direction
    return a


@dataclass
class FlightSamples:
    """Raw integrator output for one object: relative times and ECI states."""

    t: Array  # [K] seconds since this object's start
    r: Array  # [K, 3] ECI
    v: Array  # [K, 3] ECI
    impacted: bool


def propagate(
    r0: Array,
    v0: Array,
    t_max: float,
    prog: BoostProgram | None = None,
    beta: Array | None = None,
    dt_fine: float = DT_FINE,
    dt_coast: float = DT_COAST,
) -> list[FlightSamples]:
    """Propagate a batch of objects from (r0, v0) at relative time 0 until impact or ``t_max``.

    With ``prog`` the objects fly their boost first (and ``beta`` defaults to the program's
    re-entry β); without it they coast ballistically with ballistic coefficients ``beta``
    (``np.inf`` for vacuum). Impact is the crossing of the ellipsoid (altitude 0), located by
    interpolation inside the last step.
    """
    n = len(r0)
    r = np.array(r0, dtype=float)
    v = np.array(v0, dtype=float)
    b = np.asarray(beta if beta is not None else (prog.rv_beta if prog else np.full(n, np.inf)))
    b = np.broadcast_to(b, (n,)).astype(float)
    t = np.zeros(n)
    active = np.ones(n, dtype=bool)
    impacted = np.zeros(n, dtype=bool)
    events = (
        np.concatenate([prog.t_stage_end, prog.t_vertical[:, None], prog.t_pitch_end[:, None]], 1)
        if prog is not None
        else np.zeros((n, 0))
    )
    ts, rs, vs = [t.copy()], [r.copy()], [v.copy()]
    alt = _altitude(r)
    while active.any():
        burning = (t < prog.burnout) if prog is not None else np.zeros(n, dtype=bool)
        dt = np.where(burning | (alt < _DRAG_ALT), dt_fine, dt_coast)
        next_event = np.full(n, np.inf)
        if events.shape[1]:
            next_event = np.where(events > t[:, None] + 1e-9, events, np.inf).min(axis=1)
        next_event = np.minimum(next_event, t_max)
        dt = np.minimum(dt, next_event - t)
        lands_on_event = dt == next_event - t
        dt = np.where(active, dt, 0.0)
        h = dt[:, None]
        k1v = _accel(t, r, v, prog, b, t)
        k1r = v
        k2v = _accel(t + dt / 2, r + h / 2 * k1r, v + h / 2 * k1v, prog, b, t)
        k2r = v + h / 2 * k1v
        k3v = _accel(t + dt / 2, r + h / 2 * k2r, v + h / 2 * k2v, prog, b, t)
        k3r = v + h / 2 * k2v
        k4v = _accel(t + dt, r + h * k3r, v + h * k3v, prog, b, t)
        k4r = v + h * k3v
        r = r + h / 6 * (k1r + 2 * k2r + 2 * k3r + k4r)
        v = v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
        # Land exactly on events: t + (event - t) can miss the event by an ulp, and a step that
        # starts an ulp early would be flown with the previous stage's thrust.
        t = np.where(active & lands_on_event, next_event, t + dt)
        if events.shape[1]:
            # Fixed steps that accumulate to an event (0.05 s x 2800) land an ulp off it: snap.
            near = np.abs(events - t[:, None]) < 1e-7
            t = np.where(near.any(axis=1), events[np.arange(n), near.argmax(axis=1)], t)
        alt = _altitude(r)
        # Impact: below the ellipsoid while descending and not under thrust.
        radial = np.einsum("ij,ij->i", r, v)
        still_burning = (t < prog.burnout) if prog is not None else np.zeros(n, dtype=bool)
        hit = active & (alt < 0.0) & (radial < 0.0) & ~still_burning
        done = active & ((t >= t_max) | hit | (np.linalg.norm(r, axis=1) > 1e9))
        ts.append(t.copy())
        rs.append(r.copy())
        vs.append(v.copy())
        impacted |= hit
        active &= ~done
    t_all, r_all, v_all = np.array(ts), np.array(rs), np.array(vs)  # [steps, N, ...]
    out: list[FlightSamples] = []
    for i in range(n):
        # Keep each object's distinct samples (steps after it stopped repeat its last time).
        keep = np.concatenate([[True], np.diff(t_all[:, i]) > 0])
        ti, ri, vi = t_all[keep, i], r_all[keep, i], v_all[keep, i]
        if impacted[i]:
            ti, ri, vi = _clip_at_ground(ti, ri, vi)
        out.append(FlightSamples(ti, ri, vi, bool(impacted[i])))
    return out


def _clip_at_ground(t: Array, r: Array, v: Array) -> tuple[Array, Array, Array]:
    """Replace the last (below-ground) sample by the interpolated state at altitude 0."""
    lo, hi = t[-2], t[-1]
    seg_t, seg_r, seg_v = t[-2:], r[-2:], v[-2:]
    for _ in range(40):  # bisection on altitude along the Hermite arc: 40 halvings ≪ 1 µs
        mid = 0.5 * (lo + hi)
        p, _, _ = hermite(seg_t, seg_r, seg_v, np.array([mid]))
        if _altitude(p)[0] > 0.0:
            lo = mid
        else:
            hi = mid
    p, dp, _ = hermite(seg_t, seg_r, seg_v, np.array([hi]))
    return (
        np.concatenate([t[:-1], [hi]]),
        np.concatenate([r[:-1], p]),
        np.concatenate([v[:-1], dp]),
    )
