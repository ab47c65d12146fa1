"""US Standard Atmosphere 1976: air density from sea level to 1,000 km, vectorised.

Below 86 km the density follows the standard's seven layers of linear temperature in geopotential
altitude (hydrostatic equation, ideal gas); above 86 km the standard's tabulated densities are
interpolated log-linearly (the thermosphere's density is close to exponential between the
tabulated levels). Above 1,000 km the density is taken as zero.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["density", "R_EARTH_US76"]

Array = NDArray[np.float64]

#: Earth radius the standard uses to turn geometric into geopotential altitude [m].
R_EARTH_US76 = 6356766.0
_G0 = 9.80665
_R_AIR = 287.053  # J/(kg K), R* / M0
# Layer base geopotential altitude [m], lapse rate [K/m]; base temperature and pressure follow.
_H = np.array([0.0, 11000.0, 20000.0, 32000.0, 47000.0, 51000.0, 71000.0, 84852.0])
_L = np.array([-0.0065, 0.0, 0.001, 0.0028, 0.0, -0.0028, -0.002, 0.0])


def _base_states() -> tuple[Array, Array]:
    t = np.empty(len(_H))
    p = np.empty(len(_H))
    t[0], p[0] = 288.15, 101325.0
    for i in range(len(_H) - 1):
        dh = _H[i + 1] - _H[i]
        t[i + 1] = t[i] + _L[i] * dh
        if _L[i] == 0.0:
            p[i + 1] = p[i] * np.exp(-_G0 * dh / (_R_AIR * t[i]))
        else:
            p[i + 1] = p[i] * (t[i] / t[i + 1]) ** (_G0 / (_R_AIR * _L[i]))
    return t, p


_TB, _PB = _base_states()

# Tabulated US76 densities above 86 km (geometric altitude [m], kg/m^3).
_Z_HI = np.array(
    [86e3, 90e3, 100e3, 110e3, 120e3, 130e3, 150e3, 200e3, 300e3, 400e3, 500e3, 700e3, 1000e3]
)
_RHO_HI = np.array(
    [
        6.958e-6,
        3.416e-6,
        5.604e-7,
        9.708e-8,
        2.222e-8,
        8.152e-9,
        2.076e-9,
        2.541e-10,
        1.916e-11,
        2.803e-12,
        5.215e-13,
        3.070e-14,
        3.561e-15,
    ]
)
_LOG_RHO_HI = np.log(_RHO_HI)


def density(alt_m: ArrayLike) -> Array:
    """Air density [kg/m³] at geometric altitude ``alt_m`` [m] (negative altitudes clamp to 0)."""
    z = np.clip(np.asarray(alt_m, dtype=np.float64), 0.0, None)
    h = R_EARTH_US76 * z / (R_EARTH_US76 + z)  # geopotential altitude
    i = np.clip(np.searchsorted(_H, h, side="right") - 1, 0, len(_H) - 2)
    tb, pb, lb, hb = _TB[i], _PB[i], _L[i], _H[i]
    temp = tb + lb * (h - hb)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_grad = pb * (tb / temp) ** (_G0 / (_R_AIR * np.where(lb == 0.0, 1.0, lb)))
    p_iso = pb * np.exp(-_G0 * (h - hb) / (_R_AIR * tb))
    pressure = np.where(lb == 0.0, p_iso, p_grad)
    rho_low = pressure / (_R_AIR * temp)
    rho_hi = np.exp(np.interp(z, _Z_HI, _LOG_RHO_HI))
    rho: Array = np.where(z < 86e3, rho_low, np.where(z <= 1000e3, rho_hi, 0.0))
    return rho
