"""Vectorised plot generation: radars and space-based infrared over all scans and objects at once.

For each sensor the scan times are one array (staggered by the sensor's own phase); every object's
truth is interpolated at all of them in one call; visibility (horizon, range, field of regard,
Earth occlusion, burning motor), detection draws, noise and clutter are array operations. Each
sensor draws from its own ``numpy.random.Generator`` seeded from (scenario seed, sensor id), so the
same seed gives byte-identical files and adding a sensor changes no other sensor's plots.

Horizon: elevation is computed in the sensor's local geodetic (ENU) frame. The WGS84 ellipsoid is
convex and lies entirely below the tangent plane at any point on or above it, so an object whose
line of sight has negative elevation is below the radar's horizon, and one with elevation >= 0 is
in line of sight (no refraction modelled; 4/3-Earth refraction would add a few km of reach for
low targets, which matters little for ballistic missiles at hundreds of km altitude).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray

from trilink.geo.frames import (
    WGS84_A,
    WGS84_B,
    ecef_to_aer,
    ecef_to_geodetic,
    geodetic_to_ecef,
)
from trilink.physics.trajectory import Trajectory
from trilink.sensors.catalogue import SensorSpec

__all__ = [
    "Plots",
    "sensor_rng",
    "scan_times",
    "object_samples",
    "sample_objects",
    "radar_geometry",
    "radar_visible",
    "earth_occluded",
    "generate_plots",
    "write_plots_jsonl",
]

Array = NDArray[np.float64]
IntArray = NDArray[np.intp]
#: (t, obj, pos [N,3], vel [N,3], burning): :func:`sample_objects`' (time, object) pairs
Samples = tuple[Array, IntArray, Array, Array, NDArray[np.bool_]]
#: one sensor's plot columns by name (:data:`_COLUMNS` but ``sensor``)
_Columns = dict[str, Array | IntArray]

_MRAD = 1e-3
_TWO_PI = 2.0 * np.pi


@dataclass(frozen=True)
class Plots:
    """A batch of plots as parallel arrays (one row per plot), plus the truth behind each.

    ``truth`` is the index of the object in ``objects`` that produced the plot, or -1 for
    clutter; it is never written to a plot file. ``range_m``/``range_rate`` are NaN where the
    sensor does not measure them. ``available_t`` is when the plot reaches its user
    (``t + latency``).
    """

    sensors: tuple[SensorSpec, ...]
    objects: tuple[str, ...]
    t: Array
    sensor: IntArray
    range_m: Array
    az: Array
    el: Array
    range_rate: Array
    sigma_range: Array
    sigma_az: Array
    sigma_el: Array
    sigma_range_rate: Array
    available_t: Array
    truth: IntArray

    def __len__(self) -> int:
        return len(self.t)

    def select(self, mask: NDArray[np.bool_] | IntArray) -> Plots:
        """The plots at ``mask`` (boolean mask or index array)."""
        cols = {name: getattr(self, name)[mask] for name in _COLUMNS}
        return Plots(sensors=self.sensors, objects=self.objects, **cols)

    def of_sensor(self, sensor_id: str) -> Plots:
        idx = [s.id for s in self.sensors].index(sensor_id)
        return self.select(self.sensor == idx)


_COLUMNS = (
    "t",
    "sensor",
    "range_m",
    "az",
    "el",
    "range_rate",
    "sigma_range",
    "sigma_az",
    "sigma_el",
    "sigma_range_rate",
    "available_t",
    "truth",
)


def sensor_rng(seed: int, sensor_id: str) -> np.random.Generator:
    """The sensor's own generator: depends only on the scenario seed and the sensor id."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(sensor_id.encode())]))


def scan_times(spec: SensorSpec, t0: float, t1: float, rng: np.random.Generator) -> Array:
    """Scan times in [t0, t1]: t0 + phase + k * period; the phase staggers sensors' scans."""
    period = spec.scan_period_s
    # Always draw, so the rest of the stream does not depend on whether phase_s is set.
    drawn = float(rng.uniform(0.0, period))
    phase = drawn if spec.phase_s is None else spec.phase_s
    n = int(np.floor((t1 - t0 - phase) / period)) + 1
    return t0 + phase + period * np.arange(max(n, 0), dtype=np.float64)


def object_samples(
    trajectories: Sequence[Trajectory], times: Array
) -> Iterator[tuple[int, Array, Array, Array, NDArray[np.bool_]]]:
    """For each object that exists at some of the sorted ``times``: its index, those times, and
    its position [N,3], velocity [N,3] and burning flag [N] at them."""
    for k, traj in enumerate(trajectories):
        lo = np.searchsorted(times, traj.t_start, side="left")
        hi = np.searchsorted(times, traj.t_end, side="right")
        if hi <= lo:
            continue
        tq = times[lo:hi]
        p, v, burning, _ = traj.at(tq)
        yield k, tq, p, v, burning


