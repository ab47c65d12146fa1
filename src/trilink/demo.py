"""``trilink demo``: the whole three-nation system on one machine.

By default the demo is live (:mod:`trilink.livedemo`): each nation's warning desk runs in
scenario time and its web page is served until Ctrl-C or SIGTERM. With ``--summary`` (or
``--json``) it is the headless run described below.

Generates keys, the three nations' NATS server configs and node configs in a work directory,
starts the servers on loopback, runs each nation's own sensors' view of a library scenario
through its tracker and assessor (in worker processes, in parallel), then starts the three nodes
in this process and replays the scenario into the fabric faster than real time. When every
partner event has arrived it prints, per nation, what it shared, what it received from its
partners (and by which route: direct, or relayed by the hub), its fused picture and any
refusals, and stops the servers. Ctrl-C or an error stops everything started and removes the
temporary directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from trilink import NATIONS, TrilinkError

if TYPE_CHECKING:
    from trilink.fabric.local import LocalFabric
    from trilink.node.config import NodeConfig

__all__ = ["demo", "run_demo"]

_ROUTES = {"d": "direct", "r": "relay", "h": "via hub"}


def _expected_events(items: dict[str, list[Any]]) -> dict[str, dict[str, int]]:
    """receiver -> origin -> events the receiver must end up with."""
    from trilink.wire.messages import EVENT_KINDS, payload_kind

    out: dict[str, dict[str, int]] = {n: {} for n in NATIONS}
    for origin, its in items.items():
        for it in its:
            if payload_kind(it.item.payload) not in EVENT_KINDS:
                continue
            for dest in it.item.rel_to:
                if dest != origin:
                    out[dest][origin] = out[dest].get(origin, 0) + 1
    return out


def _summary(node: Any, items: list[Any]) -> dict[str, Any]:
    """What one node shared, received, fused and refused."""
    from trilink.wire.codec import decode
    from trilink.wire.messages import ImpactPrediction, LaunchEvent, TrackReport

    shared = Counter(type(i.item.payload).__name__ for i in items)
    own_tracks = {i.item.payload.track_id for i in items if isinstance(i.item.payload, TrackReport)}
    received: dict[str, Any] = {}
    for origin, route, blob in node.store.event_envelopes():
        r = received.setdefault(
            origin,
            {"launch_events": [], "impact_predictions": 0, "last_impact": None, "routes": {}},
        )
        name = _ROUTES.get(route, route)
        r["routes"][name] = r["routes"].get(name, 0) + 1
        p = decode(blob).payload
        if isinstance(p, LaunchEvent):
            r["launch_events"].append(
                {
                    "launch": p.launch_id,
                    "class": p.missile_class,
                    "lat": p.lat_deg,
                    "lon": p.lon_deg,
                    "sigma_m": p.point_sigma_m,
                    "route": name,
                }
            )
        elif isinstance(p, ImpactPrediction):
            r["impact_predictions"] += 1
            r["last_impact"] = {
                "launch": p.launch_id,
                "update": p.update,
                "lat": p.lat_deg,
                "lon": p.lon_deg,
                "major_km": round(p.major_m / 1000.0, 1),
                "minor_km": round(p.minor_m / 1000.0, 1),
                "impact_utc_s": round(p.impact_time_ns / 1e9, 1),
                "route": name,
            }
    for origin, book in node.fusion.partners.items():
        received.setdefault(
            origin,
            {"launch_events": [], "impact_predictions": 0, "last_impact": None, "routes": {}},
        )["tracks"] = len(book)
    pic = node.fused
    return {
        "nation": node.nation,
        "shared": {
            "tracks": len(own_tracks),
            "track_reports": shared.get("TrackReport", 0),
            "launch_events": shared.get("LaunchEvent", 0),
            "impact_predictions": shared.get("ImpactPrediction", 0),
        },
        "received": dict(sorted(received.items())),
        "fused": {
            "tracks": len(pic),
            "multi_source": pic.multi_source,
            "multi_source_peak": node.counters.get("fused_multi_source_peak", 0),
            "sources": [list(s) for s in pic.sources],
        },
        "refused_in": dict(node.refused_in),
        "refused_out": dict(node.guard.refused),
        "relayed": node.counters.get("relayed", 0),
    }


async def _run_nodes(
    configs: dict[str, Any],
    items: dict[str, list[Any]],
    speed: float,
    settle_s: float,
    progress: Any,
) -> dict[str, Any]:
    from trilink.node.node import Node
    from trilink.node.pipeline import ListSource

    expected = _expected_events(items)
    nodes: dict[str, Node] = {}
    try:
        for n in ("USA", "KOR", "JPN"):  # the hub first
            nodes[n] = Node(configs[n])
            await nodes[n].start(connect_timeout=15.0)
        progress("nodes up; replaying")
        await asyncio.gather(
            *(nodes[n].run_source(ListSource(items[n]), speed=speed) for n in NATIONS)
        )
        progress("replay done; waiting for every partner event")
        for node in nodes.values():
            await node.drain(settle_s)

        def complete() -> bool:
            return all(
                len(nodes[r].store.events(o)) >= k
                for r, per in expected.items()
                for o, k in per.items()
            )

        deadline = time.monotonic() + settle_s
        while not complete() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        out: dict[str, Any] = {"complete": complete(), "nations": {}}
        for n, node in nodes.items():
            node.fuse()
            out["nations"][n] = _summary(node, items[n])
            out["nations"][n]["expected_events"] = expected[n]
        return out
    finally:
        for node in nodes.values():
            with contextlib.suppress(Exception):
                await node.stop()


class _Network(NamedTuple):
    """The three nations' pipelines run and their fabric started, in ``root``."""

    fabric: LocalFabric
    configs: dict[str, NodeConfig]
    items: dict[str, list[Any]]
    root: Path
    t0: float  # time.monotonic() when the pipelines started


