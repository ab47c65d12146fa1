"""``trilink scenario``: list, show and export scenarios; ``print_summary`` for the demo."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import click

from trilink import NATIONS, TrilinkError

__all__ = ["scenario", "print_summary", "summarise"]


def _num(x: float, nd: int) -> float | None:
    """A JSON-safe rounded number (None for NaN/inf, e.g. the flight time of an orbiter)."""
    return round(float(x), nd) if math.isfinite(x) else None


def _fmt_s(x: float | None) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:,.0f}"


def summarise(run: Any) -> dict[str, Any]:
    """A JSON-able summary of a scenario run: launches, sensors, detections."""
    from trilink.scenarios.run import detection_windows

    scn = run.scenario
    windows = detection_windows(run)
    launches = []
    for i, f in enumerate(run.flights):
        p = f.plan
        seen = {
            sid: {
                "first_s": round(w[0] - f.launch_time, 3),
                "last_s": round(w[1] - f.launch_time, 3),
                "plots": w[2],
            }
            for (fi, sid), w in windows.items()
            if fi == i
        }
        launches.append(
            {
                "id": f.launch.id,
                "missile": f.launch.missile,
                "class": p.missile_class,
                "site": f.launch.site,
                "lat_deg": f.lat_deg,
                "lon_deg": f.lon_deg,
                "launch_t": f.launch_time,
                "azimuth_deg": f.launch.azimuth_deg,
                "apogee_km": _num(p.apogee_km, 3),
                "range_km": _num(p.range_km, 3),
                "flight_time_s": _num(p.flight_time_s, 3),
                "burnout_time_s": _num(p.burnout_time_s, 3),
                "impact_lat": _num(p.impact_lat, 5),
                "impact_lon": _num(p.impact_lon, 5),
                "orbital": bool(p.orbital),
                "objects": [tr.object_id for tr in p.trajectories],
                # when the last object (RV or spent stage) lands or the flight is cut
                "objects_end_s": round(max(tr.t_end for tr in p.trajectories) - f.launch_time, 3),
                "detections": seen,
            }
        )
    plots = run.plots
    sensors = []
    for k, s in enumerate(run.sensors):
        mine = plots.sensor == k
        true = int((mine & (plots.truth >= 0)).sum())
        sensors.append(
            {
                "id": s.id,
                "nation": s.nation,
                "type": s.type,
                "kind": s.kind,
                "plots": int(mine.sum()),
                "true_plots": true,
                "clutter_plots": int(mine.sum()) - true,
                "launches_seen": sum(1 for (_, sid) in windows if sid == s.id),
            }
        )
    return {
        "name": scn.name,
        "title": scn.title,
        "epoch": scn.epoch.isoformat(),
        "epoch_t": scn.epoch_s,
        "duration_s": scn.duration_s,
        "seed": run.seed,
        "sources": list(scn.sources),
        "launches": launches,
        "sensors": sensors,
        "plots": len(plots),
    }


def _atomic_write(path: str, write: Any) -> int:
    """Write through a temporary file in the same folder, so a failure leaves no half file."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise TrilinkError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            n = int(write(fh))
        # mkstemp makes the file private; give it the permissions an ordinary open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


@click.group()
def scenario() -> None:
    """List, show and export scenarios (library names or paths to TOML files)."""


