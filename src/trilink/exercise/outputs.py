"""Files of a scenario run under ``DIR``: ``timeline.json``, ``report.json``, one CAP 1.2 file
per alert (``cap/<NATION>/<alert id>.xml``, info in en/ko/ja), Cursor on Target events per
nation (``cot/<NATION>.xml``), GeoJSON per nation (``geojson/<NATION>.geojson``) and
``summary.html`` (a map and a timeline chart per nation; no script, no external resource)."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from trilink import NATIONS
from trilink.exercise.report import area_warnings, nation_scores, timeline, write_json
from trilink.exercise.run import AREA_PREFIXES, ExerciseRun
from trilink.warning.model import LANGUAGES

__all__ = ["READER_ZONES", "write_outputs"]

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>")

#: the time zone each nation's alert texts are written in
READER_ZONES: dict[str, str] = {"JPN": "Asia/Tokyo", "KOR": "Asia/Seoul", "USA": "Pacific/Guam"}


def _sender(nation: str) -> str:
    return f"trilink-{nation.lower()}@exercise.invalid"


def write_outputs(run: ExerciseRun, out: Path, areas: Any) -> dict[str, Any]:
    """Write every file of the run; returns the timeline (as written)."""
    from trilink.warning.cap import to_cap
    from trilink.warning.texts import render

    out.mkdir(parents=True, exist_ok=True)
    cap_paths: dict[str, str] = {}
    for n in NATIONS:
        rec = run.nations[n]
        d = out / "cap" / n
        d.mkdir(parents=True, exist_ok=True)
        polygons = _polygons(areas, (th.code for a in rec.alerts for th in a.areas))
        names = {
            c: {
                "en": areas.area(c).name_en,
                "ko": areas.area(c).name_ko,
                "ja": areas.area(c).name_ja,
            }
            for c in polygons
        }
        for a in rec.alerts:
            texts = [render(a, lang, READER_ZONES[n], areas) for lang in LANGUAGES]
            xml = to_cap(
                a,
                texts,
                sender=_sender(n),
                area_polygons=polygons,
                area_names=names,
                previous=rec.alerts,
            )
            path = d / f"{a.alert_id}.xml"
            path.write_bytes(xml)
            cap_paths[a.alert_id] = str(path.relative_to(out))
    _write_cot(run, out / "cot", areas)
    _write_geojson(run, out / "geojson", areas)
    doc = timeline(run, cap_paths)
    write_json(out / "timeline.json", doc)
    write_json(
        out / "report.json",
        {
            "scenario": run.scenario.name,
            "seconds": run.seconds,
            "received": run.received,
            "routes": run.routes,
            "nations": {n: nation_scores(run, n) for n in NATIONS},
        },
    )
    (out / "summary.html").write_text(summary_html(run, doc, areas), encoding="utf-8")
    return doc


def _polygons(areas: Any, codes: Iterable[str]) -> dict[str, Any]:
    return {c: areas.geometry(c) for c in sorted(set(codes))}


def _write_cot(run: ExerciseRun, d: Path, areas: Any) -> None:
    from trilink.warning.cot import CotTrack, alert_events, track_event

    d.mkdir(parents=True, exist_ok=True)
    for n in NATIONS:
        rec = run.nations[n]
        events: list[bytes] = []
        for oid, pts in sorted(rec.tracks.items()):
            for t, lat, lon, alt in pts[:: max(1, len(pts) // 60)]:
                events.append(
                    track_event(
                        CotTrack(
                            uid=f"trilink-{oid}",
                            lat=lat,
                            lon=lon,
                            hae_m=alt,
                            time_ns=round(t * 1e9),
                            status="exercise",
                            callsign=oid,
                            origin=n,
                            fused=True,
                        )
                    )
                )
        polygons = _polygons(areas, (th.code for a in rec.alerts for th in a.areas))
        for a in rec.alerts:
            events.extend(alert_events(a, polygons))
        # one document: the events without their own XML declarations, under one root
        body = b"\n".join(_XML_DECL.sub(b"", e).strip() for e in events)
        (d / f"{n}.xml").write_bytes(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<events>\n' + body + b"\n</events>\n"
        )


def _write_geojson(run: ExerciseRun, d: Path, areas: Any) -> None:
    from trilink.warning.geojson import (
        area_feature,
        corridor_feature,
        dumps,
        feature_collection,
        impact_feature,
        launch_feature,
        track_feature,
    )
    from trilink.warning.model import ImpactPoint

    d.mkdir(parents=True, exist_ok=True)
    for n in NATIONS:
        rec = run.nations[n]
        feats: list[Any] = []
        for oid, pts in sorted(rec.tracks.items()):
            if len(pts) < 2:
                continue
            feats.append(
                track_feature(
                    oid,
                    [round(p[0] * 1e9) for p in pts],
                    [p[1] for p in pts],
                    [p[2] for p in pts],
                    [p[3] for p in pts],
                    status="exercise",
                )
            )
        for oid, (lat, lon, t, major, minor, az, nominal) in sorted(rec.predictions.items()):
            if not (math.isfinite(major) and major > 0):
                continue
            ip = ImpactPoint(
                lat_deg=lat,
                lon_deg=lon,
                time_ns=round(t * 1e9),
                major_m=major,
                minor_m=max(minor, 1.0),
                azimuth_deg=az,
            )
            feats.append(impact_feature(ip, fid=f"{oid}-impact", status="exercise"))
            if len(nominal) >= 2:
                feats.append(
                    corridor_feature(
                        f"{oid}-corridor",
                        [p[0] for p in nominal],
                        [p[1] for p in nominal],
                        max(minor, 1_000.0),
                        status="exercise",
                    )
                )
        warned = area_warnings(rec.alerts)
        prob: dict[str, float] = {}
        for a in rec.alerts:
            for th in a.areas:
                prob[th.code] = max(prob.get(th.code, 0.0), th.probability)
        for code in sorted(warned):
            feats.append(
                area_feature(code, areas.geometry(code), probability=prob[code], status="exercise")
            )
        seen_launch: set[str] = set()
        for a in rec.alerts:
            if a.launch_id not in seen_launch and a.launch_lat_deg is not None:
                seen_launch.add(a.launch_id)
                feats.append(launch_feature(a))
        (d / f"{n}.geojson").write_text(dumps(feature_collection(feats)) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------- summary.html
_COLOURS = {"KOR": "#1f6fb2", "USA": "#6a3d9a", "JPN": "#c0392b"}


class _Frame:
    """Equirectangular map frame (x scaled by cos of the mid latitude) onto an SVG box."""

    def __init__(self, lon0: float, lon1: float, lat0: float, lat1: float, width: int) -> None:
        self.lon0, self.lat1 = lon0, lat1
        self.k = math.cos(math.radians(0.5 * (lat0 + lat1)))
        self.scale = width / ((lon1 - lon0) * self.k)
        self.width = width
        self.height = round((lat1 - lat0) * self.scale)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.lon0) * self.k * self.scale, (self.lat1 - lat) * self.scale)

    def path(self, coords: Sequence[tuple[float, float]]) -> str:
        pts = [self.xy(lon, lat) for lon, lat in coords]
        return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts)


def _geom_paths(frame: _Frame, geom: Any) -> str:
    out = []
    polys = getattr(geom, "geoms", [geom])
    for p in polys:
        ring = getattr(p, "exterior", None)
        if ring is None:
            continue
        out.append(frame.path(list(ring.coords)) + " Z")
    return " ".join(out)


def _bbox(run: ExerciseRun) -> tuple[float, float, float, float]:
    lats: list[float] = []
    lons: list[float] = []
    for f in run.flights:
        for tr in f.plan.trajectories:
            from trilink.geo import ecef_to_geodetic

            lat, lon, _ = ecef_to_geodetic(tr.ecef[:: max(1, len(tr.t) // 50)])
            lats += np.degrees(lat).tolist()
            lons += np.degrees(lon).tolist()
    lat0, lat1 = min(lats) - 4, max(lats) + 4
    lon0, lon1 = min(lons) - 6, max(lons) + 6
    # always show the three nations' home waters around the Korean peninsula and Japan
    return min(lon0, 122.0), max(lon1, 146.0), min(lat0, 28.0), max(lat1, 46.0)


def summary_html(run: ExerciseRun, doc: dict[str, Any], areas: Any) -> str:
    """A self-contained page: map (truth ground tracks, warned areas, impact ellipses) and a
    timeline chart per nation."""
    from trilink.geo import ecef_to_geodetic

    lon0, lon1, lat0, lat1 = _bbox(run)
    frame = _Frame(lon0, lon1, lat0, lat1, 900)
    esc = html.escape
    land = []
    for nation in ("JPN", "KOR", "USA", "PRK", "CHN", "RUS"):
        for a in areas.areas(nation) if nation in ("JPN", "KOR", "USA") else []:
            land.append(_geom_paths(frame, areas.geometry(a.code)))
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{frame.width}" height="{frame.height}" '
        f'viewBox="0 0 {frame.width} {frame.height}" role="img" aria-label="map">',
        f'<rect width="{frame.width}" height="{frame.height}" fill="#e8f1f8"/>',
    ]
    for nation in ("PRK", "CHN", "RUS", "TWN"):
        if nation not in areas.nations:
            continue
        g = areas.land_geometry(nation)
        svg.append(
            f'<path d="{_geom_paths(frame, g)}" fill="#d9d4c7" stroke="#999" stroke-width="0.5">'
            f"<title>{nation} land</title></path>"
        )
    for p in land:
        svg.append(f'<path d="{p}" fill="#f3efe4" stroke="#888" stroke-width="0.4"/>')
    for n in NATIONS:
        warned = area_warnings(run.nations[n].alerts)
        for code in warned:
            svg.append(
                f'<path d="{_geom_paths(frame, areas.geometry(code))}" fill="{_COLOURS[n]}" '
                f'fill-opacity="0.35" stroke="{_COLOURS[n]}">'
                f"<title>{esc(code)} warned by {n}</title></path>"
            )
    for f in run.flights:
        for tr in f.plan.trajectories:
            lat, lon, _ = ecef_to_geodetic(tr.ecef[:: max(1, len(tr.t) // 200)])
            coords = list(zip(np.degrees(lon).tolist(), np.degrees(lat).tolist(), strict=True))
            dash = ' stroke-dasharray="4 3"' if tr.kind == "booster" else ""
            svg.append(
                f'<path d="{frame.path(coords)}" fill="none" stroke="#222" '
                f'stroke-width="1.2"{dash}>'
                f"<title>{esc(tr.object_id)} ({esc(tr.kind)})</title></path>"
            )
    for fall in run.truth.falls:
        x, y = frame.xy(fall.lon_deg, fall.lat_deg)
        svg.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#000">'
            f"<title>{esc(fall.object_id)} fell: "
            f"{esc(fall.zone)} {esc(str(fall.nation))}</title></circle>"
        )
    for n in NATIONS:
        for oid, (plat, plon, _t, major, _mi, _az, _nom) in run.nations[n].predictions.items():
            if not math.isfinite(major):
                continue
            x, y = frame.xy(plon, plat)
            r = max(2.0, major / 111_000.0 * frame.scale)
            svg.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="none" stroke="{_COLOURS[n]}" '
                f'stroke-width="1"><title>{n} last predicted impact of {esc(oid)}</title></circle>'
            )
    svg.append("</svg>")
    rows = []
    for n in NATIONS:
        s = nation_scores(run, n)
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{esc(str(v))}</td>"
                for v in (
                    n,
                    s["first_launch_notice_s"],
                    s["first_area_warning_s"],
                    s["first_area_warning_alone_s"],
                    s["sharing_gain_s"],
                    ", ".join(doc["nations"][n]["areas_warned"]) or "—",
                    ", ".join(doc["nations"][n]["areas_threatened_truth"]) or "—",
                    f"{s['recall']:.2f}",
                    s["fused_two_nations_share_median"],
                )
            )
            + "</tr>"
        )
    charts = "\n".join(_timeline_svg(run, n) for n in NATIONS)
    title = esc(run.scenario.title)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} — trilink scenario run</title>
<style>body{{font-family:"Noto Sans","Noto Sans CJK JP",sans-serif;margin:1.5em;color:#111}}
.banner{{background:#b00;color:#fff;font-weight:bold;padding:.4em 1em;font-size:1.3em}}
table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:.2em .6em;text-align:left}}</style>
</head><body>
<div class="banner">EXERCISE — {title}</div>
<p>Launch {esc(doc["launch_utc"])}. Times are seconds after the first launch. Areas are ISO 3166-2
codes; truth = areas whose land or territorial sea a flying object crossed or where it fell.</p>
<table><tr><th>nation</th><th>first launch notice</th><th>first area warning</th>
<th>… alone</th><th>gain s</th><th>areas warned</th><th>areas threatened (truth)</th>
<th>recall</th><th>fused ≥ 2 nations (median share)</th></tr>
{"".join(rows)}</table>
<h2>Map</h2>
{"".join(svg)}
<p>Black: truth ground tracks (dashed: spent stages), dots: falls; shaded: areas warned
(KOR blue, USA purple, JPN red); circles: each nation's last predicted impact (95 %).</p>
<h2>Timeline</h2>
{charts}
</body></html>
"""


