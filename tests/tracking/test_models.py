"""Measurement and motion models: analytic Jacobians, agreement with geo, integrator accuracy."""

from __future__ import annotations

import numpy as np

from trilink.geo import ecef_to_aer, geodetic_to_ecef, gravity_accel, rotating_frame_accel
from trilink.geo.frames import enu_rotation
from trilink.tracking.dynamics import (
    MotionNoise,
    air_density,
    derivative,
    jacobian,
    predict,
    propagate,
)
from trilink.tracking.measurement import IR, RADAR_RR, predict_measurement


def _states(n: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 9))
    lat = np.radians(38 + rng.random(n) * 3)
    lon = np.radians(126 + rng.random(n) * 5)
    x[:, 0:3] = geodetic_to_ecef(lat, lon, 50e3 + rng.random(n) * 5e5)
    x[:, 3:6] = rng.normal(size=(n, 3)) * 2000
    x[:, 6:9] = rng.normal(size=(n, 3)) * 20
    return x


def test_radar_model_matches_geo_and_jacobian_is_exact() -> None:
    lat, lon, alt = np.radians(36.0), np.radians(127.0), 100.0
    site, rot = geodetic_to_ecef(lat, lon, alt), enu_rotation(lat, lon)
    x = _states(20)
    h, H = predict_measurement(x, site, rot, RADAR_RR)
    az, el, rg = ecef_to_aer(x[:, 0:3], lat, lon, alt)
    np.testing.assert_allclose(h[:, 0], rg, rtol=1e-12)
    np.testing.assert_allclose(h[:, 1], az, atol=1e-12)
    np.testing.assert_allclose(h[:, 2], el, atol=1e-12)
    eps = np.r_[np.ones(3), np.full(3, 1e-3), np.ones(3)]
    for k in range(9):
        xp, xm = x.copy(), x.copy()
        xp[:, k] += eps[k]
        xm[:, k] -= eps[k]
        num = (
            predict_measurement(xp, site, rot, RADAR_RR)[0]
            - predict_measurement(xm, site, rot, RADAR_RR)[0]
        ) / (2 * eps[k])
        np.testing.assert_allclose(H[:, :, k], num, atol=1e-9, rtol=1e-6)
    h_ir, H_ir = predict_measurement(x, site, rot, IR)
    np.testing.assert_array_equal(h_ir, h[:, 1:3])
    np.testing.assert_array_equal(H_ir, H[:, 1:3])


def test_derivative_uses_geo_gravity_and_rotation_above_atmosphere() -> None:
    x = _states(10)
    x[:, 0:3] *= 1.05  # well above 120 km: no drag
    boost = np.zeros(10)
    f = derivative(x, boost)
    expect = gravity_accel(x[:, 0:3]) + rotating_frame_accel(x[:, 0:3], x[:, 3:6])
    np.testing.assert_allclose(f[:, 3:6], expect, rtol=1e-12, atol=1e-12)
    f_b = derivative(x, np.ones(10))
    np.testing.assert_allclose(f_b[:, 3:6] - f[:, 3:6], x[:, 6:9], atol=1e-12)


def test_drag_decelerates_and_density_is_us76_like() -> None:
    assert abs(float(air_density(np.array([0.0]))[0]) - 1.225) < 1e-9
    assert 1e-2 < float(air_density(np.array([30e3]))[0]) < 2e-2
    x = _states(1)
    x[0, 0:3] = geodetic_to_ecef(np.radians(38), np.radians(130), 20e3)
    x[0, 3:6] = [0.0, 0.0, -3000.0]
    no_drag = gravity_accel(x[:, 0:3]) + rotating_frame_accel(x[:, 0:3], x[:, 3:6])
    f = derivative(x, np.zeros(1))
    assert float(np.dot(f[0, 3:6] - no_drag[0], x[0, 3:6])) < 0


def test_taylor_step_matches_rk4_and_jacobian_matches_numeric() -> None:
    x = _states(8)
    boost = np.array([0, 1] * 4, dtype=float)
    P = np.tile(np.eye(9), (8, 1, 1))
    xp, Pp = predict(x, P, boost, 1.0, MotionNoise())
    ref = propagate(x, boost, 1.0, max_step=0.01)
    ref[:, 6:9] *= boost[:, None]
    np.testing.assert_allclose(xp[:, 0:6], ref[:, 0:6], atol=1e-3)
    assert np.all(np.linalg.eigvalsh(Pp) > 0)
    x[:, 0:3] *= 1.05  # above the atmosphere: the Jacobian leaves drag's gradient out
    A = jacobian(x, boost)
    for k in range(6):
        d = np.zeros(9)
        d[k] = 1.0 if k < 3 else 1e-2
        num = (derivative(x + d, boost) - derivative(x - d, boost)) / (2 * d[k])
        # point-mass gradient: J2 changes it by < 0.5 %
        np.testing.assert_allclose(A[:, 3:6, k], num[:, 3:6], rtol=5e-3, atol=2e-8)
