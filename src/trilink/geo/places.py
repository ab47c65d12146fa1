"""Named places: public, approximate launch sites and reference points (WGS84 degrees).

Coordinates are rounded public locations from open reporting (Japan Ministry of Defense and ROK
JCS launch announcements naming the area; CSIS Missile Threat; 38 North / NK Pro imagery
analyses). They name an *area*, accurate to a few kilometres at best, and are labelled approximate.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Place", "LAUNCH_SITES", "find_place"]


@dataclass(frozen=True)
class Place:
    """A named point: latitude and longitude in degrees, with a note on its source."""

    name: str
    lat: float
    lon: float
    note: str
    approximate: bool = True


LAUNCH_SITES: dict[str, Place] = {
    p.name.lower(): p
    for p in (
        Place("Pyongyang", 39.03, 125.75, "city centre; generic 'Pyongyang area' launches"),
        Place("Sunan", 39.20, 125.67, "Pyongyang Sunan airport area (Hwasong-12/-17 launches)"),
        Place("Sohae", 39.66, 124.71, "Sohae Satellite Launching Station, Tongchang-ri"),
        Place("Sinpo", 40.03, 128.18, "Sinpo shipyard area, SLBM tests offshore"),
        Place("Wonsan", 39.17, 127.48, "Wonsan / Kalma peninsula area, SRBM launches"),
        Place("Hamhung", 39.92, 127.54, "Hamhung area, SRBM launches"),
        Place("Kaechon", 39.75, 125.90, "Kaechon area, South Pyongan"),
        Place("Jangyon", 38.24, 125.10, "Jangyon, South Hwanghae (west coast SRBM launches)"),
        Place("Sukchon", 39.41, 125.62, "Sukchon, South Pyongan (SRBM salvo launches)"),
        Place("Jongju", 39.69, 125.33, "Jongju, North Pyongan"),
        Place("Tongchon", 38.95, 127.89, "Tongchon, Kangwon (east coast)"),
        Place("Kusong", 39.98, 125.24, "Kusong, North Pyongan (Hwasong-12 2017-05-14)"),
        Place("Panghyon", 39.93, 125.21, "Panghyon airfield area"),
        Place("Sakju", 40.38, 125.01, "Sakju, North Pyongan"),
    )
}


def find_place(name: str) -> Place:
    """A launch site by name (case-insensitive); ``KeyError`` lists the known names."""
    p = LAUNCH_SITES.get(name.strip().lower())
    if p is None:
        known = ", ".join(sorted(q.name for q in LAUNCH_SITES.values()))
        raise KeyError(f"unknown site {name!r}; known: {known}")
    return p
