"""Public, approximate missile figures and the notional stage models that reproduce them.

Every entry is **approximate**. Published figures (class, propellant, diameter, launch mass,
reported maximum range) come from open sources listed in ``docs/sources.md`` (CSIS Missile Threat,
Japan Ministry of Defense press releases, the 38 North / NTI / IISS open literature). Stage
splits, specific impulses and burn times are *notional*: chosen so that the rocket equation gives
the published range class, not knowledge of the real vehicles. trilink uses them to fly
trajectories with a realistic boost duration and shape; the fitter then scales the propellant
load to match a published apogee and range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["G0", "MISSILES", "Missile", "Stage", "classify_range", "get_missile"]

#: Standard gravity used by the definition of specific impulse [m/s²].
G0 = 9.80665


@dataclass(frozen=True)
class Stage:
    """One rocket stage: propellant and dry mass [kg], vacuum Isp [s], burn time [s]."""

    propellant_kg: float
    dry_kg: float
    isp_s: float
    burn_s: float

    @property
    def mass_flow(self) -> float:
        return self.propellant_kg / self.burn_s

    @property
    def thrust_n(self) -> float:
        return self.mass_flow * self.isp_s * G0


@dataclass(frozen=True)
class Missile:
    """A missile or launcher: stages (first to last), payload, body diameter, re-entry β."""

    name: str
    nominal_class: str  # SRBM | MRBM | IRBM | ICBM | SLV | SLBM-class by range
    propellant: str  # "solid" | "liquid"
    stages: tuple[Stage, ...]
    payload_kg: float
    diameter_m: float
    rv_beta_kg_m2: float  # ballistic coefficient m/(Cd A) of the re-entry vehicle
    published_range_km: float  # reported maximum range (approximate)
    vertical_rise_s: float = 6.0
    source: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def launch_mass_kg(self) -> float:
        return self.payload_kg + sum(s.propellant_kg + s.dry_kg for s in self.stages)

    @property
    def burn_time_s(self) -> float:
        return sum(s.burn_s for s in self.stages)

    @property
    def ideal_delta_v(self) -> float:
        """Tsiolkovsky Δv [m/s] summed over stages, with no gravity or drag losses."""
        dv = 0.0
        above = self.payload_kg
        for stage in reversed(self.stages):
            m0 = above + stage.dry_kg + stage.propellant_kg
            m1 = above + stage.dry_kg
            dv += stage.isp_s * G0 * math.log(m0 / m1)
            above = m0
        return dv


def classify_range(range_km: float) -> str:
    """Range class: SRBM < 1,000 km ≤ MRBM < 3,000 ≤ IRBM < 5,500 ≤ ICBM (the public
    convention for ballistic missiles by maximum range).

    NaN (a range not known yet) gives ``"unknown"``; a negative or infinite range is not a
    ballistic range (an orbital shot is the caller's ``"SLV"``) and raises ``ValueError``.
    """
    if math.isnan(range_km):
        return "unknown"
    if not math.isfinite(range_km) or range_km < 0:
        raise ValueError(f"range must be a finite non-negative number, got {range_km!r}")
    if range_km < 1000.0:
        return "SRBM"
    if range_km < 3000.0:
        return "MRBM"
    if range_km < 5500.0:
        return "IRBM"
    return "ICBM"


_SRC = "CSIS Missile Threat; Japan MoD releases; open literature (approximate, notional stages)"

MISSILES: dict[str, Missile] = {
    m.name: m
    for m in (
        Missile(
            "KN-25",
            "SRBM",
            "solid",
            (Stage(1500, 500, 245, 25),),
            payload_kg=400,
            diameter_m=0.6,
            rv_beta_kg_m2=3000,
            published_range_km=380,
            vertical_rise_s=3,
            source=_SRC + "; 600 mm 'super-large' MRL, ~380 km",
            aliases=("600mm-MRL",),
        ),
        Missile(
            "KN-23",
            "SRBM",
            "solid",
            (Stage(2300, 600, 250, 35),),
            payload_kg=500,
            diameter_m=0.95,
            rv_beta_kg_m2=4000,
            published_range_km=690,
            vertical_rise_s=4,
            source=_SRC + "; Hwasong-11Ga, ~690 km, depressed flights ~50 km apogee",
            aliases=("Hwasong-11Ga", "KN23"),
        ),
        Missile(
            "Scud-ER",
            "SRBM",
            "liquid",
            (Stage(4900, 900, 231, 85),),
            payload_kg=500,
            diameter_m=0.88,
            rv_beta_kg_m2=2500,
            published_range_km=1000,
            source=_SRC + "; Hwasong-9, ~1,000 km",
            aliases=("Hwasong-9",),
        ),
        Missile(
            "Nodong",
            "MRBM",
            "liquid",
            (Stage(12900, 2100, 226, 110),),
            payload_kg=1000,
            diameter_m=1.25,
            rv_beta_kg_m2=3000,
            published_range_km=1300,
            source=_SRC + "; Hwasong-7, ~1,200-1,500 km",
            aliases=("Hwasong-7", "Rodong"),
        ),
        Missile(
            "Hwasong-12",
            "IRBM",
            "liquid",
            (Stage(22000, 2400, 300, 130),),
            payload_kg=650,
            diameter_m=1.65,
            rv_beta_kg_m2=4000,
            published_range_km=4500,
            source=_SRC
            + "; KN-17, ~4,500 km; flights over Japan 2017-08-29, 2017-09-15, 2022-10-04",
            aliases=("KN-17", "HS-12"),
        ),
        Missile(
            "Hwasong-14",
            "ICBM",
            "liquid",
            (Stage(22000, 2500, 300, 130), Stage(3000, 600, 310, 120)),
            payload_kg=500,
            diameter_m=1.65,
            rv_beta_kg_m2=5000,
            published_range_km=10000,
            source=_SRC + "; KN-20, ~10,000 km; lofted 2017-07-04 and 2017-07-28",
            aliases=("KN-20", "HS-14"),
        ),
        Missile(
            "Hwasong-15",
            "ICBM",
            "liquid",
            (Stage(50000, 5000, 300, 140), Stage(7000, 1200, 310, 150)),
            payload_kg=1000,
            diameter_m=2.4,
            rv_beta_kg_m2=5000,
            published_range_km=13000,
            vertical_rise_s=8,
            source=_SRC + "; KN-22, ~13,000 km; lofted 2017-11-29 (4,475 km apogee)",
            aliases=("KN-22", "HS-15"),
        ),
        Missile(
            "Hwasong-17",
            "ICBM",
            "liquid",
            (Stage(80000, 7000, 300, 120), Stage(14000, 1800, 315, 140)),
            payload_kg=1500,
            diameter_m=2.9,
            rv_beta_kg_m2=5000,
            published_range_km=15000,
            vertical_rise_s=10,
            source=_SRC + "; KN-28, ~15,000 km; lofted 2022-11-18 (~6,040 km apogee)",
            aliases=("KN-28", "HS-17"),
        ),
        Missile(
            "Hwasong-18",
            "ICBM",
            "solid",
            (Stage(35000, 4000, 265, 80), Stage(12000, 1500, 275, 70), Stage(3000, 500, 285, 50)),
            payload_kg=700,
            diameter_m=2.0,
            rv_beta_kg_m2=5000,
            published_range_km=15000,
            vertical_rise_s=6,
            source=_SRC + "; solid ICBM; lofted 2023-07-12 (~6,650 km apogee, ~74 min)",
            aliases=("HS-18",),
        ),
        Missile(
            "Hwasong-19",
            "ICBM",
            "solid",
            (Stage(40000, 4500, 265, 85), Stage(14000, 1700, 275, 75), Stage(3500, 550, 285, 55)),
            payload_kg=800,
            diameter_m=2.2,
            rv_beta_kg_m2=5000,
            published_range_km=15000,
            vertical_rise_s=6,
            source=_SRC + "; solid ICBM; lofted 2024-10-31 (~7,690 km apogee, ~86 min)",
            aliases=("HS-19",),
        ),
        Missile(
            "Pukguksong-3",
            "MRBM",
            "solid",
            (Stage(10000, 1500, 260, 60), Stage(3000, 500, 270, 45)),
            payload_kg=650,
            diameter_m=1.4,
            rv_beta_kg_m2=4000,
            published_range_km=2000,
            source=_SRC + "; SLBM, 2019-10-02 lofted (~910 km apogee, ~450 km range)",
            aliases=("KN-26", "PKS-3"),
        ),
        Missile(
            "Chollima-1",
            "SLV",
            "liquid",
            (
                Stage(50000, 5000, 300, 140),
                Stage(10000, 1200, 315, 160),
                Stage(1500, 300, 320, 200),
            ),
            payload_kg=300,
            diameter_m=2.4,
            rv_beta_kg_m2=200,
            published_range_km=0,
            vertical_rise_s=8,
            source=_SRC + "; satellite launch vehicle, Sohae; Malligyong-1 orbited 2023-11-21",
            aliases=("Chollima",),
        ),
    )
}

_BY_ALIAS = {k.lower(): v for v in MISSILES.values() for k in (v.name, *v.aliases)}


def get_missile(name: str) -> Missile:
    """Look a missile up by name or alias (case-insensitive); ``KeyError`` lists the known ones."""
    m = _BY_ALIAS.get(name.strip().lower())
    if m is None:
        raise KeyError(f"unknown missile {name!r}; known: {', '.join(sorted(MISSILES))}")
    return m
