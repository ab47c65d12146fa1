"""A small, seeded salvo-and-radars generator for the tracker's tests and benchmark.

This is a stand-in so that the tracker can be built and measured on its own: the scenario library
(:mod:`trilink.scenarios`, :mod:`trilink.sensors`) is the real source of plots. The flights here
are simple — a constant thrust acceleration with a linear pitch-over, then ballistic flight under
the same gravity, rotation and nominal drag the tracker assumes — and the sensors are radars
measuring range/azimuth/elevation with Gaussian noise, a detection probability and uniform
clutter, plus optional staring IR satellites that see burning objects only. Sites are
approximate public locations used only as geometry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trilink.geo import ecef_to_aer, geodetic_to_ecef
from trilink.geo.frames import enu_rotation
from trilink.physics.trajectory import Trajectory
from trilink.tracking.dynamics import altitude_approx, derivative
from trilink.tracking.plots import KIND_IR, KIND_RADAR, PlotBatch

__all__ = [
    "Launch",
    "Radar",
    "IRSat",
    "DEFAULT_RADARS",
    "salvo",
    "fly",
    "make_plots",
]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Radar:
    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float = 50.0
    rate_hz: float = 1.0
    offset_s: float = 0.0
    sigma_range_m: float = 50.0
    sigma_ang_rad: float = 5e-4
    pd: float = 0.95
    clutter_per_scan: float = 2.0
    max_range_m: float = 2.5e6
    min_el_rad: float = math.radians(0.5)
    sigma_rr_mps: float | None = None
    boresight_deg: float = 300.0  # clutter sector centre (azimuth)


@dataclass(frozen=True)
class IRSat:
    name: str
    lat_deg: float = 0.0
    lon_deg: float = 130.0
    alt_m: float = 35_786e3
    rate_hz: float = 1.0
    offset_s: float = 0.0
    sigma_ang_rad: float = 2e-5
    pd: float = 0.98


#: Three radars around the Korean peninsula / Sea of Japan (approximate, geometry only).
DEFAULT_RADARS = (
    Radar("R-A", 36.0, 127.5, offset_s=0.0, boresight_deg=330.0),
    Radar("R-B", 35.0, 132.5, offset_s=1.0 / 3.0, boresight_deg=300.0),
    Radar("R-C", 40.5, 140.3, offset_s=2.0 / 3.0, boresight_deg=260.0),
)


@dataclass(frozen=True)
class Launch:
    """One launch: site, azimuth, time, thrust acceleration, burn time, final pitch."""

    lat_deg: float
    lon_deg: float
    az_deg: float
    t0: float
    accel: float
    burn_s: float
    final_el_deg: float
    name: str


def salvo(
    n: int, seed: int, t0: float = 1.7e9, spread_s: float = 60.0, kind: str = "mixed"
) -> list[Launch]:
    """``n`` launches from around 39°N 125.7°E towards the east, times within ``spread_s``."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        if kind == "srbm":
            burn, acc, el = rng.uniform(40, 60), rng.uniform(25, 32), rng.uniform(35, 45)
        elif kind == "mrbm":
            burn, acc, el = rng.uniform(70, 90), rng.uniform(30, 38), rng.uniform(30, 40)
        else:
            burn, acc, el = rng.uniform(40, 90), rng.uniform(25, 35), rng.uniform(30, 45)
        out.append(
            Launch(
                lat_deg=39.0 + rng.uniform(-0.6, 0.6),
                lon_deg=125.7 + rng.uniform(-0.6, 0.6),
                az_deg=float(rng.uniform(70, 110)),
                t0=t0 + float(rng.uniform(0, spread_s)),
                accel=float(acc),
                burn_s=float(burn),
                final_el_deg=float(el),
                name=f"L{i + 1}",
            )
        )
    return out


