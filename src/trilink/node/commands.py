"""``trilink node``: run one nation's node."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import signal
from pathlib import Path

import click

from trilink import NATIONS
from trilink.node.config import load_node_config
from trilink.node.node import Node
from trilink.node.source import Source
from trilink.synthetic.messages import SyntheticSalvo

__all__ = ["node"]


@click.command("node")
@click.option("--nation", required=True, type=click.Choice(NATIONS))
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Node config written by `trilink fabric config` (<N>-node.toml).",
)
@click.option("--seconds", type=float, default=0.0, help="Stop after this long (0: until Ctrl-C).")
@click.option("--synthetic", is_flag=True, help="Share a seeded synthetic salvo (exercise).")
@click.option(
    "--scenario",
    default=None,
    help="Share what this nation's own sensors make of a library scenario (exercise).",
)
@click.option("--until", "until_s", type=float, default=None, help="Cut the scenario here (s).")
@click.option("--seed", type=int, default=None, help="Seed (default: 1, or the scenario's).")
@click.option("--launches", type=int, default=3, show_default=True)
@click.option("--speed", type=float, default=1.0, show_default=True)
@click.option("--status-every", type=float, default=5.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print status lines as JSON.")
@click.option("--connect-timeout", type=float, default=30.0, show_default=True)
def node(
    nation: str,
    config_path: Path,
    seconds: float,
    synthetic: bool,
    scenario: str | None,
    until_s: float | None,
    seed: int | None,
    launches: int,
    speed: float,
    status_every: float,
    as_json: bool,
    connect_timeout: float,
) -> None:
    """Run NATION's node: producer → guard → fabric; fabric → checks → audit → store."""
    cfg = load_node_config(config_path, nation)
    if synthetic and scenario:
        raise click.UsageError("--synthetic and --scenario exclude each other")
    if not (speed > 0 and math.isfinite(speed)):
        raise click.UsageError("--speed must be a positive number")
    source: Source | None = None
    if synthetic:
        source = SyntheticSalvo(seed=1 if seed is None else seed, nation=nation, launches=launches)
    elif scenario:
        from trilink.node.pipeline import ScenarioSource
        from trilink.scenarios.model import load_scenario

        load_scenario(scenario)  # a bad name fails here, before connecting
        source = ScenarioSource(scenario, nation, seed=seed, until_s=until_s)
    asyncio.run(_run(cfg, seconds, source, speed, status_every, as_json, connect_timeout))


def _print_status(n: Node, as_json: bool) -> None:
    st = n.status()
    if as_json:
        click.echo(json.dumps(st, sort_keys=True))
        return
    links = " ".join(f"{lk['peer']}:{'up' if lk['up'] else 'down'}" for lk in st["links"])
    agr = " ".join(f"{k}:{v}" for k, v in st["agreements"].items())
    c = st["counters"]
    click.echo(
        f"{st['nation']} {'connected' if st['connected'] else 'DISCONNECTED'} links[{links}] "
        f"agreements[{agr}] sent={c.get('sent_events', 0)}ev/{c.get('sent_state', 0)}st "
        f"received={c.get('received_events', 0)}ev spooled={st['spooled']} "
        f"refused_in={sum(st['refused_in'].values())} refused_out={sum(st['refused_out'].values())}"
    )


async def _replay(n: Node, source: Source, speed: float) -> None:
    # The tracker is CPU-bound: run the pipeline off the event loop, then replay it in time.
    from trilink.node.pipeline import ListSource

    items = await asyncio.to_thread(lambda: list(source.items()))
    await n.run_source(ListSource(items), speed=speed)


async def _run(
    cfg: object,
    seconds: float,
    source: Source | None,
    speed: float,
    status_every: float,
    as_json: bool,
    connect_timeout: float,
) -> None:
    n = Node(cfg)  # type: ignore[arg-type]
    try:
        await n.start(connect_timeout)
    except BaseException:
        n.store.close()
        raise
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks = []
    if source is not None:
        tasks.append(loop.create_task(_replay(n, source, speed)))
    if seconds:
        loop.call_later(seconds, stop.set)
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), status_every)
            _print_status(n, as_json)
    finally:
        for t in tasks:
            t.cancel()
        await n.stop()
