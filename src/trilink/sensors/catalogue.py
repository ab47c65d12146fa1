"""The public sensor catalogue: sensor types with notional performance, and approximate sites.

Data live in ``sensors/data/sites.toml`` (sources in ``docs/sources.md``). A sensor is a type's
defaults merged with a site's fields (or, for ships, a scenario's platform entry and overrides),
validated by one strict msgspec schema, so a typo in a data or scenario file is an error rather
than a silently ignored key.
"""

from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import msgspec

from trilink import NATIONS, TrilinkError

__all__ = [
    "SensorSpec",
    "Catalogue",
    "load_catalogue",
    "make_sensor",
]

_POSITIVE = (
    "max_range_km",
    "scan_period_s",
)
_NON_NEGATIVE = (
    "min_range_km",
    "clutter_per_scan",
    "sigma_range_m",
    "sigma_az_mrad",
    "sigma_el_mrad",
    "latency_s",
    "min_target_alt_km",
)


class SensorSpec(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """One sensor: where it is and how it measures. Angles in degrees / milliradians as named."""

    id: str
    nation: str
    type: str
    kind: Literal["radar", "ir"]
    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    max_range_km: float
    min_range_km: float = 0.0
    min_elevation_deg: float = 0.5
    max_elevation_deg: float = 90.0
    boresight_az_deg: float = 0.0
    half_sector_deg: float = 180.0
    scan_period_s: float = 1.0
    #: offset of the first scan after the scenario start; None = drawn from the sensor's seed
    phase_s: float | None = None
    pd: float = 0.9
    clutter_per_scan: float = 0.0
    sigma_range_m: float = 0.0
    sigma_az_mrad: float = 1.0
    sigma_el_mrad: float = 1.0
    sigma_range_rate_mps: float | None = None
    bias_range_m: float = 0.0
    bias_az_mrad: float = 0.0
    bias_el_mrad: float = 0.0
    latency_s: float = 0.0
    min_target_alt_km: float = 0.0
    clutter_box_deg: tuple[float, float, float, float] | None = None
    platform: bool = False
    approximate: bool = True
    source: str = ""
    note: str = ""

    def problem(self) -> str | None:
        """The first thing wrong with this spec, as 'field: reason', or None."""
        for name in self.__struct_fields__:
            value = getattr(self, name)
            values = value if isinstance(value, tuple) else (value,)
            for v in values:
                if isinstance(v, float) and not math.isfinite(v):
                    return f"{name}: must be finite, got {v}"
        if self.nation not in NATIONS:
            return f"nation: must be one of {', '.join(NATIONS)}, got {self.nation!r}"
        for name in _POSITIVE:
            if getattr(self, name) <= 0:
                return f"{name}: must be > 0"
        for name in _NON_NEGATIVE:
            if getattr(self, name) < 0:
                return f"{name}: must be >= 0"
        if self.sigma_range_rate_mps is not None and self.sigma_range_rate_mps < 0:
            return "sigma_range_rate_mps: must be >= 0"
        if not 0.0 <= self.pd <= 1.0:
            return "pd: must be within [0, 1]"
        if not -90.0 <= self.lat_deg <= 90.0:
            return "lat_deg: must be within [-90, 90]"
        if not -180.0 <= self.lon_deg <= 360.0:
            return "lon_deg: must be within [-180, 360]"
        if self.min_range_km >= self.max_range_km:
            return "min_range_km: must be below max_range_km"
        if not 0.0 < self.half_sector_deg <= 180.0:
            return "half_sector_deg: must be within (0, 180]"
        if self.kind == "radar" and not 0.0 <= self.min_elevation_deg < self.max_elevation_deg:
            # A radar never sees below its own horizon, so a negative floor is refused outright.
            return "min_elevation_deg: a radar needs 0 <= min_elevation_deg < max_elevation_deg"
        if self.max_elevation_deg > 90.0 or self.min_elevation_deg < -90.0:
            return "max_elevation_deg: elevations lie within [-90, 90]"
        if self.phase_s is not None and not 0.0 <= self.phase_s < self.scan_period_s:
            return "phase_s: must be within [0, scan_period_s)"
        if self.clutter_box_deg is not None:
            la0, la1, lo0, lo1 = self.clutter_box_deg
            if not (-90.0 <= la0 < la1 <= 90.0 and lo0 < lo1):
                return "clutter_box_deg: need lat_min < lat_max, lon_min < lon_max"
        return None


class Catalogue(msgspec.Struct, frozen=True):
    """Fixed sites (ready sensors) and the sensor types, including movable platform types."""

    sites: dict[str, SensorSpec]
    types: dict[str, dict[str, Any]]

    def platform_types(self) -> list[str]:
        return [name for name, t in self.types.items() if t.get("platform", False)]


def make_sensor(fields: dict[str, Any], types: dict[str, dict[str, Any]], where: str) -> SensorSpec:
    """Merge a type's defaults under ``fields`` and validate; errors name ``where``."""
    type_name = fields.get("type")
    if not isinstance(type_name, str) or type_name not in types:
        known = ", ".join(sorted(types))
        raise TrilinkError(f"{where}: type: unknown sensor type {type_name!r} (known: {known})")
    merged = {**types[type_name], **fields}
    try:
        spec = msgspec.convert(merged, type=SensorSpec)
    except msgspec.ValidationError as exc:
        raise TrilinkError(f"{where}: {exc}") from None
    problem = spec.problem()
    if problem is not None:
        raise TrilinkError(f"{where}: {problem}")
    return spec


def _parse(text: str, origin: str) -> Catalogue:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TrilinkError(f"{origin}: invalid TOML: {exc}") from None
    types = doc.get("types", {})
    sites: dict[str, SensorSpec] = {}
    for i, raw in enumerate(doc.get("sites", [])):
        spec = make_sensor(raw, types, f"{origin}: sites[{i}]")
        if spec.platform:
            raise TrilinkError(f"{origin}: sites[{i}]: type {spec.type!r} is a movable platform")
        if spec.id in sites:
            raise TrilinkError(f"{origin}: sites[{i}]: id: duplicate sensor id {spec.id!r}")
        sites[spec.id] = spec
    return Catalogue(sites=sites, types=types)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The shipped public catalogue (parsed once per process)."""
    text = resources.files("trilink.sensors").joinpath("data", "sites.toml").read_text("utf-8")
    return _parse(text, "sensors/data/sites.toml")
