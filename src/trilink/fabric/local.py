"""A whole fabric on one machine: generate, start, watch links, kill and restart servers."""

from __future__ import annotations

import time
from pathlib import Path

from trilink import NATIONS, TrilinkError
from trilink.fabric.natsconf import FabricLayout, ServerSpec, generate, load_layout
from trilink.fabric.routing import DIRECT_STOP_GRACE_NS
from trilink.fabric.server import NatsServer, free_port
from trilink.wire.keys import init_nation, key_files

__all__ = ["DIRECT_GRACE_S", "LocalFabric", "make_layout"]

#: How long the direct subjects keep flowing after GSOMIA stops being in force: longer than the
#: nodes' agreement poll (0.2 s) plus what they have in flight, so nothing sent direct is cut.
DIRECT_GRACE_S = DIRECT_STOP_GRACE_NS / 1e9


def make_layout(
    directory: Path,
    keys_dir: Path | None,
    host: str = "127.0.0.1",
    tls: bool = True,
    direct_enabled: bool = True,
) -> FabricLayout:
    """A layout on free ports of ``host``, making missing keys in ``keys_dir``."""
    if tls:
        if keys_dir is None:
            raise TrilinkError("TLS needs a keys directory")
        for n in NATIONS:
            files = key_files(keys_dir, n)
            # Make a nation's keys only if none of its material is here (a site holds only the
            # partners' public key and CA certificate, which must not be replaced).
            if not (files.signing_pub.exists() or files.ca_cert.exists()):
                init_nation(keys_dir, n, hosts=("localhost", host))
    servers = {
        n: ServerSpec(n, host, free_port(host), free_port(host), free_port(host)) for n in NATIONS
    }
    return FabricLayout(
        servers=servers,
        keys_dir=str(keys_dir) if keys_dir else None,
        tls=tls,
        store_root=str(Path(directory) / "jetstream"),
        direct_enabled=direct_enabled,
    )


class LocalFabric:
    """Every nation's server on this machine, from configs in ``directory``."""

    def __init__(
        self, directory: Path, layout: FabricLayout | None = None, regenerate: bool = True
    ) -> None:
        self.directory = Path(directory)
        self.layout = layout or load_layout(self.directory)
        if regenerate:
            generate(self.layout, self.directory)
        self.servers = {
            n: NatsServer(
                n,
                self.directory / f"{n}.conf",
                self.directory / "logs" / f"{n}.log",
                s.host,
                s.client_port,
                s.http_port,
            )
            for n, s in self.layout.servers.items()
        }

    def check_keys(self, nation: str) -> None:
        """Refuse to start a server whose TLS certificate or key is missing."""
        if not self.layout.tls or self.layout.keys_dir is None:
            return
        files = key_files(Path(self.layout.keys_dir), nation)
        for p in (files.server_cert, files.server_key):
            if not p.exists():
                raise TrilinkError(f"missing {p} (run `trilink keys init --nation {nation}`)")

    def start_one(self, nation: str) -> None:
        self.check_keys(nation)
        self.servers[nation].start()

    def start(self, wait_links: float = 15.0) -> None:
        # Hub first so the spokes' leaf links come up at once.
        order = [self.layout.hub, *self.layout.spokes()]
        for n in order:
            self.start_one(n)
        if wait_links:
            self.wait_links(wait_links)

    def expected_links(self) -> dict[str, list[str]]:
        """Leaf links each server should show (by local account) in the current layout."""
        hub = self.layout.hub
        exp: dict[str, list[str]] = {hub: sorted(self.layout.spokes())}
        for s in self.layout.spokes():
            exp[s] = [f"LINK_{hub}"]
        # The direct links stay up whatever the agreements (only their subjects change).
        if self.layout.direct:
            for a, b in self.layout.direct:
                exp[a] = sorted([*exp[a], f"LINK_{b}"])
                exp[b] = sorted([*exp[b], f"LINK_{a}"])
        return exp

    def links_up(self) -> bool:
        return all(
            self.servers[n].leaf_accounts() == accts for n, accts in self.expected_links().items()
        )

    def wait_links(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.links_up():
                return
            time.sleep(0.05)
        seen = {n: s.leaf_accounts() for n, s in self.servers.items()}
        raise TrilinkError(f"leaf links not up after {timeout:.0f}s: {seen}")

    def set_direct(self, enabled: bool, grace_s: float = DIRECT_GRACE_S) -> None:
        """Let the direct link(s) carry their subjects or not (GSOMIA in force or not).

        No server restarts: the link stays up and the two servers reload their configs
        (SIGHUP), which changes only the accounts' exports and imports. When the link stops
        carrying, the reload waits ``grace_s`` so that nodes, which re-route on their own within
        their agreement poll (0.2 s), have moved to the hub route before the direct subjects
        go; when it starts carrying again, the reload happens at once (nodes wait
        ``DIRECT_SETTLE_NS`` before using a restored direct agreement).
        """
        if enabled == self.layout.direct_enabled:
            return
        ends = [n for pair in self.layout.direct for n in pair if self.servers[n].running]
        if not enabled and grace_s > 0 and ends:
            time.sleep(grace_s)
        self.layout.direct_enabled = enabled
        generate(self.layout, self.directory)
        for n in ends:  # a server not running reads the new config when it starts
            if not self.servers[n].reload():
                raise TrilinkError(f"{n}: config reload not applied")

    def kill(self, nation: str) -> None:
        self.servers[nation].kill()

    def restart(self, nation: str) -> None:
        self.servers[nation].start()

    def stop(self) -> None:
        for s in self.servers.values():
            s.stop()

    def __enter__(self) -> LocalFabric:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
