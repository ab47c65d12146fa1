"""GeoJSON (RFC 7946) features of tracks, impact ellipses, corridors and warned areas.

Positions are [lon, lat] (or [lon, lat, height_m]) in WGS84, polygons follow the right-hand
rule (outer rings counter-clockwise, holes clockwise), and every feature has ``layer`` (track,
impact_ellipse, corridor, warned_area, launch_point) and ``status`` properties, so an exercise
feature can never be shown as a real one. Features are
plain dicts ready for :func:`json.dumps`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from trilink.warning.model import Alert, ImpactPoint, Status, impact_of
from trilink.warning.shapes import (
    check_geometry,
    check_lat_lon,
    impact_polygon,
    polygon_parts,
    split_antimeridian,
)

__all__ = [
    "alert_collection",
    "area_feature",
    "corridor_feature",
    "dumps",
    "feature_collection",
    "impact_feature",
    "iso_time",
    "launch_feature",
    "track_feature",
]

Feature = dict[str, Any]

#: 7 decimals of a degree is ~1 cm: finer than any estimate here, coarser than float noise.
_DECIMALS: Final = 7
_STATUSES: Final = ("actual", "exercise", "test")


def iso_time(time_ns: int) -> str:
    """UTC ISO 8601 with milliseconds and ``Z``."""
    seconds, ms = divmod(time_ns // 1_000_000, 1000)
    t = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms:03d}Z"


def _rounded(geom: BaseGeometry) -> BaseGeometry:
    out: BaseGeometry = shapely.transform(geom, lambda xy: np.round(xy, _DECIMALS), include_z=False)
    return out


def _oriented(geom: BaseGeometry, what: str) -> Polygon | MultiPolygon:
    parts = [orient(p, sign=1.0) for p in polygon_parts(geom, what)]
    if not parts:
        raise ValueError(f"{what}: geometry has no area")
    rounded = [_rounded(p) for p in parts]
    # Rounding can (rarely) make a tiny ring self-touch; repair rather than emit invalid JSON.
    fixed: list[Polygon] = []
    for p in rounded:
        if not p.is_valid:
            p = shapely.make_valid(p)
            fixed.extend(orient(q, sign=1.0) for q in polygon_parts(p, what))
        else:
            fixed.append(p)
    return fixed[0] if len(fixed) == 1 else MultiPolygon(fixed)


def _feature(fid: str, geom: BaseGeometry, status: Status, layer: str, **props: Any) -> Feature:
    if status not in _STATUSES:
        raise ValueError(f"{fid}: unknown status {status!r}")
    properties: dict[str, Any] = {"layer": layer, "status": status}
    properties.update({k: v for k, v in props.items() if v is not None})
    return {
        "type": "Feature",
        "id": fid,
        "geometry": json.loads(json.dumps(mapping(geom))),  # tuples -> lists
        "properties": properties,
    }


def track_feature(
    uid: str,
    times_ns: Sequence[int],
    lats_deg: Sequence[float],
    lons_deg: Sequence[float],
    heights_m: Sequence[float] | None = None,
    *,
    status: Status = "actual",
    **properties: Any,
) -> Feature:
    """A track as a LineString ([lon, lat, height]) with per-vertex ``times``; Point if one fix."""
    n = len(times_ns)
    if n == 0:
        raise ValueError(f"track {uid}: no points")
    if len(lats_deg) != n or len(lons_deg) != n or (heights_m is not None and len(heights_m) != n):
        raise ValueError(f"track {uid}: times, lats, lons (and heights) differ in length")
    coords: list[tuple[float, ...]] = []
    for i in range(n):
        check_lat_lon(float(lats_deg[i]), float(lons_deg[i]), f"track {uid} point {i}")
        lon, lat = round(float(lons_deg[i]), _DECIMALS), round(float(lats_deg[i]), _DECIMALS)
        if heights_m is None:
            coords.append((lon, lat))
        else:
            h = float(heights_m[i])
            if not math.isfinite(h):
                raise ValueError(f"track {uid} point {i}: height must be finite, got {h}")
            coords.append((lon, lat, round(h, 1)))
    if any(b < a for a, b in itertools.pairwise(times_ns)):
        raise ValueError(f"track {uid}: times must not decrease")
    geom: BaseGeometry = Point(coords[0]) if n == 1 else LineString(coords)
    times = [iso_time(int(t)) for t in times_ns]
    return _feature(
        uid,
        geom,
        status,
        "track",
        times=times,
        start=times[0],
        end=times[-1],
        **properties,
    )


def impact_feature(
    source: Alert | ImpactPoint,
    *,
    fid: str | None = None,
    status: Status | None = None,
    npts: int = 72,
) -> Feature:
    """The 95 % impact ellipse as a Polygon (a Point when there is no ellipse)."""
    if isinstance(source, Alert):
        impact, key = impact_of(source)
        fid = fid or f"{key}.impact"
        status = status or source.status
    else:
        impact = source
        fid = fid or "impact"
        status = status or "actual"
    poly = impact_polygon(impact, npts=npts)
    geom: BaseGeometry
    if poly is None:
        geom = Point(round(impact.lon_deg, _DECIMALS), round(impact.lat_deg, _DECIMALS))
    else:
        geom = _oriented(poly, f"impact {fid}")
    return _feature(
        fid,
        geom,
        status,
        "impact_ellipse",
        confidence=0.95,
        lat=impact.lat_deg,
        lon=impact.lon_deg,
        time=iso_time(impact.time_ns),
        major_m=impact.major_m,
        minor_m=impact.minor_m,
        azimuth_deg=impact.azimuth_deg,
        zone=impact.zone,
        nation=impact.nation,
        area=impact.area,
    )


def launch_feature(alert: Alert) -> Feature:
    """The estimated launch point of an alert's launch as a Point."""
    if alert.launch_lat_deg is None or alert.launch_lon_deg is None:
        raise ValueError(f"{alert.alert_id}: alert has no launch point")
    check_lat_lon(alert.launch_lat_deg, alert.launch_lon_deg, f"{alert.alert_id} launch")
    geom = Point(round(alert.launch_lon_deg, _DECIMALS), round(alert.launch_lat_deg, _DECIMALS))
    return _feature(
        f"{alert.nation}.{alert.launch_id}.launch",
        geom,
        alert.status,
        "launch_point",
        launch_id=alert.launch_id,
        missile_class=alert.missile_class,
        time=iso_time(alert.launch_time_ns) if alert.launch_time_ns is not None else None,
    )


