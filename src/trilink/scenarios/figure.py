"""The scenario picture: ground tracks over offline coastlines, and altitude against time."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trilink.geo.coast import COASTLINE_BBOX, load_coastlines
from trilink.geo.frames import ecef_to_geodetic
from trilink.scenarios.run import ScenarioRun

__all__ = ["render_png", "NATION_COLOURS"]

NATION_COLOURS = {"KOR": "#1f77b4", "USA": "#d62728", "JPN": "#2ca02c"}


def render_png(run: ScenarioRun, path: str | Path) -> None:
    """Write a PNG: map of ground tracks and sensors (left), altitude vs time (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scn = run.scenario
    fig, (ax_map, ax_alt) = plt.subplots(1, 2, figsize=(14, 6.5), width_ratios=[1.15, 1])
    lats: list[float] = []
    lons: list[float] = []
    many = len(run.flights) > 12
    for i, flight in enumerate(run.flights):
        colour = plt.cm.tab10(i % 10)
        for j, tr in enumerate(flight.plan.trajectories):
            # Flights may outlast the scenario; draw only what happens within it.
            within = tr.t <= scn.end_s
            if within.sum() < 2:
                continue
            lat, lon, alt = ecef_to_geodetic(tr.ecef[within])
            la, lo = np.degrees(lat), np.degrees(lon)
            main = j == 0
            style = {"lw": 1.2 if main else 0.7, "ls": "-" if main else ":", "color": colour}
            label = f"{flight.launch.id} {flight.launch.missile}" if main and not many else None
            ax_map.plot(lo, la, label=label, **style)
            ax_alt.plot((tr.t[within] - scn.epoch_s) / 60.0, alt / 1e3, **style)
            lats += [float(la.min()), float(la.max())]
            lons += [float(lo.min()), float(lo.max())]
        ax_map.plot(flight.lon_deg, flight.lat_deg, "^", color="k", ms=5)
    for s in run.sensors:
        if s.alt_m > 1e6:  # a satellite: mark the sub-satellite point only if it is in view
            continue
        ax_map.plot(s.lon_deg, s.lat_deg, "s", ms=5, color=NATION_COLOURS.get(s.nation, "grey"))
        lats.append(s.lat_deg)
        lons.append(s.lon_deg)
    lo0, la0, lo1, la1 = COASTLINE_BBOX
    x0, x1 = max(min(lons) - 3, lo0), min(max(lons) + 3, lo1)
    y0, y1 = max(min(lats) - 3, la0), min(max(lats) + 3, la1)
    for line in load_coastlines():
        ax_map.plot(line[:, 0], line[:, 1], color="0.45", lw=0.5, zorder=0)
    ax_map.set_xlim(x0, x1)
    ax_map.set_ylim(y0, y1)
    ax_map.set_aspect(1.0 / np.cos(np.radians(0.5 * (y0 + y1))))
    ax_map.set_xlabel("longitude [deg E]")
    ax_map.set_ylabel("latitude [deg N]")
    ax_map.set_title(
        "Ground tracks (▲ launch, ■ sensors: KOR blue, USA red, JPN green)", fontsize=9
    )
    if not many:
        ax_map.legend(fontsize=8, loc="lower right")
    ax_alt.set_xlabel(f"minutes after {scn.epoch.isoformat()}")
    ax_alt.set_ylabel("altitude [km]")
    ax_alt.set_title("Altitude (dotted: spent stages)", fontsize=9)
    ax_alt.grid(alpha=0.3)
    fig.suptitle(f"{scn.title} — coastlines: Natural Earth (public domain)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=90, format="png")
    plt.close(fig)
