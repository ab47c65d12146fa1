"""``trilink demo``: the richest end-to-end run that exists on one machine."""

from __future__ import annotations

import click

__all__ = ["demo"]

_PUBLIC = (
    ("Hwasong-15 2017-11-29", "Sunan", 4475.0, 950.0, 95.0),
    ("Hwasong-17 2022-11-18", "Sunan", 6041.0, 999.0, 95.0),
    ("Hwasong-12 2022-10-04", "Sunan", 970.0, 4600.0, 75.0),
)


@click.command()
def demo() -> None:
    """Fit and fly public launches and print what the network would share about them."""
    from rich.console import Console
    from rich.table import Table

    from trilink.geo.places import find_place
    from trilink.physics import plan_flight

    table = Table(title="trilink demo: public launches refitted and flown (approximate)")
    for col in ("launch", "missile", "class", "apogee km", "range km", "flight min", "impact"):
        table.add_column(col)
    for name, site, apogee, rng, az in _PUBLIC:
        p = find_place(site)
        plan = plan_flight(p.lat, p.lon, az, 0.0, apogee_km=apogee, range_km=rng)
        table.add_row(
            name,
            plan.missile,
            plan.missile_class,
            f"{plan.apogee_km:,.0f}",
            f"{plan.range_km:,.0f}",
            f"{plan.flight_time_s / 60:.1f}",
            f"{plan.impact_lat:.2f}N {plan.impact_lon:.2f}E",
        )
    Console().print(table)
