"""A node's warning desk: its fused picture (own + partners' tracks) turned into alerts.

The desk keeps what the node knows, in the wire's terms: its own and its partners' track
reports (fused by covariance intersection, :class:`~trilink.node.fusion.FusionBook`) and launch
events (a partner's launch event is a launch notice). At each :meth:`WarningDesk.tick` it

1. fuses the reports current at that time;
2. gives each fused row a stable object id (a row keeps the id of any source it had before, so
   an object first seen by a partner keeps its identity when the own radar picks it up; when two
   rows claim one object, the row with more sources there keeps it, and the other becomes an
   object of its own if it holds a new track: a source that followed one object now follows
   another, as a partner's track on a missile goes on with its warhead after separation);
3. ties rows to launches through the launch ids their sources carry, merging one launch
   announced by several nations (same point within 50 km + 3σ, same time within 30 s);
4. predicts every coasting object's impact through the full dynamics (unscented transform,
   :func:`~trilink.assess.impact.predict_impact`), every ``predict_every_s``, batched over the
   objects of every desk that ticks at the same time (:func:`predict_desks`);
5. names roles per missile: an object falling short of 60 % of the longest predicted range of
   its missile is a spent stage, the others are re-entry vehicles (every object of the missile
   ever predicted counts, lost ones too). A volley is one launch; a new object near an object
   of its launch in place and velocity is part of that object's missile, any other is a missile
   of its own. An object heading for orbit has no prediction;
6. marks an object fallen when its reports stop after it was seen below 30 km or after its
   predicted impact time;
7. hands the :class:`~trilink.warning.picture.ThreatPicture` to the nation's
   :class:`~trilink.warning.engine.WarningEngine`.

A desk built with ``partners=False`` ignores everything from partners: the same nation alone,
which is how the gain of sharing is measured.

Each nation warns only its own public, but tells its partners what it told it: an alert goes out
as a wire :class:`~trilink.wire.messages.Warning` (:func:`warning_message`), and a partner's
warnings are kept per launch (:meth:`WarningDesk.partner_warnings`) for the timeline of who
warned when. They never change the desk's own alerts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

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
from trilink.wire.messages import LaunchEvent, TrackBatch, TrackReport, Warning

__all__ = ["PartnerWarning", "WarningDesk", "predict_desks", "predict_rows", "warning_message"]

Array = NDArray[np.float64]

#: one launch announced by two nations: points this close (m, beyond 3σ) and times (s)
SAME_LAUNCH_M = 50_000.0
SAME_LAUNCH_S = 30.0
#: objects this close (m) when first tied to a launch belong to the same launch
SAME_OBJECT_M = 100_000.0
#: a launch event whose launch no fused track names yet is applied after this long (s)
EVENT_HOLD_S = 3.0
#: below this a track that stops reporting has reached the ground (radars lose it low)
FALLEN_ALT_M = 30_000.0
#: an object predicted to fall short of this share of its missile's longest range is a stage
BOOSTER_RANGE_SHARE = 0.6
#: a new object this close (m) to, and this slow (m/s) against, an object of its launch seen
#: now is a part of the same missile (a separated stage or warhead, or the same missile tracked
#: anew); otherwise it is another missile of the volley
SAME_MISSILE_M = 30_000.0
SAME_MISSILE_MPS = 300.0
#: a launch point this close (m) to a missile's first sub-point is that missile's (radars first
#: see a missile up to a few minutes of flight from its launch)
SAME_SITE_M = 300_000.0
#: phases in flight order (at one report time, the most advanced one wins)
_PHASE_ORDER = {"boost": 0, "coast": 1, "reentry": 2}


def warning_message(alert: Alert, text_en: str = "") -> Warning:
    """An alert as the wire's :class:`~trilink.wire.messages.Warning` for the partners (an
    ``impact`` on land is ``impacted``, elsewhere ``fell_at_sea``)."""
    stage = alert.stage
    wire_stage: str = stage
    if stage == "impact":
        on_land = alert.impact is not None and alert.impact.zone == "land"
        wire_stage = "impacted" if on_land else "fell_at_sea"
    return Warning(
        launch_id=alert.launch_id,
        warning_id=alert.alert_id,
        stage=wire_stage,  # type: ignore[arg-type]
        issued_ns=alert.issued_ns,
        areas=tuple(a.code for a in alert.areas),
        text_en=text_en[:2000],
    )


@dataclass(frozen=True)
class PartnerWarning:
    """A warning a partner issued to its own public, tied to this desk's launch when known."""

    nation: str
    #: the desk's launch id (the partner's own id until the desk knows the launch)
    launch_id: str
    warning: Warning


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
    #: when it was last predicted (an orbital object has no prediction, but is not due again)
    predicted_t: float = -math.inf
    #: the last prediction found it heading for orbit
    orbital: bool = False
    #: the object id of the first object of its missile (its parts share it)
    missile: str = ""
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
        #: the time of the last fuse (s): when held launch events were received
        self._clock_s = -math.inf
        self.engine = WarningEngine(
            nation, areas, clock=lambda: self.now_ns, status=status, thresholds=thresholds
        )
        self.launches: dict[str, _Launch] = {}
        #: a launch id as announced by any nation -> the desk's launch id
        self.alias: dict[str, str] = {}
        self.objects: dict[str, _Object] = {}
        self._object_of_source: dict[str, str] = {}
        self._launch_of_source: dict[str, str] = {}
        #: each source's latest report: (time ns, phase)
        self._phase_of_source: dict[str, tuple[int, str]] = {}
        #: launch events held until their launch is known (key -> event, time received)
        self._pending: dict[str, LaunchEvent] = {}
        self._received: dict[str, float] = {}
        #: share of ticks at which each object was fused from two nations or more
        self.multi_source_ticks: dict[str, int] = {}
        self.seen_ticks: dict[str, int] = {}
        self.alerts: list[Alert] = []
        #: partners' warnings by (nation, warning id), in the order received
        self._partner_warnings: dict[tuple[str, str], Warning] = {}
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
        elif isinstance(payload, Warning) and not own:
            # a copy received twice (direct and via the hub) is one warning
            self._partner_warnings.setdefault((origin, payload.warning_id), payload)

    def partner_warnings(self) -> list[PartnerWarning]:
        """The partners' warnings, oldest issued first, each under the desk's launch id: the
        partner names a launch as its own desk did (``{first nation}-{id}``), which this desk
        knows by the same key when the same event or track told it of the launch."""
        out = []
        for (origin, _), w in self._partner_warnings.items():
            lid = w.launch_id
            first = lid.split("-", 1)[0]
            for key in (f"{first}/{lid}", f"{origin}/{lid}", f"{first}/{lid[len(first) + 1 :]}"):
                if key in self.alias:
                    lid = self.alias[key]
                    break
            out.append(PartnerWarning(origin, lid, w))
        out.sort(key=lambda pw: (pw.warning.issued_ns, pw.nation))
        return out

    def _source(self, origin: str, track_id: str) -> str:
        return f"own:{track_id}" if origin == self.nation else f"{origin}:{track_id}"

    def _add_report(self, origin: str, r: TrackReport) -> None:
        src = self._source(origin, r.track_id)
        if r.launch_id:
            self._launch_of_source[src] = f"{origin}/{r.launch_id}"
        last = self._phase_of_source.get(src)
        if last is None or r.time_ns >= last[0]:
            self._phase_of_source[src] = (r.time_ns, r.phase)
        if origin == self.nation:
            self.book.add_own(r)
        else:
            self.book.add_partner(origin, r)

    def _add_launch(self, origin: str, ev: LaunchEvent) -> None:
        key = f"{origin}/{ev.launch_id}"
        if key in self.alias:
            self._apply_event(key, ev)
        else:
            # Held a moment: the tracks that come with it usually tie it to a launch already
            # known (by the fused track), which is surer than comparing launch points.
            self._pending.setdefault(key, ev)
            self._received.setdefault(key, self._clock_s)

    def _settle_events(self, t: float) -> None:
        """Apply held launch events whose launch is now known, or that waited long enough."""
        for key, ev in list(self._pending.items()):
            if key in self.alias or t - self._received[key] >= EVENT_HOLD_S:
                del self._pending[key]
                self._apply_event(key, ev)

    def _apply_event(self, key: str, ev: LaunchEvent) -> None:
        t = ev.launch_time_ns / 1e9
        lid = self.alias.get(key)
        if lid is None:
            for other, la in self.launches.items():
                if math.isfinite(la.lat):
                    d = float(geodesic_inverse(la.lat, la.lon, ev.lat_deg, ev.lon_deg)[2])
                    near = d < SAME_LAUNCH_M + 3.0 * (la.sigma_m + ev.point_sigma_m)
                    if near and abs(la.t - t) < SAME_LAUNCH_S:
                        lid = other
                        break
                if self._first_seen_near(other, ev):
                    lid = other
                    break
        if lid is None:
            lid = self._new_launch(key)
        self.alias[key] = lid
        la = self.launches[lid]
        v = la.view
        if not math.isfinite(la.lat):
            # a launch first known from tracks gets its point from the first event about it
            la.lat, la.lon, la.t, la.sigma_m = ev.lat_deg, ev.lon_deg, t, ev.point_sigma_m
            v = replace(
                v,
                time_ns=ev.launch_time_ns,
                lat_deg=ev.lat_deg,
                lon_deg=ev.lon_deg,
                sigma_m=ev.point_sigma_m,
            )
        if v.missile_class == "unknown" and ev.missile_class != "unknown":
            v = replace(v, missile_class=ev.missile_class)
        la.view = v

    def _first_seen_near(self, lid: str, ev: LaunchEvent) -> bool:
        """Whether a launch known only from tracks matches an event: one of its objects was
        first seen within reach of the event's launch point (a radar first sees a missile up to
        a few minutes of flight, a few hundred km, from its launch point)."""
        for oid, o in self.objects.items():
            hist = self.history.get(oid)
            if o.launch_id != lid or not hist:
                continue
            t0, lat0, lon0, _ = hist[0]
            d = float(geodesic_inverse(lat0, lon0, ev.lat_deg, ev.lon_deg)[2])
            # ~7 km/s at most since launch, plus the event's own uncertainty
            reach = 7_000.0 * max(t0 - ev.launch_time_ns / 1e9, 0.0) + 3.0 * ev.point_sigma_m
            if d < SAME_LAUNCH_M + reach:
                return True
        return False

    def _new_launch(self, key: str) -> str:
        """A launch named after the first key (origin/launch id) it was known by."""
        origin, name = key.split("/", 1)
        lid = name if name.startswith(f"{origin}-") else f"{origin}-{name}"
        self.launches[lid] = _Launch(
            view=LaunchView(launch_id=lid, source="own" if origin == self.nation else "partner"),
            lat=math.nan,
            lon=math.nan,
            t=math.nan,
            sigma_m=0.0,
        )
        return lid

    def _launch_near(self, o: _Object, t: float) -> str | None:
        """A launch with an object current now within ``SAME_OBJECT_M`` of ``o``: the same
        missile seen by two nations whose reports did not fuse yet (or a volley's neighbour)."""
        p = o.x[0:3]
        for other in self.objects.values():
            if other is o or other.launch_id is None or other.last_t < t - 1e-9:
                continue
            if float(np.linalg.norm(other.x[0:3] - p)) < SAME_OBJECT_M:
                return other.launch_id
        return None

    def _launch_of_row(self, sources: Sequence[str], o: _Object, t: float) -> str | None:
        """The launch of a fused row: the one any of its sources' launch ids already names, else
        a new one from the first. Every id of the row then names it: one missile reported by two
        nations under their own launch ids is one launch (matched by the fused track, which is
        surer than launch points estimated from different sensors)."""
        keys = [self._launch_of_source[s] for s in sources if s in self._launch_of_source]
        if not keys:
            return None
        known = [self.alias[k] for k in keys if k in self.alias]
        if o.launch_id is not None:
            known.insert(0, o.launch_id)  # the object's launch, whoever named it first
        lid = known[0] if known else (self._launch_near(o, t) or self._new_launch(keys[0]))
        for k in keys:
            self.alias.setdefault(k, lid)
        return lid

    # ------------------------------------------------------------------ picture
    def fuse(self, t: float) -> list[str]:
        """Fuse at ``t``; update the objects; return the ids of objects due a new prediction."""
        self._clock_s = t
        for key in self._pending:
            if self._received[key] == -math.inf:  # held before the first fuse
                self._received[key] = t
        pic = self.book.fuse(t)
        present: set[str] = set()
        due: list[str] = []
        for k, oid in self._identities(pic.sources):
            sources = pic.sources[k]
            o = self.objects[oid]
            present.add(oid)
            o.last_t = t
            o.x, o.P = pic.x[k], pic.P[k]
            lat, lon, alt = ecef_to_geodetic(pic.x[k, 0:3])
            o.lat, o.lon, o.alt = math.degrees(float(lat)), math.degrees(float(lon)), float(alt)
            self.history.setdefault(oid, []).append((t, o.lat, o.lon, o.alt))
            o.phase = self._row_phase(sources)
            nations = {s.split(":", 1)[0] for s in sources}
            self.seen_ticks[oid] = self.seen_ticks.get(oid, 0) + 1
            if len(nations) >= 2:
                self.multi_source_ticks[oid] = self.multi_source_ticks.get(oid, 0) + 1
            lid = self._launch_of_row(sources, o, t)
            if o.launch_id is None:
                o.launch_id = lid
            if o.launch_id is not None and not o.missile:
                o.missile = self._missile_of(o, t)
            if o.phase == "boost" or o.launch_id is None:
                continue
            if t - o.predicted_t >= self.predict_every_s - 1e-9:
                due.append(oid)
        self._settle_events(t)
        for oid, o in self.objects.items():
            if oid in present or o.fallen or o.last_t == -math.inf:
                continue
            late = o.prediction is not None and t >= o.prediction.impact_t
            if o.alt < FALLEN_ALT_M or late:
                o.fallen = True
        return due

    def _missile_of(self, o: _Object, t: float) -> str:
        """The missile a newly placed object is part of: that of an object of its launch seen
        now (or a tick ago) at nearly the same place and velocity, else its own. A volley is
        one launch, but the spent stage of one missile is not to be judged against the range
        of another: in a 100-missile salvo from eleven sites every short-range missile was taken
        for a spent stage of the longest-range one, and none was warned."""
        for other in self.objects.values():
            if other is o or other.launch_id != o.launch_id or not other.missile:
                continue
            if other.last_t < t - 1.0 - 1e-9:
                continue
            near = float(np.linalg.norm(other.x[0:3] - o.x[0:3])) < SAME_MISSILE_M
            if near and float(np.linalg.norm(other.x[3:6] - o.x[3:6])) < SAME_MISSILE_MPS:
                return other.missile
        return o.object_id

    def _identities(self, rows: Sequence[Sequence[str]]) -> list[tuple[int, str]]:
        """The object id of each fused row (row index, id), rows that name no object dropped.

        A row is the object its sources were part of before. When two rows claim one object,
        the row with more of its sources there keeps it (on a tie, the row without a new
        track: the newcomer is the other one). The other row is
        dropped when all its sources were already known (the same object split for a moment by
        the fusion gate: showing it twice would count it twice), but becomes an object of its
        own when it holds a new track: a source that followed one object and now fuses with a
        new track follows another one. On a KN-23 a partner's track on the missile before
        separation went on with the warhead while the own first track went on with the spent
        stage; the warhead's row claimed the stage's object and was dropped for 85 s, the
        whole of its flight over Gangwon."""
        claims: list[tuple[int, str | None, int, int]] = []
        for k, sources in enumerate(rows):
            mapped = [self._object_of_source[s] for s in sources if s in self._object_of_source]
            new = len(sources) - len(mapped)
            if not mapped:
                claims.append((k, None, 0, new))
                continue
            oid = max(dict.fromkeys(mapped), key=mapped.count)  # the most-claimed, first on ties
            claims.append((k, oid, mapped.count(oid), new))
        taken: set[str] = set()
        out: list[tuple[int, str]] = []
        # more sources there first; on a tie the row without a new track (the continuation)
        for k, claim, _, _ in sorted(claims, key=lambda c: (-c[2], c[3])):
            sources = rows[k]
            if claim is not None and claim in taken:
                if all(s in self._object_of_source for s in sources):
                    continue
                claim = None
            if claim is None:
                claim = f"{self.nation}-O{len(self.objects) + 1}"
                self.objects[claim] = _Object(claim)
                for s in sources:  # every source of the row now follows the new object
                    self._object_of_source[s] = claim
            for s in sources:
                self._object_of_source.setdefault(s, claim)
            taken.add(claim)
            out.append((k, claim))
        out.sort()
        return out

    def _row_phase(self, sources: Sequence[str]) -> str:
        """The phase of a fused row: that of its most recent report (at one time, the most
        advanced phase). Each nation alone trusts its own tracker's burnout; the first tracker
        to see it ends the boost for the fused object too, rather than the slowest (on the
        2017-08-29 Hwasong-12, Japan's tracker saw burnout 2-3 s before Korea's and the US's
        reports said so, and the rule "boost while any source says boost" delayed Japan's
        first prediction, and its area warning, behind its own alone)."""
        latest = [self._phase_of_source[s] for s in sources if s in self._phase_of_source]
        if not latest:
            return "coast"
        _, phase = max(latest, key=lambda tp: (tp[0], _PHASE_ORDER.get(tp[1], 1)))
        return phase if phase in ("boost", "reentry") else "coast"

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
            # Ranges of every object of the launch ever predicted, lost ones included: a stage
            # falling after its warhead was lost is still a stage (Hwasong-17: every sensor
            # lost the warhead at 340 s; alone in the picture at its fall, the first stage
            # was taken for the warhead and its fall in North Korea's waters announced).
            ranges: dict[str, float] = {}
            longest: dict[str, float] = {}
            origins: dict[str, tuple[float, float]] = {}
            for o in self.objects.values():
                p = o.prediction
                if o.launch_id != lid or p is None or o.orbital:
                    continue
                if o.missile not in origins:
                    origins[o.missile] = self._missile_origin(o.missile, la)
                lat0, lon0 = origins[o.missile]
                r = float(geodesic_inverse(lat0, lon0, p.impact_lat, p.impact_lon)[2])
                ranges[o.object_id] = r
                longest[o.missile] = max(longest.get(o.missile, 0.0), r)
            for o in group:
                role: Role = "unknown"
                if o.object_id in ranges:
                    share = ranges[o.object_id] / max(longest[o.missile], 1.0)
                    role = "rv" if share >= BOOSTER_RANGE_SHARE else "booster"
                objs.append(self._view(o, role, t))
                if o.fallen:
                    o.reported_fallen = True
        return ThreatPicture(
            t_ns=round(t * 1e9),
            status=self.status,
            launches=tuple(views.values()),
            objects=tuple(objs),
        )

    def _missile_origin(self, missile: str, la: _Launch) -> tuple[float, float]:
        """Where a missile's ranges are measured from: its launch's point when that lies near
        the missile's first sub-point, else that sub-point (a volley from several sites is one
        launch, with the point of one of them)."""
        hist = self.history.get(missile)
        if not hist:
            return la.lat, la.lon
        _, lat, lon, _ = hist[0]
        near = math.isfinite(la.lat) and geodesic_inverse(la.lat, la.lon, lat, lon)[2] < SAME_SITE_M
        return (la.lat, la.lon) if near else (lat, lon)

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
            orbital=o.orbital,
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
        o = d.objects[oid]
        o.predicted_t = t
        o.orbital = bool(imp.orbital[k])
        if o.orbital:
            o.prediction = None  # no fall ahead: a former prediction must not hold
            continue
        gt = imp.ground_track[k]
        if not np.isfinite(imp.impact_lat[k]) or len(gt) < 2:
            continue
        cov = imp.cov_en[k]
        # seeded per object, so a desk's samples do not depend on who shares the batch
        tl, tn, frac = sample_tracks(
            gt[:, 0], gt[:, 1], cov, samples=d.samples, seed=d.seed + int(oid.rsplit("O", 1)[1])
        )
        o.prediction = _Prediction(
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
