"""``trilink areas``: look up warning areas and maritime zones offline."""

from __future__ import annotations

import json
import math

import click

from trilink import TrilinkError

__all__ = ["areas"]


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise TrilinkError(f"{what} must be a number of degrees, not {text!r}") from None
    if not math.isfinite(value):
        raise TrilinkError(f"{what} must be a finite number of degrees, not {text!r}")
    return value


@click.group()
def areas() -> None:
    """Look up warning areas and maritime zones."""


# Unknown "options" pass through as arguments, so negative numbers such as -157.9 parse.
@areas.command(context_settings={"ignore_unknown_options": True})
@click.argument("lat")
@click.argument("lon")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def at(lat: str, lon: str, as_json: bool) -> None:
    """Zone, nation and area at LAT LON (degrees; west and south negative)."""
    from trilink.geo.areas import AreaIndex

    where = AreaIndex.default().locate(_number(lat, "LAT"), _number(lon, "LON"))
    if as_json:
        click.echo(json.dumps({"zone": where.zone, "nation": where.nation, "area": where.area}))
        return
    if where.area is not None:
        a = AreaIndex.default().area(where.area)
        click.echo(f"{where.zone} {where.nation} {a.code} {a.name_en} / {a.name_ko} / {a.name_ja}")
    elif where.nation is not None:
        click.echo(f"{where.zone} {where.nation}")
    else:
        click.echo(where.zone)


@areas.command(name="list")
@click.option("--nation", help="Only this nation (JPN, KOR, USA).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(nation: str | None, as_json: bool) -> None:
    """List the warning areas: code, nation and names in English, Korean and Japanese."""
    from trilink.geo.areas import AreaIndex

    index = AreaIndex.default()
    if nation is not None and nation.upper() not in {a.nation for a in index.areas()}:
        raise TrilinkError(f"unknown nation {nation!r} (areas exist for JPN, KOR, USA)")
    chosen = index.areas(nation.upper() if nation else None)
    if as_json:
        rows = [
            {
                "code": a.code,
                "nation": a.nation,
                "name_en": a.name_en,
                "name_ko": a.name_ko,
                "name_ja": a.name_ja,
            }
            for a in chosen
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for a in chosen:
        click.echo(f"{a.code:6} {a.nation} {a.name_en} / {a.name_ko} / {a.name_ja}")