@contextlib.contextmanager
def _started(
    scenario: str,
    title: str,
    seed: int | None,
    until_s: float | None,
    out_dir: Path | None,
    gsomia: bool,
    workers: int,
    say: Any,
) -> Iterator[_Network]:
    """Run the pipelines, then start the local fabric in ``out_dir`` (a temporary directory if
    None); the fabric is stopped and the temporary directory removed on leaving."""
    from trilink.node.network import local_network, run_dir
    from trilink.node.pipeline import compute_items

    with run_dir(out_dir, "trilink-demo-") as root:
        t0 = time.monotonic()
        say(f"tracking {title} for KOR, USA, JPN ({workers or 'no'} worker processes)")
        items = compute_items(scenario, seed, until_s, workers)
        say(f"pipelines done in {time.monotonic() - t0:.1f} s; starting the fabric in {root}")
        with local_network(root, gsomia=gsomia, by="demo") as (fab, configs):
            yield _Network(fab, configs, items, root, t0)


def run_demo(
    scenario: str = "2017-08-29-hwasong12",
    speed: float = 20.0,
    seed: int | None = None,
    until_s: float | None = None,
    out_dir: Path | None = None,
    gsomia: bool = True,
    workers: int = 3,
    settle_s: float = 30.0,
    progress: Any = None,
) -> dict[str, Any]:
    """Run the whole demonstration; returns the per-nation summary (see :func:`_summary`)."""
    from trilink.scenarios.model import load_scenario

    if not (speed > 0 and math.isfinite(speed)):
        raise TrilinkError("--speed must be a positive number")
    scn = load_scenario(scenario)  # a bad name fails before anything starts
    say = progress or (lambda _msg: None)
    with _started(scenario, scn.title, seed, until_s, out_dir, gsomia, workers, say) as net:
        result = asyncio.run(_run_nodes(net.configs, net.items, speed, settle_s, say))
        result.update(
            scenario=scenario,
            title=scn.title,
            speed=speed,
            gsomia=net.fabric.layout.direct_enabled,
            dir=None if out_dir is None else str(net.root),
            seconds=round(time.monotonic() - net.t0, 1),
        )
        return result


