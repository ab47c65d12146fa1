"""Alerts as a national node issues them: one message per change of what the public is told.

An :class:`Alert` is structured data (stage, areas with probabilities, impact, status); the words
a reader sees are rendered from it per language and time zone, and the interchange formats
(CAP 1.2, Cursor on Target, GeoJSON) are written from it. Each nation warns only for its own
territory, so every alert has exactly one issuing ``nation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "LANGUAGES",
    "STAGES",
    "STATUSES",
    "ZONES",
    "Alert",
    "AlertText",
    "AreaThreat",
    "ImpactPoint",
    "Language",
    "Stage",
    "Status",
    "Zone",
    "impact_of",
]

#: J-Alert-like stages. ``update`` re-states areas or arrival; ``cancel`` withdraws an alert
#: that should not have been issued; ``all_clear`` ends the event for the public.
Stage = Literal["launch", "shelter", "update", "passed", "impact", "all_clear", "cancel"]
STAGES: tuple[Stage, ...] = (
    "launch",
    "shelter",
    "update",
    "passed",
    "impact",
    "all_clear",
    "cancel",
)

#: Carried end to end: an exercise or test alert must never read as a real one.
Status = Literal["actual", "exercise", "test"]
STATUSES: tuple[Status, ...] = ("actual", "exercise", "test")

#: Where a point lies, seen from the coastal states' claims.
Zone = Literal["land", "territorial_sea", "eez", "high_seas"]
ZONES: tuple[Zone, ...] = ("land", "territorial_sea", "eez", "high_seas")

Language = Literal["en", "ko", "ja"]
LANGUAGES: tuple[Language, ...] = ("en", "ko", "ja")


@dataclass(frozen=True, kw_only=True)
class AreaThreat:
    """One warned area: an ISO 3166-2 code (``JP-01``, ``KR-11``, ``US-GU``) and why."""

    code: str
    #: calibrated probability of impact in, or overflight of, the area's land or territorial sea
    probability: float
    #: "impact" when the object may fall there, "overflight" when it may only pass over
    kind: Literal["impact", "overflight"]
    #: predicted earliest arrival over the area (UTC ns), None when unknown
    arrival_ns: int | None = None


@dataclass(frozen=True, kw_only=True)
class ImpactPoint:
    """Where an object is predicted to fall (or fell), with its 95 % ellipse."""

    lat_deg: float
    lon_deg: float
    time_ns: int
    major_m: float = 0.0
    minor_m: float = 0.0
    azimuth_deg: float = 0.0
    zone: Zone = "high_seas"
    #: ISO alpha-3 of the coastal state whose land or zone it is; None on the high seas
    nation: str | None = None
    #: area code on land (and in the territorial sea, the adjacent area), else None
    area: str | None = None


@dataclass(frozen=True, kw_only=True)
class Alert:
    """One alert message of one nation about one launch."""

    #: unique and stable: ``{nation}-{launch_id}-{seq}``
    alert_id: str
    #: issuing nation (ISO alpha-3); it warns only for its own territory
    nation: str
    launch_id: str
    #: 0, 1, 2 ... per (nation, launch); every change is a new message
    seq: int
    stage: Stage
    status: Status
    issued_ns: int
    #: alert_ids this message updates or cancels (CAP ``references``)
    references: tuple[str, ...] = ()
    areas: tuple[AreaThreat, ...] = ()
    launch_time_ns: int | None = None
    launch_lat_deg: float | None = None
    launch_lon_deg: float | None = None
    missile_class: str = "unknown"
    #: the object this stage is about (a fused track id), when there is one
    object_id: str | None = None
    impact: ImpactPoint | None = None


@dataclass(frozen=True, kw_only=True)
class AlertText:
    """An alert rendered for one language and time zone."""

    language: Language
    headline: str
    description: str
    instruction: str = ""


def impact_of(alert: Alert) -> tuple[ImpactPoint, str]:
    """An alert's impact point and the key of what it is about, ``{nation}.{launch}[.{object}]``
    (stable across the updates of one object, so each replaces the last in a client)."""
    if alert.impact is None:
        raise ValueError(f"{alert.alert_id}: alert has no impact point")
    obj = f".{alert.object_id}" if alert.object_id else ""
    return alert.impact, f"{alert.nation}.{alert.launch_id}{obj}"
