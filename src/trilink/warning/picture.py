"""The threat picture the warning engine decides on: a node's fused view of launches and objects
at one time, with each object's predicted ground track as Monte Carlo samples.

Samples rather than a nominal track with a lateral σ: the probability that an area is overflown
or hit is then a count over samples (one vectorised point-in-area query), and the same samples
give the impact odds, so the two can never disagree. :func:`picture_from_assessments` builds the
samples from the assessor's nominal ground track and calibrated impact covariance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from trilink.warning.model import Status

if TYPE_CHECKING:  # the warning package must import light: interchange writers use its model
    from trilink.assess.assessor import Assessment

__all__ = [
    "LaunchView",
    "ObjectView",
    "Role",
    "ThreatPicture",
    "cov_from_ellipse",
    "picture_from_assessments",
    "sample_tracks",
]

#: ``rv``: re-entry vehicle (or warhead candidate); ``booster``: a spent stage, never warned on.
Role = Literal["rv", "booster", "unknown"]

_R_EARTH = 6_371_008.8
#: 1-σ to the 95 % ellipse in two dimensions: √χ²₂(0.95) (as ``trilink.assess.impact.K95_2D``)
K95_2D = math.sqrt(-2.0 * math.log(0.05))
_EMPTY = np.zeros((0, 0))
_EMPTY_T = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, kw_only=True)
class LaunchView:
    """One launch as the node knows it."""

    launch_id: str
    time_ns: int | None = None
    lat_deg: float | None = None
    lon_deg: float | None = None
    sigma_m: float | None = None
    time_sigma_s: float | None = None
    missile_class: str = "unknown"
    #: "own": seen by own sensors; "partner": notified by a partner's launch event
    source: Literal["own", "partner"] = "own"
    #: the launch event was withdrawn (partner retraction, or its tracks dropped as false)
    withdrawn: bool = False


@dataclass(frozen=True, kw_only=True)
class ObjectView:
    """One tracked object of a launch, with its prediction.

    ``track_lat_deg``/``track_lon_deg`` [K, N]: K sampled ground tracks from now to impact (the
    last column is each sample's impact point), at times ``track_t_ns`` [N] (UTC ns).
    """

    object_id: str
    launch_id: str
    role: Role = "unknown"
    phase: str = "coast"
    #: the tracker confirmed the track (M of N): only confirmed tracks warn or clear
    confirmed: bool = True
    #: the track ended at the ground: the impact fields are the fall point
    fallen: bool = False
    lat_deg: float
    lon_deg: float
    alt_m: float | None = None
    lofted: bool = False
    #: the track heads for orbit: it will not fall, and nothing of a former prediction holds
    orbital: bool = False
    apogee_km: float | None = None
    impact_lat_deg: float | None = None
    impact_lon_deg: float | None = None
    #: impact covariance, east/north [m²] (2×2)
    impact_cov_en_m2: NDArray[np.float64] | None = None
    impact_ns: int | None = None
    impact_sigma_s: float = 0.0
    track_lat_deg: NDArray[np.float64] = field(default_factory=lambda: _EMPTY)
    track_lon_deg: NDArray[np.float64] = field(default_factory=lambda: _EMPTY)
    track_t_ns: NDArray[np.int64] = field(default_factory=lambda: _EMPTY_T)


@dataclass(frozen=True, kw_only=True)
class ThreatPicture:
    """The node's whole current view at ``t_ns``: a launch absent from it has evaporated."""

    t_ns: int
    #: from the scenario or envelope: must equal the engine's status
    status: Status
    launches: tuple[LaunchView, ...] = ()
    objects: tuple[ObjectView, ...] = ()


def cov_from_ellipse(major_m: float, minor_m: float, azimuth_deg: float) -> NDArray[np.float64]:
    """East/north covariance [m²] of a 95 % ellipse (semi-axes, major axis azimuth from north)."""
    a, b = major_m / K95_2D, minor_m / K95_2D
    az = math.radians(azimuth_deg)
    u = np.array([math.sin(az), math.cos(az)])
    v = np.array([math.cos(az), -math.sin(az)])
    return np.asarray(a * a * np.outer(u, u) + b * b * np.outer(v, v), dtype=np.float64)


def sample_tracks(
    nominal_lat_deg: NDArray[np.float64],
    nominal_lon_deg: NDArray[np.float64],
    cov_en_m2: NDArray[np.float64],
    *,
    samples: int = 128,
    spacing_km: float = 20.0,
    max_points: int = 400,
    min_reach_m: float | None = 50_000.0,
    seed: int = 0,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """K ground tracks [K, N] around a nominal one, and the fraction of the way [N] of each point.

    Each sample ends at an impact drawn from ``cov_en_m2`` and leaves the nominal track by a
    fraction of that offset growing with the distance flown (the spread is nil now, full at
    impact). The nominal is resampled every ``spacing_km`` so a narrow area between two of the
    assessor's points is not skipped. Deterministic for a given ``seed``.

    ``min_reach_m``: an object cannot fall farther from its nominal impact than the ground it
    still has to cover, so each offset is shortened to at most max(nominal track length,
    ``min_reach_m``). Why: a track in its last seconds can carry a degenerate covariance
    (thousands of km) that would otherwise spread samples over a whole country; None: no bound.
    """
    lat0 = np.radians(np.asarray(nominal_lat_deg, dtype=float))
    lon0 = np.radians(np.asarray(nominal_lon_deg, dtype=float))
    # segment lengths (haversine) → cumulative distance along the nominal track
    dl = np.diff(lat0)
    dn = np.diff(lon0)
    h = np.sin(dl / 2) ** 2 + np.cos(lat0[:-1]) * np.cos(lat0[1:]) * np.sin(dn / 2) ** 2
    seg = 2 * _R_EARTH * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    s = np.concatenate([[0.0], np.cumsum(seg)])
    total = float(s[-1])
    n = int(min(max(math.ceil(total / (spacing_km * 1e3)) + 1, 2), max_points))
    si = np.linspace(0.0, total, n)
    if total > 0:
        lat = np.interp(si, s, lat0)
        lon = np.interp(si, s, np.unwrap(lon0))
        frac = si / total
    else:
        lat = np.full(n, lat0[-1])
        lon = np.full(n, lon0[-1])
        frac = np.linspace(0.0, 1.0, n)
    cov = 0.5 * (cov_en_m2 + cov_en_m2.T)
    w, v = np.linalg.eigh(cov)
    L = v * np.sqrt(np.maximum(w, 0.0))
    z = np.random.default_rng(seed).standard_normal((samples, 2))
    off = z @ L.T  # [K, 2] east/north at impact
    if min_reach_m is not None:
        reach = max(total, min_reach_m)
        norm = np.hypot(off[:, 0], off[:, 1])
        off *= np.minimum(1.0, reach / np.maximum(norm, 1e-9))[:, None]
    # Each point moves along the great circle of its offset's bearing by its offset's length
    # (the destination-point formula), not by east/north increments on a plane: a plane offset
    # of thousands of km (a wide ellipse on a long track, e.g. a satellite launcher's stage)
    # reached past a pole to impossible latitudes and stretched eastings near the poles.
    dist = frac[None, :] * (np.hypot(off[:, 0], off[:, 1]) / _R_EARTH)[:, None]  # [K, N] rad
    bearing = np.arctan2(off[:, 0], off[:, 1])[:, None]
    sin_lat, cos_lat = np.sin(lat)[None, :], np.cos(lat)[None, :]
    sin_d, cos_d = np.sin(dist), np.cos(dist)
    sin_lat_s = np.clip(sin_lat * cos_d + cos_lat * sin_d * np.cos(bearing), -1.0, 1.0)
    lat_s = np.arcsin(sin_lat_s)
    lon_s = lon[None, :] + np.arctan2(
        np.sin(bearing) * sin_d * cos_lat, cos_d - sin_lat * sin_lat_s
    )
    lon_s = (lon_s + math.pi) % (2 * math.pi) - math.pi
    return np.degrees(lat_s), np.degrees(lon_s), frac


def picture_from_assessments(
    assessments: Iterable[Assessment],
    *,
    t_ns: int,
    status: Status,
    launch_of: Mapping[str, str],
    roles: Mapping[str, Role] | None = None,
    launches: Iterable[LaunchView] = (),
    fallen: Iterable[str] = (),
    samples: int = 128,
    spacing_km: float = 20.0,
    seed: int = 0,
) -> ThreatPicture:
    """A :class:`ThreatPicture` from the assessor's output for the confirmed tracks.

    ``launch_of``: track → launch id (the node's grouping); ``roles``: track → role (default
    ``unknown``, which warns like an RV); ``launches``: launch views known otherwise (partner
    events) — a launch of an assessed track not among them is added as seen by own sensors.
    Tracks with no impact prediction (boost, orbital) carry no samples.
    """
    roles = roles or {}
    down = set(fallen)
    known = {lv.launch_id: lv for lv in launches}
    given = set(known)
    best_sigma: dict[str, float] = {}
    objs: list[ObjectView] = []
    for a in assessments:
        lid = launch_of.get(a.track)
        if lid is None:
            continue
        sigma = a.launch_sigma_m if a.launch_sigma_m is not None else math.inf
        if lid not in given and (lid not in best_sigma or sigma < best_sigma[lid]):
            # the launch as its best-located track puts it (a track born high up may carry a
            # poor or no launch estimate)
            best_sigma[lid] = sigma
            known[lid] = LaunchView(
                launch_id=lid,
                time_ns=None if a.launch_t is None else round(a.launch_t * 1e9),
                lat_deg=a.launch_lat,
                lon_deg=a.launch_lon,
                sigma_m=a.launch_sigma_m,
                time_sigma_s=a.launch_t_sigma_s,
                missile_class=a.cls,
                source="own",
            )
        gt = np.asarray(a.ground_track, dtype=float).reshape(-1, 2)
        has_impact = (
            a.impact_lat is not None
            and a.impact_lon is not None
            and a.impact_t is not None
            and a.ellipse_major_m is not None
            and a.ellipse_minor_m is not None
            and len(gt) >= 1
        )
        now_lat, now_lon = (float(gt[0, 0]), float(gt[0, 1])) if len(gt) else (0.0, 0.0)
        obj = ObjectView(
            object_id=a.track,
            launch_id=lid,
            role=roles.get(a.track, "unknown"),
            phase=a.phase,
            confirmed=True,
            fallen=a.track in down,
            lat_deg=now_lat,
            lon_deg=now_lon,
            apogee_km=a.apogee_km,
            # lofted: the burnout speed would carry it much farther on a minimum-energy path
            lofted=bool(
                a.energy_range_km is not None
                and a.range_km is not None
                and a.energy_range_km > 1.5 * a.range_km
            ),
        )
        if has_impact:
            assert a.impact_t is not None and a.ellipse_major_m is not None
            assert a.ellipse_minor_m is not None
            cov = cov_from_ellipse(a.ellipse_major_m, a.ellipse_minor_m, a.ellipse_azimuth_deg or 0)
            tl, tn, frac = sample_tracks(
                gt[:, 0], gt[:, 1], cov, samples=samples, spacing_km=spacing_km, seed=seed
            )
            # times: linear in distance flown from now to the mean impact time (the arrival
            # over an area is a public estimate to the minute, not a trajectory fit)
            t_imp = round(a.impact_t * 1e9)
            obj = replace(
                obj,
                impact_lat_deg=a.impact_lat,
                impact_lon_deg=a.impact_lon,
                impact_cov_en_m2=cov,
                impact_ns=t_imp,
                impact_sigma_s=a.impact_t_sigma_s or 0.0,
                track_lat_deg=tl,
                track_lon_deg=tn,
                track_t_ns=(t_ns + frac * (t_imp - t_ns)).astype(np.int64),
            )
        objs.append(obj)
    return ThreatPicture(
        t_ns=t_ns, status=status, launches=tuple(known.values()), objects=tuple(objs)
    )
