"""Attacks on the fabric through real nats-servers: link users, monitoring, client TLS."""

from __future__ import annotations

import json
import socket
import ssl
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from trilink.fabric.local import LocalFabric, make_layout

__all__: list[str] = []


@pytest.fixture
def fab(tmp_path: Path) -> Iterator[LocalFabric]:
    layout = make_layout(tmp_path / "fab", tmp_path / "keys")
    fabric = LocalFabric(tmp_path / "fab", layout)
    try:
        fabric.start()
        yield fabric
    finally:
        fabric.stop()


async def _refused(url: str, **kw: object) -> bool:
    """Whether the server refuses this connection (nats-py would otherwise retry forever)."""
    try:
        nc = await nats.connect(url, allow_reconnect=False, connect_timeout=2, **kw)  # type: ignore[arg-type]
    except Exception:
        return True
    await nc.close()
    return False


#: (server, link user, secret name) of every leaf link.
LINK_USERS = [
    ("USA", "leaf-kor", "KOR.leaf"),
    ("USA", "leaf-jpn", "JPN.leaf"),
    ("KOR", "direct-jpn", "KOR-JPN.leaf"),
]


async def test_link_users_cannot_log_in_on_client_port(fab: LocalFabric) -> None:
    layout = fab.layout
    for server, user, secret in LINK_USERS:
        url = layout.url(server)
        # With the link's own secret, or as the partner certificate's subject name.
        assert await _refused(url, user=user, password=layout.password(secret)), user
        subject = f"CN=trilink {secret[:3]} server,O=trilink"
        assert await _refused(url, user=subject, password=""), subject
    # The node user still logs in (the refusals above are not a broken port).
    assert not await _refused(layout.url("USA"), user="node", password=layout.passwords["USA.node"])


async def test_leaf_port_refuses_clients_without_link_certificate(fab: LocalFabric) -> None:
    layout = fab.layout
    bundle = fab.directory / "trust-bundle.pem"
    keys = Path(str(layout.keys_dir))
    no_cert = ssl.create_default_context(cafile=str(bundle))
    # A client certificate from a trusted CA but not a link's subject: the USA node's own
    # server certificate is trusted yet maps to no link user on its own listener.
    wrong_cert = ssl.create_default_context(cafile=str(bundle))
    wrong_cert.load_cert_chain(keys / "USA-server.pem", keys / "USA-server.key")
    for server, user, secret in LINK_USERS:
        s = layout.servers[server]
        url = f"nats://{s.host}:{s.leaf_port}"
        pw = layout.password(secret)
        assert await _refused(url, user=user, password=pw), user
        for ctx in (no_cert, wrong_cert):
            assert await _refused(url, user=user, password=pw, tls=ctx, tls_hostname="localhost"), (
                user
            )


def _http_ok(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=2) as resp:
            return bool(json.loads(resp.read()).get("status") == "ok")
    except OSError:
        return False


def _routable_address() -> str | None:
    """A non-loopback IPv4 address of this machine, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("198.51.100.1", 9))  # no packet is sent: this only picks a route
            addr: str = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


def test_monitoring_answers_only_on_loopback(tmp_path: Path) -> None:
    host = _routable_address()
    if host is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    layout = make_layout(tmp_path / "fab", tmp_path / "keys", host=host)
    fabric = LocalFabric(tmp_path / "fab", layout)
    usa = fabric.servers["USA"]
    assert '\nhttp: "127.0.0.1:' in (tmp_path / "fab" / "USA.conf").read_text()
    try:
        fabric.start_one("USA")
        port = layout.servers["USA"].http_port
        assert _http_ok("127.0.0.1", port)
        assert not _http_ok(host, port)
    finally:
        usa.stop()
