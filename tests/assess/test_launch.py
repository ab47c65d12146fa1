"""Burnout from a track's P(boost) history (real burns only) and launch/burnout inheritance from
the track an object separated from, on hand-made histories whose physics is known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trilink.assess.launch import burnout, burnout_of, estimate_launch, launch_of, parent_of
from trilink.geo import GM_EARTH, geodetic_to_ecef
from trilink.geo.frames import enu_rotation
from trilink.tracking.tracker import TrackHistory

LAT, LON = math.radians(39.0), math.radians(125.7)
UP = enu_rotation(LAT, LON)[2]
EAST = enu_rotation(LAT, LON)[0]


def _history(t: np.ndarray, h: np.ndarray, v_up: np.ndarray, mu: np.ndarray) -> TrackHistory:
    """A vertical flight above one site: altitude ``h`` and vertical speed ``v_up`` at ``t``."""
    xs = []
    for hh, vv in zip(h, v_up, strict=True):
        r = geodetic_to_ecef(LAT, LON, float(hh))
        xs.append(np.concatenate([r, vv * UP + 300.0 * EAST, np.zeros(3)]))
    P = [np.diag([100.0**2] * 3 + [10.0**2] * 3 + [1.0] * 3) for _ in t]
    return TrackHistory(list(map(float, t)), xs, P, list(map(float, mu)))


def _burn_then_coast(t0: float = 0.0, burn_s: float = 40.0, accel: float = 20.0) -> TrackHistory:
    """From 5 km up: ``burn_s`` of net upward acceleration, then 30 s of free flight."""
    t = np.arange(0.0, burn_s + 30.0, 1.0)
    g = 9.8
    a = np.where(t < burn_s, accel, -g)
    v = np.concatenate([[200.0], 200.0 + np.cumsum(a[:-1])])
    h = 5e3 + np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]))])
    mu = np.where(t < burn_s + 2.0, 0.9, 0.1)  # the switch is seen 2 s late
    return _history(t0 + t, h, v, mu)


def test_burnout_of_a_real_burn() -> None:
    hist = _burn_then_coast(t0=100.0)
    bo = burnout(hist)
    assert bo is not None
    assert bo.t == pytest.approx(100.0 + 41.0)  # last boosting state
    # the state at 141 s: 40 s at +20 m/s² then 1 s at -9.8 from 200 m/s up, 300 m/s east
    v_up = 200.0 + 20.0 * 40.0 - 9.8
    assert bo.speed_mps == pytest.approx(math.hypot(v_up, 300.0), rel=1e-6)
    h = 5e3 + 200.0 * 40.0 + 0.5 * 20.0 * 40.0**2 + 0.5 * (1000.0 + v_up)
    assert bo.alt_km == pytest.approx(h / 1000.0, abs=0.05)  # altitude_approx: ~10 m


def test_short_blips_and_falls_are_not_burns() -> None:
    t = np.arange(0.0, 40.0, 1.0)
    # free fall from 300 km at 1 km/s down: speed grows by g each second, energy does not
    r0 = float(np.linalg.norm(geodetic_to_ecef(LAT, LON, 300e3)))
    g = GM_EARTH / r0**2
    v = -1000.0 - g * t
    h = 300e3 - 1000.0 * t - 0.5 * g * t**2
    falling = np.where((t >= 10) & (t < 25), 0.9, 0.1)  # 15 s "boosting" while it falls
    assert -v[24] - -v[10] > 100.0  # it did speed up by more than 100 m/s
    assert burnout(_history(t, h, v, falling)) is None
    # re-entry drag fitted by the boost model: slowing down while "boosting"
    v_drag = -3000.0 + 60.0 * t
    h_drag = 60e3 + np.concatenate([[0.0], np.cumsum(0.5 * (v_drag[1:] + v_drag[:-1]))])
    assert burnout(_history(t, h_drag, v_drag, falling)) is None
    # a 2-s blip of a real thrust is too short
    blip = np.where((t >= 10) & (t < 12), 0.9, 0.1)
    a = np.where((t >= 10) & (t < 12), 30.0, -9.8)
    v_b = np.concatenate([[2000.0], 2000.0 + np.cumsum(a[:-1])])
    h_b = 50e3 + np.concatenate([[0.0], np.cumsum(0.5 * (v_b[1:] + v_b[:-1]))])
    assert burnout(_history(t, h_b, v_b, blip)) is None
    # never boosting, or too short a history
    assert burnout(_history(t, h, v, np.full(len(t), 0.1))) is None
    assert burnout(TrackHistory([0.0], [np.zeros(9)], [np.eye(9)], [0.9])) is None


def _child_of(parent: TrackHistory, at: int, dv: float) -> TrackHistory:
    """A track born on ``parent``'s state at index ``at`` (velocity off by ``dv``), coasting."""
    t = np.array(parent.t[at:])
    xs = [x.copy() for x in parent.x[at:]]
    for x in xs:
        x[3:6] += dv * EAST
    return TrackHistory(list(map(float, t)), xs, list(parent.P[at:]), [0.1] * len(t))


def test_a_separated_track_inherits_launch_and_burnout() -> None:
    stack = _burn_then_coast(t0=100.0)
    at = 50  # separates in coast, ~20 km above the burnout point
    rv = _child_of(stack, at, 150.0)
    history = {1: stack, 2: rv}
    assert parent_of(2, history) == 1 and parent_of(1, history) is None
    assert burnout(rv) is None  # the RV's own track never saw the burn
    assert burnout_of(2, history) == burnout(stack)
    own = estimate_launch(rv)
    inherited = launch_of(2, history)
    assert inherited is not None and own is not None
    assert inherited == estimate_launch(stack)  # flown back from lower down: the stack's
    assert inherited.from_alt_km < own.from_alt_km
    # too far away at its birth (a different object): no parent, nothing inherited
    far = _child_of(stack, at, 150.0)
    for x in far.x:
        x[0:3] += 50e3 * EAST
    history = {1: stack, 3: far}
    assert parent_of(3, history) is None
    assert burnout_of(3, history) is None
    assert burnout_of(9, history) is None  # unknown track
