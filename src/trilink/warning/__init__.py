"""trilink.warning: each nation's public alerts about missile launches.

The lifecycle (:class:`WarningEngine`) turns the node's threat picture into J-Alert-like alerts
(:mod:`trilink.warning.model`); :func:`render` words them in English, Korean and Japanese.
"""

from trilink.warning.areas import AreaInfo, AreaLookup, is_own_area
from trilink.warning.engine import StatusMismatchError, Thresholds, WarningEngine
from trilink.warning.picture import (
    LaunchView,
    ObjectView,
    Role,
    ThreatPicture,
    picture_from_assessments,
)
from trilink.warning.texts import render

__all__ = [
    "AreaInfo",
    "AreaLookup",
    "LaunchView",
    "ObjectView",
    "Role",
    "StatusMismatchError",
    "ThreatPicture",
    "Thresholds",
    "WarningEngine",
    "is_own_area",
    "picture_from_assessments",
    "render",
]
