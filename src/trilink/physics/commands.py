"""``trilink trajectory`` and ``trilink missiles``."""

from __future__ import annotations

import json
import math

import click

from trilink import TrilinkError

__all__ = ["missiles", "trajectory"]


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter("must be a finite number", ctx=ctx, param=param)
    return value


@click.group()
def trajectory() -> None:
    """Fit and inspect missile trajectories."""


@trajectory.command("fit")
@click.option("--apogee-km", type=float, required=True, callback=_finite, help="Published apogee.")
@click.option("--range-km", type=float, required=True, callback=_finite, help="Published range.")
@click.option("--site", help="Named launch site (see --list-sites), e.g. Sunan.")
@click.option("--lat", type=float, callback=_finite, help="Launch latitude, degrees.")
@click.option("--lon", type=float, callback=_finite, help="Launch longitude, degrees.")
@click.option("--azimuth", type=float, default=90.0, show_default=True, callback=_finite)
@click.option("--missile", help="Catalogue missile; chosen by energy when omitted.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def fit(
    apogee_km: float,
    range_km: float,
    site: str | None,
    lat: float | None,
    lon: float | None,
    azimuth: float,
    missile: str | None,
    as_json: bool,
) -> None:
    """Find the boost that gives a published apogee and range, and fly it."""
    from trilink.geo.places import find_place
    from trilink.physics.flight import plan_flight

    if site is not None and (lat is not None or lon is not None):
        raise click.UsageError("give --site or --lat/--lon, not both")
    if site is not None:
        try:
            place = find_place(site)
        except KeyError as exc:
            raise TrilinkError(str(exc.args[0])) from exc
        lat, lon = place.lat, place.lon
    elif lat is None or lon is None:
        if lat is not None or lon is not None:
            raise click.UsageError("give both --lat and --lon")
        lat, lon = find_place("Sunan").lat, find_place("Sunan").lon
    plan = plan_flight(
        lat, lon, azimuth, 0.0, missile=missile, apogee_km=apogee_km, range_km=range_km
    )
    out = plan.summary()
    assert plan.fit is not None
    out["converged"] = plan.fit.converged
    if not plan.fit.converged:
        click.echo(
            f"trilink: warning: fit did not converge for {plan.missile} "
            f"(got apogee {plan.apogee_km:.0f} km, range {plan.range_km:.0f} km)",
            err=True,
        )
    if as_json:
        click.echo(json.dumps(out))
    else:
        for k, v in out.items():
            click.echo(f"{k:>22}: {v}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def missiles(as_json: bool) -> None:
    """The public missile catalogue (approximate; stages notional)."""
    from trilink.physics.catalogue import MISSILES

    rows = [
        {
            "name": m.name,
            "class": m.nominal_class,
            "propellant": m.propellant,
            "stages": len(m.stages),
            "launch_mass_kg": round(m.launch_mass_kg),
            "ideal_delta_v_mps": round(m.ideal_delta_v),
            "published_range_km": m.published_range_km,
            "aliases": list(m.aliases),
            "source": m.source,
        }
        for m in MISSILES.values()
    ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Missile catalogue (public, approximate; stage splits notional)")
    for col in ("name", "class", "propellant", "stages", "launch kg", "Δv m/s", "range km"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["name"]),
            str(r["class"]),
            str(r["propellant"]),
            str(r["stages"]),
            str(r["launch_mass_kg"]),
            str(r["ideal_delta_v_mps"]),
            str(r["published_range_km"]),
        )
    Console().print(table)
