"""Wire messages: the signed envelope and its payloads (msgspec Structs).

Every field has a type and a range, so that decoding alone rejects NaN, infinities, out-of-range
values, unknown fields and unknown kinds. Payloads carry no sensor identity or site by design: what
a node knows about its own sensors stays inside the node (see :class:`Provenance`).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

__all__ = [
    "CATEGORY",
    "CLASSIFICATIONS",
    "EVENT_KINDS",
    "KINDS",
    "SCHEMA_VERSION",
    "STATE_KINDS",
    "AgreementState",
    "AgreementStatus",
    "AreaProbability",
    "Classification",
    "Envelope",
    "Heartbeat",
    "Hop",
    "ImpactPrediction",
    "LaunchEvent",
    "LinkStatus",
    "Nation",
    "Payload",
    "Provenance",
    "Status",
    "TrackBatch",
    "TrackReport",
    "Warning",
    "payload_kind",
]

#: Bumped on any incompatible change; receivers refuse other versions.
SCHEMA_VERSION = 1

Nation = Literal["KOR", "USA", "JPN"]
Status = Literal["actual", "exercise", "test"]
Classification = Literal["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]
#: Ordered from least to most sensitive.
CLASSIFICATIONS: tuple[str, ...] = ("UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET")

# Ranges generous enough for any real value, tight enough to refuse garbage (NaN fails them too).
EcefM = Annotated[float, msgspec.Meta(ge=-5.0e7, le=5.0e7)]
VelMps = Annotated[float, msgspec.Meta(ge=-2.0e4, le=2.0e4)]
CovEntry = Annotated[float, msgspec.Meta(ge=-1.0e16, le=1.0e16)]
Lat = Annotated[float, msgspec.Meta(ge=-90.0, le=90.0)]
Lon = Annotated[float, msgspec.Meta(ge=-180.0, le=180.0)]
Prob = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
Metres = Annotated[float, msgspec.Meta(ge=0.0, le=2.0e7)]
Azimuth = Annotated[float, msgspec.Meta(ge=0.0, lt=360.0)]
TimeNs = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
Ident = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
#: ISO 3166-2 subdivision codes ("JP-13", "KR-11", "US-GU"): what warning areas are keyed by.
AreaCode = Annotated[
    str, msgspec.Meta(min_length=4, max_length=6, pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
]
Text = Annotated[str, msgspec.Meta(max_length=2000)]
Signature = Annotated[bytes, msgspec.Meta(max_length=64)]


class _Payload(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind"):
    """Base of all payloads; the tag is the envelope's ``kind``."""


class TrackReport(_Payload, tag="track", frozen=True):
    """A track's state in ECEF (m, m/s) with its 6x6 covariance (row-major), no sensor ids."""

    track_id: Ident
    time_ns: TimeNs
    position_m: tuple[EcefM, EcefM, EcefM]
    velocity_mps: tuple[VelMps, VelMps, VelMps]
    covariance: Annotated[tuple[CovEntry, ...], msgspec.Meta(min_length=36, max_length=36)]
    phase: Literal["boost", "coast", "reentry", "unknown"]
    quality: Prob
    launch_id: Ident | None = None


class TrackBatch(_Payload, tag="tracks", frozen=True):
    """Several track reports under one signature.

    Ed25519 verification costs ~0.2 ms here, so one signature per report would cap a receiver at
    a few thousand reports/s per core; nodes batch reports for a few milliseconds instead.
    """

    reports: Annotated[tuple[TrackReport, ...], msgspec.Meta(min_length=1, max_length=96)]


class LaunchEvent(_Payload, tag="launch", frozen=True):
    """An estimated launch point and time."""

    launch_id: Ident
    launch_time_ns: TimeNs
    lat_deg: Lat
    lon_deg: Lon
    point_sigma_m: Metres
    missile_class: Literal["SRBM", "MRBM", "IRBM", "ICBM", "SLV", "unknown"] = "unknown"
    confidence: Prob = 0.5


