"""A node's warning desk: its fused picture (own + partners' tracks) turned into alerts.

The desk keeps what the node knows, in the wire's terms: its own and its partners' track
reports (fused by covariance intersection, :class:`~trilink.node.fusion.FusionBook`) and launch
events (a partner's launch event is a launch notice). At each :meth:`WarningDesk.tick` it

1. fuses the reports current at that time;
2. gives each fused row a stable object id (a row keeps the id of any source it had before, so
   an object first seen by a partner keeps its identity when the own radar picks it up);
3. ties rows to launches through the launch ids their sources carry, merging one launch
   announced by several nations (same point within 50 km + 3σ, same time within 30 s);
4. predicts every coasting object's impact through the full dynamics (unscented transform,
   :func:`~trilink.assess.impact.predict_impact`), every ``predict_every_s``, batched over the
   objects of every desk that ticks at the same time (:func:`predict_desks`);
5. names roles: per launch the object predicted to fall farthest from the launch point is the
   re-entry vehicle, an object falling short of 60 % of that range is a spent stage;
6. marks an object fallen when its reports stop after it was seen below 30 km or after its
   predicted impact time;
7. hands the :class:`~trilink.warning.picture.ThreatPicture` to the nation's
   :class:`~trilink.warning.engine.WarningEngine`.

A desk built with ``partners=False`` ignores everything from partners: the same nation alone,
which is how the gain of sharing is measured.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from trilink.assess.assessor import AssessConfig
from trilink.assess.impact import predict_impact
from trilink.geo import ecef_to_geodetic, geodesic_inverse
from trilink.node.fusion import FusionBook
from trilink.warning.areas import AreaLookup
from trilink.warning.engine import Thresholds, WarningEngine, ellipse95
from trilink.warning.model import Alert, Status
from trilink.warning.picture import LaunchView, ObjectView, Role, ThreatPicture, sample_tracks
from trilink.wire.messages import LaunchEvent, TrackBatch, TrackReport

__all__ = ["WarningDesk", "predict_desks", "predict_rows"]

Array = NDArray[np.float64]

#: one launch announced by two nations: points this close (m, beyond 3σ) and times (s)
SAME_LAUNCH_M = 50_000.0
SAME_LAUNCH_S = 30.0
#: below this a track that stops reporting has reached the ground (radars lose it low)
FALLEN_ALT_M = 30_000.0
#: an object predicted to fall short of this share of its launch's longest range is a stage
BOOSTER_RANGE_SHARE = 0.6


@dataclass
class _Launch:
    view: LaunchView
    lat: float
    lon: float
    t: float
    sigma_m: float


@dataclass
class _Prediction:
    """An object's last impact prediction."""

    t: float
    impact_lat: float
    impact_lon: float
    impact_t: float
    impact_sigma_s: float
    cov_en: Array
    apogee_km: float
    track_lat: Array  # [K, N] sampled ground tracks
    track_lon: Array
    frac: Array  # [N] fraction of the way from prediction time to impact


@dataclass
class _Object:
    object_id: str
    launch_id: str | None = None
    last_t: float = -math.inf
    lat: float = 0.0
    lon: float = 0.0
    alt: float = 0.0
    phase: str = "coast"
    x: Array = field(default_factory=lambda: np.zeros(6))
    P: Array = field(default_factory=lambda: np.eye(6))
    prediction: _Prediction | None = None
    fallen: bool = False
    reported_fallen: bool = False