def fly(
    launches: Launch | list[Launch], dt: float = 0.5, max_s: float = 3000.0
) -> list[Trajectory]:
    """Propagate launches to impact with one batched RK4 (thrust along a pitch-over, then
    ballistic). Thrust switches off inside a step at burnout: the truth is what this integrator
    produces, sampled every ``dt``."""
    ls = [launches] if isinstance(launches, Launch) else list(launches)
    n = len(ls)
    lat = np.radians([x.lat_deg for x in ls])
    lon = np.radians([x.lon_deg for x in ls])
    rot_t = np.swapaxes(enu_rotation(lat, lon), 1, 2)  # ENU -> ECEF
    az = np.radians([x.az_deg for x in ls])
    burn = np.array([x.burn_s for x in ls])
    acc = np.array([x.accel for x in ls])
    fel = np.radians([x.final_el_deg for x in ls])
    x = np.zeros((n, 9))
    x[:, 0:3] = geodetic_to_ecef(lat, lon, np.zeros(n))
    one = np.ones(n)

    def f(tt: float, y: Array) -> Array:
        frac = np.clip((tt - 8.0) / (burn - 8.0), 0.0, 1.0)  # vertical 8 s, then pitch over
        el = 0.5 * np.pi - frac * (0.5 * np.pi - fel)
        enu = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=1)
        mag = np.where(tt < burn, acc * (1.0 + tt / burn), 0.0)
        y = y.copy()
        y[:, 6:9] = mag[:, None] * np.einsum("nij,nj->ni", rot_t, enu)
        return derivative(y, one)

    ts, xs = [0.0], [x.copy()]
    t = 0.0
    done = np.zeros(n, bool)
    end = np.full(n, -1)
    k = 0
    while t < max_s and not done.all():
        k1 = f(t, x)
        k2 = f(t + dt / 2, x + dt / 2 * k1)
        k3 = f(t + dt / 2, x + dt / 2 * k2)
        k4 = f(t + dt, x + dt * k3)
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        t += dt
        k += 1
        ts.append(t)
        xs.append(x.copy())
        hit = ~done & (altitude_approx(x[:, 0:3]) < 0.0) & (t > burn)
        end[hit] = k
        done |= hit
    end[end < 0] = k
    tarr = np.array(ts)
    arr = np.stack(xs, axis=1)  # [n, K, 9]
    out = []
    for i, launch in enumerate(ls):
        m = int(end[i]) + 1
        out.append(
            Trajectory(
                object_id=launch.name,
                t=launch.t0 + tarr[:m],
                ecef=arr[i, :m, 0:3].copy(),
                vel=arr[i, :m, 3:6].copy(),
                burning=tarr[:m] < launch.burn_s,
                meta={"burn_s": launch.burn_s},
            )
        )
    return out


