"""``trilink sites``: the public sensor site catalogue."""

from __future__ import annotations

import json

import click

from trilink import NATIONS

__all__ = ["sites"]


@click.command()
@click.option(
    "--nation", type=click.Choice(NATIONS, case_sensitive=False), help="Only this nation."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def sites(nation: str | None, as_json: bool) -> None:
    """List the public (approximate) sensor sites and movable platform types."""
    import msgspec

    from trilink.sensors.catalogue import load_catalogue

    cat = load_catalogue()
    chosen = [s for s in cat.sites.values() if nation is None or s.nation == nation.upper()]
    if as_json:
        doc = {
            "sites": [msgspec.to_builtins(s) for s in chosen],
            "platform_types": {name: cat.types[name] for name in cat.platform_types()},
        }
        click.echo(json.dumps(doc, indent=2, sort_keys=True))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="trilink sensor sites (public, approximate; performance notional)")
    for col in ("id", "nation", "type", "lat", "lon", "max range km", "sector", "name"):
        table.add_column(col)
    for s in chosen:
        sector = (
            "360°"
            if s.half_sector_deg >= 180
            else f"{s.boresight_az_deg:.0f}°±{s.half_sector_deg:.0f}°"
        )
        table.add_row(
            s.id,
            s.nation,
            s.type,
            f"{s.lat_deg:.2f}",
            f"{s.lon_deg:.2f}",
            f"{s.max_range_km:,.0f}",
            sector,
            s.name,
        )
    console = Console(width=160)
    console.print(table)
    console.print(
        "Movable platform types (placed per scenario): " + ", ".join(cat.platform_types())
    )
