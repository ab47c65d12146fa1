"""One-off: cut Natural Earth 1:50m coastlines for the Korea/Japan/West Pacific region.

Input is ``land-50m.json`` from the npm package ``world-atlas`` (TopoJSON redistribution of
Natural Earth 4.1.0, public domain; packaging ISC, Mike Bostock). Usage, in a scratch folder::

    npm install world-atlas
    python tools/extract_coastlines.py node_modules/world-atlas/land-50m.json \
        src/trilink/geo/data/coastlines-50m-wpac.json

The TopoJSON arcs *are* the land outlines, so decoding the delta-encoded, quantised arcs and
cutting them to the region box gives coastline polylines directly (no polygon assembly needed).
Output: ``{"source", "license", "bbox", "lines": [[[lon, lat], ...], ...]}`` in degrees, 3
decimals (~100 m, far finer than the 1:50m source needs).
"""

from __future__ import annotations

import json
import sys

BBOX = (100.0, 0.0, 170.0, 60.0)  # lon_min, lat_min, lon_max, lat_max
MARGIN = 1.0  # keep points slightly outside so lines run off the plot edge cleanly


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """The TopoJSON's arcs as absolute (lon, lat) points (its arcs are quantised deltas)."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def inside(p: tuple[float, float]) -> bool:
    lon, lat = p
    return (
        BBOX[0] - MARGIN <= lon <= BBOX[2] + MARGIN and BBOX[1] - MARGIN <= lat <= BBOX[3] + MARGIN
    )


def cut(arc: list[tuple[float, float]]) -> list[list[list[float]]]:
    runs: list[list[list[float]]] = []
    cur: list[list[float]] = []
    for p in arc:
        if inside(p):
            q = [round(p[0], 3), round(p[1], 3)]
            if not cur or cur[-1] != q:
                cur.append(q)
        else:
            if len(cur) >= 2:
                runs.append(cur)
            cur = []
    if len(cur) >= 2:
        runs.append(cur)
    return runs


def main(src: str, dst: str) -> None:
    with open(src, encoding="utf-8") as fh:
        topo = json.load(fh)
    lines = [run for arc in decode_arcs(topo) for run in cut(arc)]
    doc = {
        "source": "Natural Earth 1:50m land (v4.1.0) via npm world-atlas 2.0.2 land-50m.json",
        "license": "Natural Earth: public domain. world-atlas packaging: ISC (Mike Bostock).",
        "bbox": list(BBOX),
        "lines": lines,
    }
    with open(dst, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, separators=(",", ":"))
        fh.write("\n")
    npts = sum(len(r) for r in lines)
    print(f"{len(lines)} polylines, {npts} points -> {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
