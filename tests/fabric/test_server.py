"""Ports for local servers, and a server that cannot start says why."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from trilink import TrilinkError
from trilink.fabric.server import NatsServer, free_port


def test_ports_are_distinct_free_and_below_the_ephemeral_range() -> None:
    # bind(0) hands out ephemeral ports, the kind outgoing connections get too: a leaf link
    # made between the pick and the server's bind once took a server's port
    ports = [free_port() for _ in range(60)]
    assert len(set(ports)) == len(ports)
    assert all(20_000 <= p < 32_000 for p in ports)
    for p in ports[:5]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", p))  # free: nothing holds it


def test_a_server_whose_port_is_taken_exits_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        http = free_port()
        conf = tmp_path / "s.conf"
        conf.write_text(f"host: 127.0.0.1\nport: {port}\nhttp: 127.0.0.1:{http}\n")
        server = NatsServer("KOR", conf, tmp_path / "s.log", "127.0.0.1", port, http)
        with pytest.raises(TrilinkError, match=r"KOR exited \(.*address already in use"):
            server.start(wait=10)
        server.stop()
