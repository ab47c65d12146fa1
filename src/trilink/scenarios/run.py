"""Running a scenario: fly the launches (physics), generate every sensor's plots, write files."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

from trilink import TrilinkError
from trilink.physics.trajectory import Trajectory
from trilink.scenarios.model import Launch, Scenario, launch_sites, scenario_sensors
from trilink.sensors.catalogue import SensorSpec
from trilink.sensors.plots import Plots, generate_plots, object_samples

if TYPE_CHECKING:
    from trilink.physics import FlightPlan

__all__ = [
    "Flight",
    "ScenarioRun",
    "launch_position",
    "fly",
    "run_scenario",
    "detection_windows",
    "write_truth_jsonl",
]


@dataclass(frozen=True)
class Flight:
    """One launch of the scenario and the flight the physics made of it."""

    launch: Launch
    lat_deg: float
    lon_deg: float
    launch_time: float  # UTC POSIX seconds
    plan: FlightPlan


@dataclass(frozen=True)
class ScenarioRun:
    """A scenario flown and observed: flights, sensors, plots (with the truth index per plot)."""

    scenario: Scenario
    seed: int
    flights: tuple[Flight, ...]
    sensors: tuple[SensorSpec, ...]
    plots: Plots

    @property
    def trajectories(self) -> list[Trajectory]:
        return [tr for f in self.flights for tr in f.plan.trajectories]

    def launch_of_object(self) -> list[int]:
        """For each trajectory (in :attr:`trajectories` order) the index of its flight."""
        return [i for i, f in enumerate(self.flights) for _ in f.plan.trajectories]


def launch_position(launch: Launch) -> tuple[float, float]:
    """Launch latitude and longitude in degrees."""
    if launch.site is not None:
        site = launch_sites()[launch.site]
        return site.lat_deg, site.lon_deg
    assert launch.lat_deg is not None and launch.lon_deg is not None
    return launch.lat_deg, launch.lon_deg


_TEMPLATE_ID = "X"


@lru_cache(maxsize=1024)
def _template(
    lat: float,
    lon: float,
    azimuth: float,
    missile: str,
    apogee_km: float | None,
    range_km: float | None,
    burnout: tuple[float, float, float] | None,
    max_time_s: float,
) -> FlightPlan:
    # Fitting a trajectory is the slow part of a run. The physics launches in an Earth-fixed
    # way (ECEF states depend only on time since launch), so one fit serves every launch with
    # the same site, heading and shape: a volley, or the same scenario run again. The cache is
    # per process; test_physics_flight_is_invariant_under_launch_time guards the assumption.
    from trilink.physics import plan_flight

    return plan_flight(
        lat,
        lon,
        azimuth,
        0.0,
        missile=missile,
        apogee_km=apogee_km,
        range_km=range_km,
        burnout=burnout,
        object_id=_TEMPLATE_ID,
        max_time_s=max_time_s,
    )


def _instantiate(template: FlightPlan, object_id: str, launch_time: float) -> FlightPlan:
    """The template flight launched at ``launch_time`` with objects named after ``object_id``."""
    prefix = f"{_TEMPLATE_ID}-"
    trajectories = [
        dataclasses.replace(
            tr,
            object_id=object_id + tr.object_id[len(_TEMPLATE_ID) :]
            if tr.object_id.startswith(prefix)
            else f"{object_id}-{tr.object_id}",
            t=launch_time + tr.t,
        )
        for tr in template.trajectories
    ]
    return dataclasses.replace(template, trajectories=trajectories, launch_time=launch_time)


def fly(scn: Scenario) -> tuple[Flight, ...]:
    """Fly every launch of the scenario.

    Flights run to impact (or orbit) up to ``duration_s`` after launch, so a flight may outlast
    the scenario; plots and truth are only produced within the scenario's span.
    """
    flights = []
    for i, ln in enumerate(scn.launches):
        lat, lon = launch_position(ln)
        t_launch = scn.epoch_s + ln.time_s
        burnout = (
            None
            if ln.burnout is None
            else (ln.burnout.time_s, ln.burnout.speed_mps, ln.burnout.flight_path_angle_deg)
        )
        try:
            template = _template(
                lat,
                lon,
                ln.azimuth_deg,
                ln.missile,
                ln.apogee_km,
                ln.range_km,
                burnout,
                scn.duration_s,
            )
        except TrilinkError as exc:
            # e.g. an apogee/range pair the missile cannot fly: name the file and the launch
            raise TrilinkError(f"{scn.path or scn.name}: launches[{i}]: {exc}") from None
        flights.append(Flight(ln, lat, lon, t_launch, _instantiate(template, ln.id, t_launch)))
    return tuple(flights)


def run_scenario(scn: Scenario, seed: int | None = None) -> ScenarioRun:
    """Fly the scenario and generate all its sensors' plots (``seed`` overrides the file's)."""
    seed = scn.seed if seed is None else seed
    flights = fly(scn)
    sensors = tuple(scenario_sensors(scn))
    trajs = [tr for f in flights for tr in f.plan.trajectories]
    plots = generate_plots(sensors, trajs, scn.epoch_s, scn.end_s, seed)
    return ScenarioRun(scn, seed, flights, sensors, plots)


def detection_windows(run: ScenarioRun) -> dict[tuple[int, str], tuple[float, float, int]]:
    """(flight index, sensor id) -> (first, last plot time [POSIX s], number of plots)."""
    plots = run.plots
    true = plots.truth >= 0
    flight_of = np.asarray(run.launch_of_object(), dtype=np.intp)
    out: dict[tuple[int, str], tuple[float, float, int]] = {}
    if not np.any(true):
        return out
    fl = flight_of[plots.truth[true]]
    sens = plots.sensor[true]
    t = plots.t[true]
    key = fl * len(run.sensors) + sens
    for k in np.unique(key):
        sel = key == k
        out[(int(k // len(run.sensors)), run.sensors[int(k % len(run.sensors))].id)] = (
            float(t[sel].min()),
            float(t[sel].max()),
            int(sel.sum()),
        )
    return out


def write_truth_jsonl(run: ScenarioRun, out: str | Path | IO[str]) -> int:
    """Write the truth (docs/formats.md) at the scenario's truth interval; returns line count."""
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="\n") as fh:
            return write_truth_jsonl(run, fh)
    scn = run.scenario
    n = int(np.floor(scn.duration_s / scn.truth_interval_s)) + 1
    grid = scn.epoch_s + scn.truth_interval_s * np.arange(n, dtype=np.float64)
    rows: list[tuple[float, int, str]] = []
    trajs: Sequence[Trajectory] = run.trajectories
    flight_of = run.launch_of_object()
    for k, tq, p, v, burning in object_samples(trajs, grid):
        object_id = trajs[k].object_id
        launch_id = run.flights[flight_of[k]].launch.id
        pr = np.round(p, 3).tolist()
        vr = np.round(v, 4).tolist()
        tl = np.round(tq, 6).tolist()
        bl = burning.tolist()
        for i in range(len(tl)):
            rows.append(
                (
                    tl[i],
                    k,
                    f'{{"t": {tl[i]!r}, "object": "{object_id}", '
                    f'"ecef_m": [{pr[i][0]!r}, {pr[i][1]!r}, {pr[i][2]!r}], '
                    f'"vel_ecef_mps": [{vr[i][0]!r}, {vr[i][1]!r}, {vr[i][2]!r}], '
                    f'"burning": {"true" if bl[i] else "false"}, "launch": "{launch_id}"}}\n',
                )
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    out.write("".join(r[2] for r in rows))
    return len(rows)