def _timeline_svg(run: ExerciseRun, n: str) -> str:
    """One nation: launch, notice, area warnings (shared and alone), truth arrivals, falls."""
    t0 = min(f.launch_time for f in run.flights)
    rec = run.nations[n]
    truth = run.truth.for_nation(AREA_PREFIXES[n])
    events: list[tuple[float, str, str]] = [(0.0, "launch", "#000")]
    for a in rec.alerts:
        events.append((a.issued_ns / 1e9 - t0, a.stage, _COLOURS[n]))
    alone = [(a.issued_ns / 1e9 - t0, a.stage) for a in rec.alerts_alone]
    for code, t in truth.items():
        events.append((t - t0, f"reaches {code}", "#e67e22"))
    span = max([e[0] for e in events] + [x[0] for x in alone] + [60.0]) * 1.05
    w, h = 900, 110

    def x(t: float) -> float:
        return 40 + (w - 60) * t / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" '
        f'aria-label="{n} timeline"><text x="4" y="16" font-weight="bold">{n}</text>',
        f'<line x1="40" y1="40" x2="{w - 20}" y2="40" stroke="#444"/>',
        f'<line x1="40" y1="80" x2="{w - 20}" y2="80" stroke="#bbb"/>',
        '<text x="4" y="44" font-size="10">shared</text>',
        '<text x="4" y="84" font-size="10">alone</text>',
    ]
    for i, (t, label, colour) in enumerate(events):
        parts.append(
            f'<line x1="{x(t):.1f}" y1="30" x2="{x(t):.1f}" y2="50" stroke="{colour}" '
            f'stroke-width="2"/><text x="{x(t):.1f}" y="{24 - 8 * (i % 2)}" font-size="9">'
            f"{html.escape(label)} {t:.0f}s</text>"
        )
    for t, label in alone:
        parts.append(
            f'<line x1="{x(t):.1f}" y1="72" x2="{x(t):.1f}" y2="88" stroke="#888" stroke-width="2">'
            f"<title>{html.escape(label)} {t:.0f}s</title></line>"
        )
    parts.append("</svg>")
    return "".join(parts)
