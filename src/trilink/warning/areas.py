"""What the warning needs of the area index: the subset of ``trilink.geo.areas.AreaIndex`` used.

Coded against a :class:`typing.Protocol` so that the engine and the texts can be exercised with a
small fake (rectangles as prefectures) and run against any index with the same methods.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["AreaInfo", "AreaLookup", "US_AREAS", "is_own_area"]


class AreaInfo(Protocol):
    """One warnable area (ISO 3166-2 code) with its names in the three languages."""

    @property
    def code(self) -> str: ...
    @property
    def nation(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def name_ko(self) -> str: ...
    @property
    def name_ja(self) -> str: ...


class AreaLookup(Protocol):
    """Point-in-area queries, vectorised over points."""

    def locate_many(
        self, lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]
    ) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
        """Per point: zone, nation alpha-3 ("" none), area code ("" none)."""
        ...

    def warn_area_many(
        self, lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]
    ) -> NDArray[Any]:
        """Per point: the area whose land or territorial sea holds it ("" none)."""
        ...

    def area(self, code: str) -> AreaInfo:
        """The area ``code``; raises a ``KeyError`` subclass when unknown."""
        ...


#: The United States warns for its Pacific territories and states in range, not the mainland.
US_AREAS: frozenset[str] = frozenset({"US-GU", "US-MP", "US-HI", "US-AK"})
_PREFIX = {"JPN": "JP-", "KOR": "KR-"}


def is_own_area(nation: str, code: str) -> bool:
    """Whether ``nation`` warns for area ``code`` (JPN: JP-*, KOR: KR-*, USA: :data:`US_AREAS`)."""
    if nation == "USA":
        return code in US_AREAS
    prefix = _PREFIX.get(nation)
    return prefix is not None and code.startswith(prefix)