def sample_objects(trajectories: Sequence[Trajectory], times: Array) -> Samples:
    """All (time, object) pairs where the object exists: (t, obj, pos [N,3], vel [N,3], burning)."""
    ts, objs, ps, vs, bs = [], [], [], [], []
    for k, tq, p, v, burning in object_samples(trajectories, times):
        ts.append(tq)
        objs.append(np.full(len(tq), k, dtype=np.intp))
        ps.append(p)
        vs.append(v)
        bs.append(burning)
    if not ts:
        empty = np.zeros(0)
        return empty, np.zeros(0, np.intp), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, bool)
    return (
        np.concatenate(ts),
        np.concatenate(objs),
        np.concatenate(ps),
        np.concatenate(vs),
        np.concatenate(bs),
    )


def _site(spec: SensorSpec) -> tuple[float, float, float]:
    return np.radians(spec.lat_deg), np.radians(spec.lon_deg), spec.alt_m


def radar_geometry(spec: SensorSpec, pos: Array) -> tuple[Array, Array, Array]:
    """True (azimuth, elevation, slant range) of ECEF points in the sensor's local ENU frame."""
    lat, lon, alt = _site(spec)
    return ecef_to_aer(pos, lat, lon, alt)


def _in_sector(spec: SensorSpec, az: Array) -> NDArray[np.bool_]:
    if spec.half_sector_deg >= 180.0:
        return np.ones(az.shape, dtype=bool)
    off = np.mod(az - np.radians(spec.boresight_az_deg) + np.pi, _TWO_PI) - np.pi
    inside: NDArray[np.bool_] = np.abs(off) <= np.radians(spec.half_sector_deg)
    return inside


def radar_visible(spec: SensorSpec, pos: Array) -> NDArray[np.bool_]:
    """Which ECEF points a radar can see: above its horizon and minimum elevation, in range and
    inside its field of regard (before the detection draw)."""
    az, el, rng = radar_geometry(spec, pos)
    mask: NDArray[np.bool_] = (
        (el >= np.radians(spec.min_elevation_deg))
        & (el <= np.radians(spec.max_elevation_deg))
        & (rng <= spec.max_range_km * 1e3)
        & (rng >= spec.min_range_km * 1e3)
        & _in_sector(spec, az)
    )
    return mask


