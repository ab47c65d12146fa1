"""What the truth threatened: the yardstick every nation's warnings are scored against.

An area is *truly threatened* when a truth object's sub-point crosses its land or territorial sea
while the object flies below orbit, or when an object falls there. The time it is first reached
is the deadline for its warning. Each object's fall is located (zone, coastal nation, area) so
that announced impacts can be checked too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from trilink.assess.impact import is_orbital
from trilink.geo import ecef_to_geodetic
from trilink.scenarios.run import Flight

__all__ = ["ObjectFall", "TruthThreats", "truth_threats"]

#: a trajectory ending below this altitude has fallen (others end at orbit or at the run's end)
_FALLEN_ALT_M = 2_000.0


class _Areas(Protocol):
    def warn_area_many(
        self, lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]
    ) -> NDArray[np.str_]: ...

    def locate_many(
        self, lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]
    ) -> tuple[NDArray[np.str_], NDArray[np.str_], NDArray[np.str_]]: ...


@dataclass(frozen=True)
class ObjectFall:
    """Where and when one truth object fell."""

    object_id: str
    launch_id: str
    kind: str
    time_s: float  # UTC POSIX seconds
    lat_deg: float
    lon_deg: float
    zone: str
    nation: str | None
    area: str | None


@dataclass
class TruthThreats:
    """Areas reached (area code -> first UTC second) and every object's fall."""

    reached: dict[str, float] = field(default_factory=dict)
    falls: list[ObjectFall] = field(default_factory=list)

    def for_nation(self, prefixes: tuple[str, ...]) -> dict[str, float]:
        """The reached areas whose code starts with one of ``prefixes`` (e.g. ``("JP-",)``)."""
        return {a: t for a, t in sorted(self.reached.items()) if a.startswith(prefixes)}


def truth_threats(flights: Sequence[Flight], areas: _Areas, step_s: float = 0.5) -> TruthThreats:
    """Sample every truth trajectory every ``step_s`` seconds (0.5 s: ≤ 3.5 km between sub-points
    at re-entry speed, finer than the smallest warned islands' territorial sea of 22 km)."""
    out = TruthThreats()
    objects = [(f.launch.id, tr) for f in flights for tr in f.plan.trajectories]
    for launch_id, tr in objects:
        tq = np.arange(tr.t_start, tr.t_end, step_s)
        tq = np.append(tq, tr.t_end)
        p, v, _, _ = tr.at(tq)
        lat, lon, alt = ecef_to_geodetic(p)
        lat_d, lon_d = np.degrees(lat), np.degrees(lon)
        below = ~is_orbital(np.concatenate([p, v], axis=1))
        codes = areas.warn_area_many(lat_d[below], lon_d[below])
        times = tq[below]
        for code in np.unique(codes):
            if not code:
                continue
            first = float(times[np.argmax(codes == code)])
            c = str(code)
            out.reached[c] = min(first, out.reached.get(c, first))
        if alt[-1] < _FALLEN_ALT_M:
            zone, nation, area = areas.locate_many(lat_d[-1:], lon_d[-1:])
            out.falls.append(
                ObjectFall(
                    object_id=tr.object_id,
                    launch_id=launch_id,
                    kind=tr.kind,
                    time_s=float(tq[-1]),
                    lat_deg=float(lat_d[-1]),
                    lon_deg=float(lon_d[-1]),
                    zone=str(zone[0]),
                    nation=str(nation[0]) or None,
                    area=str(area[0]) or None,
                )
            )
    return out
