"""Rectangles as areas: a small, exact :class:`~trilink.warning.areas.AreaLookup` for tests,
benchmarks and demonstrations of the warning engine.

Each area is a latitude/longitude box of land; its territorial sea is the box widened by
``ts_deg`` (0.2° ≈ 22 km ≈ 12 nmi); each nation's exclusive economic zone is a box too. The
default layout is a coarse sketch of the region, enough for decisions to be checked by eye.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["DEFAULT_AREAS", "DEFAULT_EEZ", "Rect", "RectAreas", "UnknownAreaError"]


class UnknownAreaError(KeyError):
    """No area of that code."""


@dataclass(frozen=True)
class Rect:
    """One area: code, nation, names, and its land as a box (degrees)."""

    code: str
    nation: str
    name_en: str
    name_ko: str
    name_ja: str
    lat0: float
    lat1: float
    lon0: float
    lon1: float


DEFAULT_AREAS: tuple[Rect, ...] = (
    Rect("JP-01", "JPN", "Hokkaido", "홋카이도", "北海道", 41.4, 45.5, 139.8, 145.8),
    Rect("JP-02", "JPN", "Aomori", "아오모리현", "青森県", 40.2, 41.3, 139.9, 141.7),
    Rect("JP-32", "JPN", "Shimane", "시마네현", "島根県", 34.3, 35.6, 131.6, 133.4),
    Rect("JP-47", "JPN", "Okinawa", "오키나와현", "沖縄県", 24.0, 27.0, 123.0, 129.0),
    Rect("KR-11", "KOR", "Seoul", "서울특별시", "ソウル特別市", 37.4, 37.7, 126.8, 127.2),
    Rect("KR-26", "KOR", "Busan", "부산광역시", "釜山広域市", 35.0, 35.4, 128.8, 129.3),
    Rect("KR-49", "KOR", "Jeju", "제주특별자치도", "済州特別自治道", 33.1, 33.6, 126.1, 127.0),
    Rect("US-GU", "USA", "Guam", "괌", "グアム", 13.2, 13.7, 144.6, 145.0),
    Rect("US-HI", "USA", "Hawaii", "하와이", "ハワイ", 18.9, 22.3, -160.3, -154.8),
    Rect("KP-01", "PRK", "Pyongyang", "평양", "平壌", 38.0, 42.5, 124.5, 130.5),
)

#: (nation, lat0, lat1, lon0, lon1), first match wins
DEFAULT_EEZ: tuple[tuple[str, float, float, float, float], ...] = (
    ("KOR", 32.0, 38.5, 124.0, 131.0),
    ("JPN", 24.0, 46.0, 131.0, 150.0),
    ("PRK", 38.5, 43.0, 124.0, 133.0),
    ("USA", 11.0, 16.0, 142.0, 148.0),
)


class RectAreas:
    """An area lookup over boxes (vectorised over points; loops only over the few boxes)."""

    def __init__(
        self,
        areas: tuple[Rect, ...] = DEFAULT_AREAS,
        eez: tuple[tuple[str, float, float, float, float], ...] = DEFAULT_EEZ,
        ts_deg: float = 0.2,
    ) -> None:
        self._areas = areas
        self._by_code = {a.code: a for a in areas}
        self._eez = eez
        self._ts = ts_deg

    def area(self, code: str) -> Rect:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownAreaError(code) from None

    def _first(
        self, lat: NDArray[np.float64], lon: NDArray[np.float64], pad: float
    ) -> NDArray[np.intp]:
        """Index of the first box holding each point (widened by ``pad``), -1 none."""
        idx = np.full(lat.shape, -1, dtype=np.intp)
        for k, a in reversed(list(enumerate(self._areas))):
            inside = (
                (lat >= a.lat0 - pad)
                & (lat <= a.lat1 + pad)
                & (lon >= a.lon0 - pad)
                & (lon <= a.lon1 + pad)
            )
            idx[inside] = k
        return idx

    def warn_area_many(
        self, lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]
    ) -> NDArray[Any]:
        lat = np.asarray(lat_deg, dtype=float)
        lon = np.asarray(lon_deg, dtype=float)
        codes = np.array([a.code for a in self._areas] + [""], dtype=str)
        return codes[self._first(lat, lon, self._ts)]

    def locate_many(
        self, lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]
    ) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
        lat = np.asarray(lat_deg, dtype=float)
        lon = np.asarray(lon_deg, dtype=float)
        land = self._first(lat, lon, 0.0)
        sea = self._first(lat, lon, self._ts)
        zone = np.full(lat.shape, "high_seas", dtype=object)
        nation = np.full(lat.shape, "", dtype=object)
        code = np.full(lat.shape, "", dtype=object)
        found = np.zeros(lat.shape, dtype=bool)
        for n, a0, a1, o0, o1 in self._eez:
            inside = ~found & (lat >= a0) & (lat <= a1) & (lon >= o0) & (lon <= o1)
            zone[inside] = "eez"
            nation[inside] = n
            found |= inside
        names = np.array([a.code for a in self._areas] + [""], dtype=object)
        nations = np.array([a.nation for a in self._areas] + [""], dtype=object)
        ts = (sea >= 0) & (land < 0)
        zone[ts] = "territorial_sea"
        zone[land >= 0] = "land"
        hit = sea >= 0
        nation[hit] = nations[sea[hit]]
        code[hit] = names[sea[hit]]
        return zone, nation, code
