"""The producer side of a node: what it has to share, and when.

The node pulls timed :class:`~trilink.fabric.guard.Outgoing` items from a :class:`Source`. The real
tracker and assessor will plug in behind this protocol; :class:`SyntheticSalvo` is a deterministic,
seeded stand-in so that the node, tests and benchmark run end to end today.

Launch sites are approximate public locations (see docs/fabric.md, "Sources").
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from trilink.fabric.guard import Outgoing
from trilink.geo.places import launch_sites
from trilink.wire.messages import (
    AreaProbability,
    Classification,
    ImpactPrediction,
    LaunchEvent,
    Provenance,
    Status,
    TrackReport,
    Warning,
)

__all__ = ["LAUNCH_SITES", "Source", "SyntheticSalvo", "TimedItem"]

#: Approximate public coordinates (deg) of the launch areas the synthetic salvo uses.
LAUNCH_SITES: dict[str, tuple[float, float]] = {
    name: (p.lat, p.lon)
    for name, p in launch_sites().items()
    if name in ("Sunan", "Sohae", "Sinpo", "Wonsan", "Jangyon")
}

_R_EARTH = 6_371_000.0


@dataclass(frozen=True)
class TimedItem:
    """An item to share ``at_s`` seconds after the source starts."""

    at_s: float
    item: Outgoing


class Source(Protocol):
    """Anything that yields timed items in non-decreasing time order."""

    def items(self) -> Iterator[TimedItem]: ...


def _ecef(lat: float, lon: float, alt: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    r = _R_EARTH + alt
    return (r * math.cos(la) * math.cos(lo), r * math.cos(la) * math.sin(lo), r * math.sin(la))


@dataclass
class SyntheticSalvo:
    """N launches from approximate DPRK sites toward the Sea of Japan, seeded and deterministic.

    Per launch: track reports at ``track_rate_hz`` from ``detect_s`` after launch until impact,
    one launch event at detection, an impact prediction every ``impact_every_s`` and a warning.
    Internally each item carries its (fictitious) sensor provenance, which the guard strips.
    """

    seed: int = 1
    nation: str = "KOR"
    launches: int = 3
    spacing_s: float = 2.0
    flight_s: float = 20.0
    detect_s: float = 0.5
    track_rate_hz: float = 10.0
    impact_every_s: float = 2.0
    rel_to: tuple[str, ...] = ("JPN", "KOR", "USA")
    classification: Classification = "SECRET"
    status: Status = "exercise"
    t0_ns: int = 1_765_000_000_000_000_000
    #: Physical flight time used for velocities, whatever the (compressed) schedule.
    phys_flight_s: float = 420.0

    def items(self) -> Iterator[TimedItem]:
        rng = random.Random(self.seed)
        out: list[tuple[float, int, Outgoing]] = []
        sites = sorted(LAUNCH_SITES)
        order = 0
        for i in range(self.launches):
            site = sites[rng.randrange(len(sites))]
            lat0, lon0 = LAUNCH_SITES[site]
            bearing = math.radians(rng.uniform(60.0, 110.0))
            range_m = rng.uniform(300e3, 1000e3)
            apogee = range_m / 3.0
            t_launch = i * self.spacing_s
            launch_id = f"{self.nation}-S{self.seed}-L{i + 1}"
            sensors = (f"{self.nation}-RADAR-{1 + i % 2}", f"{self.nation}-SHIP-{1 + i % 3}")
            prov = Provenance(sensor_ids=sensors, sites=(f"{self.nation}-SITE-{1 + i % 2}",))

            def where(
                frac: float,
                lat0: float = lat0,
                lon0: float = lon0,
                bearing: float = bearing,
                range_m: float = range_m,
                apogee: float = apogee,
            ) -> tuple[float, float, float]:
                d = range_m * frac / _R_EARTH
                lat = lat0 + math.degrees(d * math.cos(bearing))
                lon = lon0 + math.degrees(d * math.sin(bearing)) / math.cos(math.radians(lat0))
                return lat, lon, 4.0 * apogee * frac * (1.0 - frac)

            def add(at: float, item: Outgoing) -> None:
                nonlocal order
                out.append((at, order, item))
                order += 1

            def mark(payload: object, provenance: Provenance | None = prov) -> Outgoing:
                return Outgoing(payload, self.classification, self.rel_to, self.status, provenance)  # type: ignore[arg-type]

            t_det = t_launch + self.detect_s
            add(
                t_det,
                mark(
                    LaunchEvent(
                        launch_id=launch_id,
                        launch_time_ns=self.t0_ns + int(t_launch * 1e9),
                        lat_deg=round(lat0 + rng.gauss(0, 0.01), 5),
                        lon_deg=round(lon0 + rng.gauss(0, 0.01), 5),
                        point_sigma_m=round(rng.uniform(300, 1500), 1),
                        missile_class="SRBM" if range_m < 1e6 else "MRBM",
                        confidence=0.9,
                    )
                ),
            )
            lat_i, lon_i, _ = where(1.0)
            add(
                t_det,
                mark(
                    Warning(
                        launch_id=launch_id,
                        warning_id=f"{launch_id}-W1",
                        stage="launch",
                        issued_ns=self.t0_ns + int(t_det * 1e9),
                        text_en=f"Missile launch detected ({site} area).",
                    )
                ),
            )
            n_upd = max(1, int((self.flight_s - self.detect_s) / self.impact_every_s))
            for u in range(n_upd):
                t = t_det + u * self.impact_every_s
                shrink = 1.0 / (1.0 + u)
                major = 50_000.0 * shrink + 2_000.0
                add(
                    t,
                    mark(
                        ImpactPrediction(
                            launch_id=launch_id,
                            update=u,
                            lat_deg=round(lat_i + rng.gauss(0, 0.05 * shrink), 5),
                            lon_deg=round(lon_i + rng.gauss(0, 0.05 * shrink), 5),
                            major_m=major,
                            minor_m=major * 0.4,
                            azimuth_deg=round(math.degrees(bearing) % 360.0, 2),
                            impact_time_ns=self.t0_ns + int((t_launch + self.flight_s) * 1e9),
                            confidence=0.95,
                            areas=(
                                AreaProbability(
                                    area="SEA-JP-EEZ",
                                    probability=round(0.5 + 0.4 * (1 - shrink), 3),
                                ),
                            ),
                        )
                    ),
                )
            n_tr = int((self.flight_s - self.detect_s) * self.track_rate_hz)
            for k in range(n_tr):
                t = t_det + k / self.track_rate_hz
                frac = (t - t_launch) / self.flight_s
                lat, lon, alt = where(frac)
                lat2, lon2, alt2 = where(min(frac + 0.001, 1.0))
                p = _ecef(lat, lon, alt)
                q = _ecef(lat2, lon2, alt2)
                v = tuple((b - a) / (0.001 * self.phys_flight_s) for a, b in zip(p, q, strict=True))
                sig = 200.0 + rng.uniform(0, 50)
                cov = tuple(
                    (sig**2 if r == c else 0.0) if r < 3 else ((sig / 10) ** 2 if r == c else 0.0)
                    for r in range(6)
                    for c in range(6)
                )
                add(
                    t,
                    mark(
                        TrackReport(
                            track_id=f"{sensors[0]}/{launch_id}",
                            time_ns=self.t0_ns + int(t * 1e9),
                            position_m=p,
                            velocity_mps=(v[0], v[1], v[2]),
                            covariance=cov,
                            phase="boost"
                            if frac < 0.15
                            else ("coast" if frac < 0.85 else "reentry"),
                            quality=round(min(0.99, 0.5 + frac / 2), 3),
                            launch_id=launch_id,
                        )
                    ),
                )
        out.sort(key=lambda x: (x[0], x[1]))
        for at, _, item in out:
            yield TimedItem(at, item)