def earth_occluded(origin: Array, pos: Array) -> NDArray[np.bool_]:
    """Whether the segment from ``origin`` [3] to each ECEF point [N,3] passes through the Earth.

    Scaling z by a/b turns the WGS84 ellipsoid into a sphere of radius a, where the test is the
    distance from the centre to the closest point of the segment.
    """
    scale = np.array([1.0, 1.0, WGS84_A / WGS84_B])
    o = origin * scale
    p = pos * scale
    d = p - o
    dd = np.einsum("ij,ij->i", d, d)
    s = np.clip(-(d @ o) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
    closest = o + s[:, None] * d
    # The relative margin (~3 mm) keeps an endpoint lying on the surface from hiding itself.
    hidden: NDArray[np.bool_] = np.einsum("ij,ij->i", closest, closest) < WGS84_A**2 * (1 - 1e-9)
    return hidden


def _radar(spec: SensorSpec, times: Array, seen: Samples, rng: np.random.Generator) -> _Columns:
    """A radar's plots of the objects ``seen`` at its scan ``times``, and clutter."""
    t, obj, pos, vel, _ = seen
    n = len(t)
    az, el, rng_m = radar_geometry(spec, pos)
    visible = radar_visible(spec, pos)
    # Draw full-size arrays whatever the visibility, so the stream layout depends only on n.
    detected = visible & (rng.random(n) < spec.pd)
    noise = rng.standard_normal((n, 4))
    has_rr = spec.sigma_range_rate_mps is not None
    sig_rr = spec.sigma_range_rate_mps or 0.0
    sig_az, sig_el = spec.sigma_az_mrad * _MRAD, spec.sigma_el_mrad * _MRAD
    lat, lon, alt = _site(spec)
    site = geodetic_to_ecef(lat, lon, alt)
    los = pos - site
    rr_true = np.einsum("ij,ij->i", vel, los) / np.maximum(rng_m, 1.0)

    m_range = rng_m + spec.bias_range_m + spec.sigma_range_m * noise[:, 0]
    m_az = az + spec.bias_az_mrad * _MRAD + sig_az * noise[:, 1]
    m_el = el + spec.bias_el_mrad * _MRAD + sig_el * noise[:, 2]
    m_rr = rr_true + sig_rr * noise[:, 3] if has_rr else np.full(n, np.nan)

    # Clutter: Poisson false plots per scan, uniform over the surveillance volume.
    counts = rng.poisson(spec.clutter_per_scan, len(times))
    nc = int(counts.sum())
    c_t = np.repeat(times, counts)
    c_u = rng.random((nc, 4))
    half = np.radians(spec.half_sector_deg)
    c_range = spec.min_range_km * 1e3 + c_u[:, 0] * (spec.max_range_km - spec.min_range_km) * 1e3
    c_az = np.radians(spec.boresight_az_deg) + (2.0 * c_u[:, 1] - 1.0) * half
    el_lo, el_hi = np.radians(spec.min_elevation_deg), np.radians(spec.max_elevation_deg)
    c_el = el_lo + c_u[:, 2] * (el_hi - el_lo)
    c_rr = (2.0 * c_u[:, 3] - 1.0) * 3000.0 if has_rr else np.full(nc, np.nan)

    d = detected
    nd = int(d.sum())
    ntot = nd + nc
    return dict(
        t=np.concatenate([t[d], c_t]),
        range_m=np.concatenate([m_range[d], c_range]),
        az=np.mod(np.concatenate([m_az[d], c_az]), _TWO_PI),
        el=np.clip(np.concatenate([m_el[d], c_el]), -np.pi / 2, np.pi / 2),
        range_rate=np.concatenate([m_rr[d], c_rr]),
        sigma_range=np.full(ntot, spec.sigma_range_m),
        sigma_az=np.full(ntot, sig_az),
        sigma_el=np.full(ntot, sig_el),
        sigma_range_rate=np.full(ntot, sig_rr if has_rr else np.nan),
        available_t=np.concatenate([t[d], c_t]) + spec.latency_s,
        truth=np.concatenate([obj[d], np.full(nc, -1, dtype=np.intp)]),
    )


def _ir(spec: SensorSpec, times: Array, seen: Samples, rng: np.random.Generator) -> _Columns:
    """A space-based infrared sensor's plots of the burning objects ``seen`` at its scan
    ``times``, and clutter."""
    t, obj, pos, _, burning = seen
    n = len(t)
    lat, lon, alt = _site(spec)
    sat = geodetic_to_ecef(lat, lon, alt)
    az, el, rng_m = ecef_to_aer(pos, lat, lon, alt)
    _, _, tgt_alt = ecef_to_geodetic(pos) if n else (np.zeros(0), np.zeros(0), np.zeros(0))
    visible = (
        burning
        & (tgt_alt >= spec.min_target_alt_km * 1e3)
        & (rng_m <= spec.max_range_km * 1e3)
        & ~earth_occluded(sat, pos)
    )
    detected = visible & (rng.random(n) < spec.pd)
    noise = rng.standard_normal((n, 2))
    sig = spec.sigma_el_mrad * _MRAD
    sig_az_los = spec.sigma_az_mrad * _MRAD
    # Noise is isotropic across the line of sight; in azimuth that is sigma / cos(el), which
    # grows near nadir where azimuth degenerates, so the reported sigma grows with it.
    sig_az = sig_az_los / np.maximum(np.cos(el), 1e-6)
    m_az = az + spec.bias_az_mrad * _MRAD + sig_az * noise[:, 0]
    m_el = el + spec.bias_el_mrad * _MRAD + sig * noise[:, 1]

    counts = rng.poisson(spec.clutter_per_scan, len(times))
    nc = int(counts.sum())
    c_t = np.repeat(times, counts)
    c_u = rng.random((nc, 3))
    la0, la1, lo0, lo1 = spec.clutter_box_deg or (-10.0, 10.0, spec.lon_deg - 10, spec.lon_deg + 10)
    c_pos = geodetic_to_ecef(
        np.radians(la0 + c_u[:, 0] * (la1 - la0)),
        np.radians(lo0 + c_u[:, 1] * (lo1 - lo0)),
        10e3 + c_u[:, 2] * 50e3,
    ).reshape(-1, 3)
    keep = ~earth_occluded(sat, c_pos)
    c_t = c_t[keep]
    c_az, c_el, _ = ecef_to_aer(c_pos[keep], lat, lon, alt)
    nc = len(c_t)
    c_sig_az = sig_az_los / np.maximum(np.cos(c_el), 1e-6)

    d = detected
    ntot = int(d.sum()) + nc
    nan = np.full(ntot, np.nan)
    tt = np.concatenate([t[d], c_t])
    return dict(
        t=tt,
        range_m=nan,
        az=np.mod(np.concatenate([m_az[d], c_az]), _TWO_PI),
        el=np.clip(np.concatenate([m_el[d], c_el]), -np.pi / 2, np.pi / 2),
        range_rate=nan,
        sigma_range=nan,
        sigma_az=np.concatenate([sig_az[d], c_sig_az]),
        sigma_el=np.full(ntot, sig),
        sigma_range_rate=nan,
        available_t=tt + spec.latency_s,
        truth=np.concatenate([obj[d], np.full(nc, -1, dtype=np.intp)]),
    )


def generate_plots(
    sensors: Sequence[SensorSpec],
    trajectories: Sequence[Trajectory],
    t0: float,
    t1: float,
    seed: int,
) -> Plots:
    """All sensors' plots of all objects over [t0, t1], sorted by (t, sensor, azimuth)."""
    parts = []
    for idx, spec in enumerate(sensors):
        rng = sensor_rng(seed, spec.id)
        times = scan_times(spec, t0, t1, rng)
        make = _radar if spec.kind == "radar" else _ir
        part = make(spec, times, sample_objects(trajectories, times), rng)
        part["sensor"] = np.full(len(part["t"]), idx, dtype=np.intp)
        parts.append(part)
    cols: dict[str, Array | IntArray] = {}
    for name in _COLUMNS:
        if parts:
            cols[name] = np.concatenate([p[name] for p in parts])
        else:
            cols[name] = np.zeros(0, dtype=np.intp if name in ("sensor", "truth") else float)
    # A sensor reports a scan in azimuth order, so true plots and clutter interleave naturally
    # and the order leaks nothing about which is which.
    order = np.lexsort((cols["az"], cols["sensor"], cols["t"]))
    sorted_cols = {name: col[order] for name, col in cols.items()}
    return Plots(
        sensors=tuple(sensors),
        objects=tuple(tr.object_id for tr in trajectories),
        **sorted_cols,  # type: ignore[arg-type]
    )


def _fmt(x: float) -> str:
    return repr(x)


def write_plots_jsonl(plots: Plots, out: str | Path | IO[str]) -> int:
    """Write plots as JSON Lines (docs/formats.md); returns the number of lines.

    Values are rounded (mm, nano-radians, µs) so files are compact and stable across platforms.
    Plots from sensors with a latency carry ``available_t``.
    """
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="\n") as fh:
            return write_plots_jsonl(plots, fh)
    heads = []
    for s in plots.sensors:
        heads.append(
            f'"sensor": "{s.id}", "kind": "{s.kind}", "lat": {_fmt(round(s.lat_deg, 7))}, '
            f'"lon": {_fmt(round(s.lon_deg, 7))}, "alt_m": {_fmt(round(s.alt_m, 3))}'
        )
    t = np.round(plots.t, 6).tolist()
    sensor = plots.sensor.tolist()
    rng = np.round(plots.range_m, 3).tolist()
    az = np.round(plots.az, 9).tolist()
    el = np.round(plots.el, 9).tolist()
    rr = np.round(plots.range_rate, 4).tolist()
    s_r = plots.sigma_range.tolist()
    s_az = np.round(plots.sigma_az, 12).tolist()
    s_el = np.round(plots.sigma_el, 12).tolist()
    s_rr = plots.sigma_range_rate.tolist()
    avail = np.round(plots.available_t, 6).tolist()
    kinds = [s.kind for s in plots.sensors]
    latent = [s.latency_s > 0 for s in plots.sensors]
    lines = []
    for i in range(len(t)):
        k = sensor[i]
        parts = [f'{{"t": {t[i]!r}, {heads[k]}']
        if kinds[k] == "radar":
            parts.append(f'"range_m": {rng[i]!r}')
        parts.append(f'"az_rad": {az[i]!r}, "el_rad": {el[i]!r}')
        has_rr = rr[i] == rr[i]  # not NaN
        if has_rr:
            parts.append(f'"range_rate_mps": {rr[i]!r}')
        if kinds[k] == "radar":
            parts.append(f'"sigma_range_m": {s_r[i]!r}')
        parts.append(f'"sigma_az_rad": {s_az[i]!r}, "sigma_el_rad": {s_el[i]!r}')
        if has_rr:
            parts.append(f'"sigma_range_rate_mps": {s_rr[i]!r}')
        if latent[k]:
            parts.append(f'"available_t": {avail[i]!r}')
        lines.append(", ".join(parts) + "}\n")
    out.write("".join(lines))
    return len(lines)