def run_live(
    scenario: str = "2017-08-29-hwasong12",
    speed: float = 10.0,
    seed: int | None = None,
    until_s: float | None = None,
    out_dir: Path | None = None,
    gsomia: bool = True,
    workers: int = 3,
    host: str = "127.0.0.1",
    port_base: int = 8400,
    loop: bool = False,
    progress: Any = None,
    ready: Any = None,
) -> int:
    """The live demo (:class:`trilink.livedemo.LiveDemo`) until Ctrl-C or SIGTERM; returns the
    number of rounds played. ``ready(live)`` is called once the pages are served."""
    from trilink.livedemo import LiveDemo, bind_pages
    from trilink.scenarios.model import load_scenario
    from trilink.web.replay import SPEED_MAX, SPEED_MIN

    if not (math.isfinite(speed) and SPEED_MIN <= speed <= SPEED_MAX):
        raise TrilinkError(f"--speed must be a number from {SPEED_MIN:g} to {SPEED_MAX:g}")
    if not 1 <= port_base <= 65533:
        raise TrilinkError("--port-base must be between 1 and 65533")
    scn = load_scenario(scenario)
    # Bound now, served later: a taken port fails before the long work, and no server of the
    # fabric can take a page's port meanwhile.
    socks = bind_pages(host, port_base)
    say = progress or (lambda _msg: None)
    try:
        started = _started(scenario, scn.title, seed, until_s, out_dir, gsomia, workers, say)
        with started as (fab, configs, items, _root, _t0):
            end_s = scn.end_s if until_s is None else min(scn.end_s, scn.epoch_s + until_s)
            live = LiveDemo(
                configs,
                items,
                scn.epoch_s,
                end_s,
                speed,
                fab,
                host=host,
                port_base=port_base,
                loop=loop,
                say=say,
                sockets=socks,
            )

            async def main() -> None:
                aloop = asyncio.get_running_loop()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    with contextlib.suppress(ValueError, RuntimeError):  # not the main thread
                        aloop.add_signal_handler(sig, live.stop)
                try:
                    await live.run(ready)
                finally:
                    for sig in (signal.SIGINT, signal.SIGTERM):
                        with contextlib.suppress(ValueError, RuntimeError):
                            aloop.remove_signal_handler(sig)

            asyncio.run(main())
            return live.rounds
    finally:
        for sock in socks.values():
            sock.close()


def _announce(live: Any) -> None:
    """The pages and the accounts, printed once."""
    lines = ["trilink demo: live (EXERCISE); Ctrl-C stops it", ""]
    for n in NATIONS:
        pw = live.passwords[n]
        lines.append(f"{n}  {live.urls[n]}")
        lines += [f"     {role:<9}{pw[role]}" for role in ("viewer", "operator", "admin")]
    lines.append("")
    click.echo("\n".join(lines))


