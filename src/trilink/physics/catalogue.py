"""Public, approximate missile figures and the notional stage models that reproduce them.

Every entry is **approximate**. Published figures (class, propellant, diameter, launch mass,
reported maximum range) come from open sources listed in ``docs/sources.md`` (CSIS Missile Threat,
Japan Ministry of Defense press releases, the 38 North / NTI / IISS open literature); each entry
carries its attribution in ``data/missiles.toml``, where the figures live. Stage splits, specific
impulses and burn times are *notional*: chosen so that the rocket equation gives the published
range class, not knowledge of the real vehicles. trilink uses them to fly trajectories with a
realistic boost duration and shape; the fitter then scales the propellant load to match a
published apogee and range.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib import resources

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


def _load() -> dict[str, Missile]:
    """The catalogue shipped as ``data/missiles.toml``, by name in file order."""
    text = resources.files("trilink.physics").joinpath("data", "missiles.toml").read_text("utf-8")
    doc = tomllib.loads(text)
    attribution: str = doc["attribution"]
    out: dict[str, Missile] = {}
    for entry in doc["missile"]:
        fields = dict(entry)
        note = fields.pop("note")
        fields["stages"] = tuple(Stage(**s) for s in fields["stages"])
        fields["aliases"] = tuple(fields.get("aliases", ()))
        out[fields["name"]] = Missile(**fields, source=f"{attribution}; {note}")
    return out


MISSILES: dict[str, Missile] = _load()

_BY_ALIAS = {k.lower(): v for v in MISSILES.values() for k in (v.name, *v.aliases)}


def get_missile(name: str) -> Missile:
    """Look a missile up by name or alias (case-insensitive); ``KeyError`` lists the known ones."""
    m = _BY_ALIAS.get(name.strip().lower())
    if m is None:
        raise KeyError(f"unknown missile {name!r}; known: {', '.join(sorted(MISSILES))}")
    return m