def corridor_feature(
    fid: str,
    lats_deg: Sequence[float],
    lons_deg: Sequence[float],
    half_width_m: float,
    *,
    status: Status = "actual",
    **properties: Any,
) -> Feature:
    """The ground track buffered by ``half_width_m`` on each side, as a (Multi)Polygon.

    Buffered in an azimuthal equidistant projection centred on the track, which keeps the
    width within ~1 % over the ~3,000 km of a regional trajectory; a corridor across the
    antimeridian is a MultiPolygon of its two sides.
    """
    if len(lats_deg) != len(lons_deg) or len(lats_deg) == 0:
        raise ValueError(f"corridor {fid}: need equal, non-empty lats and lons")
    if not (math.isfinite(half_width_m) and half_width_m > 0):
        raise ValueError(f"corridor {fid}: half width must be positive, got {half_width_m}")
    for i, (lat, lon) in enumerate(zip(lats_deg, lons_deg, strict=True)):
        check_lat_lon(float(lat), float(lon), f"corridor {fid} point {i}")
    # Centred on the middle vertex (ground tracks are dense), which works across ±180° too.
    lat0, lon0 = float(lats_deg[len(lats_deg) // 2]), float(lons_deg[len(lons_deg) // 2])
    aeqd = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    to_m = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
    to_deg = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
    xs, ys = to_m.transform(np.asarray(lons_deg, float), np.asarray(lats_deg, float))
    path: BaseGeometry = (
        LineString(zip(xs, ys, strict=True)) if len(lats_deg) > 1 else Point(xs[0], ys[0])
    )
    # Densify so the projected-back outline follows the ellipsoid, not straight lines in degrees.
    buffered = shapely.segmentize(path.buffer(half_width_m, quad_segs=16), half_width_m / 4)

    def back(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = to_deg.transform(xy[:, 0], xy[:, 1])
        # Continuous around the centre; split_antimeridian cuts it at ±180° if it crosses.
        return np.column_stack((lon0 + (np.asarray(lon) - lon0 + 180.0) % 360.0 - 180.0, lat))

    outline = split_antimeridian(shapely.transform(buffered, back))
    check_geometry(outline, f"corridor {fid}")
    return _feature(
        fid,
        _oriented(outline, f"corridor {fid}"),
        status,
        "corridor",
        half_width_m=half_width_m,
        **properties,
    )


def area_feature(
    code: str,
    geometry: BaseGeometry,
    *,
    probability: float | None = None,
    kind: str | None = None,
    status: Status = "actual",
    name: str | None = None,
    arrival_ns: int | None = None,
    fid: str | None = None,
) -> Feature:
    """A warned area as a Polygon or MultiPolygon with ``code``, ``probability`` and ``kind``."""
    if probability is not None and not (math.isfinite(probability) and 0 <= probability <= 1):
        raise ValueError(f"area {code}: probability {probability} is not in [0, 1]")
    return _feature(
        fid or f"area.{code}",
        _oriented(geometry, f"area {code}"),
        status,
        "warned_area",
        code=code,
        name=name,
        probability=probability,
        kind=kind,
        arrival=iso_time(arrival_ns) if arrival_ns is not None else None,
    )


def alert_collection(
    alert: Alert,
    *,
    area_polygons: Mapping[str, BaseGeometry] | None = None,
    area_names: Mapping[str, str] | None = None,
    extra: Iterable[Feature] = (),
) -> dict[str, Any]:
    """A FeatureCollection of one alert: warned areas, launch point, impact ellipse, extras.

    ``extra`` features (tracks, corridors) are included with their status checked against the
    alert's, so an exercise collection cannot carry a real track or the reverse.
    """
    features: list[Feature] = []
    for area in alert.areas:
        geom = (area_polygons or {}).get(area.code)
        if geom is None:
            continue
        features.append(
            area_feature(
                area.code,
                geom,
                probability=area.probability,
                kind=area.kind,
                status=alert.status,
                name=(area_names or {}).get(area.code),
                arrival_ns=area.arrival_ns,
                fid=f"{alert.nation}.{alert.launch_id}.area.{area.code}",
            )
        )
    if alert.launch_lat_deg is not None and alert.launch_lon_deg is not None:
        features.append(launch_feature(alert))
    if alert.impact is not None:
        features.append(impact_feature(alert))
    for f in extra:
        if f["properties"].get("status") != alert.status:
            raise ValueError(
                f"feature {f.get('id')} has status {f['properties'].get('status')!r}, "
                f"the alert {alert.status!r}"
            )
        features.append(f)
    fc = feature_collection(features)
    fc["properties"] = {
        "alert_id": alert.alert_id,
        "nation": alert.nation,
        "launch_id": alert.launch_id,
        "stage": alert.stage,
        "status": alert.status,
        "issued": iso_time(alert.issued_ns),
    }
    return fc


def feature_collection(features: Iterable[Feature]) -> dict[str, Any]:
    """A FeatureCollection of ``features`` (every one must have a ``status`` property)."""
    items = list(features)
    for f in items:
        if f.get("type") != "Feature" or f.get("properties", {}).get("status") not in _STATUSES:
            raise ValueError(f"feature {f.get('id')!r} has no valid status property")
    return {"type": "FeatureCollection", "features": items}


def dumps(obj: Mapping[str, Any]) -> str:
    """Compact JSON; NaN and infinities are refused (RFC 8259 has no such numbers)."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
