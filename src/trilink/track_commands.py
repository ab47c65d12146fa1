"""``trilink track``: plots (JSON Lines) in, confirmed track states (JSON Lines) out.

Sits above the tracker and the assessor, since ``--assess`` adds the assessor's view to each track.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click
import numpy as np

from trilink import TrilinkError
from trilink.tracking.plots import read_plots
from trilink.tracking.tracker import Tracker

__all__ = ["track", "run_file"]


def run_file(
    plots_path: Path,
    out_path: Path,
    *,
    with_assessment: bool = False,
    interval_s: float = 1.0,
    assess_interval_s: float = 5.0,
) -> dict[str, Any]:
    """Track a plot file and write one line per confirmed track per output interval."""
    batch, issues = read_plots(plots_path)
    if not len(batch):
        first = f"; first: {issues[0]}" if issues else ""
        raise TrilinkError(f"no usable plots in {plots_path} ({len(issues)} issue(s){first})")
    if not (interval_s > 0 and math.isfinite(interval_s)):
        raise TrilinkError("--interval must be a positive number of seconds")
    tracker = Tracker()
    edges = np.arange(batch.t[0], batch.t[-1] + interval_s, interval_s)
    idx = np.searchsorted(batch.t, edges, side="right")
    latest: dict[str, dict[str, Any]] = {}
    last_assess = -math.inf
    lines = 0
    ids: set[str] = set()
    try:
        out = out_path.open("w", encoding="utf-8")
    except OSError as exc:
        raise TrilinkError(f"cannot write {out_path}: {exc.strerror or exc}") from exc
    with out:
        prev = 0
        for e, i in zip(edges.tolist(), idx.tolist(), strict=True):
            ts = tracker.update(e, batch.select(np.arange(prev, i)))
            prev = i
            if not len(ts):
                continue
            recs = ts.records()
            if with_assessment and e - last_assess >= assess_interval_s:
                from trilink.assess.assessor import assess

                last_assess = e
                for a in assess(ts, tracker.history):
                    latest[a.track] = a.record()
            for rec in recs:
                ids.add(rec["track"])
                if with_assessment and rec["track"] in latest:
                    rec["assessment"] = latest[rec["track"]]
                out.write(json.dumps(rec, allow_nan=False, default=_nan_safe) + "\n")
                lines += 1
    all_issues = issues + tracker.issues
    return {
        "plots_read": len(batch) + sum(1 for i in issues if i.line >= 0),
        "plots_used": len(batch) - tracker.n_rejected,
        "plots_rejected": sum(1 for i in issues if i.line >= 0) + tracker.n_rejected,
        "issues": len(all_issues),
        "first_issues": [str(i) for i in all_issues[:10]],
        "tracks": len(ids),
        "lines_written": lines,
        "out": str(out_path),
    }


def _nan_safe(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    raise TypeError(type(v).__name__)


@click.command("track")
@click.option(
    "--plots",
    "plots_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Plot file (JSON Lines, docs/formats.md).",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Track file to write (JSON Lines).",
)
@click.option("--assess", "with_assessment", is_flag=True, help="Add an assessment object.")
@click.option("--interval", "interval_s", default=1.0, show_default=True, help="Output period, s.")
@click.option("--assess-interval", default=5.0, show_default=True, help="Re-assessment period, s.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def track(
    plots_path: Path,
    out_path: Path,
    with_assessment: bool,
    interval_s: float,
    assess_interval: float,
    as_json: bool,
) -> None:
    """Track plots from a JSON Lines file; write confirmed track states as JSON Lines."""
    summary = run_file(
        plots_path,
        out_path,
        with_assessment=with_assessment,
        interval_s=interval_s,
        assess_interval_s=assess_interval,
    )
    if as_json:
        click.echo(json.dumps(summary))
        return
    for text in summary["first_issues"]:
        click.echo(f"trilink: warning: {text}", err=True)
    if summary["issues"] > len(summary["first_issues"]):
        click.echo(f"trilink: warning: ... {summary['issues']} issues in all", err=True)
    click.echo(
        f"{summary['plots_used']} plots used, {summary['plots_rejected']} rejected; "
        f"{summary['tracks']} tracks; {summary['lines_written']} lines -> {summary['out']}"
    )
