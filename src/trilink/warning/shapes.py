"""Geometry shared by the interchange writers: impact ellipses on the ellipsoid, input checks.

Coordinates are WGS84 degrees; shapely geometries are (lon, lat) as GeoJSON and shapely expect.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from trilink.geo.geodesy import GEOD
from trilink.warning.model import ImpactPoint

__all__ = [
    "check_geometry",
    "check_lat_lon",
    "ellipse_polygon",
    "impact_polygon",
    "polygon_parts",
    "simplified_ring",
    "split_antimeridian",
]


def check_lat_lon(lat_deg: float, lon_deg: float, what: str) -> None:
    """Raise ValueError unless (lat, lon) is a finite WGS84 position."""
    if not (math.isfinite(lat_deg) and math.isfinite(lon_deg)):
        raise ValueError(f"{what}: coordinates must be finite, got lat={lat_deg}, lon={lon_deg}")
    if not -90.0 <= lat_deg <= 90.0:
        raise ValueError(f"{what}: latitude {lat_deg} is outside [-90, 90]")
    if not -180.0 <= lon_deg <= 180.0:
        raise ValueError(f"{what}: longitude {lon_deg} is outside [-180, 180]")


def check_geometry(geom: BaseGeometry, what: str) -> None:
    """Raise ValueError unless every coordinate of ``geom`` is a finite (lon, lat) in range."""
    coords = shapely.get_coordinates(geom)
    if coords.size == 0:
        raise ValueError(f"{what}: geometry is empty")
    if not np.isfinite(coords).all():
        raise ValueError(f"{what}: geometry has non-finite coordinates")
    lon, lat = coords[:, 0], coords[:, 1]
    if (np.abs(lat) > 90.0).any() or (np.abs(lon) > 180.0).any():
        raise ValueError(f"{what}: geometry has coordinates outside lat [-90, 90], lon [-180, 180]")


def polygon_parts(geom: BaseGeometry, what: str) -> list[Polygon]:
    """The non-empty polygons of a Polygon, MultiPolygon or collection of them."""
    check_geometry(geom, what)
    if isinstance(geom, Polygon):
        parts = [geom]
    elif isinstance(geom, MultiPolygon):
        parts = list(geom.geoms)
    elif hasattr(geom, "geoms"):
        parts = [p for g in geom.geoms for p in polygon_parts(g, what)]
    else:
        raise ValueError(f"{what}: expected a Polygon or MultiPolygon, got {geom.geom_type}")
    return [p for p in parts if not p.is_empty and p.area > 0.0]


def simplified_ring(
    polygon: Polygon, max_points: int, decimals: int = 5
) -> list[tuple[float, float]]:
    """The outer ring as closed (lon, lat) rounded to ``decimals``, at most ``max_points`` long.

    Holes are dropped: formats without holes then warn the hole too, erring on the safe side.
    Long rings are simplified with growing tolerance; a ring that rounding collapses becomes a
    small box (~20 m) around the polygon, which again only over-warns.
    """
    if max_points < 5:
        raise ValueError("a ring needs room for at least 5 points")
    ring = _rounded(polygon.exterior.coords, decimals)
    tolerance = 1e-4  # degrees, ~10 m
    while len(ring) > max_points:
        simplified = polygon.simplify(tolerance, preserve_topology=True)
        ring = (
            _rounded(simplified.exterior.coords, decimals)
            if isinstance(simplified, Polygon)
            else []
        )
        tolerance *= 2.0
    if len(ring) < 4:
        c = polygon.centroid
        d = 10.0**-decimals * 10.0
        ring = _rounded(box(c.x - d, c.y - d, c.x + d, c.y + d).exterior.coords, decimals)
    return ring


def _rounded(coords: Iterable[tuple[float, ...]], decimals: int) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for c in coords:
        p = (round(float(c[0]), decimals), round(float(c[1]), decimals))
        if not out or out[-1] != p:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def ellipse_polygon(
    lat_deg: float,
    lon_deg: float,
    major_m: float,
    minor_m: float,
    azimuth_deg: float,
    *,
    npts: int = 72,
) -> Polygon | MultiPolygon:
    """Polygon (lon, lat; counter-clockwise) of an ellipse drawn geodesically on WGS84.

    ``major_m`` and ``minor_m`` are semi-axes; ``azimuth_deg`` is the major axis, clockwise
    from north. Each vertex lies at the ellipse's radius along a geodesic from the centre, so
    the shape stays right far from the equator and for ellipses hundreds of km long. An
    ellipse across the antimeridian comes back as a MultiPolygon of its two sides.
    """
    check_lat_lon(lat_deg, lon_deg, "ellipse centre")
    for name, v in (("major", major_m), ("minor", minor_m), ("azimuth", azimuth_deg)):
        if not math.isfinite(v):
            raise ValueError(f"ellipse {name} must be finite, got {v}")
    if major_m <= 0.0 or minor_m <= 0.0:
        raise ValueError(f"ellipse semi-axes must be positive, got {major_m}, {minor_m}")
    if npts < 8:
        raise ValueError("an ellipse polygon needs at least 8 vertices")
    a, b = max(major_m, minor_m), min(major_m, minor_m)
    # Evenly spaced in the parametric angle (points spread along the whole outline); bearings
    # grow clockwise from north, so the ring comes out clockwise and is reversed below.
    t = np.linspace(0.0, 2.0 * np.pi, npts, endpoint=False)
    along, across = a * np.cos(t), b * np.sin(t)
    r = np.hypot(along, across)
    bearing = azimuth_deg + np.degrees(np.arctan2(across, along))
    lons, lats, _ = GEOD.fwd(
        np.full(npts, lon_deg), np.full(npts, lat_deg), bearing, r, radians=False
    )
    # Continuous longitudes around the centre, then cut at ±180° where the ellipse crosses it.
    lons = lon_deg + (np.asarray(lons) - lon_deg + 180.0) % 360.0 - 180.0
    ring = list(zip(lons[::-1], np.asarray(lats)[::-1], strict=True))
    return split_antimeridian(Polygon(ring))


def split_antimeridian(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """A polygon drawn with continuous longitudes (possibly beyond ±180°) cut at ±180°.

    Each piece is shifted back into [-180, 180], as RFC 7946 (section 3.1.9) and CAP
    consumers expect; a polygon that does not cross is returned as it is.
    """
    lon_min, _, lon_max, _ = geom.bounds
    if lon_min >= -180.0 and lon_max <= 180.0:
        if not isinstance(geom, Polygon | MultiPolygon):
            raise ValueError(f"expected a Polygon or MultiPolygon, got {geom.geom_type}")
        return geom
    pieces: list[Polygon] = []
    for shift in (-360.0, 0.0, 360.0):
        window = box(-180.0 - shift, -90.0, 180.0 - shift, 90.0)
        part = geom.intersection(window)
        if part.is_empty:
            continue
        moved = shapely.transform(part, lambda xy, d=shift: xy + np.array([d, 0.0]))
        pieces.extend(
            p for p in getattr(moved, "geoms", [moved]) if isinstance(p, Polygon) and p.area > 0
        )
    if not pieces:
        raise ValueError("polygon has no area after cutting at the antimeridian")
    return pieces[0] if len(pieces) == 1 else MultiPolygon(pieces)


def impact_polygon(impact: ImpactPoint, *, npts: int = 72) -> Polygon | MultiPolygon | None:
    """The 95 % impact ellipse as a polygon, None when the point has no ellipse."""
    check_lat_lon(impact.lat_deg, impact.lon_deg, "impact point")
    if not (math.isfinite(impact.major_m) and math.isfinite(impact.minor_m)):
        raise ValueError(
            f"impact ellipse axes must be finite, got {impact.major_m}, {impact.minor_m}"
        )
    if impact.major_m <= 0.0 or impact.minor_m <= 0.0:
        return None
    return ellipse_polygon(
        impact.lat_deg,
        impact.lon_deg,
        impact.major_m,
        impact.minor_m,
        impact.azimuth_deg,
        npts=npts,
    )
