"""Map layers for the page, built once from the shipped data: no tile server, nothing fetched.

Coastlines (Natural Earth), the warning areas of the three nations (simplified land polygons
with their names) and the outer limits of each nation's territorial sea and EEZ.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import shapely
from shapely.geometry import mapping

from trilink.geo.areas import AreaIndex
from trilink.geo.coast import load_coastlines

__all__ = ["NATIONS", "ZONES_FILE", "area_layer", "build_zone_layer", "coast_layer", "zone_layer"]

NATIONS: tuple[str, ...] = ("JPN", "KOR", "USA")
#: ~2 km: invisible at the scale of a launch, and it shrinks the areas from MBs to ~1 MB
_SIMPLIFY_DEG = 0.02
_DECIMALS = 3
#: the zone lines, built by ``tools/build_web_zones.py`` (the grid takes ~40 s, too long per start)
ZONES_FILE = "zones.geojson"


def _geojson(geom: shapely.Geometry) -> dict[str, Any]:
    return dict(mapping(shapely.set_precision(geom, 10.0**-_DECIMALS)))


@lru_cache(maxsize=1)
def coast_layer() -> dict[str, Any]:
    """Coastlines of the West Pacific box as one MultiLineString feature."""
    lines = [
        [[round(x, _DECIMALS), round(y, _DECIMALS)] for x, y in ln] for ln in load_coastlines()
    ]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"layer": "coast"},
                "geometry": {"type": "MultiLineString", "coordinates": lines},
            }
        ],
    }


@lru_cache(maxsize=1)
def area_layer() -> dict[str, Any]:
    """Every warning area's land, simplified, with its code and names."""
    index = AreaIndex.default()
    features = []
    for nation in NATIONS:
        for area in index.areas(nation):
            geom = shapely.simplify(index.geometry(area.code), _SIMPLIFY_DEG)
            if geom.is_empty:
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": area.code,
                    "properties": {
                        "code": area.code,
                        "nation": area.nation,
                        "name_en": area.name_en,
                        "name_ko": area.name_ko,
                        "name_ja": area.name_ja,
                    },
                    "geometry": _geojson(geom),
                }
            )
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=1)
def zone_layer() -> dict[str, Any]:
    """The shipped zone lines (see :func:`build_zone_layer`); built here if they are missing."""
    ref = resources.files("trilink.web").joinpath("data", ZONES_FILE)
    if ref.is_file():
        doc: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
        return doc
    return build_zone_layer()


def build_zone_layer() -> dict[str, Any]:
    """Outer limits of the territorial sea and the EEZ of each nation, as lines."""
    index = AreaIndex.default()
    features = []
    for nation in NATIONS:
        for zone, cell in (("territorial_sea", 0.05), ("eez", 0.1)):
            geom = index.zone_geometry(nation, zone, cell_deg=cell)
            if geom.is_empty:
                continue
            # The grid's row rectangles leave hair gaps between rows: close them, so only the
            # outer limit is drawn, not a hatching of row edges.
            closed = shapely.buffer(shapely.buffer(geom, cell * 0.3), -cell * 0.3)
            outline = shapely.simplify(shapely.boundary(closed), cell)
            features.append(
                {
                    "type": "Feature",
                    "id": f"{nation}.{zone}",
                    "properties": {"nation": nation, "zone": zone},
                    "geometry": _geojson(outline),
                }
            )
    return {"type": "FeatureCollection", "features": features}
