"""What the web application reads from a node and what it may ask of it.

:class:`NodeView` is the one seam between the app and a node: snapshots of the fused picture,
launches, predictions, alerts, received events, links, agreements, counters and the audit log,
and the few actions an operator or administrator may take. The records are pydantic models so
the REST API's OpenAPI document describes exactly what a client gets.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from trilink.warning.model import Alert, Status

__all__ = [
    "AgreementRow",
    "AuditEntry",
    "EventRow",
    "LaunchRow",
    "LinkRow",
    "NodeView",
    "Origin",
    "PartnerWarningRow",
    "PredictionRow",
    "TrackPoint",
    "TrackRow",
    "ViewError",
]

#: own sensors only, one partner's report only, or fused from more than one nation
Origin = Literal["own", "partner", "fused"]


class ViewError(Exception):
    """An action the node refuses (unknown id, illegal state change); shown to the user."""


class TrackPoint(BaseModel):
    """One fused sub-point of an object."""

    t_ns: int
    lat_deg: float = Field(ge=-90, le=90)
    lon_deg: float = Field(ge=-180, le=180)
    alt_m: float


class TrackRow(BaseModel):
    """One object of the fused picture and the way it came."""

    object_id: str
    origin: Origin
    #: nations whose estimates make it up (own nation included when own sensors see it)
    nations: list[str]
    #: ``rv``, ``booster`` or ``unknown``: the map tells re-entry vehicles from spent stages
    role: Literal["rv", "booster", "unknown"] = "unknown"
    launch_id: str | None = None
    history: list[TrackPoint]


class LaunchRow(BaseModel):
    """A launch as the node knows it: when, where and how well located."""

    launch_id: str
    t_ns: int
    lat_deg: float
    lon_deg: float
    #: 1-sigma radius of the launch point's uncertainty [m]
    sigma_m: float
    missile_class: str = "unknown"
    #: ``own`` when own sensors saw it, else the partner nation whose event told of it
    source: str


class PredictionRow(BaseModel):
    """An object's last predicted impact: 95 % ellipse and nominal ground track."""

    object_id: str
    lat_deg: float
    lon_deg: float
    impact_t_ns: int
    major_m: float
    minor_m: float
    azimuth_deg: float
    #: nominal ground track from the prediction to impact, ``[lat, lon]`` pairs
    ground_track: list[tuple[float, float]]


class EventRow(BaseModel):
    """A launch or impact event received from a partner, and the way it came."""

    msg_id: str
    origin: str
    kind: str
    launch_id: str | None
    route: str


class PartnerWarningRow(BaseModel):
    """A warning a partner issued to its own public, as it told this node."""

    nation: str
    #: this node's launch id when it knows the launch, else the partner's
    launch_id: str
    warning_id: str
    stage: str
    issued_ns: int
    #: the partner's own warned areas
    areas: list[str] = []


class LinkRow(BaseModel):
    """One partner link."""

    peer: str
    up: bool
    route: Literal["direct", "via_hub"]
    last_rx_ns: int | None = None


class AgreementRow(BaseModel):
    """An agreement and its state."""

    name: str
    title: str
    parties: list[str]
    state: Literal["in_force", "suspended", "terminated"]
    since_ns: int = 0
    by: str = ""
    reason: str = ""


class AuditEntry(BaseModel):
    """One audit log line."""

    at_ns: int
    direction: str
    kind: str = ""
    origin: str = ""
    peer: str = ""
    route: str = ""
    reason: str = ""
    detail: str = ""


@runtime_checkable
class NodeView(Protocol):
    """A node as its web application sees it. Reads are snapshots; actions are audited."""

    @property
    def nation(self) -> str: ...

    @property
    def status(self) -> Status: ...

    def version(self) -> int:
        """Grows by at least one on every change anything below reports."""
        ...

    def tracks(self) -> list[TrackRow]: ...

    def launches(self) -> list[LaunchRow]: ...

    def predictions(self) -> list[PredictionRow]: ...

    def alerts(self) -> list[Alert]:
        """Every alert issued, oldest first."""
        ...

    def events(self) -> list[EventRow]: ...

    def partner_warnings(self) -> list[PartnerWarningRow]:
        """What the partners told their own publics, oldest first (for the timeline)."""
        ...

    def links(self) -> list[LinkRow]: ...

    def agreements(self) -> list[AgreementRow]: ...

    def set_agreement(self, name: str, state: str, by: str, reason: str) -> AgreementRow:
        """Suspend or restore an agreement; raises :class:`ViewError` if it cannot."""
        ...

    def counters(self) -> dict[str, int]:
        """Message counts by ``sent:<kind>``, ``received:<kind>``, ``refused:<reason>``."""
        ...

    def audit(self, limit: int) -> list[AuditEntry]:
        """The latest ``limit`` audit entries, newest first."""
        ...

    def acknowledged(self) -> dict[str, list[str]]:
        """Alert id -> users who acknowledged it."""
        ...

    def acknowledge(self, alert_id: str, user: str) -> None: ...

    def issue_cancel(self, launch_id: str, user: str) -> Alert: ...

    def issue_all_clear(self, launch_id: str, user: str) -> Alert: ...