def _print(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    con.print(
        f"[bold]{result['title']}[/] at {result['speed']:g}x; GSOMIA "
        f"{'in force (KOR-JPN direct)' if result['gsomia'] else 'not in force (via USA hub)'}; "
        f"{result['seconds']} s"
    )
    for n, s in result["nations"].items():
        sh = s["shared"]
        t = Table(
            title=f"{n}: shared {sh['tracks']} tracks ({sh['track_reports']} reports), "
            f"{sh['launch_events']} launch events, {sh['impact_predictions']} impact "
            f"predictions",
            title_justify="left",
        )
        for col in (
            "from",
            "tracks",
            "launch events",
            "impact predictions",
            "last impact",
            "route",
        ):
            t.add_column(col)
        for origin, r in s["received"].items():
            le = "; ".join(
                f"{e['launch']} {e['class']} {e['lat']:.2f}N {e['lon']:.2f}E "
                f"±{e['sigma_m'] / 1000:.1f} km"
                for e in r["launch_events"]
            )
            li = r["last_impact"]
            last = (
                f"#{li['update']} {li['lat']:.2f}N {li['lon']:.2f}E "
                f"{li['major_km']}x{li['minor_km']} km"
                if li
                else "-"
            )
            routes = ", ".join(f"{k} {v}" for k, v in r["routes"].items()) or "-"
            t.add_row(
                origin,
                str(r.get("tracks", 0)),
                le or "-",
                str(r["impact_predictions"]),
                last,
                routes,
            )
        con.print(t)
        f = s["fused"]
        ref_in = sum(s["refused_in"].values())
        ref_out = sum(s["refused_out"].values())
        con.print(
            f"  fused picture at the end: {f['tracks']} tracks, {f['multi_source']} fused from "
            f"several nations (peak {f['multi_source_peak']}); refused in {ref_in}, out "
            f"{ref_out}; relayed {s['relayed']}"
        )
    if not result["complete"]:
        con.print("[red]not every partner event arrived in time[/]")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@click.command()
@click.option(
    "--scenario", default="2017-08-29-hwasong12", show_default=True, help="Library name or file."
)
@click.option(
    "--speed", type=float, default=None, help="Replay speed (x real time; live 10, summary 20)."
)
@click.option("--seed", type=int, default=None, help="Seed (default: the scenario's).")
@click.option("--until", "until_s", type=float, default=None, help="Cut the scenario here (s).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep configs, keys, stores and logs here (default: a temporary directory).",
)
@click.option("--no-gsomia", is_flag=True, help="GSOMIA suspended: KOR-JPN traffic via the hub.")
@click.option("--workers", default=3, show_default=True, help="Processes for the pipelines.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address of the pages.")
@click.option(
    "--port-base",
    default=8400,
    show_default=True,
    help="Pages at this port + 0, 1, 2 (KOR, USA, JPN).",
)
@click.option("--loop", is_flag=True, help="Replay again and again (a wall display).")
@click.option(
    "--summary", is_flag=True, help="No pages: replay once, print what each nation shared, exit."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the summary as JSON (implies --summary)."
)
def demo(
    scenario: str,
    speed: float | None,
    seed: int | None,
    until_s: float | None,
    out_dir: Path | None,
    no_gsomia: bool,
    workers: int,
    host: str,
    port_base: int,
    loop: bool,
    summary: bool,
    as_json: bool,
) -> None:
    """Three nations' servers, nodes, warning desks and web pages on this machine, replaying a
    library scenario live (exercise) until Ctrl-C; --summary for a headless run."""

    def say(msg: str) -> None:
        if not as_json:
            click.echo(f"demo: {msg}", err=True)

    # SIGTERM stops the demo like Ctrl-C: servers stopped, temporary files removed.
    with contextlib.suppress(ValueError):  # not the main thread (e.g. under a test runner)
        signal.signal(signal.SIGTERM, _interrupt)
    if not (summary or as_json):
        run_live(
            scenario,
            10.0 if speed is None else speed,
            seed,
            until_s,
            out_dir,
            gsomia=not no_gsomia,
            workers=workers,
            host=host,
            port_base=port_base,
            loop=loop,
            progress=say,
            ready=_announce,
        )
        say("stopped")
        return
    result = run_demo(
        scenario,
        20.0 if speed is None else speed,
        seed,
        until_s,
        out_dir,
        gsomia=not no_gsomia,
        workers=workers,
        progress=say,
    )
    if as_json:
        click.echo(json.dumps(result, sort_keys=True))
    else:
        _print(result)
    if not result["complete"]:
        raise TrilinkError("demo incomplete: not every partner event arrived")
