"""The alert lifecycle of one nation: from the node's threat picture to J-Alert-like alerts.

Push API: :meth:`WarningEngine.update` takes the current :class:`ThreatPicture` and returns the
alerts that the change since the last picture calls for (often none). The rules, thresholds and
the lessons they enforce are in ``docs/warnings.md``; in short:

* ``launch``: the first time a launch is known (own detection or a partner's event).
* ``shelter``: the first time an own area's probability of impact or overflight (land or
  territorial sea) reaches ``warn``; ``update``: the warned set changes (an area stays warned
  until its probability falls below ``drop``: hysteresis).
* ``passed``: a confirmed, current track has left the area behind (never inferred from time).
* ``impact``: a tracked object fell (zone, nation, area; or outside the own zones).
* ``all_clear``: every threatening object fell, was confirmed past, or was lost and its fall time
  is over, and nothing is warned.
* ``cancel``: the launch evaporated before any object of it was confirmed.

Only confirmed re-entry vehicles (or objects of unknown role) threaten: a spent booster never
raises an area. All state is per launch id: nothing carries from one launch to the next.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trilink.warning.areas import AreaLookup, is_own_area
from trilink.warning.model import Alert, AreaThreat, ImpactPoint, Stage, Status, Zone
from trilink.warning.picture import K95_2D, LaunchView, ObjectView, ThreatPicture

__all__ = ["StatusMismatchError", "Thresholds", "WarningEngine", "area_odds", "ellipse95"]

_NEVER = np.iinfo(np.int64).max


def ellipse95(cov_en: NDArray[np.float64]) -> tuple[float, float, float]:
    """95 % semi-axes [m] and major-axis azimuth [deg from north, 0-180) of an E/N covariance."""
    w, v = np.linalg.eigh(0.5 * (cov_en + cov_en.T))
    major = K95_2D * float(np.sqrt(max(w[1], 0.0)))
    minor = K95_2D * float(np.sqrt(max(w[0], 0.0)))
    az = float(np.degrees(np.arctan2(v[0, 1], v[1, 1]))) % 180.0
    return major, minor, az


class StatusMismatchError(ValueError):
    """A picture's status is not the engine's: an exercise must never produce an actual alert."""


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """Decision thresholds (see ``docs/warnings.md`` for why these values)."""

    #: probability of impact in or overflight of an area at which it is warned
    warn: float = 0.05
    #: a warned area is dropped only when its probability falls below this (hysteresis)
    drop: float = 0.01
    #: a lost track's last prediction holds until its impact time + this many σ + ``lost_grace_s``
    lost_sigmas: float = 3.0
    lost_grace_s: float = 30.0

    def __post_init__(self) -> None:
        if not 0.0 < self.drop <= self.warn <= 1.0:
            raise ValueError(f"need 0 < drop <= warn <= 1, not drop={self.drop}, warn={self.warn}")


@dataclass
class _Obj:
    """What the engine remembers of one object of one launch."""

    role: str
    confirmed: bool = False
    present: bool = False
    fallen: bool = False
    phase: str = "coast"
    last_seen_ns: int = 0
    impact_ns: int | None = None
    impact_sigma_s: float = 0.0
    #: last probability per own area (overflight or impact), and of impact alone
    p: dict[str, float] = field(default_factory=dict)
    p_imp: dict[str, float] = field(default_factory=dict)
    #: predicted arrival per area, kept from the last update at which it threatened the area
    arrival: dict[str, int] = field(default_factory=dict)
    #: the area under the sub-point now ("" none)
    over: str = ""
    #: heads for orbit (last said so): no fall to wait for
    orbital: bool = False

    @property
    def threat(self) -> bool:
        return self.confirmed and self.role != "booster"


@dataclass
class _Launch:
    view: LaunchView | None
    seq: int = 0
    ids: list[str] = field(default_factory=list)
    active: dict[str, AreaThreat] = field(default_factory=dict)
    passed: set[str] = field(default_factory=set)
    sheltered: bool = False
    cleared: bool = False
    closed: bool = False
    #: an object of the launch was confirmed by a track: it can no longer be cancelled
    real: bool = False
    objs: dict[str, _Obj] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Odds:
    codes: tuple[str, ...]
    p: NDArray[np.float64]  # [O, C] impact in or overflight of
    p_imp: NDArray[np.float64]  # [O, C] impact in
    arrival: NDArray[np.int64]  # [O, C] earliest sample time over the area (_NEVER none)
    over: NDArray[Any]  # [M] area code under each sub-point asked for


def _unique(key: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.intp]]:
    """Sorted distinct keys and each key's index among them (sort-based: NumPy 2's hashing
    ``np.unique`` is many times slower on ~10⁵ integers)."""
    if not len(key):
        return key, np.zeros(0, dtype=np.intp)
    order = np.argsort(key, kind="stable")
    s = key[order]
    new = np.empty(len(s), dtype=bool)
    new[0] = True
    np.not_equal(s[1:], s[:-1], out=new[1:])
    inv = np.empty(len(s), dtype=np.intp)
    inv[order] = np.cumsum(new) - 1
    return s[new], inv


def _codes_of(raw: NDArray[Any]) -> tuple[NDArray[np.intp], NDArray[Any], NDArray[np.intp]]:
    """The points over an area, the distinct codes, and each such point's code index.

    Fixed-width ASCII codes of up to 8 characters (``JP-01``) are packed into integers and
    grouped as such: comparing and sorting ~10⁵ strings would dominate the update."""
    if raw.dtype.kind == "U" and 0 < raw.dtype.itemsize // 4 <= 8 and raw.ndim == 1:
        w = raw.dtype.itemsize // 4
        ch = np.ascontiguousarray(raw).view(np.uint32).reshape(len(raw), w)
        idx = np.flatnonzero(ch[:, 0] != 0)
        c = np.take(ch, idx, axis=0).astype(np.int64)  # take: far faster than ch[idx]
        if not len(c) or int(c.max()) < 128:
            packed = c @ (np.int64(128) ** np.arange(w, dtype=np.int64))
            keys, inv = _unique(packed)
            first = np.zeros(len(keys), dtype=np.intp)
            first[inv] = np.arange(len(inv))  # any point of each code will do
            return idx, raw[idx[first]], inv
    idx = np.flatnonzero(raw != "" if raw.dtype.kind in "US" else raw.astype(bool))
    uniq, inv = np.unique(raw[idx].astype(str), return_inverse=True)
    return idx, uniq, inv.ravel()


def _lookup(
    areas: AreaLookup,
    objects: Sequence[ObjectView],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    cache: dict[int, tuple[NDArray[np.float64], NDArray[Any]]] | None,
) -> NDArray[Any]:
    """Area codes of every point: cached ones reused, the rest in one query."""
    if cache is None:
        return np.asarray(areas.warn_area_many(lat, lon))
    raw = np.empty(len(lat), dtype=object)
    todo = np.ones(len(lat), dtype=bool)
    start = 0
    live: set[int] = set()
    for o in objects:
        n = o.track_lat_deg.size
        key = id(o.track_lat_deg)
        hit = cache.get(key)
        # the array itself is kept in the entry, so its id cannot be reused while cached
        if hit is not None and hit[0] is o.track_lat_deg:
            raw[start : start + n] = hit[1]
            todo[start : start + n] = False
        live.add(key)
        start += n
    idx = np.flatnonzero(todo)
    if len(idx):
        raw[idx] = np.asarray(areas.warn_area_many(lat[idx], lon[idx]))
    start = 0
    for o in objects:
        n = o.track_lat_deg.size
        cache[id(o.track_lat_deg)] = (o.track_lat_deg, raw[start : start + n].copy())
        start += n
    for key in [k for k in cache if k not in live]:
        del cache[key]
    return raw


def area_odds(
    nation: str,
    areas: AreaLookup,
    objects: Sequence[ObjectView],
    sub_lat_deg: NDArray[np.float64],
    sub_lon_deg: NDArray[np.float64],
    cache: dict[int, tuple[NDArray[np.float64], NDArray[Any]]] | None = None,
) -> _Odds:
    """Per object and own area: the fraction of samples that hit or overfly it, that hit it, and
    the earliest time a sample is over it; and the area under extra points (sub-points).

    One point-in-area query for all samples of all objects; counts by ``np.unique`` and
    ``np.bincount`` (no Python loop per sample). ``cache`` keeps each sample array's area codes
    between calls: a node re-predicts every few seconds but decides every second, and the
    lookup of unchanged samples is most of the cost."""
    n_obj = len(objects)
    Ks = np.array([o.track_lat_deg.shape[0] for o in objects], dtype=np.int64)
    Ns = np.array([o.track_lat_deg.shape[1] if o.track_lat_deg.ndim == 2 else 0 for o in objects])
    Ns = Ns.astype(np.int64)
    sizes = Ks * Ns
    total = int(sizes.sum())
    lat = np.concatenate(
        [o.track_lat_deg.ravel() for o in objects] + [np.asarray(sub_lat_deg, dtype=float)]
    )
    lon = np.concatenate(
        [o.track_lon_deg.ravel() for o in objects] + [np.asarray(sub_lon_deg, dtype=float)]
    )
    raw = _lookup(areas, objects, lat, lon, cache)
    idx, uniq, inv = _codes_of(raw)
    own = np.array([is_own_area(nation, str(c)) for c in uniq], dtype=bool)
    codes = tuple(str(c) for c in uniq[own])
    n_c = len(codes)
    remap = np.full(len(uniq), -1, dtype=np.int64)
    remap[own] = np.arange(n_c)
    ci_all = remap[inv.ravel()]
    keep = ci_all >= 0
    idx, ci_all = idx[keep], ci_all[keep]
    sub = idx >= total
    over = np.full(len(lat) - total, "", dtype=object)
    over[idx[sub] - total] = np.asarray(codes, dtype=object)[ci_all[sub]] if n_c else ""
    pt, ci = idx[~sub], ci_all[~sub]
    p = np.zeros((n_obj, n_c))
    p_imp = np.zeros((n_obj, n_c))
    arrival = np.full((n_obj, n_c), _NEVER, dtype=np.int64)
    if len(pt):
        starts = np.cumsum(sizes) - sizes
        obj_pt = np.searchsorted(starts, pt, side="right") - 1
        local = pt - starts[obj_pt]
        n_pt = Ns[obj_pt]
        col = local % n_pt
        sample_pt = (np.cumsum(Ks) - Ks)[obj_pt] + local // n_pt
        t_all = np.concatenate([np.asarray(o.track_t_ns, dtype=np.int64) for o in objects])
        t_pt = t_all[(np.cumsum(Ns) - Ns)[obj_pt] + col]
        # one (sample, area) pair per sample that touches the area, however many of its points do
        key = _unique(sample_pt * n_c + ci)[0]
        s_u, c_u = key // n_c, key % n_c
        obj_sample = np.repeat(np.arange(n_obj), Ks)
        counts = np.bincount(obj_sample[s_u] * n_c + c_u, minlength=n_obj * n_c)
        p = counts.reshape(n_obj, n_c) / np.maximum(Ks, 1)[:, None]
        last = col == n_pt - 1  # each sample's impact point
        counts_i = np.bincount(obj_pt[last] * n_c + ci[last], minlength=n_obj * n_c)
        p_imp = counts_i.reshape(n_obj, n_c) / np.maximum(Ks, 1)[:, None]
        flat = arrival.reshape(-1)
        np.minimum.at(flat, obj_pt * n_c + ci, t_pt)
    return _Odds(codes, p, p_imp, arrival, over)


def _merge(old: LaunchView | None, new: LaunchView) -> LaunchView:
    """The new view of a launch, keeping the old time and point where the new one has none."""
    if old is None or (new.lat_deg is not None and new.time_ns is not None):
        return new
    return dataclasses.replace(
        new,
        time_ns=new.time_ns if new.time_ns is not None else old.time_ns,
        lat_deg=new.lat_deg if new.lat_deg is not None else old.lat_deg,
        lon_deg=new.lon_deg if new.lat_deg is not None else old.lon_deg,
        sigma_m=new.sigma_m if new.lat_deg is not None else old.sigma_m,
    )


class WarningEngine:
    """One nation's alert lifecycle over the launches of its threat picture.

    ``status`` is fixed at creation (from the scenario or envelope): every alert carries it, and a
    picture of another status is refused (:class:`StatusMismatchError`). ``clock`` gives the time
    each alert is issued at (UTC ns)."""

    def __init__(
        self,
        nation: str,
        areas: AreaLookup,
        *,
        clock: Callable[[], int],
        status: Status,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.nation = nation
        self.areas = areas
        self.clock = clock
        self.status: Status = status
        self.thresholds = thresholds or Thresholds()
        self._launches: dict[str, _Launch] = {}
        #: area codes of each object's current samples (see :func:`area_odds`)
        self._codes: dict[int, tuple[NDArray[np.float64], NDArray[Any]]] = {}

    # ------------------------------------------------------------------ public
    def update(self, picture: ThreatPicture) -> list[Alert]:
        """The alerts the picture calls for, in the order they are to be sent."""
        if picture.status != self.status:
            raise StatusMismatchError(
                f"{self.nation} engine is {self.status!r}; refusing a {picture.status!r} picture"
            )
        t = picture.t_ns
        views = {lv.launch_id: lv for lv in picture.launches}
        # a launch is in the picture through its view or any of its objects
        present = set(views) | {o.launch_id for o in picture.objects}
        for lid in sorted(present):
            self._launches.setdefault(lid, _Launch(view=None))
        live = {lid for lid, st in self._launches.items() if not st.closed}
        objs = [o for o in picture.objects if o.launch_id in live]
        threats = [
            o
            for o in objs
            if o.confirmed
            and o.role != "booster"
            and not o.fallen
            and not o.orbital
            and o.track_lat_deg.size
        ]
        odds = area_odds(
            self.nation,
            self.areas,
            threats,
            np.array([o.lat_deg for o in objs], dtype=float),
            np.array([o.lon_deg for o in objs], dtype=float),
            cache=self._codes,
        )
        fell_now = self._remember(t, objs, threats, odds)
        impacts = self._locate_falls(fell_now)
        out: list[Alert] = []
        for lid, st in self._launches.items():
            if st.closed:
                continue
            if lid in views:
                st.view = _merge(st.view, views[lid])
            gone = lid not in present or (lid in views and views[lid].withdrawn)
            self._step(lid, st, gone, t, impacts, out)
        return out

    # ------------------------------------------------------------------ memory
    def _remember(
        self,
        t: int,
        objs: Sequence[ObjectView],
        threats: Sequence[ObjectView],
        odds: _Odds,
    ) -> list[ObjectView]:
        """Update the per-object memory; return the objects that fell since the last picture."""
        for st in self._launches.values():
            for m in st.objs.values():
                m.present = False
        row = {id(o): i for i, o in enumerate(threats)}
        drop = self.thresholds.drop
        fell: list[ObjectView] = []
        for j, o in enumerate(objs):
            st = self._launches[o.launch_id]
            m = st.objs.setdefault(o.object_id, _Obj(role=o.role))
            m.role = o.role
            m.confirmed = m.confirmed or o.confirmed
            st.real = st.real or o.confirmed
            m.present = True
            m.phase = o.phase
            m.last_seen_ns = t
            m.over = str(odds.over[j])
            m.orbital = o.orbital
            if o.orbital:
                # an object found to head for orbit drops its former (sub-orbital) prediction:
                # held, it kept areas warned and the all clear waiting for a fall that never comes
                m.impact_ns, m.p, m.p_imp = None, {}, {}
            if o.impact_ns is not None:
                m.impact_ns = o.impact_ns
                m.impact_sigma_s = o.impact_sigma_s
            if o.fallen and not m.fallen:
                m.fallen = True
                fell.append(o)
            i = row.get(id(o))
            if i is None:
                continue
            nz = np.flatnonzero(odds.p[i] > 0)
            m.p = {odds.codes[c]: float(odds.p[i, c]) for c in nz}
            m.p_imp = {odds.codes[c]: float(odds.p_imp[i, c]) for c in nz if odds.p_imp[i, c] > 0}
            for c in nz:
                if odds.p[i, c] >= drop:
                    m.arrival[odds.codes[c]] = int(odds.arrival[i, c])
        return fell

    def _locate_falls(self, fell: Sequence[ObjectView]) -> dict[str, ImpactPoint]:
        """Zone, nation and area of each fall point (one vectorised query)."""
        pts = [o for o in fell if o.impact_lat_deg is not None and o.impact_lon_deg is not None]
        if not pts:
            return {}
        lat = np.array([o.impact_lat_deg for o in pts], dtype=float)
        lon = np.array([o.impact_lon_deg for o in pts], dtype=float)
        zone, nation, code = self.areas.locate_many(lat, lon)
        out: dict[str, ImpactPoint] = {}
        for k, o in enumerate(pts):
            major = minor = az = 0.0
            if o.impact_cov_en_m2 is not None:
                major, minor, az = ellipse95(np.asarray(o.impact_cov_en_m2, dtype=float))
            z: Zone = str(zone[k])  # type: ignore[assignment]
            out[o.object_id] = ImpactPoint(
                lat_deg=float(lat[k]),
                lon_deg=float(lon[k]),
                time_ns=o.impact_ns if o.impact_ns is not None else 0,
                major_m=major,
                minor_m=minor,
                azimuth_deg=az,
                zone=z,
                nation=str(nation[k]) or None,
                area=str(code[k]) or None,
            )
        return out

    # ------------------------------------------------------------------ one launch
    def _expired(self, m: _Obj, t: int) -> bool:
        """A lost track's prediction no longer holds: its fall time (with margin) is over."""
        if m.present or m.fallen:
            return False
        th = self.thresholds
        if m.impact_ns is None:
            return t > m.last_seen_ns + round(th.lost_grace_s * 1e9)
        margin = th.lost_sigmas * m.impact_sigma_s + th.lost_grace_s
        return t > m.impact_ns + round(margin * 1e9)

    def _step(
        self,
        lid: str,
        st: _Launch,
        gone: bool,
        t: int,
        impacts: dict[str, ImpactPoint],
        out: list[Alert],
    ) -> None:
        th = self.thresholds
        if not st.ids:
            out.append(self._alert(lid, st, "launch"))
        if gone and not st.real:
            # Evaporated before any object of it was confirmed: withdraw everything said.
            out.append(self._alert(lid, st, "cancel", references=tuple(st.ids)))
            st.closed = True
            return
        threats = [m for m in st.objs.values() if m.threat]
        holding = [m for m in threats if not m.fallen and not self._expired(m, t)]
        q: dict[str, float] = {}
        q_imp: dict[str, float] = {}
        arrival: dict[str, int] = {}
        for m in holding:
            for c, p in m.p.items():
                q[c] = q.get(c, 1.0) * (1.0 - p)
                if p >= th.drop and c in m.arrival:
                    arrival[c] = min(arrival.get(c, m.arrival[c]), m.arrival[c])
            for c, p in m.p_imp.items():
                q_imp[c] = q_imp.get(c, 1.0) * (1.0 - p)
        # Objects of one launch are not independent; 1 - Π(1 - p) is at least the largest
        # single probability, so combining never warns less than any one object would.
        prob = {c: 1.0 - v for c, v in q.items()}
        prob_imp = {c: 1.0 - v for c, v in q_imp.items()}

        # passed: only a confirmed track present now, whose own prediction no longer reaches the
        # area, whose predicted arrival there is behind it, and whose sub-point is not over it.
        passed_now: dict[str, str] = {}
        for c in st.active:
            if prob.get(c, 0.0) >= th.drop:
                continue
            for oid, m in st.objs.items():
                if (
                    m.threat
                    and m.present
                    and not m.fallen
                    and c in m.arrival
                    and t >= m.arrival[c]
                    and m.p.get(c, 0.0) < th.drop
                    and m.over != c
                ):
                    passed_now[c] = oid
                    break
        if passed_now:
            st.passed |= set(passed_now)
            left = tuple(st.active[c] for c in sorted(passed_now))
            out.append(
                self._alert(
                    lid, st, "passed", areas=left, object_id=next(iter(passed_now.values()))
                )
            )

        fell_areas: set[str] = set()
        for oid, m in st.objs.items():
            if oid in st.reported or not m.fallen or not m.confirmed:
                continue
            st.reported.add(oid)
            ip = impacts.get(oid)
            fell_areas |= {c for c, p in m.p.items() if p >= th.drop}
            if ip is None:
                continue
            if m.role == "booster" and ip.nation != self.nation:
                continue  # a spent stage is news only when it falls in own land or zones
            out.append(self._alert(lid, st, "impact", object_id=oid, impact=ip))

        old = set(st.active)
        keep = {c for c in old if prob.get(c, 0.0) >= th.drop and c not in passed_now}
        new = keep | {c for c, p in prob.items() if p >= th.warn}
        st.active = {
            c: AreaThreat(
                code=c,
                probability=round(prob[c], 4),
                kind="impact" if prob_imp.get(c, 0.0) >= th.drop else "overflight",
                arrival_ns=arrival.get(c),
            )
            for c in sorted(new)
        }
        now_areas = tuple(st.active.values())

        # all clear: evidence for every threatening object, and nothing warned
        def done(m: _Obj) -> bool:
            if m.fallen or self._expired(m, t) or m.orbital:
                return True
            past = any(c in st.passed for c in m.arrival)
            ahead = any(p >= th.drop for p in m.p.values())
            return m.present and m.phase != "boost" and past and not ahead

        clear = not st.cleared and bool(threats) and not new and all(done(m) for m in threats)
        removed = old - new
        explained = not (new - old) and removed <= (set(passed_now) | fell_areas)
        if new and (not st.sheltered or st.cleared):
            st.sheltered, st.cleared = True, False
            out.append(self._alert(lid, st, "shelter", areas=now_areas))
        elif st.sheltered and not st.cleared and new != old and not explained and not clear:
            # (an all clear going out now says more than an update to no areas)
            out.append(self._alert(lid, st, "update", areas=now_areas))
        if clear:
            st.cleared = True
            out.append(self._alert(lid, st, "all_clear"))
        if st.cleared and all(m.fallen or m.orbital or self._expired(m, t) for m in threats):
            st.closed = True

    def _alert(
        self,
        lid: str,
        st: _Launch,
        stage: Stage,
        *,
        areas: tuple[AreaThreat, ...] = (),
        references: tuple[str, ...] | None = None,
        object_id: str | None = None,
        impact: ImpactPoint | None = None,
    ) -> Alert:
        v = st.view
        aid = f"{self.nation}-{lid}-{st.seq}"
        refs = references if references is not None else tuple(st.ids[-1:])
        alert = Alert(
            alert_id=aid,
            nation=self.nation,
            launch_id=lid,
            seq=st.seq,
            stage=stage,
            status=self.status,
            issued_ns=self.clock(),
            references=refs,
            areas=areas,
            launch_time_ns=None if v is None else v.time_ns,
            launch_lat_deg=None if v is None else v.lat_deg,
            launch_lon_deg=None if v is None else v.lon_deg,
            missile_class="unknown" if v is None else v.missile_class,
            object_id=object_id,
            impact=impact,
        )
        st.seq += 1
        st.ids.append(aid)
        return alert
