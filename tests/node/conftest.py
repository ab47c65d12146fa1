"""Fixtures: a real three-server fabric on free ports in a tmp dir, and node factories."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from trilink.fabric.agreements import AgreementBook
from trilink.fabric.local import LocalFabric, make_layout
from trilink.fabric.server import NatsServer, free_port
from trilink.fabric.timed import TimedItem
from trilink.node.config import NodeConfig
from trilink.node.node import Node
from trilink.node.pipeline import ScenarioSource
from trilink.wire.keys import key_files
from trilink.wire.messages import Envelope


@dataclass
class Env:
    root: Path
    fabric: LocalFabric
    keys: Path
    agreements: Path
    nodes: dict[str, Node] = field(default_factory=dict)

    def config(self, nation: str) -> NodeConfig:
        layout = self.fabric.layout
        return NodeConfig(
            nation=nation,
            url=layout.url(nation),
            password=layout.passwords[f"{nation}.node"],
            keys_dir=str(self.keys),
            agreements_dir=str(self.agreements),
            store=str(self.root / f"{nation}.sqlite"),
            heartbeat_s=0.5,
            publish_timeout_s=1.0,
        )

    def book(self) -> AgreementBook:
        return AgreementBook(state_dir=self.agreements)

    async def start_nodes(self, **kw: object) -> dict[str, Node]:
        for nation in ("USA", "KOR", "JPN"):
            node = Node(self.config(nation), **kw)  # type: ignore[arg-type]
            await node.start()
            self.nodes[nation] = node
        return self.nodes

    def leaf_spy(self, nation: str) -> NatsServer:
        """A server linked to the hub with ``nation``'s certificate: it lands where that
        nation's server does, so a client of it sees what the hub hands that nation."""
        layout = self.fabric.layout
        hub = layout.servers[layout.hub]
        files = key_files(self.keys, nation)
        port, http = free_port(), free_port()
        conf = self.root / f"spy-{nation}.conf"
        conf.write_text(
            f'server_name: SPY_{nation}\nlisten: "127.0.0.1:{port}"\n'
            f'http: "127.0.0.1:{http}"\nleafnodes {{ reconnect: "1s", remotes: [{{\n'
            f'  urls: ["nats-leaf://{hub.host}:{hub.leaf_port}"]\n'
            f'  tls {{ cert_file: "{files.server_cert}", key_file: "{files.server_key}", '
            f'ca_file: "{self.fabric.directory / "trust-bundle.pem"}" }} }}] }}\n'
        )
        spy = NatsServer(
            f"spy-{nation}", conf, self.root / f"spy-{nation}.log", "127.0.0.1", port, http
        )
        spy.start()
        return spy

    async def stop_nodes(self) -> None:
        for node in self.nodes.values():
            await node.stop()
        self.nodes.clear()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    keys = tmp_path / "keys"
    layout = make_layout(tmp_path / "fabric", keys)
    fab = LocalFabric(tmp_path / "fabric", layout)
    try:
        fab.start()
        yield Env(tmp_path, fab, keys, tmp_path / "agreements")
    finally:
        fab.stop()


async def wait_for(cond: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll ``cond`` until true or timeout (never asserts timing, only eventual state)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        await asyncio.sleep(0.05)
    return cond()


class Inbox:
    """Collects events a node received: (origin, kind, msg_id, route, launch, update)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str | None, int | None]] = []

    def __call__(self, env: Envelope, route: str, now: int) -> None:
        p = env.payload
        self.rows.append(
            (
                env.origin,
                env.kind,
                env.msg_id,
                route,
                getattr(p, "launch_id", None),
                getattr(p, "update", None),
            )
        )


#: A short exercise: the Hwasong-12 of 2017-08-29 cut 240 s after launch (boost, burnout,
#: launch event, impact predictions and midcourse tracks all happen before the cut).
SCENARIO = "2017-08-29-hwasong12"
UNTIL_S = 240.0


@functools.cache
def scenario_items(nation: str) -> tuple[TimedItem, ...]:
    """What ``nation``'s own sensors make of the short exercise (computed once per process)."""
    return tuple(ScenarioSource(SCENARIO, nation, until_s=UNTIL_S).items())
