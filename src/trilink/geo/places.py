"""Named places: public, approximate DPRK launch areas (WGS84 degrees).

The one list every part of trilink uses (``geo/data/launch_sites.toml``): town or area centres
named in public reporting (ROK JCS and Japan MoD press releases, CSIS Missile Threat, 38 North),
rounded to ~0.05°, labelled approximate — areas, not launch pads.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["Place", "find_place", "launch_sites"]


@dataclass(frozen=True)
class Place:
    """A named point: latitude and longitude in degrees, with a note on its source."""

    name: str
    lat: float
    lon: float
    note: str
    approximate: bool = True


@lru_cache(maxsize=1)
def launch_sites() -> dict[str, Place]:
    """Launch areas by name, in file order."""
    text = resources.files("trilink.geo").joinpath("data", "launch_sites.toml").read_text("utf-8")
    doc = tomllib.loads(text)
    return {
        name: Place(name, float(v["lat_deg"]), float(v["lon_deg"]), str(v.get("note", "")))
        for name, v in doc["sites"].items()
    }


def find_place(name: str) -> Place:
    """A launch area by name (case-insensitive); ``KeyError`` lists the known names."""
    by_lower = {k.lower(): p for k, p in launch_sites().items()}
    p = by_lower.get(name.strip().lower())
    if p is None:
        raise KeyError(f"unknown site {name!r}; known: {', '.join(sorted(launch_sites()))}")
    return p
