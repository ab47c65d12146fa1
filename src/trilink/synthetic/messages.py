"""Seeded synthetic messages: a salvo's worth of shared items, and one valid payload per kind.

:class:`SyntheticSalvo` is a deterministic stand-in for a nation's tracker and assessor, so that a
node, the tests and the demonstration run end to end without the scenario pipeline;
:func:`sample_payload` gives one valid payload of each kind (tests, examples).

Launch sites are approximate public locations (see docs/fabric.md, "Sources").
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from trilink.fabric.guard import Outgoing
from trilink.fabric.timed import TimedItem
from trilink.geo import geodetic_to_ecef
from trilink.geo.places import launch_sites
from trilink.wire.messages import (
    AgreementState,
    AreaProbability,
    Classification,
    Heartbeat,
    ImpactPrediction,
    LaunchEvent,
    Payload,
    Provenance,
    Status,
    TrackBatch,
    TrackReport,
    Warning,
)

__all__ = ["LAUNCH_SITES", "T0", "SyntheticSalvo", "sample_payload"]

#: Approximate public coordinates (deg) of the launch areas the synthetic salvo uses.
LAUNCH_SITES: dict[str, tuple[float, float]] = {
    name: (p.lat, p.lon)
    for name, p in launch_sites().items()
    if name in ("Sunan", "Sohae", "Sinpo", "Wonsan", "Jangyon")
}

#: Mean Earth radius: turns the salvo's ground distances into arc angles.
_R_EARTH = 6_371_000.0


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
                            # At sea: no warning area (ISO 3166-2 land subdivision) threatened.
                            areas=(),
                        )
                    ),
                )
            n_tr = int((self.flight_s - self.detect_s) * self.track_rate_hz)
            for k in range(n_tr):
                t = t_det + k / self.track_rate_hz
                frac = (t - t_launch) / self.flight_s
                lat, lon, alt = where(frac)
                lat2, lon2, alt2 = where(min(frac + 0.001, 1.0))
                # WGS84 positions of this point and one a thousandth of the flight later.
                p, q = geodetic_to_ecef(
                    [math.radians(lat), math.radians(lat2)],
                    [math.radians(lon), math.radians(lon2)],
                    [alt, alt2],
                ).tolist()
                v = [(b - a) / (0.001 * self.phys_flight_s) for a, b in zip(p, q, strict=True)]
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
                            position_m=(p[0], p[1], p[2]),
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


T0 = 1_765_000_000_000_000_000


def sample_payload(kind: str, n: int = 0) -> Payload:
    """A valid payload of ``kind``; ``n`` varies the ids."""
    if kind == "track":
        return TrackReport(
            track_id=f"trk-{n}",
            time_ns=T0 + n,
            position_m=(-3.0e6, 4.0e6, 3.9e6),
            velocity_mps=(100.0, 200.0, 300.0),
            covariance=tuple(100.0 if i == j else 0.0 for i in range(6) for j in range(6)),
            phase="coast",
            quality=0.8,
            launch_id=f"L{n}",
        )
    if kind == "tracks":
        report = sample_payload("track", n)
        assert isinstance(report, TrackReport)
        return TrackBatch(reports=(report,))
    if kind == "launch":
        return LaunchEvent(
            launch_id=f"L{n}", launch_time_ns=T0, lat_deg=39.0, lon_deg=125.7, point_sigma_m=800.0
        )
    if kind == "impact":
        return ImpactPrediction(
            launch_id=f"L{n}",
            update=n,
            lat_deg=40.5,
            lon_deg=134.0,
            major_m=20_000.0,
            minor_m=8_000.0,
            azimuth_deg=80.0,
            impact_time_ns=T0 + 600 * 10**9,
            confidence=0.95,
            areas=(AreaProbability(area="JP-32", probability=0.7),),
        )
    if kind == "warning":
        return Warning(
            launch_id=f"L{n}", warning_id=f"W{n}", stage="launch", issued_ns=T0, text_en="Launch."
        )
    if kind == "heartbeat":
        return Heartbeat(time_ns=T0)
    if kind == "agreement":
        return AgreementState(name="GSOMIA", status="in_force", since_ns=T0)
    raise ValueError(kind)
