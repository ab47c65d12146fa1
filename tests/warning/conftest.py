"""Builders of threat pictures over the rectangle areas (``trilink.warning.rect_areas``)."""

from __future__ import annotations

import numpy as np

from trilink.warning.model import Status
from trilink.warning.picture import LaunchView, ObjectView, Role, ThreatPicture, sample_tracks
from trilink.warning.rect_areas import RectAreas

__all__ = ["AREAS", "PYONGYANG", "S", "Clock", "flight", "launch", "picture"]

S = 1_000_000_000  # ns per second
T0 = 1_700_000_000 * S  # launch time
PYONGYANG = (39.0, 125.7)
AREAS = RectAreas()


class Clock:
    """An injected clock: the time the test sets."""

    def __init__(self, t_ns: int = T0) -> None:
        self.t_ns = t_ns

    def __call__(self) -> int:
        return self.t_ns


def launch(lid: str = "L1", **kw: object) -> LaunchView:
    base: dict[str, object] = {
        "launch_id": lid,
        "time_ns": T0,
        "lat_deg": PYONGYANG[0],
        "lon_deg": PYONGYANG[1],
        "missile_class": "IRBM",
        "source": "own",
    }
    base.update(kw)
    return LaunchView(**base)  # type: ignore[arg-type]


def flight(
    t_s: float,
    impact: tuple[float, float],
    *,
    flight_s: float = 1000.0,
    sigma_km: float = 30.0,
    oid: str = "T1",
    lid: str = "L1",
    role: Role = "rv",
    confirmed: bool = True,
    fallen: bool = False,
    phase: str = "coast",
    start: tuple[float, float] = PYONGYANG,
    samples: int = 200,
    seed: int = 0,
    lofted: bool = False,
) -> ObjectView:
    """An object flying a straight lat/lon line from ``start`` to ``impact`` over ``flight_s``,
    seen ``t_s`` after launch, with a circular impact σ; its samples from now to impact."""
    f = min(max(t_s / flight_s, 0.0), 1.0)
    now = (start[0] + f * (impact[0] - start[0]), start[1] + f * (impact[1] - start[1]))
    t_ns = T0 + round(t_s * S)
    t_imp = T0 + round(flight_s * S)
    cov = np.eye(2) * (sigma_km * 1e3) ** 2
    if fallen:
        return ObjectView(
            object_id=oid,
            launch_id=lid,
            role=role,
            phase="reentry",
            confirmed=confirmed,
            fallen=True,
            lat_deg=impact[0],
            lon_deg=impact[1],
            impact_lat_deg=impact[0],
            impact_lon_deg=impact[1],
            impact_cov_en_m2=cov,
            impact_ns=t_imp,
        )
    nom_lat = np.linspace(now[0], impact[0], 30)
    nom_lon = np.linspace(now[1], impact[1], 30)
    lat, lon, frac = sample_tracks(nom_lat, nom_lon, cov, samples=samples, seed=seed)
    return ObjectView(
        object_id=oid,
        launch_id=lid,
        role=role,
        phase=phase,
        confirmed=confirmed,
        lat_deg=now[0],
        lon_deg=now[1],
        lofted=lofted,
        impact_lat_deg=impact[0],
        impact_lon_deg=impact[1],
        impact_cov_en_m2=cov,
        impact_ns=t_imp,
        impact_sigma_s=2.0,
        track_lat_deg=lat,
        track_lon_deg=lon,
        track_t_ns=(t_ns + frac * (t_imp - t_ns)).astype(np.int64),
    )


def picture(
    t_s: float,
    launches: tuple[LaunchView, ...] = (),
    objects: tuple[ObjectView, ...] = (),
    status: Status = "actual",
) -> ThreatPicture:
    return ThreatPicture(
        t_ns=T0 + round(t_s * S), status=status, launches=launches, objects=objects
    )
