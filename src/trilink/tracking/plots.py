"""Plots as a columnar batch (NumPy arrays, no per-plot objects) and the JSON Lines reader.

The file format is in ``docs/formats.md``. Bad plots never crash anything: the reader turns a line
it cannot use into a :class:`PlotIssue` (line number, sensor, reason) and goes on;
:func:`check_plots` does the numerical checks (finite values, units, ranges) that both the
reader and the push API (:meth:`trilink.tracking.Tracker.update`) apply.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trilink import TrilinkError
from trilink.geo import geodetic_to_ecef
from trilink.geo.frames import enu_rotation

__all__ = [
    "KIND_RADAR",
    "KIND_IR",
    "PlotBatch",
    "PlotIssue",
    "check_plots",
    "from_sensor_plots",
    "read_plots",
]

Array = NDArray[np.float64]

KIND_RADAR = 0
KIND_IR = 1

_TWO_PI = 2.0 * math.pi


@dataclass(frozen=True)
class PlotIssue:
    """One plot rejected (or handled) and why; ``line`` is 1-based in the file, or -1."""

    reason: str
    sensor: str = ""
    line: int = -1
    t: float = math.nan

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line >= 0 else ""
        who = f"sensor {self.sensor}: " if self.sensor else ""
        return f"{where}{who}{self.reason}"


@dataclass
class PlotBatch:
    """A batch of plots as columns. Angles in radians, lengths in metres, times UTC seconds.

    ``sensor`` indexes ``sensor_names``. Missing values (range of an IR plot, absent range
    rate) are NaN. ``line`` keeps each plot's source line for messages (-1 if none).
    """

    t: Array
    sensor: NDArray[np.int64]
    sensor_names: list[str]
    kind: NDArray[np.int8]
    lat: Array
    lon: Array
    alt: Array
    range_m: Array
    az: Array
    el: Array
    range_rate: Array
    sigma_range: Array
    sigma_az: Array
    sigma_el: Array
    sigma_range_rate: Array
    line: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        n = len(self.t)
        if len(self.line) != n:
            self.line = np.full(n, -1, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.t)

    @classmethod
    def empty(cls) -> PlotBatch:
        z = np.zeros(0)
        return cls(
            t=z,
            sensor=np.zeros(0, np.int64),
            sensor_names=[],
            kind=np.zeros(0, np.int8),
            lat=z,
            lon=z,
            alt=z,
            range_m=z,
            az=z,
            el=z,
            range_rate=z,
            sigma_range=z,
            sigma_az=z,
            sigma_el=z,
            sigma_range_rate=z,
        )

    @classmethod
    def from_columns(
        cls,
        *,
        t: Any,
        sensor: Sequence[str] | NDArray[Any],
        lat_deg: Any,
        lon_deg: Any,
        alt_m: Any,
        az_rad: Any,
        el_rad: Any,
        range_m: Any = None,
        kind: Sequence[str] | None = None,
        range_rate_mps: Any = None,
        sigma_range_m: Any = None,
        sigma_az_rad: Any = 5e-4,
        sigma_el_rad: Any = 5e-4,
        sigma_range_rate_mps: Any = None,
    ) -> PlotBatch:
        """Build a batch from array-likes in the file's units (degrees for the site)."""
        tt = np.atleast_1d(np.asarray(t, dtype=np.float64))
        n = len(tt)

        def col(v: Any, default: float = math.nan) -> Array:
            if v is None:
                return np.full(n, default)
            return np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)).copy()

        names, inv = np.unique(np.asarray(sensor, dtype=str), return_inverse=True)
        kinds = (
            np.zeros(n, np.int8)
            if kind is None
            else np.array([KIND_IR if k == "ir" else KIND_RADAR for k in kind], np.int8)
        )
        return cls(
            t=tt,
            sensor=inv.astype(np.int64).reshape(n),
            sensor_names=[str(s) for s in names],
            kind=kinds,
            lat=np.radians(col(lat_deg)),
            lon=np.radians(col(lon_deg)),
            alt=col(alt_m),
            range_m=col(range_m),
            az=col(az_rad),
            el=col(el_rad),
            range_rate=col(range_rate_mps),
            sigma_range=col(sigma_range_m),
            sigma_az=col(sigma_az_rad),
            sigma_el=col(sigma_el_rad),
            sigma_range_rate=col(sigma_range_rate_mps),
        )

    def select(self, mask: NDArray[np.bool_] | NDArray[np.int64]) -> PlotBatch:
        """The plots at ``mask`` (boolean mask or index array), sharing sensor names."""
        return PlotBatch(
            t=self.t[mask],
            sensor=self.sensor[mask],
            sensor_names=self.sensor_names,
            kind=self.kind[mask],
            lat=self.lat[mask],
            lon=self.lon[mask],
            alt=self.alt[mask],
            range_m=self.range_m[mask],
            az=self.az[mask],
            el=self.el[mask],
            range_rate=self.range_rate[mask],
            sigma_range=self.sigma_range[mask],
            sigma_az=self.sigma_az[mask],
            sigma_el=self.sigma_el[mask],
            sigma_range_rate=self.sigma_range_rate[mask],
            line=self.line[mask],
        )

    def site_ecef(self) -> Array:
        """Each plot's sensor position in ECEF [N, 3]."""
        return geodetic_to_ecef(self.lat, self.lon, self.alt)

    def site_rotation(self) -> Array:
        """Each plot's ECEF→ENU rotation [N, 3, 3]."""
        return enu_rotation(self.lat, self.lon)

    def to_records(self) -> list[dict[str, Any]]:
        """Plots as dicts in the file format (for writing test files)."""
        out: list[dict[str, Any]] = []
        for i in range(len(self)):
            rec: dict[str, Any] = {
                "t": float(self.t[i]),
                "sensor": self.sensor_names[int(self.sensor[i])],
                "kind": "ir" if self.kind[i] == KIND_IR else "radar",
                "lat": math.degrees(self.lat[i]),
                "lon": math.degrees(self.lon[i]),
                "alt_m": float(self.alt[i]),
                "az_rad": float(self.az[i]),
                "el_rad": float(self.el[i]),
                "sigma_az_rad": float(self.sigma_az[i]),
                "sigma_el_rad": float(self.sigma_el[i]),
            }
            if self.kind[i] == KIND_RADAR:
                rec["range_m"] = float(self.range_m[i])
                rec["sigma_range_m"] = float(self.sigma_range[i])
            if np.isfinite(self.range_rate[i]):
                rec["range_rate_mps"] = float(self.range_rate[i])
                rec["sigma_range_rate_mps"] = float(self.sigma_range_rate[i])
            out.append(rec)
        return out


