"""Warning areas and maritime zones, offline and vectorised.

Land comes from the shipped polygons (``geo/data/areas``). A sea point is classified by its
nearest coast point: within 12 nm it is that nation's territorial sea, within 200 nm its EEZ,
else high seas. Nearest-coast ownership *is* the equidistance (median-line) partition between
opposite coasts, so the EEZ follows median lines where claims meet rather than a bare 200 nm
buffer. Distances are straight-line ECEF distances on the WGS84 ellipsoid converted to arc
length, to a densified coastline (vertices <= ~3 km apart). Low-water lines of the data stand in
for official (straight) baselines: limits are approximate to a few km.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from trilink import TrilinkError

__all__ = [
    "EEZ_M",
    "TERRITORIAL_SEA_M",
    "ZONES",
    "Area",
    "AreaIndex",
    "ImpactOdds",
    "InvalidPointError",
    "Location",
    "UnknownArea",
]

#: 12 nautical miles and 200 nautical miles in metres.
TERRITORIAL_SEA_M = 12 * 1852.0
EEZ_M = 200 * 1852.0
#: Zone codes returned by :meth:`AreaIndex.locate_many`.
ZONES: tuple[str, ...] = ("land", "territorial_sea", "eez", "high_seas")

_WGS84_A = 6378137.0
_WGS84_E2 = 6.69437999014e-3
_R_MEAN = 6371008.8
# Coast vertices <= ~3.3 km apart: nearest-vertex distance then overstates the distance to
# the coast by at most s^2 / 8d, ~60 m at the 12 nm limit, while the k-d tree stays small.
_DENSIFY_DEG = 0.03
_FILE = "areas.json"
_GAP = "~"  # area label of sliver parts, resolved to the nearest area at lookup


class UnknownArea(TrilinkError, KeyError):  # noqa: N818 (the agreed public name)
    """An area code that is not in the shipped data."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown area"


class InvalidPointError(TrilinkError, ValueError):
    """A latitude/longitude (or covariance, width) that is not a valid input."""


@dataclass(frozen=True)
class Area:
    """A warning area: an ISO 3166-2 first-level division of JPN, KOR or USA."""

    code: str
    nation: str
    name_en: str
    name_ko: str
    name_ja: str


@dataclass(frozen=True)
class Location:
    """Where a point falls: zone in ``ZONES``, nation (alpha-3) and area code, or None.

    ``area`` is set on the land of a warning area and in its territorial sea.
    """

    zone: str
    nation: str | None
    area: str | None


@dataclass(frozen=True)
class ImpactOdds:
    """Monte Carlo impact probabilities by warning area and by (zone, nation)."""

    areas: dict[str, float]
    zones: dict[tuple[str, str | None], float]


