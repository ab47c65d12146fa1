"""The scenario file (TOML): schema, strict validation, and the shipped library.

A scenario fixes everything a run depends on: the epoch, the seed, the launches, and which
sensors of which nation watch. Validation is strict (unknown keys, wrong types, NaN, unknown
sites or missiles are errors) and every error is one line naming the file and the field, because
an exercise built on a silently misread file is worse than no exercise.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

from trilink import NATIONS, TrilinkError
from trilink.sensors.catalogue import SensorSpec, load_catalogue, make_sensor

__all__ = [
    "Burnout",
    "Launch",
    "Platform",
    "Scenario",
    "LaunchSite",
    "launch_sites",
    "library_names",
    "resolve_scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_sensors",
    "known_missiles",
]


class Burnout(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """An explicit burnout state: time after launch, speed, flight-path angle above horizontal."""

    time_s: float
    speed_mps: float
    flight_path_angle_deg: float


class Launch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """One launch. Place by ``site`` (a name in the launch-site list) or ``lat_deg``/``lon_deg``;
    shape by ``apogee_km`` and/or ``range_km`` (range alone: the minimum-energy arc; apogee
    alone: the missile's full load pitched to that apogee), or by an explicit ``burnout``, or by
    none of them (the missile's nominal flight)."""

    id: str
    missile: str
    azimuth_deg: float
    time_s: float = 0.0
    site: str | None = None
    lat_deg: float | None = None
    lon_deg: float | None = None
    apogee_km: float | None = None
    range_km: float | None = None
    burnout: Burnout | None = None
    note: str = ""


class Platform(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """A movable sensor platform (ship) placed for this scenario."""

    id: str
    nation: str
    type: str
    lat_deg: float
    lon_deg: float
    alt_m: float = 25.0
    name: str = ""


class Scenario(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """A whole scenario. Times in the file are seconds after ``epoch`` (an ISO 8601 UTC time)."""

    name: str
    title: str
    epoch: datetime
    seed: int
    duration_s: float
    launches: list[Launch]
    sensors: dict[str, list[str]]
    truth_interval_s: float = 1.0
    platforms: list[Platform] = []
    #: multiplies every sensor's clutter rate (0 turns clutter off)
    clutter_scale: float = 1.0
    #: per-sensor field overrides, e.g. ``[sensor_overrides.KOR-GP-1] pd = 0.8``
    sensor_overrides: dict[str, dict[str, Any]] = {}
    description: str = ""
    sources: list[str] = []
    #: where the scenario was read from (set by the loader, not by the file)
    path: str = ""

    @property
    def epoch_s(self) -> float:
        """The epoch as UTC POSIX seconds."""
        return self.epoch.timestamp()

    @property
    def end_s(self) -> float:
        return self.epoch_s + self.duration_s


class LaunchSite(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    lat_deg: float
    lon_deg: float
    note: str = ""


@lru_cache(maxsize=1)
def launch_sites() -> dict[str, LaunchSite]:
    """The public (approximate) DPRK launch areas, by name (shared list in :mod:`trilink.geo`)."""
    from trilink.geo.places import launch_sites as places

    return {k: LaunchSite(p.lat, p.lon, p.note) for k, p in places().items()}


def known_missiles() -> set[str]:
    """Missile names from the physics catalogue."""
    from trilink.physics import MISSILES

    return set(MISSILES)


def _library_dir() -> Any:
    return resources.files("trilink.scenarios").joinpath("library")


def library_names() -> list[str]:
    """Names of the shipped scenarios (file names without ``.toml``), sorted."""
    return sorted(
        p.name[: -len(".toml")] for p in _library_dir().iterdir() if p.name.endswith(".toml")
    )


def resolve_scenario(name: str) -> tuple[str, str]:
    """(origin label, TOML text) for a library name or a path to a TOML file."""
    if name in library_names():
        return f"{name}.toml", _library_dir().joinpath(f"{name}.toml").read_text("utf-8")
    path = Path(name)
    if path.suffix == ".toml" or path.exists():
        try:
            return str(path), path.read_text("utf-8")
        except FileNotFoundError:
            raise TrilinkError(f"{path}: no such scenario file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TrilinkError(f"{path}: cannot read: {exc}") from None
    raise TrilinkError(
        f"unknown scenario {name!r}: not in the library (see `trilink scenario list`) "
        "and not a .toml file"
    )


def load_scenario(name: str) -> Scenario:
    """Load and validate a library scenario or a scenario file."""
    origin, text = resolve_scenario(name)
    return parse_scenario(text, origin)


def _non_finite(value: Any, where: str) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return where
    if isinstance(value, dict):
        for k, v in value.items():
            hit = _non_finite(v, f"{where}.{k}" if where else str(k))
            if hit:
                return hit
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            hit = _non_finite(v, f"{where}[{i}]")
            if hit:
                return hit
    return None


def parse_scenario(text: str, origin: str = "<scenario>") -> Scenario:
    """Parse and validate scenario TOML; any problem raises one-line :class:`TrilinkError`."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TrilinkError(f"{origin}: invalid TOML: {exc}") from None
    bad = _non_finite(doc, "")
    if bad:
        raise TrilinkError(f"{origin}: {bad}: must be a finite number")
    if "path" in doc:
        raise TrilinkError(f"{origin}: path: not a scenario field")
    try:
        scn = msgspec.convert(doc, type=Scenario)
    except msgspec.ValidationError as exc:
        raise TrilinkError(f"{origin}: {_field_message(str(exc))}") from None
    scn = msgspec.structs.replace(scn, path=origin, launches=_catalogue_names(scn.launches))
    _check(scn, origin)
    return scn


def _catalogue_names(launches: Sequence[Launch]) -> list[Launch]:
    """The launches with each missile under its catalogue name: a file may name it by an alias
    or in another case ("KN-15", "hwasong-12"); an unknown name is left for the check to name."""
    from trilink.physics import get_missile

    out = []
    for ln in launches:
        try:
            name = get_missile(ln.missile).name
        except KeyError:
            name = ln.missile
        out.append(ln if name == ln.missile else msgspec.structs.replace(ln, missile=name))
    return out


def _field_message(msg: str) -> str:
    # msgspec says "Expected `float`, got `str` - at `$.launches[0].apogee_km`"; lead with the
    # field, which is what a person fixing the file looks for.
    if " - at `$." in msg:
        text, _, where = msg.partition(" - at `$.")
        return f"{where.rstrip('`')}: {text}"
    return msg


def _check(scn: Scenario, origin: str) -> None:
    def fail(field: str, why: str) -> None:
        raise TrilinkError(f"{origin}: {field}: {why}")

    if scn.epoch.tzinfo is None or scn.epoch.utcoffset() is None:
        fail("epoch", "must carry a time zone (write it in UTC, e.g. 2017-08-28T20:57:00Z)")
    if scn.duration_s <= 0:
        fail("duration_s", "must be > 0")
    if scn.duration_s > 4 * 86400:
        fail("duration_s", "must be at most 4 days")
    if not 0 < scn.truth_interval_s <= scn.duration_s:
        fail("truth_interval_s", "must be > 0 and not longer than duration_s")
    if scn.clutter_scale < 0:
        fail("clutter_scale", "must be >= 0")
    if not scn.launches:
        fail("launches", "at least one launch is needed")
    missiles = known_missiles()
    sites = launch_sites()
    seen: set[str] = set()
    for i, ln in enumerate(scn.launches):
        where = f"launches[{i}]"
        if not ln.id or ln.id in seen:
            fail(f"{where}.id", f"missing or duplicate launch id {ln.id!r}")
        seen.add(ln.id)
        if ln.missile not in missiles:
            fail(f"{where}.missile", f"unknown missile {ln.missile!r} (known: {_list(missiles)})")
        if ln.site is not None:
            if ln.lat_deg is not None or ln.lon_deg is not None:
                fail(f"{where}.site", "give either site or lat_deg/lon_deg, not both")
            if ln.site not in sites:
                fail(f"{where}.site", f"unknown launch site {ln.site!r} (known: {_list(sites)})")
        elif ln.lat_deg is None or ln.lon_deg is None:
            fail(f"{where}.site", "give a site name or both lat_deg and lon_deg")
        elif not (-90 <= ln.lat_deg <= 90 and -180 <= ln.lon_deg <= 360):
            fail(f"{where}.lat_deg", "latitude/longitude out of range")
        if not 0 <= ln.time_s < scn.duration_s:
            fail(f"{where}.time_s", "must be within [0, duration_s)")
        if not 0 <= ln.azimuth_deg <= 360:
            fail(f"{where}.azimuth_deg", "must be within [0, 360]")
        for name in ("apogee_km", "range_km"):
            v = getattr(ln, name)
            if v is not None and v <= 0:
                fail(f"{where}.{name}", "must be > 0")
        if ln.burnout is not None:
            if ln.apogee_km is not None or ln.range_km is not None:
                fail(f"{where}.burnout", "give either burnout or apogee_km/range_km, not both")
            b = ln.burnout
            if b.time_s <= 0 or b.speed_mps <= 0 or not 0 < b.flight_path_angle_deg < 90:
                fail(
                    f"{where}.burnout",
                    "need time_s > 0, speed_mps > 0 and 0 < flight_path_angle_deg < 90",
                )
    _check_sensors(scn, origin)


def _list(items: Any) -> str:
    return ", ".join(sorted(items))


def _check_sensors(scn: Scenario, origin: str) -> None:
    scenario_sensors(scn, origin)


def scenario_sensors(scn: Scenario, origin: str | None = None) -> list[SensorSpec]:
    """The scenario's sensors: catalogue sites and placed platforms, with overrides applied."""
    origin = origin or scn.path or scn.name
    cat = load_catalogue()
    platform_types = set(cat.platform_types())
    fields_by_id: dict[str, tuple[str, dict[str, Any]]] = {}
    for nation, ids in scn.sensors.items():
        if nation not in NATIONS:
            raise TrilinkError(
                f"{origin}: sensors.{nation}: unknown nation (use {', '.join(NATIONS)})"
            )
        for j, sid in enumerate(ids):
            where = f"sensors.{nation}[{j}]"
            if sid in fields_by_id:
                raise TrilinkError(f"{origin}: {where}: sensor {sid!r} listed twice")
            site = cat.sites.get(sid)
            if site is None:
                raise TrilinkError(
                    f"{origin}: {where}: unknown sensor site {sid!r} "
                    "(see `trilink sites`; ships go in [[platforms]])"
                )
            if site.nation != nation:
                raise TrilinkError(f"{origin}: {where}: {sid!r} belongs to {site.nation}")
            fields_by_id[sid] = (where, msgspec.to_builtins(site))
    for i, pf in enumerate(scn.platforms):
        where = f"platforms[{i}]"
        if pf.id in fields_by_id:
            raise TrilinkError(f"{origin}: {where}.id: duplicate sensor id {pf.id!r}")
        if pf.type not in platform_types:
            raise TrilinkError(
                f"{origin}: {where}.type: unknown platform type {pf.type!r} "
                f"(known: {_list(platform_types)})"
            )
        fields: dict[str, Any] = {
            "id": pf.id,
            "nation": pf.nation,
            "type": pf.type,
            "name": pf.name or f"{pf.type} ({pf.nation}), scenario position",
            "lat_deg": pf.lat_deg,
            "lon_deg": pf.lon_deg,
            "alt_m": pf.alt_m,
        }
        fields_by_id[pf.id] = (where, fields)
    for sid in scn.sensor_overrides:
        if sid not in fields_by_id:
            raise TrilinkError(f"{origin}: sensor_overrides.{sid}: not a sensor of this scenario")
    out = []
    for sid, (where, fields) in fields_by_id.items():
        over = scn.sensor_overrides.get(sid, {})
        if {"id", "nation", "type"} & over.keys():
            raise TrilinkError(
                f"{origin}: sensor_overrides.{sid}: id, nation and type cannot be overridden"
            )
        merged = {**fields, **over}
        clutter = merged.get(
            "clutter_per_scan", cat.types[fields["type"]].get("clutter_per_scan", 0.0)
        )
        if isinstance(clutter, int | float) and not isinstance(clutter, bool):
            # (anything else is left for the schema to reject with a clear message)
            merged["clutter_per_scan"] = float(clutter) * scn.clutter_scale
        label = f"sensor_overrides.{sid}" if over else where
        out.append(make_sensor(merged, cat.types, f"{origin}: {label}"))
    return out