def check_plots(batch: PlotBatch) -> tuple[NDArray[np.bool_], list[PlotIssue]]:
    """Numerical checks of every plot; returns the mask of good plots and the issues.

    Catches NaN/inf, angles outside their radian ranges (the usual sign of degrees in a radian
    field), impossible site coordinates, non-positive ranges and noise figures. A bad optional
    range rate is dropped (the plot is kept) rather than rejecting the plot.
    """
    n = len(batch)
    issues: list[PlotIssue] = []
    ok = np.ones(n, dtype=bool)
    radar = batch.kind == KIND_RADAR

    def flag(mask: NDArray[np.bool_], reason: str) -> None:
        bad = mask & ok
        if not bad.any():
            return
        for i in np.flatnonzero(bad)[:1000]:
            issues.append(
                PlotIssue(
                    reason,
                    batch.sensor_names[int(batch.sensor[i])] if batch.sensor_names else "",
                    int(batch.line[i]),
                    float(batch.t[i]),
                )
            )
        ok[bad] = False

    with np.errstate(invalid="ignore"):
        flag(~np.isfinite(batch.t), "time is not a finite number")
        for name, arr in (
            ("lat", batch.lat),
            ("lon", batch.lon),
            ("alt_m", batch.alt),
            ("az_rad", batch.az),
            ("el_rad", batch.el),
            ("sigma_az_rad", batch.sigma_az),
            ("sigma_el_rad", batch.sigma_el),
        ):
            flag(~np.isfinite(arr), f"{name} is missing or not a finite number")
        flag(radar & ~np.isfinite(batch.range_m), "range_m is missing or not a finite number")
        flag(radar & ~np.isfinite(batch.sigma_range), "sigma_range_m missing or not finite")
        flag(np.abs(batch.lat) > math.pi / 2, "lat outside [-90, 90] degrees")
        flag(np.abs(batch.lon) > 2 * math.pi, "lon outside [-360, 360] degrees")
        flag(
            (batch.az < -1e-9) | (batch.az > _TWO_PI + 1e-9),
            "az_rad outside [0, 2π): degrees in a radian field?",
        )
        flag(
            np.abs(batch.el) > math.pi / 2 + 1e-9,
            "el_rad outside [-π/2, π/2]: degrees in a radian field?",
        )
        flag(radar & ~(batch.range_m > 0), "range_m must be positive")
        flag(radar & ~(batch.sigma_range > 0), "sigma_range_m must be positive")
        flag(~((batch.sigma_az > 0) & (batch.sigma_el > 0)), "angle sigmas must be positive")
        flag(
            (batch.sigma_az > 0.2) | (batch.sigma_el > 0.2),
            "angle sigma above 0.2 rad: degrees in a radian field?",
        )
        flag((batch.alt < -1.2e4) | (batch.alt > 5e7), "alt_m outside [-12 km, 50,000 km]")
        rr_present = ~np.isnan(batch.range_rate)
        rr_bad = rr_present & ~(
            np.isfinite(batch.range_rate)
            & np.isfinite(batch.sigma_range_rate)
            & (batch.sigma_range_rate > 0)
            & (np.abs(batch.range_rate) < 2e4)
        )
    for i in np.flatnonzero(rr_bad & ok)[:1000]:
        issues.append(
            PlotIssue(
                "range_rate_mps unusable (non-finite, >20 km/s or no positive sigma); dropped",
                batch.sensor_names[int(batch.sensor[i])],
                int(batch.line[i]),
                float(batch.t[i]),
            )
        )
    batch.range_rate[rr_bad] = np.nan
    return ok, issues


