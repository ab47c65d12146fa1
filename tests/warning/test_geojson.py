"""GeoJSON writer: RFC 7946 order and orientation, geodesic shapes, status on every feature."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape

from trilink.geo.geodesy import GEOD, geodesic_inverse, ground_track
from trilink.warning.geojson import (
    alert_collection,
    area_feature,
    corridor_feature,
    dumps,
    feature_collection,
    impact_feature,
    track_feature,
)
from trilink.warning.model import STATUSES, ImpactPoint, Status

from .interchange_samples import AREA_NAMES, AREA_POLYGONS, LAUNCH_NS, S, sample_alert


def _round_trip(obj: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(dumps(obj))
    return out


def _rings(geom: Polygon | MultiPolygon) -> list[Polygon]:
    return list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]


def _track(status: Status = "actual") -> dict[str, Any]:
    lats, lons = ground_track(39.03, 125.75, 41.2, 146.5, npts=20)
    times = [LAUNCH_NS + i * 30 * S for i in range(20)]
    heights = np.linspace(0.0, 550_000.0, 20)
    return track_feature(
        "KOR.T-0001", times, lats, lons, heights, status=status, origin="KOR", fused=True
    )


def test_track_is_a_lon_lat_linestring_with_times() -> None:
    f = _round_trip(_track("exercise"))
    geom = shape(f["geometry"])
    assert isinstance(geom, LineString)
    assert geom.is_valid
    first = f["geometry"]["coordinates"][0]
    assert first == [125.75, 39.03, 0.0]  # [lon, lat, height] per RFC 7946
    props = f["properties"]
    assert props["layer"] == "track"
    assert props["status"] == "exercise"
    assert len(props["times"]) == len(f["geometry"]["coordinates"]) == 20
    assert props["start"] == "2017-08-28T20:58:00.000Z"
    assert props["end"] == props["times"][-1]
    assert props["origin"] == "KOR" and props["fused"] is True


def test_track_of_one_fix_is_a_point_and_bad_tracks_raise() -> None:
    f = track_feature("T", [LAUNCH_NS], [40.0], [130.0])
    assert f["geometry"] == {"type": "Point", "coordinates": [130.0, 40.0]}
    with pytest.raises(ValueError, match="decrease"):
        track_feature("T", [2, 1], [40.0, 40.1], [130.0, 130.1])
    with pytest.raises(ValueError, match="finite"):
        track_feature("T", [1, 2], [40.0, float("nan")], [130.0, 130.1])
    with pytest.raises(ValueError, match="length"):
        track_feature("T", [1, 2], [40.0], [130.0, 130.1])


def _ellipse(lat: float, lon: float, azimuth_deg: float) -> ImpactPoint:
    """A 60 × 20 km (95 %) impact ellipse."""
    return ImpactPoint(
        lat_deg=lat,
        lon_deg=lon,
        time_ns=LAUNCH_NS,
        major_m=60_000.0,
        minor_m=20_000.0,
        azimuth_deg=azimuth_deg,
    )


def test_impact_ellipse_is_geodesic_and_counter_clockwise() -> None:
    f = _round_trip(impact_feature(_ellipse(41.2, 146.5, 75.0), status="test"))
    poly = shape(f["geometry"])
    assert isinstance(poly, Polygon) and poly.is_valid
    assert poly.exterior.is_ccw
    assert poly.contains(Point(146.5, 41.2))
    lons, lats = np.asarray(poly.exterior.coords).T
    az, _, dist = geodesic_inverse(41.2, 146.5, lats, lons)
    assert dist.max() == pytest.approx(60_000.0, rel=1e-4)
    assert dist.min() == pytest.approx(20_000.0, rel=2e-3)
    assert az[np.argmax(dist)] % 180.0 == pytest.approx(75.0, abs=0.5)
    assert f["properties"]["status"] == "test"
    assert f["properties"]["layer"] == "impact_ellipse"
    assert f["properties"]["major_m"] == 60_000.0
    # No ellipse: the point itself.
    bare = impact_feature(ImpactPoint(lat_deg=41.2, lon_deg=146.5, time_ns=LAUNCH_NS))
    assert bare["geometry"]["type"] == "Point"


def test_corridor_is_the_ground_track_buffered_on_the_ellipsoid() -> None:
    lats, lons = ground_track(39.03, 125.75, 41.2, 146.5, npts=30)  # ~1,750 km
    half_width = 50_000.0
    f = _round_trip(corridor_feature("c1", lats, lons, half_width, status="exercise"))
    poly = shape(f["geometry"])
    assert isinstance(poly, Polygon) and poly.is_valid and poly.exterior.is_ccw
    assert all(poly.contains(Point(lo, la)) for la, lo in zip(lats, lons, strict=True))
    # Every outline vertex lies half_width from the track, to ~1 % (aeqd, dense track).
    dlats, dlons = ground_track(39.03, 125.75, 41.2, 146.5, npts=1000)
    olons, olats = np.asarray(poly.exterior.coords).T
    nearest = np.array(
        [
            geodesic_inverse(la, lo, dlats, dlons)[2].min()
            for la, lo in zip(olats, olons, strict=True)
        ]
    )
    assert nearest.min() > 0.98 * half_width
    assert nearest.max() < 1.02 * half_width
    assert f["properties"]["status"] == "exercise"
    assert f["properties"]["half_width_m"] == half_width
    with pytest.raises(ValueError, match="half width"):
        corridor_feature("c2", lats, lons, float("nan"))


def test_areas_follow_the_right_hand_rule() -> None:
    outer = Polygon([(140, 40), (140, 41), (141, 41), (141, 40)])  # clockwise on purpose
    donut = outer.difference(Point(140.5, 40.5).buffer(0.2))
    geom = MultiPolygon([donut, Point(142.0, 42.0).buffer(0.1)])
    f = _round_trip(area_feature("JP-02", geom, probability=0.4, kind="impact", status="exercise"))
    multi = shape(f["geometry"])
    assert isinstance(multi, MultiPolygon) and multi.is_valid
    for part in multi.geoms:
        assert part.exterior.is_ccw
        assert all(not hole.is_ccw for hole in part.interiors)
    assert len(multi.geoms[0].interiors) == 1
    props = f["properties"]
    assert (props["code"], props["probability"], props["kind"]) == ("JP-02", 0.4, "impact")
    assert props["status"] == "exercise" and props["layer"] == "warned_area"
    with pytest.raises(ValueError, match="probability"):
        area_feature("JP-02", geom, probability=float("nan"))
    with pytest.raises(ValueError, match="non-finite"):
        area_feature("JP-02", Polygon([(140, 40), (141, float("inf")), (141, 41)]))


@pytest.mark.parametrize("status", STATUSES)
def test_alert_collection_round_trips_with_status_everywhere(status: Status) -> None:
    alert = sample_alert("shelter", status)
    names = {k: v if isinstance(v, str) else v["en"] for k, v in AREA_NAMES.items()}
    fc = alert_collection(
        alert, area_polygons=AREA_POLYGONS, area_names=names, extra=[_track(status)]
    )
    back = _round_trip(fc)
    assert back == json.loads(json.dumps(fc))
    assert back["type"] == "FeatureCollection"
    assert back["properties"]["status"] == status
    layers = [f["properties"]["layer"] for f in back["features"]]
    assert layers == ["warned_area", "warned_area", "launch_point", "impact_ellipse", "track"]
    for f in back["features"]:
        assert f["properties"]["status"] == status
        geom = shape(f["geometry"])
        assert geom.is_valid, f["id"]
        lon, lat = np.asarray(geom.envelope.exterior.coords if geom.area else geom.coords)[0][:2]
        assert 120 < lon < 150 and 35 < lat < 46  # [lon, lat], not [lat, lon]
    hokkaido = back["features"][0]
    assert hokkaido["properties"]["name"] == "Hokkaido"
    assert hokkaido["properties"]["probability"] == 0.62
    assert hokkaido["properties"]["kind"] == "overflight"
    assert shape(hokkaido["geometry"]).geom_type == "MultiPolygon"  # outline and island


def test_mixed_statuses_and_nan_are_refused() -> None:
    alert = sample_alert("shelter", "exercise")
    with pytest.raises(ValueError, match="status"):
        alert_collection(alert, extra=[_track("actual")])
    with pytest.raises(ValueError, match="status"):
        feature_collection([{"type": "Feature", "geometry": None, "properties": {}}])
    with pytest.raises(ValueError):
        dumps({"x": float("nan")})


def test_shapes_across_the_antimeridian_are_cut_in_two() -> None:
    f = _round_trip(impact_feature(_ellipse(52.0, 179.8, 90.0)))
    multi = shape(f["geometry"])
    assert isinstance(multi, MultiPolygon) and multi.is_valid and len(multi.geoms) == 2
    assert all(p.exterior.is_ccw for p in multi.geoms)
    lons = np.concatenate([np.asarray(p.exterior.coords)[:, 0] for p in multi.geoms])
    assert lons.min() >= -180.0 and lons.max() <= 180.0
    area = sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in multi.geoms)
    assert area == pytest.approx(np.pi * 60_000.0 * 20_000.0, rel=0.01)

    lats, lons_t = ground_track(50.0, 175.0, 52.0, -175.0, npts=30)
    corridor = shape(_round_trip(corridor_feature("c", lats, lons_t, 30_000.0))["geometry"])
    assert isinstance(corridor, MultiPolygon) and corridor.is_valid
    bounds = np.asarray([p.bounds for p in corridor.geoms])
    assert bounds[:, 0].min() >= -180.0 and bounds[:, 2].max() <= 180.0