class WarningDesk:
    """One nation's alerts from its fused picture (see the module docstring)."""

    def __init__(
        self,
        nation: str,
        areas: AreaLookup,
        status: Status,
        *,
        partners: bool = True,
        predict_every_s: float = 4.0,
        samples: int = 96,
        seed: int = 0,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.nation = nation
        self.partners = partners
        self.status: Status = status
        self.predict_every_s = predict_every_s
        self.samples = samples
        self.seed = seed
        self.book = FusionBook()
        self.now_ns = 0
        self.engine = WarningEngine(
            nation, areas, clock=lambda: self.now_ns, status=status, thresholds=thresholds
        )
        self.launches: dict[str, _Launch] = {}
        #: a launch id as announced by any nation -> the desk's launch id
        self.alias: dict[str, str] = {}
        self.objects: dict[str, _Object] = {}
        self._object_of_source: dict[str, str] = {}
        self._launch_of_source: dict[str, str] = {}
        self._phase_of_source: dict[str, str] = {}
        #: per tick: fused rows (object id per row) waiting for predictions
        self._pending: list[str] = []
        #: share of ticks at which each object was fused from two nations or more
        self.multi_source_ticks: dict[str, int] = {}
        self.seen_ticks: dict[str, int] = {}
        self.alerts: list[Alert] = []
        #: object id -> [(t, lat, lon, alt)] of its fused sub-points, one per tick
        self.history: dict[str, list[tuple[float, float, float, float]]] = {}

    # ------------------------------------------------------------------ input
    def add(self, origin: str, payload: object) -> None:
        """A payload the node produced (``origin`` = own nation) or received from a partner."""
        own = origin == self.nation
        if not own and not self.partners:
            return
        if isinstance(payload, TrackBatch):
            for r in payload.reports:
                self._add_report(origin, r)
        elif isinstance(payload, TrackReport):
            self._add_report(origin, payload)
        elif isinstance(payload, LaunchEvent):
            self._add_launch(origin, payload)

    def _source(self, origin: str, track_id: str) -> str:
        return f"own:{track_id}" if origin == self.nation else f"{origin}:{track_id}"

    def _add_report(self, origin: str, r: TrackReport) -> None:
        src = self._source(origin, r.track_id)
        if r.launch_id:
            self._launch_of_source[src] = f"{origin}/{r.launch_id}"
        self._phase_of_source[src] = r.phase
        if origin == self.nation:
            self.book.add_own(r)
        else:
            self.book.add_partner(origin, r)

    def _add_launch(self, origin: str, ev: LaunchEvent) -> None:
        key = f"{origin}/{ev.launch_id}"
        if key in self.alias:
            return
        t = ev.launch_time_ns / 1e9
        for lid, la in self.launches.items():
            d = float(geodesic_inverse(la.lat, la.lon, ev.lat_deg, ev.lon_deg)[2])
            if d < SAME_LAUNCH_M + 3.0 * (la.sigma_m + ev.point_sigma_m) and abs(la.t - t) < (
                SAME_LAUNCH_S
            ):
                self.alias[key] = lid
                if la.view.missile_class == "unknown" and ev.missile_class != "unknown":
                    la.view = LaunchView(
                        launch_id=lid,
                        time_ns=la.view.time_ns,
                        lat_deg=la.view.lat_deg,
                        lon_deg=la.view.lon_deg,
                        sigma_m=la.view.sigma_m,
                        missile_class=ev.missile_class,
                        source=la.view.source,
                    )
                return
        lid = (
            f"{self.nation}-{ev.launch_id}" if origin == self.nation else f"{origin}-{ev.launch_id}"
        )
        self.alias[key] = lid
        self.launches[lid] = _Launch(
            view=LaunchView(
                launch_id=lid,
                time_ns=ev.launch_time_ns,
                lat_deg=ev.lat_deg,
                lon_deg=ev.lon_deg,
                sigma_m=ev.point_sigma_m,
                missile_class=ev.missile_class,
                source="own" if origin == self.nation else "partner",
            ),
            lat=ev.lat_deg,
            lon=ev.lon_deg,
            t=t,
            sigma_m=ev.point_sigma_m,
        )

    # ------------------------------------------------------------------ picture
    def fuse(self, t: float) -> list[str]:
        """Fuse at ``t``; update the objects; return the ids of objects due a new prediction."""
        pic = self.book.fuse(t)
        present: set[str] = set()
        due: list[str] = []
        for k, sources in enumerate(pic.sources):
            oid = next(
                (self._object_of_source[s] for s in sources if s in self._object_of_source), None
            )
            if oid is None:
                oid = f"{self.nation}-O{len(self.objects) + 1}"
                self.objects[oid] = _Object(oid)
            for s in sources:
                self._object_of_source.setdefault(s, oid)
            o = self.objects[oid]
            if oid in present:  # two rows claim one object: keep the first (the older identity)
                continue
            present.add(oid)
            o.last_t = t
            o.x, o.P = pic.x[k], pic.P[k]
            lat, lon, alt = ecef_to_geodetic(pic.x[k, 0:3])
            o.lat, o.lon, o.alt = math.degrees(float(lat)), math.degrees(float(lon)), float(alt)
            self.history.setdefault(oid, []).append((t, o.lat, o.lon, o.alt))
            phases = {self._phase_of_source.get(s, "unknown") for s in sources}
            o.phase = (
                "boost" if "boost" in phases else ("reentry" if "reentry" in phases else "coast")
            )
            nations = {s.split(":", 1)[0] for s in sources}
            self.seen_ticks[oid] = self.seen_ticks.get(oid, 0) + 1
            if len(nations) >= 2:
                self.multi_source_ticks[oid] = self.multi_source_ticks.get(oid, 0) + 1
            if o.launch_id is None:
                for s in sources:
                    lid = self.alias.get(self._launch_of_source.get(s, ""))
                    if lid is not None:
                        o.launch_id = lid
                        break
            if o.phase == "boost" or o.launch_id is None:
                continue
            if o.prediction is None or t - o.prediction.t >= self.predict_every_s - 1e-9:
                due.append(oid)
        for oid, o in self.objects.items():
            if oid in present or o.fallen or o.last_t == -math.inf:
                continue
            late = o.prediction is not None and t >= o.prediction.impact_t
            if o.alt < FALLEN_ALT_M or late:
                o.fallen = True
        return due

    def picture(self, t: float) -> ThreatPicture:
        """The threat picture at ``t`` from the objects and launches known now."""
        views = {lid: la.view for lid, la in self.launches.items()}
        by_launch: dict[str, list[_Object]] = {}
        for o in self.objects.values():
            if o.launch_id is None or o.reported_fallen:
                continue
            if o.last_t < t - 1e-9 and not o.fallen:
                continue  # lost, not (yet) fallen: the engine holds its last prediction
            by_launch.setdefault(o.launch_id, []).append(o)
        objs: list[ObjectView] = []
        for lid, group in by_launch.items():
            la = self.launches[lid]
            ranges = {
                o.object_id: float(
                    geodesic_inverse(
                        la.lat, la.lon, o.prediction.impact_lat, o.prediction.impact_lon
                    )[2]
                )
                for o in group
                if o.prediction is not None
            }
            longest = max(ranges.values(), default=0.0)
            for o in group:
                role: Role = "unknown"
                if o.object_id in ranges:
                    role = (
                        "rv" if ranges[o.object_id] >= BOOSTER_RANGE_SHARE * longest else "booster"
                    )
                objs.append(self._view(o, role, t))
                if o.fallen:
                    o.reported_fallen = True
        return ThreatPicture(
            t_ns=round(t * 1e9),
            status=self.status,
            launches=tuple(views.values()),
            objects=tuple(objs),
        )

    def _view(self, o: _Object, role: Role, t: float) -> ObjectView:
        p = o.prediction
        kw: dict[str, object] = {}
        if p is not None:
            t_imp = round(p.impact_t * 1e9)
            kw = {
                "impact_lat_deg": p.impact_lat,
                "impact_lon_deg": p.impact_lon,
                "impact_cov_en_m2": p.cov_en,
                "impact_ns": t_imp,
                "impact_sigma_s": p.impact_sigma_s,
                "apogee_km": p.apogee_km,
            }
            if not o.fallen:
                # the samples run from the prediction time; points already behind are harmless
                # (an area the object is over now is what `passed` checks against)
                t0 = round(p.t * 1e9)
                kw.update(
                    track_lat_deg=p.track_lat,
                    track_lon_deg=p.track_lon,
                    track_t_ns=(t0 + p.frac * (t_imp - t0)).astype(np.int64),
                )
        return ObjectView(
            object_id=o.object_id,
            launch_id=o.launch_id or "",
            role=role,
            phase=o.phase,
            confirmed=True,
            fallen=o.fallen,
            lat_deg=o.lat,
            lon_deg=o.lon,
            alt_m=o.alt,
            **kw,  # type: ignore[arg-type]
        )

    def last_predictions(
        self,
    ) -> dict[str, tuple[float, float, float, float, float, float, list[tuple[float, float]]]]:
        """Object id -> its last impact prediction: (lat, lon, UTC s, 95 % semi-major and
        semi-minor axes [m], azimuth [deg], nominal ground track [(lat, lon)])."""
        out = {}
        for oid, o in self.objects.items():
            p = o.prediction
            if p is None:
                continue
            major, minor, az = ellipse95(p.cov_en)
            k = p.track_lat.shape[0]
            nominal = (
                list(
                    zip(
                        np.median(p.track_lat, axis=0).tolist(),
                        np.median(p.track_lon, axis=0).tolist(),
                        strict=True,
                    )
                )
                if k
                else []
            )
            out[oid] = (p.impact_lat, p.impact_lon, p.impact_t, major, minor, az, nominal)
        return out

    def decide(self, t: float) -> list[Alert]:
        """Hand the picture at ``t`` to the engine; keep and return the alerts it issues."""
        self.now_ns = round(t * 1e9)
        alerts = self.engine.update(self.picture(t))
        self.alerts.extend(alerts)
        return alerts

    def tick(self, t: float) -> list[Alert]:
        """Fuse, predict (this desk alone) and decide at ``t``."""
        predict_desks([self], t)
        return self.decide(t)


def predict_desks(desks: Sequence[WarningDesk], t: float) -> None:
    """Fuse every desk at ``t`` and predict the due objects of all of them in one batch (the
    integration costs per step, not per track: one call for all is nearly the price of one)."""
    rows: list[tuple[WarningDesk, str]] = []
    for d in desks:
        rows += [(d, oid) for oid in d.fuse(t)]
    predict_rows(rows, t)


def predict_rows(rows: Sequence[tuple[WarningDesk, str]], t: float) -> None:
    """Predict the impact of fused objects (desk, object id) at ``t`` in one batch."""
    if not rows:
        return
    x = np.stack([d.objects[oid].x for d, oid in rows])
    P = np.stack([d.objects[oid].P for d, oid in rows])
    cfg = AssessConfig()
    imp = predict_impact(t, x, P, cfg.beta, cfg.log_beta_sigma)
    for k, (d, oid) in enumerate(rows):
        gt = imp.ground_track[k]
        if imp.orbital[k] or not np.isfinite(imp.impact_lat[k]) or len(gt) < 2:
            continue
        cov = imp.cov_en[k]
        # seeded per object, so a desk's samples do not depend on who shares the batch
        tl, tn, frac = sample_tracks(
            gt[:, 0], gt[:, 1], cov, samples=d.samples, seed=d.seed + int(oid.rsplit("O", 1)[1])
        )
        d.objects[oid].prediction = _Prediction(
            t=t,
            impact_lat=float(imp.impact_lat[k]),
            impact_lon=float(imp.impact_lon[k]),
            impact_t=float(imp.impact_t[k]),
            impact_sigma_s=float(imp.impact_t_sigma[k]),
            cov_en=cov,
            apogee_km=float(imp.apogee_km[k]),
            track_lat=tl,
            track_lon=tn,
            frac=frac,
        )
