"""The node's producer pipeline on a library scenario: own sensors → tracker → assessor → items.

:class:`ScenarioSource` flies a scenario (``trilink.scenarios``), keeps only the plots of the
node's own nation's sensors, feeds them scan by scan into a :class:`~trilink.tracking.Tracker`,
assesses the confirmed tracks (``trilink.assess``) and turns the result into timed items for the
guard: track reports (ECEF state, 6x6 covariance, phase; rate-limited per track), one launch
event per launch once it is assessed, and impact predictions (point, 95 % ellipse, time) every
few seconds. Each item carries its :class:`~trilink.wire.messages.Provenance` (the contributing
sensors and their sites) for the guard to strip. Item times are seconds after the scenario epoch,
so ``Node.run_source(speed=...)`` replays faster than real time; the scenario's own UTC times
are kept in the payloads, so partners' reports line up with the node's own.

Everything is seeded: the same scenario, seed and nation give the same items.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from trilink import NATIONS, TrilinkError
from trilink.fabric.guard import Outgoing
from trilink.fabric.timed import TimedItem
from trilink.geo import geodesic_inverse
from trilink.wire.messages import (
    Classification,
    ImpactPrediction,
    LaunchEvent,
    Provenance,
    Status,
    TrackReport,
)

if TYPE_CHECKING:
    from trilink.assess.assessor import Assessment
    from trilink.tracking.tracker import TrackHistory, TrackSet

__all__ = ["ListSource", "ScenarioSource", "compute_items"]

_CLASSES = ("SRBM", "MRBM", "IRBM", "ICBM", "SLV")
_MAX_M = 2.0e7
_PHASES: dict[str, Literal["boost", "coast", "reentry"]] = {
    "boost": "boost",
    "coast": "coast",
    "reentry": "reentry",
}


@dataclass
class ListSource:
    """Items computed beforehand (e.g. in another process), replayed as a :class:`Source`."""

    timed: Sequence[TimedItem]

    def items(self) -> Iterator[TimedItem]:
        yield from self.timed


@dataclass
class _Launch:
    """One launch as this node groups its tracks."""

    launch_id: str
    lat: float
    lon: float
    t: float
    tracks: set[int] = field(default_factory=set)
    announced: bool = False
    updates: int = 0
    last_impact_t: float = -math.inf


def _prob(v: float) -> float:
    return min(1.0, max(0.0, v))


@dataclass
class ScenarioSource:
    """A library scenario seen by one nation's own sensors, tracked and assessed.

    ``until_s`` cuts the run that many seconds after the epoch (a shorter exercise); the
    scenario itself is flown whole, so the cut changes nothing before it.
    """

    scenario: str
    nation: str
    seed: int | None = None
    rel_to: tuple[str, ...] = NATIONS
    classification: Classification = "SECRET"
    status: Status = "exercise"
    scan_s: float = 1.0
    track_every_s: float = 1.0
    assess_every_s: float = 2.0
    impact_every_s: float = 4.0
    #: tracks whose launch points are this close (m, beyond 3σ) and times (s) are one launch
    same_launch_m: float = 30_000.0
    same_launch_s: float = 30.0
    #: a new track this close (m) to a track of a known launch is an object of that launch
    separation_m: float = 150_000.0
    until_s: float | None = None
    #: seconds a track with no burnout time must have coasted before its impact point counts
    coast_seen_s: float = 10.0

    def __post_init__(self) -> None:
        if self.nation not in NATIONS:
            raise TrilinkError(f"unknown nation {self.nation!r}; expected one of {NATIONS}")
        for name in ("scan_s", "track_every_s", "assess_every_s", "impact_every_s"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise TrilinkError(f"{name} must be a positive number of seconds, not {v!r}")

    def items(self) -> Iterator[TimedItem]:
        """Run the pipeline; items come out in time order (a generator: computed as consumed)."""
        from trilink.assess.assessor import assess
        from trilink.scenarios.model import load_scenario
        from trilink.scenarios.run import run_scenario
        from trilink.tracking import Tracker
        from trilink.tracking.plots import from_sensor_plots

        scn = load_scenario(self.scenario)
        run = run_scenario(scn, self.seed)
        own = [i for i, s in enumerate(run.sensors) if s.nation == self.nation]
        if not own:
            return
        site_of = {s.id: s.name for s in run.sensors if s.nation == self.nation}
        plots = run.plots.select(np.isin(run.plots.sensor, own))
        # Plots reach the node at available_t (sensor latency), not at their measurement time.
        order = np.argsort(plots.available_t, kind="stable")
        plots = plots.select(order)
        batch = from_sensor_plots(plots)
        avail = np.asarray(plots.available_t, dtype=np.float64)
        epoch = scn.epoch_s
        end = scn.end_s if self.until_s is None else min(scn.end_s, epoch + self.until_s)
        edges = np.arange(epoch + self.scan_s, end + 1e-9, self.scan_s)
        idx = np.searchsorted(avail, edges, side="right")
        tracker = Tracker()
        launches: list[_Launch] = []
        launch_of: dict[int, _Launch] = {}
        last_report: dict[int, float] = {}
        last_assess = -math.inf
        prev = 0
        for e, i in zip(edges.tolist(), idx.tolist(), strict=True):
            sel = np.arange(prev, i)
            prev = i
            # the tracker wants plots no later than the update time: measured ≤ available
            ts = tracker.update(e, batch.select(sel) if len(sel) else None)
            at = e - epoch
            if not len(ts):
                continue
            names = {v: k for k, v in tracker._sensors.items()}
            rows = {int(t): r for r, t in enumerate(tracker.ids.tolist())}

            def provenance(
                tid: int, rows: dict[int, int] = rows, names: dict[int, str] = names
            ) -> Provenance:
                r = rows.get(tid)
                sensors = (
                    sorted(names[s] for s in np.flatnonzero(tracker.seen[r]).tolist())
                    if r is not None
                    else []
                )
                sensors = sensors or sorted(site_of)
                return Provenance(tuple(sensors), tuple(sorted({site_of[s] for s in sensors})))

            for k, tid in enumerate(ts.ids.tolist()):
                if e - last_report.get(tid, -math.inf) < self.track_every_s - 1e-9:
                    continue
                last_report[tid] = e
                lau = launch_of.get(tid)
                yield TimedItem(at, self._mark(self._report(ts, k, tid, lau), provenance(tid)))
            if e - last_assess < self.assess_every_s - 1e-9:
                continue
            last_assess = e
            assessed = assess(ts, tracker.history)
            by_launch: dict[str, list[tuple[int, Assessment]]] = {}
            for k, a in enumerate(assessed):
                tid = int(ts.ids[k])
                lau = launch_of.get(tid)
                if lau is None:
                    lau = self._near(ts, k, launch_of)
                    if lau is None and a.launch_lat is not None and a.launch_lon is not None:
                        lau = self._group(launches, a, tid)
                    if lau is not None:
                        lau.tracks.add(tid)
                        launch_of[tid] = lau
                if lau is not None:
                    by_launch.setdefault(lau.launch_id, []).append((k, a))
            for lau in launches:
                group = by_launch.get(lau.launch_id, [])
                if not group:
                    continue
                prov = provenance(next(iter(lau.tracks)))
                best = self._impact_track(lau, group, ts, tracker.history)
                if not lau.announced and best is not None:
                    a = best[1]
                    cls = a.cls if a.cls in _CLASSES else "unknown"
                    sigma = a.launch_sigma_m
                    ev = LaunchEvent(
                        launch_id=lau.launch_id,
                        launch_time_ns=round(lau.t * 1e9),
                        lat_deg=round(lau.lat, 5),
                        lon_deg=round(lau.lon, 5),
                        point_sigma_m=round(min(float(sigma or 0.0), _MAX_M), 1),
                        missile_class=cls,  # type: ignore[arg-type]
                        confidence=0.9 if cls != "unknown" else 0.5,
                    )
                    lau.announced = True
                    yield TimedItem(at, self._mark(ev, prov))
                if best is None or e - lau.last_impact_t < self.impact_every_s - 1e-9:
                    continue
                ip = self._impact(lau, best[1])
                if ip is not None:
                    lau.last_impact_t = e
                    lau.updates += 1
                    yield TimedItem(at, self._mark(ip, prov))

    # -- helpers -------------------------------------------------------------------------------
    def _mark(self, payload: object, provenance: Provenance) -> Outgoing:
        return Outgoing(
            payload,  # type: ignore[arg-type]
            self.classification,
            tuple(sorted(self.rel_to)),
            self.status,
            provenance,
        )

    def _report(self, ts: TrackSet, k: int, tid: int, lau: _Launch | None) -> TrackReport:
        x = ts.x[k]
        P = ts.P[k, 0:6, 0:6]
        P = 0.5 * (P + P.T)
        n = int(ts.n_updates[k])
        phase = ts.phase[k]
        return TrackReport(
            track_id=f"{self.nation}-T{tid:04d}",
            time_ns=round(float(ts.t) * 1e9),
            position_m=(float(x[0]), float(x[1]), float(x[2])),
            velocity_mps=(float(x[3]), float(x[4]), float(x[5])),
            covariance=tuple(float(v) for v in P.reshape(-1)),
            phase=_PHASES.get(phase, "unknown"),
            quality=round(_prob(n / (n + 5.0)), 3),
            launch_id=None if lau is None else lau.launch_id,
        )

    def _near(self, ts: TrackSet, k: int, launch_of: dict[int, _Launch]) -> _Launch | None:
        """The launch of a track close to track ``k`` (a stage or object separating from it)."""
        best: tuple[float, _Launch] | None = None
        for j, tid in enumerate(ts.ids.tolist()):
            lau = launch_of.get(tid)
            if j == k or lau is None:
                continue
            d = float(np.linalg.norm(ts.x[j, 0:3] - ts.x[k, 0:3]))
            if d < self.separation_m and (best is None or d < best[0]):
                best = (d, lau)
        return None if best is None else best[1]

    def _group(self, launches: list[_Launch], a: Assessment, tid: int) -> _Launch:
        lat, lon, t = a.launch_lat, a.launch_lon, a.launch_t
        assert lat is not None and lon is not None
        sigma = float(a.launch_sigma_m or 0.0)
        t = float(t) if t is not None else float(a.t)
        for lau in launches:
            dist = float(geodesic_inverse(lau.lat, lau.lon, lat, lon)[2])
            if dist < self.same_launch_m + 3.0 * sigma and abs(lau.t - t) < self.same_launch_s:
                lau.tracks.add(tid)
                return lau
        lau = _Launch(f"{self.nation}-L{len(launches) + 1}", float(lat), float(lon), t, {tid})
        launches.append(lau)
        return lau

    def _impact_track(
        self,
        lau: _Launch,
        group: list[tuple[int, Assessment]],
        ts: TrackSet,
        history: dict[int, TrackHistory],
    ) -> tuple[int, Assessment] | None:
        """The launch's warhead candidate: the track predicted to fall farthest from launch
        (a spent stage falls short)."""
        best: tuple[float, tuple[int, Assessment]] | None = None
        for k, a in group:
            if a.phase == "boost":  # no impact point while thrusting
                continue
            if a.burnout_t is None and not self._seen_coasting(history.get(int(ts.ids[k]))):
                continue
            lat, lon = a.impact_lat, a.impact_lon
            if lat is None or lon is None or a.impact_t is None:
                continue
            if a.ellipse_major_m is None:
                continue
            d = float(geodesic_inverse(lau.lat, lau.lon, lat, lon)[2])
            if best is None or d > best[0]:
                best = (d, (k, a))
        return None if best is None else best[1]

    def _seen_coasting(self, hist: TrackHistory | None) -> bool:
        """A track with no burnout time that has coasted for all of ``coast_seen_s`` or more:
        first seen after burnout (a radar far down-range), so its ballistic state is good. A
        track seen from the pad starts as coast for a scan or two before its boost shows."""
        if hist is None or len(hist.t) < 2:
            return False
        return bool(
            hist.t[-1] - hist.t[0] >= self.coast_seen_s
            and float(np.max(np.asarray(hist.mu_boost))) <= 0.5
        )

    def _impact(self, lau: _Launch, a: Assessment) -> ImpactPrediction | None:
        if a.impact_lat is None or a.impact_lon is None or a.impact_t is None:
            return None
        if a.ellipse_major_m is None:
            return None
        major = float(a.ellipse_major_m)
        minor = float(a.ellipse_minor_m or major)
        if not (math.isfinite(major) and math.isfinite(minor)):
            return None
        major, minor = max(major, minor), min(major, minor)
        az = float(a.ellipse_azimuth_deg or 0.0) % 360.0
        return ImpactPrediction(
            launch_id=lau.launch_id,
            update=lau.updates,
            lat_deg=round(float(a.impact_lat), 5),
            lon_deg=round((float(a.impact_lon) + 180.0) % 360.0 - 180.0, 5),
            major_m=round(min(major, _MAX_M), 1),
            minor_m=round(min(minor, _MAX_M), 1),
            azimuth_deg=round(az, 2) % 360.0,
            impact_time_ns=round(float(a.impact_t) * 1e9),
            confidence=0.95,
        )


def _items(scenario: str, nation: str, seed: int | None, until_s: float | None) -> list[TimedItem]:
    """Worker process: one nation's pipeline over the whole scenario (picklable result)."""
    return list(ScenarioSource(scenario, nation, seed=seed, until_s=until_s).items())


def compute_items(
    scenario: str, seed: int | None, until_s: float | None, workers: int
) -> dict[str, list[TimedItem]]:
    """Every nation's pipeline over a scenario, in ``workers`` processes (0: in this one)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if workers <= 0:
        return {n: _items(scenario, n, seed, until_s) for n in NATIONS}
    # spawn: no fork of a process that may already run threads (SQLite checkpointers, numba)
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    try:
        futures = {n: pool.submit(_items, scenario, n, seed, until_s) for n in NATIONS}
        return {n: f.result() for n, f in futures.items()}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