@scenario.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_cmd(as_json: bool) -> None:
    """List the shipped scenario library."""
    from trilink.scenarios.model import library_names, load_scenario

    items: list[dict[str, Any]] = []
    for name in library_names():
        scn = load_scenario(name)
        items.append(
            {
                "name": name,
                "title": scn.title,
                "epoch": scn.epoch.isoformat(),
                "launches": len(scn.launches),
                "duration_s": scn.duration_s,
                "sensors": sum(len(v) for v in scn.sensors.values()) + len(scn.platforms),
            }
        )
    if as_json:
        click.echo(json.dumps(items, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="trilink scenario library (public reporting, approximate)")
    for col in ("name", "title", "epoch (UTC)", "launches", "duration s", "sensors"):
        table.add_column(col)
    for it in items:
        table.add_row(
            it["name"],
            it["title"],
            it["epoch"],
            str(it["launches"]),
            _fmt_s(it["duration_s"]),
            str(it["sensors"]),
        )
    Console(width=150).print(table)


def _run(name: str, seed: int | None) -> Any:
    from trilink.scenarios.model import load_scenario
    from trilink.scenarios.run import run_scenario

    return run_scenario(load_scenario(name), seed=seed)


@scenario.command()
@click.argument("name")
@click.option("--png", type=click.Path(dir_okay=False), help="Also write a picture (PNG).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option("--seed", type=click.IntRange(min=0), help="Override the scenario's seed.")
def show(name: str, png: str | None, as_json: bool, seed: int | None) -> None:
    """Summarise a scenario: each launch, and which sensors see it when."""
    run = _run(name, seed)
    summary = summarise(run)
    if png is not None:
        from trilink.scenarios.figure import render_png

        folder = Path(png).parent
        if str(folder) and not folder.is_dir():
            raise TrilinkError(f"{png}: folder {folder} does not exist")
        render_png(run, png)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    _print_tables(summary, detail=True)
    if png is not None:
        click.echo(f"wrote {png}")


@scenario.command()
@click.argument("name")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Plots (JSONL).")
@click.option("--truth", type=click.Path(dir_okay=False), help="Also write the truth (JSONL).")
@click.option("--seed", type=click.IntRange(min=0), help="Override the scenario's seed.")
def plots(name: str, out: str, truth: str | None, seed: int | None) -> None:
    """Generate every sensor's plots (and optionally the truth) as JSON Lines."""
    from trilink.scenarios.run import write_truth_jsonl
    from trilink.sensors.plots import write_plots_jsonl

    run = _run(name, seed)
    n = _atomic_write(out, lambda fh: write_plots_jsonl(run.plots, fh))
    msg = f"wrote {n} plots to {out}"
    if truth is not None:
        m = _atomic_write(truth, lambda fh: write_truth_jsonl(run, fh))
        msg += f" and {m} truth states to {truth}"
    click.echo(msg)


def _print_tables(summary: dict[str, Any], detail: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    console.print(f"[bold]{summary['title']}[/bold]  ({summary['name']}, epoch {summary['epoch']})")
    for src in summary["sources"]:
        console.print(f"  source: {src}")
    launches = summary["launches"]
    lt = Table(title=f"Launches ({len(launches)})")
    for col in ("id", "missile", "class", "site", "apogee km", "range km", "flight s", "seen by"):
        lt.add_column(col)
    shown = launches if len(launches) <= 25 else launches[:20]
    for ln in shown:
        lt.add_row(
            ln["id"],
            ln["missile"],
            ln["class"],
            ln["site"] or f"{ln['lat_deg']:.2f},{ln['lon_deg']:.2f}",
            _fmt_s(ln["apogee_km"]),
            "orbit" if ln["orbital"] else _fmt_s(ln["range_km"]),
            _fmt_s(ln["flight_time_s"]),
            str(len(ln["detections"])),
        )
    console.print(lt)
    if len(shown) < len(launches):
        console.print(f"  … and {len(launches) - len(shown)} more launches (use --json)")
    if detail and len(launches) <= 3:
        for ln in launches:
            dt = Table(title=f"{ln['id']}: detections (seconds after launch)")
            for col in ("sensor", "first s", "last s", "plots"):
                dt.add_column(col)
            for sid, w in sorted(ln["detections"].items(), key=lambda kv: kv[1]["first_s"]):
                dt.add_row(sid, f"{w['first_s']:.1f}", f"{w['last_s']:.1f}", str(w["plots"]))
            console.print(dt)
    st = Table(title=f"Sensors ({summary['plots']:,} plots in all)")
    for col in ("sensor", "nation", "type", "plots", "true", "clutter", "launches seen", "first"):
        st.add_column(col)
    for s in summary["sensors"]:
        firsts = [
            ln["detections"][s["id"]]["first_s"] for ln in launches if s["id"] in ln["detections"]
        ]
        st.add_row(
            s["id"],
            s["nation"],
            s["type"],
            f"{s['plots']:,}",
            f"{s['true_plots']:,}",
            f"{s['clutter_plots']:,}",
            f"{s['launches_seen']}/{len(launches)}",
            f"+{min(firsts):.1f} s" if firsts else "-",
        )
    console.print(st)
    nt = Table(title="By nation")
    for col in ("nation", "sensors", "plots", "true plots", "earliest detection after launch"):
        nt.add_column(col)
    for nation in NATIONS:
        mine = [s for s in summary["sensors"] if s["nation"] == nation]
        ids = {s["id"] for s in mine}
        firsts = [
            w["first_s"] for ln in launches for sid, w in ln["detections"].items() if sid in ids
        ]
        nt.add_row(
            nation,
            str(len(mine)),
            f"{sum(s['plots'] for s in mine):,}",
            f"{sum(s['true_plots'] for s in mine):,}",
            f"+{min(firsts):.1f} s" if firsts else "-",
        )
    console.print(nt)


def print_summary(name: str) -> None:
    """Load a scenario, generate its plots and print a summary (used by ``trilink demo``)."""
    run = _run(name, None)
    _print_tables(summarise(run), detail=True)
