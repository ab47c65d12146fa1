"""``trilink scenario run``: a scenario through the whole network (above the node layer, so
it is added to the ``trilink scenario`` group here rather than defined with it)."""

from __future__ import annotations

import math
from pathlib import Path

import click

from trilink import TrilinkError
from trilink.scenarios.commands import _fmt_s, scenario

__all__ = ["scenario"]


def _speed(value: str) -> float:
    if value.strip().lower() == "max":
        return math.inf
    try:
        v = float(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a number or 'max'", param_hint="--speed"
        ) from None
    if not (math.isfinite(v) and v > 0):
        raise click.BadParameter(
            f"{value!r} must be a positive number or 'max'", param_hint="--speed"
        )
    return v


@scenario.command("run")
@click.argument("name")
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output directory."
)
@click.option(
    "--speed", default="max", show_default=True, help="Replay speed (× real time) or 'max'."
)
@click.option("--no-gsomia", is_flag=True, help="Suspend GSOMIA: KOR⇄JPN only via the US hub.")
@click.option("--seed", type=click.IntRange(min=0), help="Override the scenario's seed.")
@click.option(
    "--workers", type=click.IntRange(0, 3), default=3, show_default=True, help="Pipeline processes."
)
def run_cmd(
    name: str, out_dir: str, speed: str, no_gsomia: bool, seed: int | None, workers: int
) -> None:
    """Run a scenario (library NAME or TOML file) through sensors, trackers, assessors, guards,
    the NATS fabric, fusion and warnings of all three nations, and each nation alone; write
    timeline.json, report.json, cap/, cot/, geojson/ and summary.html under --out."""
    from trilink.exercise.outputs import write_outputs
    from trilink.exercise.run import run_exercise
    from trilink.geo.areas import AreaIndex
    from trilink.scenarios.model import load_scenario

    sp = _speed(speed)
    load_scenario(name)  # a bad name or file fails before anything starts
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise TrilinkError(f"--out {out_dir}: not a directory")
    if not out.parent.exists():
        raise TrilinkError(f"--out {out_dir}: parent directory {out.parent} does not exist")

    def say(msg: str) -> None:
        click.echo(f"trilink: {msg}", err=True)

    run = run_exercise(
        name, speed=sp, gsomia=not no_gsomia, seed=seed, workers=workers, progress=say
    )
    doc = write_outputs(run, out, AreaIndex.default())
    for n, rec in doc["nations"].items():
        warned = ", ".join(rec["areas_warned"]) or "-"
        truth = ", ".join(rec["areas_threatened_truth"]) or "-"
        click.echo(
            f"{n}: notice {_fmt_s(rec['first_launch_notice_s'])} s, area warning "
            f"{_fmt_s(rec['first_area_warning_s'])} s "
            f"(alone {_fmt_s(rec['first_area_warning_alone_s'])} s), warned {warned}; truth {truth}"
        )
    click.echo(f"wrote {out / 'timeline.json'} and {out / 'summary.html'} ({run.seconds} s)")
