"""Offline coastlines (Natural Earth 1:50m, public domain) for the Korea/Japan/West Pacific box."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

__all__ = ["COASTLINE_BBOX", "load_coastlines"]

#: lon_min, lat_min, lon_max, lat_max [deg] of the shipped coastline cut.
COASTLINE_BBOX: tuple[float, float, float, float] = (100.0, 0.0, 170.0, 60.0)

_FILE = "coastlines-50m-wpac.json"


@lru_cache(maxsize=1)
def _load() -> tuple[NDArray[np.float64], ...]:
    text = resources.files("trilink.geo").joinpath("data", _FILE).read_text(encoding="utf-8")
    doc = json.loads(text)
    return tuple(np.asarray(line, dtype=np.float64) for line in doc["lines"])


def load_coastlines() -> list[NDArray[np.float64]]:
    """Coastline polylines, each an array [N, 2] of (lon, lat) in degrees.

    The data ship with the package (see ``geo/data/README.md``); nothing is fetched.
    Arrays are fresh copies, so callers may modify them.
    """
    return [line.copy() for line in _load()]