def make_plots(
    trajs: list[Trajectory],
    radars: tuple[Radar, ...] = DEFAULT_RADARS,
    seed: int = 0,
    t_start: float | None = None,
    t_end: float | None = None,
    irs: tuple[IRSat, ...] = (),
) -> tuple[PlotBatch, NDArray[np.int64]]:
    """Plots of all sensors in time order and, per plot, the index of its truth object (-1 for
    clutter)."""
    rng = np.random.default_rng(seed)
    t0 = min(tr.t_start for tr in trajs) if t_start is None else t_start
    t1 = max(tr.t_end for tr in trajs) if t_end is None else t_end
    cols: dict[str, list[NDArray[Any]]] = {
        k: []
        for k in ("t", "s", "kind", "lat", "lon", "alt", "r", "az", "el", "rr", "sr", "sa", "srr")
    }
    truth: list[NDArray[np.int64]] = []
    sensors: list[tuple[str, float, float, float, float, float, float, bool]] = [
        (
            r.name,
            r.lat_deg,
            r.lon_deg,
            r.alt_m,
            r.rate_hz,
            r.offset_s,
            r.pd,
            False,
        )
        for r in radars
    ] + [(s.name, s.lat_deg, s.lon_deg, s.alt_m, s.rate_hz, s.offset_s, s.pd, True) for s in irs]
    for si, (_name, la, lo, al, rate, off, pd, is_ir) in enumerate(sensors):
        radar = None if is_ir else radars[si]
        irsat = irs[si - len(radars)] if is_ir else None
        times = np.arange(t0 + off, t1, 1.0 / rate)
        if not len(times):
            continue
        nt = len(times)
        lat, lon = math.radians(la), math.radians(lo)
        for oi, tr in enumerate(trajs):
            p, v, burn, valid = tr.at(times)
            az, el, rg = ecef_to_aer(p, lat, lon, al)
            if radar is not None:
                vis = valid & (el > radar.min_el_rad) & (rg < radar.max_range_m)
                sig_a = radar.sigma_ang_rad
            else:
                assert irsat is not None
                vis = valid & burn
                sig_a = irsat.sigma_ang_rad
            det = vis & (rng.random(nt) < pd)
            k = int(det.sum())
            if not k:
                continue
            cols["t"].append(times[det])
            cols["s"].append(np.full(k, si, np.int64))
            cols["kind"].append(np.full(k, KIND_IR if is_ir else KIND_RADAR, np.int8))
            cols["az"].append(np.mod(az[det] + rng.normal(0, sig_a, k), 2 * math.pi))
            cols["el"].append(np.clip(el[det] + rng.normal(0, sig_a, k), -1.5707, 1.5707))
            cols["sa"].append(np.full(k, sig_a))
            if radar is not None:
                cols["r"].append(rg[det] + rng.normal(0, radar.sigma_range_m, k))
                cols["sr"].append(np.full(k, radar.sigma_range_m))
                if radar.sigma_rr_mps is not None:
                    site = geodetic_to_ecef(lat, lon, al)
                    los = (p[det] - site) / rg[det][:, None]
                    rr = np.sum(los * v[det], axis=1)
                    cols["rr"].append(rr + rng.normal(0, radar.sigma_rr_mps, k))
                    cols["srr"].append(np.full(k, radar.sigma_rr_mps))
                else:
                    cols["rr"].append(np.full(k, np.nan))
                    cols["srr"].append(np.full(k, np.nan))
            else:
                cols["r"].append(np.full(k, np.nan))
                cols["sr"].append(np.full(k, np.nan))
                cols["rr"].append(np.full(k, np.nan))
                cols["srr"].append(np.full(k, np.nan))
            truth.append(np.full(k, oi, np.int64))
        if radar is not None and radar.clutter_per_scan > 0:
            nc = rng.poisson(radar.clutter_per_scan, nt)
            k = int(nc.sum())
            ct = np.repeat(times, nc)
            cols["t"].append(ct)
            cols["s"].append(np.full(k, si, np.int64))
            cols["kind"].append(np.full(k, KIND_RADAR, np.int8))
            cols["r"].append(rng.uniform(100e3, radar.max_range_m, k))
            cols["az"].append(
                np.mod(math.radians(radar.boresight_deg) + rng.uniform(-1.0, 1.0, k), 2 * math.pi)
            )
            cols["el"].append(rng.uniform(radar.min_el_rad, math.radians(45.0), k))
            cols["sa"].append(np.full(k, radar.sigma_ang_rad))
            cols["sr"].append(np.full(k, radar.sigma_range_m))
            if radar.sigma_rr_mps is not None:
                cols["rr"].append(rng.uniform(-3000, 3000, k))
                cols["srr"].append(np.full(k, radar.sigma_rr_mps))
            else:
                cols["rr"].append(np.full(k, np.nan))
                cols["srr"].append(np.full(k, np.nan))
            truth.append(np.full(k, -1, np.int64))
    t = np.concatenate(cols["t"])
    order = np.argsort(t, kind="stable")
    s = np.concatenate(cols["s"])[order]
    lat_arr = np.radians(np.array([x[1] for x in sensors]))[s]
    lon_arr = np.radians(np.array([x[2] for x in sensors]))[s]
    alt_arr = np.array([x[3] for x in sensors])[s]
    sa = np.concatenate(cols["sa"])[order]
    batch = PlotBatch(
        t=t[order],
        sensor=s.astype(np.int64),
        sensor_names=[x[0] for x in sensors],
        kind=np.concatenate(cols["kind"])[order].astype(np.int8),
        lat=lat_arr,
        lon=lon_arr,
        alt=alt_arr,
        range_m=np.concatenate(cols["r"])[order],
        az=np.concatenate(cols["az"])[order],
        el=np.concatenate(cols["el"])[order],
        range_rate=np.concatenate(cols["rr"])[order],
        sigma_range=np.concatenate(cols["sr"])[order],
        sigma_az=sa,
        sigma_el=sa.copy(),
        sigma_range_rate=np.concatenate(cols["srr"])[order],
    )
    return batch, np.concatenate(truth)[order]