_FLOAT_KEYS = (
    "t",
    "lat",
    "lon",
    "alt_m",
    "range_m",
    "az_rad",
    "el_rad",
    "range_rate_mps",
    "sigma_range_m",
    "sigma_az_rad",
    "sigma_el_rad",
    "sigma_range_rate_mps",
)
_REQUIRED = ("t", "sensor", "lat", "lon", "alt_m", "az_rad", "el_rad")
#: keys of the format, and the simulator's documented extra (docs/formats.md)
_KNOWN_KEYS = frozenset(_FLOAT_KEYS) | {"sensor", "kind", "available_t"}


def _num(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return math.nan
    return float(v)


def records_to_batch(
    records: Iterable[tuple[int, Mapping[str, Any]]],
) -> tuple[PlotBatch, list[PlotIssue]]:
    """(line number, record) pairs -> batch; records missing required keys become issues."""
    issues: list[PlotIssue] = []
    cols: dict[str, list[float]] = {k: [] for k in _FLOAT_KEYS}
    sensors: list[str] = []
    kinds: list[int] = []
    lines: list[int] = []
    for lineno, rec in records:
        missing = [k for k in _REQUIRED if k not in rec]
        sensor = rec.get("sensor")
        if missing or not isinstance(sensor, str) or not sensor:
            why = f"missing {', '.join(missing)}" if missing else "sensor must be a string"
            issues.append(PlotIssue(why, str(sensor or ""), lineno))
            continue
        kind = rec.get("kind", "radar")
        if kind not in ("radar", "ir"):
            issues.append(PlotIssue(f"unknown kind {kind!r}", sensor, lineno))
            continue
        for k in _FLOAT_KEYS:
            cols[k].append(_num(rec.get(k, math.nan)))
        sensors.append(sensor)
        kinds.append(KIND_IR if kind == "ir" else KIND_RADAR)
        lines.append(lineno)
    if not sensors:
        return PlotBatch.empty(), issues
    names, inv = np.unique(np.array(sensors), return_inverse=True)
    a = {k: np.array(v, dtype=np.float64) for k, v in cols.items()}
    batch = PlotBatch(
        t=a["t"],
        sensor=inv.astype(np.int64),
        sensor_names=[str(s) for s in names],
        kind=np.array(kinds, np.int8),
        lat=np.radians(a["lat"]),
        lon=np.radians(a["lon"]),
        alt=a["alt_m"],
        range_m=a["range_m"],
        az=a["az_rad"],
        el=a["el_rad"],
        range_rate=a["range_rate_mps"],
        sigma_range=a["sigma_range_m"],
        sigma_az=a["sigma_az_rad"],
        sigma_el=a["sigma_el_rad"],
        sigma_range_rate=a["sigma_range_rate_mps"],
        line=np.array(lines, np.int64),
    )
    return batch, issues


def _lines(fh: Any, p: Path) -> Iterable[tuple[int, str]]:
    try:
        yield from enumerate(fh, start=1)
    except UnicodeDecodeError as exc:
        raise TrilinkError(f"plots {p} are not UTF-8 text: {exc.reason}") from exc


def read_plots(path: str | Path) -> tuple[PlotBatch, list[PlotIssue]]:
    """Read a plot file; returns the good plots in time order and every issue found.

    Lines that are not JSON objects, lack required keys or fail :func:`check_plots` are left out
    and reported. Out-of-order lines are put in time order (reported once). Unknown keys are
    ignored, as the format requires (a newer writer may add some), and named once in an issue
    that rejects nothing (``line`` -1), so a misspelt optional key (``range_rate``) is seen.
    """
    p = Path(path)
    try:
        fh = p.open("r", encoding="utf-8")
    except OSError as exc:
        raise TrilinkError(f"cannot read plots {p}: {exc.strerror or exc}") from exc
    issues: list[PlotIssue] = []
    recs: list[tuple[int, Mapping[str, Any]]] = []
    unknown: dict[str, list[int]] = {}  # key -> [plots, first line]
    with fh:
        for lineno, text in _lines(fh, p):
            s = text.strip()
            if not s:
                continue
            try:
                obj = json.loads(s)
            except json.JSONDecodeError as exc:
                issues.append(PlotIssue(f"not JSON ({exc.msg})", line=lineno))
                continue
            if not isinstance(obj, dict):
                issues.append(PlotIssue("not a JSON object", line=lineno))
                continue
            recs.append((lineno, obj))
            for k in obj.keys() - _KNOWN_KEYS:
                seen = unknown.setdefault(str(k), [0, lineno])
                seen[0] += 1
    batch, more = records_to_batch(recs)
    issues.extend(more)
    ok, more = check_plots(batch)
    issues.extend(more)
    batch = batch.select(ok)
    if len(batch) > 1 and np.any(np.diff(batch.t) < 0):
        n_back = int(np.sum(np.diff(batch.t) < 0))
        issues.append(PlotIssue(f"{n_back} plot(s) out of time order; sorted by time"))
        batch = batch.select(np.argsort(batch.t, kind="stable"))
    if unknown:
        named = ", ".join(
            f"{k!r} ({n} plot(s), first on line {first})"
            for k, (n, first) in sorted(unknown.items())
        )
        issues.append(PlotIssue(f"unknown key(s) ignored: {named}"))
    return batch, issues


def from_sensor_plots(plots: Any) -> PlotBatch:
    """A :class:`trilink.sensors.plots.Plots` batch (the simulator's in-memory plots) as a
    :class:`PlotBatch` — the same content as its plot file, without the file."""
    specs = plots.sensors
    idx = np.asarray(plots.sensor, dtype=np.int64)
    lat = np.radians(np.array([sp.lat_deg for sp in specs], dtype=np.float64))
    lon = np.radians(np.array([sp.lon_deg for sp in specs], dtype=np.float64))
    alt = np.array([sp.alt_m for sp in specs], dtype=np.float64)
    kind = np.array([KIND_IR if sp.kind == "ir" else KIND_RADAR for sp in specs], np.int8)
    return PlotBatch(
        t=np.asarray(plots.t, dtype=np.float64),
        sensor=idx,
        sensor_names=[sp.id for sp in specs],
        kind=kind[idx] if len(idx) else np.zeros(0, np.int8),
        lat=lat[idx] if len(idx) else np.zeros(0),
        lon=lon[idx] if len(idx) else np.zeros(0),
        alt=alt[idx] if len(idx) else np.zeros(0),
        range_m=np.asarray(plots.range_m, dtype=np.float64),
        az=np.asarray(plots.az, dtype=np.float64),
        el=np.asarray(plots.el, dtype=np.float64),
        range_rate=np.asarray(plots.range_rate, dtype=np.float64),
        sigma_range=np.asarray(plots.sigma_range, dtype=np.float64),
        sigma_az=np.asarray(plots.sigma_az, dtype=np.float64),
        sigma_el=np.asarray(plots.sigma_el, dtype=np.float64),
        sigma_range_rate=np.asarray(plots.sigma_range_rate, dtype=np.float64),
    )