class AreaProbability(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An area (ISO 3166-2 subdivision code) and the probability it is threatened."""

    area: AreaCode
    probability: Prob


class ImpactPrediction(_Payload, tag="impact", frozen=True):
    """Expected impact point with its uncertainty ellipse, time and threatened areas."""

    launch_id: Ident
    update: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
    lat_deg: Lat
    lon_deg: Lon
    major_m: Metres
    minor_m: Metres
    azimuth_deg: Azimuth
    impact_time_ns: TimeNs
    confidence: Prob
    areas: Annotated[tuple[AreaProbability, ...], msgspec.Meta(max_length=256)] = ()

    def __post_init__(self) -> None:
        if self.minor_m > self.major_m:
            raise ValueError("ellipse minor axis exceeds major axis")


class Warning(_Payload, tag="warning", frozen=True):
    """A public-warning stage for a launch (sovereign: each nation alerts its own public)."""

    launch_id: Ident
    warning_id: Ident
    stage: Literal[
        "launch", "shelter", "passed", "impacted", "fell_at_sea", "all_clear", "update", "cancel"
    ]
    issued_ns: TimeNs
    areas: Annotated[tuple[AreaCode, ...], msgspec.Meta(max_length=256)] = ()
    text_en: Text = ""


class LinkStatus(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One partner as seen by a node: whether the link is up and when it last heard from it."""

    peer: Nation
    up: bool
    last_rx_ns: TimeNs | None = None


class AgreementStatus(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An agreement's name and state as a node sees it."""

    name: Ident
    status: Literal["in_force", "suspended", "terminated"]


class Heartbeat(_Payload, tag="heartbeat", frozen=True):
    """Periodic liveness: links and agreement state."""

    time_ns: TimeNs
    links: Annotated[tuple[LinkStatus, ...], msgspec.Meta(max_length=8)] = ()
    agreements: Annotated[tuple[AgreementStatus, ...], msgspec.Meta(max_length=32)] = ()


class AgreementState(_Payload, tag="agreement", frozen=True):
    """A change of an agreement's state, announced to partners."""

    name: Ident
    status: Literal["in_force", "suspended", "terminated"]
    since_ns: TimeNs
    reason: Text = ""


Payload = (
    TrackReport | TrackBatch | LaunchEvent | ImpactPrediction | Warning | Heartbeat | AgreementState
)

KINDS: tuple[str, ...] = (
    "track",
    "tracks",
    "launch",
    "impact",
    "warning",
    "heartbeat",
    "agreement",
)
#: Travel on JetStream (acked, de-duplicated, replayed).
EVENT_KINDS: frozenset[str] = frozenset({"launch", "impact", "warning"})
#: Travel on core NATS (latest wins).
STATE_KINDS: frozenset[str] = frozenset({"track", "tracks", "heartbeat", "agreement"})
#: The agreement category a kind falls under (a batch of tracks is tracks).
CATEGORY: dict[str, str] = {k: ("track" if k == "tracks" else k) for k in KINDS}


def payload_kind(payload: Payload) -> str:
    """The ``kind`` tag of a payload."""
    tag = type(payload).__struct_config__.tag
    assert isinstance(tag, str)
    return tag


class Hop(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A relay's signed statement that it forwarded the envelope to ``to`` at ``at_ns``."""

    nation: Nation
    to: Nation
    at_ns: TimeNs
    signature: Signature = b""


_UUID7 = r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


class Envelope(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The signed unit on the wire. The origin signs everything but ``hops`` and ``signature``."""

    schema: int
    msg_id: Annotated[str, msgspec.Meta(pattern=_UUID7)]
    kind: Literal["track", "tracks", "launch", "impact", "warning", "heartbeat", "agreement"]
    origin: Nation
    created_ns: TimeNs
    classification: Classification
    rel_to: Annotated[tuple[Nation, ...], msgspec.Meta(max_length=3)]
    status: Status
    payload: Payload
    hops: Annotated[tuple[Hop, ...], msgspec.Meta(max_length=2)] = ()
    signature: Signature = b""

    def __post_init__(self) -> None:
        if self.schema != SCHEMA_VERSION:
            raise ValueError(f"unsupported schema {self.schema}")
        if self.kind != payload_kind(self.payload):
            raise ValueError("kind does not match payload")
        if list(self.rel_to) != sorted(set(self.rel_to)):
            raise ValueError("rel_to must be sorted and unique")


class Provenance(msgspec.Struct, frozen=True):
    """Inside a node only: which sensors and sites contributed. The guard never lets it out."""

    sensor_ids: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
