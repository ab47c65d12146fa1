"""CAP 1.2 (OASIS Common Alerting Protocol) messages written from an :class:`Alert`.

One ``<alert>`` per message of one nation, one ``<info>`` per language, one ``<area>`` per
warned area (ISO 3166-2 geocode, polygons when given) plus the impact ellipse. The texts are
rendered elsewhere and passed in; this module only places them. Bad input (non-finite or
out-of-range coordinates, unknown references, characters XML cannot carry) raises ValueError
rather than producing a message a gateway would reject or misread.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from lxml import etree
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from trilink.warning.model import Alert, AlertText, Language, Stage, Status
from trilink.warning.shapes import (
    check_lat_lon,
    impact_polygon,
    polygon_parts,
    simplified_ring,
)

__all__ = [
    "CAP_NS",
    "MAX_POLYGON_POINTS",
    "cap_datetime",
    "cap_identifier",
    "cap_polygon",
    "to_cap",
]

CAP_NS: Final = "urn:oasis:names:tc:emergency:cap:1.2"
#: Many CAP consumers (and some cell-broadcast gateways) cap a polygon at about 100 points.
MAX_POLYGON_POINTS: Final = 100

_CAP_LANGUAGE: Final[dict[Language, str]] = {"en": "en-US", "ko": "ko-KR", "ja": "ja-JP"}
_STATUS: Final[dict[Status, str]] = {"actual": "Actual", "exercise": "Exercise", "test": "Test"}
# <event> is a short label of the kind of event, not rendered text, so it lives here.
_EVENT: Final[dict[Language, str]] = {
    "en": "Ballistic missile",
    "ko": "탄도미사일",
    "ja": "弾道ミサイル",
}
_IMPACT_AREA: Final[dict[Language, str]] = {
    "en": "Predicted impact area (95 %)",
    "ko": "예상 낙하 지역 (95 %)",
    "ja": "落下予測範囲 (95 %)",
}
_IMPACT_AREA_OBSERVED: Final[dict[Language, str]] = {
    "en": "Impact area (95 %)",
    "ko": "낙하 지역 (95 %)",
    "ja": "落下範囲 (95 %)",
}
_NOT_REAL: Final[dict[Status, str]] = {
    "actual": "",
    "exercise": "EXERCISE - not a real missile warning",
    "test": "TEST - not a real missile warning",
}
# CAP forbids spaces, commas and the XML-restricted < and & in identifiers and senders.
_UNSAFE = re.compile(r"[\s,<&]")
# XML 1.0 cannot carry C0 controls other than tab/newline/CR, surrogates or U+FFFE/FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def cap_identifier(text: str) -> str:
    """``text`` made a legal CAP identifier: spaces, commas, ``<`` and ``&`` become ``_``."""
    if not text:
        raise ValueError("a CAP identifier must not be empty")
    _check_xml_text(text, "identifier")
    return _UNSAFE.sub("_", text)


def cap_datetime(time_ns: int, tz: dt.tzinfo | None = None) -> str:
    """CAP dateTime: whole seconds, explicit offset; UTC is written ``-00:00`` as CAP requires."""
    t = dt.datetime.fromtimestamp(time_ns // 1_000_000_000, tz=dt.UTC)
    if tz is not None:
        t = t.astimezone(tz)
    offset = t.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        suffix = "-00:00"
    else:
        sign = "+" if minutes > 0 else "-"
        hh, mm = divmod(abs(minutes), 60)
        suffix = f"{sign}{hh:02d}:{mm:02d}"
    return t.strftime("%Y-%m-%dT%H:%M:%S") + suffix


def cap_polygon(polygon: Polygon, max_points: int = MAX_POLYGON_POINTS) -> str:
    """A CAP polygon ("lat,lon lat,lon ..." closed, >= 4 points) of a polygon's outer ring.

    See :func:`simplified_ring`: holes dropped, long rings simplified, tiny ones boxed.
    """
    return " ".join(f"{lat:.5f},{lon:.5f}" for lon, lat in simplified_ring(polygon, max_points))


def _check_xml_text(text: str, what: str) -> None:
    bad = _NOT_XML.search(text)
    if bad is not None:
        raise ValueError(f"{what}: character U+{ord(bad.group()):04X} cannot be carried in XML")


def _msg_type(alert: Alert) -> str:
    if alert.stage == "cancel":
        if not alert.references:
            raise ValueError(f"{alert.alert_id}: a cancel must reference the alerts it cancels")
        return "Cancel"
    if alert.seq == 0:
        return "Alert"
    if not alert.references:
        raise ValueError(f"{alert.alert_id}: an update (seq {alert.seq}) must reference alerts")
    return "Update"


def _response_types(alert: Alert) -> tuple[str, ...]:
    stage: Stage = alert.stage
    if stage == "launch":
        return ("Prepare",)
    if stage == "shelter":
        return ("Shelter",)
    if stage == "update":
        return ("Shelter",) if alert.areas else ("Monitor",)
    if stage in ("passed", "impact"):
        # Fallen objects or debris may be hazardous: keep away, report.
        return ("Avoid",)
    if stage == "all_clear":
        return ("AllClear",)
    return ("None",)


def _urgency(stage: Stage) -> str:
    # Past: no responsive action is needed any more.
    return "Past" if stage in ("passed", "all_clear", "cancel") else "Immediate"


def _severity(alert: Alert) -> str:
    stage = alert.stage
    if stage in ("all_clear", "cancel"):
        return "Minor"
    if stage == "shelter":
        return "Extreme"
    if stage == "update":
        return "Extreme" if alert.areas else "Severe"
    if stage == "impact":
        impact = alert.impact
        if impact is not None and impact.zone == "land":
            return "Extreme"
        # Sea impacts endanger ships and aircraft, not the population ashore.
        return "Severe" if impact is not None and impact.zone != "high_seas" else "Moderate"
    if stage == "passed":
        return "Moderate"
    return "Severe"  # launch: threat to the territory not yet established


def _certainty(alert: Alert) -> str:
    if alert.stage in ("passed", "impact", "all_clear"):
        return "Observed"
    if alert.stage == "cancel":
        return "Unlikely"
    p = max((a.probability for a in alert.areas), default=0.0)
    # CAP: Likely is p > ~50 %, Possible is p <= ~50 %.
    return "Likely" if p > 0.5 else "Possible"


def _sent_times(previous: Mapping[str, int] | Iterable[Alert]) -> dict[str, int]:
    if isinstance(previous, Mapping):
        return {str(k): int(v) for k, v in previous.items()}
    return {a.alert_id: a.issued_ns for a in previous}


def _area_name(
    code: str, language: Language, area_names: Mapping[str, str | Mapping[str, str]] | None
) -> str:
    if area_names is None or code not in area_names:
        return code
    name = area_names[code]
    if isinstance(name, str):
        return name
    return name.get(language) or name.get("en") or code


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _parameter(info: etree._Element, name: str, value: str) -> None:
    p = _sub(info, "parameter")
    _sub(p, "valueName", name)
    _sub(p, "value", value)


def _check_alert(alert: Alert, texts: Sequence[AlertText]) -> None:
    if alert.status not in _STATUS:
        raise ValueError(f"{alert.alert_id}: unknown status {alert.status!r}")
    if alert.launch_lat_deg is not None or alert.launch_lon_deg is not None:
        if alert.launch_lat_deg is None or alert.launch_lon_deg is None:
            raise ValueError(f"{alert.alert_id}: launch point needs both latitude and longitude")
        check_lat_lon(alert.launch_lat_deg, alert.launch_lon_deg, f"{alert.alert_id} launch")
    if alert.impact is not None:
        impact_polygon(alert.impact)  # checks centre and axes
    for area in alert.areas:
        if not (math.isfinite(area.probability) and 0.0 <= area.probability <= 1.0):
            raise ValueError(
                f"{alert.alert_id}: area {area.code} probability {area.probability} "
                "is not in [0, 1]"
            )
    seen: set[str] = set()
    for t in texts:
        if t.language not in _CAP_LANGUAGE:
            raise ValueError(f"{alert.alert_id}: unsupported language {t.language!r}")
        if t.language in seen:
            raise ValueError(f"{alert.alert_id}: two texts in language {t.language!r}")
        seen.add(t.language)
        for field in ("headline", "description", "instruction"):
            _check_xml_text(getattr(t, field), f"{alert.alert_id} {t.language} {field}")


def to_cap(
    alert: Alert,
    texts: Sequence[AlertText],
    *,
    sender: str,
    area_polygons: Mapping[str, BaseGeometry] | None = None,
    area_names: Mapping[str, str | Mapping[str, str]] | None = None,
    previous: Mapping[str, int] | Iterable[Alert] = (),
    sender_name: str | None = None,
    tz: dt.tzinfo | None = None,
    expires_after_s: float | None = None,
) -> bytes:
    """One CAP 1.2 ``<alert>`` (UTF-8 XML bytes) for ``alert`` with one ``<info>`` per text.

    ``previous`` gives the sent time of every alert in ``alert.references``: a mapping
    alert_id -> issued_ns or the earlier :class:`Alert` objects. ``area_polygons`` maps an
    ISO 3166-2 code to a shapely (Multi)Polygon in (lon, lat); ``area_names`` maps a code to a
    name, or to names per language. ``tz`` sets the offset ``sent``/``onset`` are written in;
    ``expires_after_s`` adds ``<expires>`` that long after ``sent`` (profiles such as IPAWS
    require it, so an alert whose all-clear is lost does not linger on aggregators).
    """
    if expires_after_s is not None and not (math.isfinite(expires_after_s) and expires_after_s > 0):
        raise ValueError(f"expires_after_s must be positive, got {expires_after_s}")
    if not sender or _UNSAFE.search(sender):
        raise ValueError(f"CAP sender {sender!r} must be non-empty without spaces, commas, < or &")
    _check_xml_text(sender, "sender")
    _check_alert(alert, texts)
    msg_type = _msg_type(alert)
    sent_of = _sent_times(previous)
    refs: list[str] = []
    for ref in alert.references:
        if ref not in sent_of:
            raise ValueError(f"{alert.alert_id}: no sent time for referenced alert {ref!r}")
        refs.append(f"{sender},{cap_identifier(ref)},{cap_datetime(sent_of[ref], tz)}")

    # Polygons are resolved once (and checked) before any XML is written.
    polygons: dict[str, list[str]] = {}
    for area in alert.areas:
        geom = (area_polygons or {}).get(area.code)
        if geom is not None:
            parts = polygon_parts(geom, f"area {area.code}")
            polygons[area.code] = [cap_polygon(p) for p in parts]
    ellipse = impact_polygon(alert.impact) if alert.impact is not None else None

    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", cap_identifier(alert.alert_id))
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_datetime(alert.issued_ns, tz))
    _sub(root, "status", _STATUS[alert.status])
    _sub(root, "msgType", msg_type)
    _sub(root, "scope", "Public")
    if alert.status != "actual":
        _sub(root, "note", _NOT_REAL[alert.status])
    if refs:
        _sub(root, "references", " ".join(refs))
    # Every message about one launch shares the incident, so consumers can thread them.
    _sub(root, "incidents", cap_identifier(alert.launch_id))

    arrivals = [a.arrival_ns for a in alert.areas if a.arrival_ns is not None]
    for text in texts:
        lang = text.language
        info = _sub(root, "info")
        _sub(info, "language", _CAP_LANGUAGE[lang])
        # CAP "Security: law enforcement, military, homeland and local/private security";
        # a hostile missile is a military threat, not a general public-safety hazard.
        _sub(info, "category", "Security")
        _sub(info, "event", _EVENT[lang])
        for rt in _response_types(alert):
            _sub(info, "responseType", rt)
        _sub(info, "urgency", _urgency(alert.stage))
        _sub(info, "severity", _severity(alert))
        _sub(info, "certainty", _certainty(alert))
        if arrivals and alert.stage in ("launch", "shelter", "update"):
            _sub(info, "onset", cap_datetime(min(arrivals), tz))
        if expires_after_s is not None:
            expires_ns = alert.issued_ns + round(expires_after_s * 1e9)
            _sub(info, "expires", cap_datetime(expires_ns, tz))
        if sender_name:
            _check_xml_text(sender_name, "senderName")
            _sub(info, "senderName", sender_name)
        _sub(info, "headline", text.headline)
        _sub(info, "description", text.description)
        if text.instruction:
            _sub(info, "instruction", text.instruction)
        _parameter(info, "trilink:stage", alert.stage)
        _parameter(info, "trilink:status", alert.status)
        _parameter(info, "trilink:launch_id", alert.launch_id)
        _parameter(info, "trilink:nation", alert.nation)
        _parameter(info, "trilink:missile_class", alert.missile_class)
        if alert.object_id is not None:
            _parameter(info, "trilink:object_id", alert.object_id)
        if alert.launch_time_ns is not None:
            _parameter(info, "trilink:launch_time", cap_datetime(alert.launch_time_ns, tz))
        if alert.launch_lat_deg is not None and alert.launch_lon_deg is not None:
            _parameter(
                info,
                "trilink:launch_point",
                f"{alert.launch_lat_deg:.5f},{alert.launch_lon_deg:.5f}",
            )
        for area in alert.areas:
            _parameter(info, f"trilink:probability:{area.code}", f"{area.probability:.3f}")
            _parameter(info, f"trilink:kind:{area.code}", area.kind)
            if area.arrival_ns is not None:
                _parameter(info, f"trilink:arrival:{area.code}", cap_datetime(area.arrival_ns, tz))
        if alert.impact is not None:
            imp = alert.impact
            _parameter(info, "trilink:impact_point", f"{imp.lat_deg:.5f},{imp.lon_deg:.5f}")
            _parameter(info, "trilink:impact_time", cap_datetime(imp.time_ns, tz))
            _parameter(info, "trilink:impact_zone", imp.zone)
            if imp.area is not None:
                _parameter(info, "trilink:impact_area", imp.area)

        for area in alert.areas:
            el = _sub(info, "area")
            _sub(el, "areaDesc", _area_name(area.code, lang, area_names))
            for poly in polygons.get(area.code, ()):
                _sub(el, "polygon", poly)
            geocode = _sub(el, "geocode")
            _sub(geocode, "valueName", "ISO3166-2")
            _sub(geocode, "value", area.code)
        if alert.impact is not None:
            el = _sub(info, "area")
            observed = alert.stage == "impact"
            _sub(el, "areaDesc", (_IMPACT_AREA_OBSERVED if observed else _IMPACT_AREA)[lang])
            if ellipse is not None:
                for part in polygon_parts(ellipse, "impact ellipse"):
                    _sub(el, "polygon", cap_polygon(part))
            else:
                # No ellipse: the point itself, as a zero-radius CAP circle ("lat,lon km").
                _sub(el, "circle", f"{alert.impact.lat_deg:.5f},{alert.impact.lon_deg:.5f} 0")
            if alert.impact.area is not None:
                geocode = _sub(el, "geocode")
                _sub(geocode, "valueName", "ISO3166-2")
                _sub(geocode, "value", alert.impact.area)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out