def _ecef(lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    lat = np.radians(lat_deg)
    lon = np.radians(lon_deg)
    n = _WGS84_A / np.sqrt(1.0 - _WGS84_E2 * np.sin(lat) ** 2)
    return np.column_stack(
        (
            n * np.cos(lat) * np.cos(lon),
            n * np.cos(lat) * np.sin(lon),
            n * (1.0 - _WGS84_E2) * np.sin(lat),
        )
    )


def _arc_to_chord(arc_m: float) -> float:
    return 2.0 * _R_MEAN * math.sin(min(arc_m / (2.0 * _R_MEAN), math.pi / 2))


def _chord_to_arc(chord_m: NDArray[np.float64]) -> NDArray[np.float64]:
    ratio = np.clip(chord_m / (2.0 * _R_MEAN), 0.0, 1.0)
    return np.asarray(2.0 * _R_MEAN * np.arcsin(ratio), dtype=np.float64)


def _check_points(
    lat_deg: ArrayLike, lon_deg: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    if lat.shape != lon.shape or lat.ndim != 1:
        raise InvalidPointError(
            f"lat and lon must be 1-D arrays of one length: {lat.shape}, {lon.shape}"
        )
    if not (np.all(np.isfinite(lat)) and np.all(np.isfinite(lon))):
        raise InvalidPointError("latitude and longitude must be finite numbers")
    if np.any(np.abs(lat) > 90.0):
        raise InvalidPointError("latitude must be within [-90, 90] degrees")
    if np.any(np.abs(lon) > 180.0):
        raise InvalidPointError("longitude must be within [-180, 180] degrees")
    return lat, lon


class AreaIndex:
    """Point-in-area and maritime-zone lookups over the shipped data (see module docstring)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        """Index the shipped layout (see ``tools/build_areas.py``: ``pack``)."""
        self._areas = {
            a["code"]: Area(a["code"], a["nation"], a["name_en"], a["name_ko"], a["name_ja"])
            for a in doc["areas"]
        }
        parts = doc["parts"]
        coords = np.frombuffer(base64.b64decode(parts["coords"]), dtype="<i4").reshape(-1, 2)
        offsets = np.frombuffer(base64.b64decode(parts["offsets"]), dtype="<i4")
        geoms = shapely.from_ragged_array(
            shapely.GeometryType.POLYGON,
            coords * float(doc["scale"]),
            (offsets.astype(np.int64), np.arange(offsets.size, dtype=np.int64)),
        )
        part_nation = np.asarray(parts["nation"], dtype=str)
        part_area = np.asarray(parts["area"], dtype=str)
        is_gap = part_area == _GAP
        # Smallest parts first: where outlines overlap (enclaves, shared borders) the
        # smaller part wins, so a city enclosed by a province is found as the city.
        # Gaps last, so that they never hide a real part.
        order = np.lexsort((shapely.area(geoms), is_gap))
        self._parts = geoms[order]
        self._part_nation = part_nation[order]
        self._part_area = part_area[order]
        self._geoms: dict[str, shapely.Geometry] = {}
        shapely.prepare(self._parts)
        self._tree = shapely.STRtree(self._parts)
        # Densified outlines: their vertices are the "coast" the sea zones are measured from.
        with_outline = np.flatnonzero(~is_gap[order])
        rings = shapely.segmentize(
            shapely.get_exterior_ring(self._parts[with_outline]), _DENSIFY_DEG
        )
        coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
        self._coast_part = with_outline[ring_idx]
        self._coast_tree = cKDTree(_ecef(coords[:, 1], coords[:, 0]))
        self._nations = tuple(sorted(set(self._part_nation.tolist())))

    @classmethod
    def default(cls) -> AreaIndex:
        """The index over the data shipped with the package, loaded once."""
        return _default()

    # -- catalogue -------------------------------------------------------------------------
    def area(self, code: str) -> Area:
        """The area with this ISO 3166-2 code; raises UnknownArea."""
        try:
            return self._areas[code]
        except KeyError:
            raise UnknownArea(f"unknown area code {code!r}") from None

    def areas(self, nation: str | None = None) -> list[Area]:
        """All warning areas, or those of one nation (alpha-3), in code order."""
        if nation is not None and nation not in self._nations:
            raise TrilinkError(f"unknown nation {nation!r} (known: JPN, KOR, USA)")
        return sorted(
            (a for a in self._areas.values() if nation is None or a.nation == nation),
            key=lambda a: a.code,
        )

    @property
    def nations(self) -> tuple[str, ...]:
        """Alpha-3 codes of every state with land in the data."""
        return self._nations

    # -- lookups ---------------------------------------------------------------------------
    def _land_part(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.intp]:
        """Index of the smallest land part containing each point, -1 at sea."""
        # Bounding-box candidates, then one vectorised test on the prepared parts: much
        # faster than STRtree's own "within" predicate, which does not use the preparation.
        pidx, gidx = self._tree.query(shapely.points(lon, lat))
        inside = shapely.contains_xy(self._parts[gidx], lon[pidx], lat[pidx])
        pidx, gidx = pidx[inside], gidx[inside]
        best = np.full(lat.shape, len(self._parts), dtype=np.intp)
        np.minimum.at(best, pidx, gidx)
        best[best == len(self._parts)] = -1
        return best

    def _nearest_coast(
        self, lat: NDArray[np.float64], lon: NDArray[np.float64], bound_m: float = EEZ_M
    ) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
        """Arc distance [m] to the nearest coast vertex (inf past ``bound_m``) and its part."""
        # A tight bound prunes the k-d tree search early: a warning-area lookup needs only the
        # territorial sea, and is ~10x faster than one out to the EEZ's 200 nm.
        chord, idx = self._coast_tree.query(
            _ecef(lat, lon), distance_upper_bound=_arc_to_chord(bound_m * 1.01)
        )
        found = np.isfinite(chord)
        part = np.full(lat.shape, -1, dtype=np.intp)
        part[found] = self._coast_part[idx[found]]
        dist = np.full(lat.shape, np.inf)
        dist[found] = _chord_to_arc(chord[found])
        return dist, part

    def _classify(
        self, lat: NDArray[np.float64], lon: NDArray[np.float64], bound_m: float = EEZ_M
    ) -> tuple[NDArray[np.str_], NDArray[np.str_], NDArray[np.str_]]:
        """Zone, nation and warning area (of the land or territorial sea) of each point."""
        n = lat.shape[0]
        zone = np.full(n, "high_seas", dtype="<U15")
        nation = np.full(n, "", dtype="<U3")
        area = np.full(n, "", dtype="<U5")
        land = self._land_part(lat, lon)
        on_land = land >= 0
        zone[on_land] = "land"
        nation[on_land] = self._part_nation[land[on_land]]
        area[on_land] = self._part_area[land[on_land]]
        gap = np.flatnonzero(area == _GAP)
        if gap.size:
            # A sliver between areas belongs to the area with the nearest outline.
            _, part = self._nearest_coast(lat[gap], lon[gap])
            area[gap] = self._part_area[part]
        sea = np.flatnonzero(~on_land)
        if sea.size:
            dist, part = self._nearest_coast(lat[sea], lon[sea], bound_m)
            ts = dist <= TERRITORIAL_SEA_M
            eez = (dist > TERRITORIAL_SEA_M) & (dist <= EEZ_M)
            owned = ts | eez
            zone[sea[ts]] = "territorial_sea"
            zone[sea[eez]] = "eez"
            nation[sea[owned]] = self._part_nation[part[owned]]
            # The nearest coast vertex is on the owning nation's nearest land, so its area is
            # the warning area of a territorial-sea point.
            area[sea[ts]] = self._part_area[part[ts]]
        return zone, nation, area

    def locate(self, lat_deg: float, lon_deg: float) -> Location:
        """Zone, nation and area of one point; TrilinkError (a ValueError) on bad input.

        As ``trilink areas at`` prints it: the area only on land (a territorial-sea point's
        adjacent area is :meth:`warn_area_many`'s business)."""
        zone, nation, area = self.locate_many(np.array([lat_deg]), np.array([lon_deg]))
        z = str(zone[0])
        return Location(z, str(nation[0]) or None, (str(area[0]) or None) if z == "land" else None)

    def locate_many(
        self, lat_deg: ArrayLike, lon_deg: ArrayLike
    ) -> tuple[NDArray[np.str_], NDArray[np.str_], NDArray[np.str_]]:
        """Zone codes, nations ("" none) and areas ("" none) of many points.

        The area is that of the land, or for a territorial-sea point the nearest land area of
        the nation owning that sea (as :meth:`warn_area_many`); "" in an EEZ or the high seas
        and on the land of a state without warning areas.
        """
        lat, lon = _check_points(lat_deg, lon_deg)
        return self._classify(lat, lon)

    def warn_area_many(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.str_]:
        """Area whose land or territorial sea holds each point ("" if none).

        A territorial-sea point goes to the nearest land area of the nation owning that sea.
        """
        lat, lon = _check_points(lat_deg, lon_deg)
        return self._classify(lat, lon, TERRITORIAL_SEA_M)[2]

    def impact_odds(
        self,
        lat_deg: float,
        lon_deg: float,
        cov_en_m2: ArrayLike,
        *,
        samples: int = 4000,
        seed: int = 0,
    ) -> ImpactOdds:
        """Probabilities of impact by warning area and by (zone, nation), by seeded Monte Carlo.

        ``cov_en_m2`` is the 2x2 east/north covariance of the impact point in m²; samples are
        placed on the local tangent plane (radii of curvature of WGS84 at the mean point).
        """
        lat0, lon0 = _check_points(lat_deg, lon_deg)
        cov = np.asarray(cov_en_m2, dtype=np.float64)
        if cov.shape != (2, 2) or not np.all(np.isfinite(cov)):
            raise InvalidPointError("cov_en_m2 must be a finite 2x2 matrix")
        if not np.allclose(cov, cov.T, rtol=1e-9, atol=1e-9 * max(1.0, float(np.abs(cov).max()))):
            raise InvalidPointError("cov_en_m2 must be symmetric")
        eigval, eigvec = np.linalg.eigh(cov)
        if eigval.min() < -1e-9 * max(1.0, float(eigval.max())):
            raise InvalidPointError("cov_en_m2 must be positive semi-definite")
        if samples < 1:
            raise InvalidPointError("samples must be positive")
        root = eigvec * np.sqrt(np.clip(eigval, 0.0, None))
        rng = np.random.default_rng(seed)
        en = rng.standard_normal((samples, 2)) @ root.T
        phi = math.radians(float(lat0[0]))
        s2 = math.sin(phi) ** 2
        m_radius = _WGS84_A * (1 - _WGS84_E2) / (1 - _WGS84_E2 * s2) ** 1.5
        n_radius = _WGS84_A / math.sqrt(1 - _WGS84_E2 * s2)
        lat = np.clip(lat0[0] + np.degrees(en[:, 1] / m_radius), -90.0, 90.0)
        coslat = max(math.cos(phi), 1e-9)
        lon = lon0[0] + np.degrees(en[:, 0] / (n_radius * coslat))
        lon = (lon + 180.0) % 360.0 - 180.0
        zone, nation, warn = self._classify(lat, lon)
        codes, counts = np.unique(warn[warn != ""], return_counts=True)
        areas = {str(c): float(k) / samples for c, k in zip(codes, counts, strict=True)}
        keys, counts = np.unique(np.char.add(np.char.add(zone, "|"), nation), return_counts=True)
        zones: dict[tuple[str, str | None], float] = {}
        for key, k in zip(keys, counts, strict=True):
            z, _, nat = str(key).partition("|")
            zones[(z, nat or None)] = float(k) / samples
        return ImpactOdds(areas=areas, zones=zones)

    def corridor_areas(
        self, lat_deg: ArrayLike, lon_deg: ArrayLike, half_width_m: float
    ) -> dict[str, int]:
        """Areas whose land or territorial sea the corridor around a ground track touches.

        Maps each area code to the index of the first track point within ``half_width_m`` of
        its land or territorial sea. The track is sampled between its points (every
        ``half_width_m / 2``, at least every ~5 km), and a sample between points i and i+1
        reports i. The territorial sea of an area is taken as 12 nm around its land.
        """
        lat, lon = _check_points(lat_deg, lon_deg)
        if not (math.isfinite(half_width_m) and half_width_m >= 0.0):
            raise InvalidPointError("half_width_m must be a finite, non-negative distance")
        xyz = _ecef(lat, lon)
        step = max(min(half_width_m / 2.0, 5000.0), 200.0)
        seg = np.linalg.norm(np.diff(xyz, axis=0), axis=1)
        counts = np.maximum(np.ceil(seg / step).astype(np.intp), 1)
        src = np.repeat(np.arange(lat.size - 1, dtype=np.intp), counts)
        frac = np.concatenate([np.arange(k) / k for k in counts]) if counts.size else np.zeros(0)
        # Interpolating in lon/lat is fine at these steps; unwrap across the antimeridian.
        dlon = (np.diff(lon) + 180.0) % 360.0 - 180.0
        s_lat = np.concatenate([lat[src] + frac * np.diff(lat)[src], lat[-1:]])
        s_lon = np.concatenate([lon[src] + frac * dlon[src], lon[-1:]])
        s_lon = (s_lon + 180.0) % 360.0 - 180.0
        s_src = np.concatenate([src, [lat.size - 1]])
        first: dict[str, int] = {}
        # Track samples over an area's land.
        land = self._land_part(s_lat, s_lon)
        for i in np.flatnonzero(land >= 0):
            code = str(self._part_area[land[i]])
            if code not in ("", _GAP) and code not in first:
                first[code] = int(s_src[i])
        # Samples within half width + 12 nm of an area's outline.
        radius = _arc_to_chord(half_width_m + TERRITORIAL_SEA_M)
        hits = self._coast_tree.query_ball_point(_ecef(s_lat, s_lon), radius)
        for j, idx in enumerate(hits):
            if not idx:
                continue
            at = int(s_src[j])
            for found in np.unique(self._part_area[self._coast_part[np.asarray(idx)]]):
                name = str(found)
                if name and (name not in first or first[name] > at):
                    first[name] = at
        return dict(sorted(first.items(), key=lambda kv: (kv[1], kv[0])))

    # -- geometry --------------------------------------------------------------------------
    def geometry(self, code: str) -> shapely.Geometry:
        """The area's land polygon(s), lon/lat degrees WGS84."""
        self.area(code)
        if code not in self._geoms:
            self._geoms[code] = shapely.multipolygons(self._parts[self._part_area == code])
        return self._geoms[code]

    def land_geometry(self, nation: str) -> shapely.Geometry:
        """All land of a state (alpha-3, any state in :attr:`nations`, e.g. ``"PRK"``), lon/lat
        degrees WGS84, for maps; raises TrilinkError for a state without land in the data."""
        if nation not in self._nations:
            raise TrilinkError(f"unknown nation {nation!r}")
        key = f"land:{nation}"
        if key not in self._geoms:
            self._geoms[key] = shapely.multipolygons(self._parts[self._part_nation == nation])
        return self._geoms[key]

    def zone_geometry(self, nation: str, zone: str, *, cell_deg: float = 0.05) -> shapely.Geometry:
        """Map-grade territorial sea or EEZ of a nation, built from a ``cell_deg`` grid.

        Each grid cell whose centre :meth:`locate_many` puts in the zone is kept; rows of cells
        are merged into rectangles. Accurate to about one cell; lookups never use it.
        """
        if zone not in ("territorial_sea", "eez"):
            raise TrilinkError(f"zone must be 'territorial_sea' or 'eez', not {zone!r}")
        if nation not in self._nations:
            raise TrilinkError(f"unknown nation {nation!r}")
        return _zone_geometry(self, nation, zone, float(cell_deg))


def _zone_geometry(index: AreaIndex, nation: str, zone: str, cell: float) -> shapely.Geometry:
    mask = index._part_nation == nation
    bounds = shapely.bounds(index._parts[mask])
    # 200 nm is at most ~3.4 deg of latitude; longitude grows towards the poles.
    pad_lat = EEZ_M / 111_000.0 + cell
    rects: list[shapely.Geometry] = []
    boxes: list[tuple[float, float, float, float]] = []
    for west_half in (False, True):
        sel = bounds[:, 0] < 0 if west_half else bounds[:, 0] >= 0
        if not sel.any():
            continue
        lat_lo = max(-89.0, float(bounds[sel, 1].min()) - pad_lat)
        lat_hi = min(89.0, float(bounds[sel, 3].max()) + pad_lat)
        pad_lon = pad_lat / max(math.cos(math.radians(max(abs(lat_lo), abs(lat_hi)))), 0.2)
        lon_lo = max(-180.0, float(bounds[sel, 0].min()) - pad_lon)
        lon_hi = min(180.0, float(bounds[sel, 2].max()) + pad_lon)
        boxes.append((lon_lo, lat_lo, lon_hi, lat_hi))
    for lon_lo, lat_lo, lon_hi, lat_hi in boxes:
        lons = np.arange(lon_lo, lon_hi, cell) + cell / 2
        lats = np.arange(lat_lo, lat_hi, cell) + cell / 2
        glon, glat = np.meshgrid(lons, lats)
        zones, nations, _ = index.locate_many(glat.ravel(), glon.ravel())
        hit = ((zones == zone) & (nations == nation)).reshape(glat.shape)
        for r in range(hit.shape[0]):
            row = np.concatenate([[False], hit[r], [False]]).astype(np.int8)
            edges = np.flatnonzero(np.diff(row))
            for start, stop in zip(edges[::2], edges[1::2], strict=True):
                x0 = lons[start] - cell / 2
                x1 = lons[stop - 1] + cell / 2
                y0 = lats[r] - cell / 2
                rects.append(shapely.box(x0, y0, x1, y0 + cell))
    if not rects:
        return shapely.MultiPolygon()
    return shapely.union_all(rects)


@lru_cache(maxsize=1)
def _default() -> AreaIndex:
    text = (
        resources.files("trilink.geo").joinpath("data", "areas", _FILE).read_text(encoding="utf-8")
    )
    return AreaIndex(json.loads(text))
