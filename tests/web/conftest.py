"""A real uvicorn server on 127.0.0.1 serving a :class:`FakeNodeView`, and logged-in clients."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from trilink.web.app import create_app
from trilink.web.auth import User
from trilink.web.fake import FakeNodeView

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "PASSWORDS",
    "Served",
    "login",
    "login_form",
    "needs_chromium",
    "start_server",
]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian chromium not installed (make browser)"
)

PASSWORDS = {"viewer": "view-only-pass", "operator": "duty-officer-pass", "admin": "admin-pass-1"}
_USERS = [User.create(name, pw, name) for name, pw in PASSWORDS.items()]  # type: ignore[arg-type]


@dataclass
class Served:
    url: str
    view: Any  # a FakeNodeView unless a test brings its own
    clock: list[int]
    app: Any

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10.0, **kw)


def login_form(client: httpx.Client) -> str:
    """The CSRF token of a fresh login form (its pre-session cookie lands in ``client``)."""
    r = client.get("/login")
    assert r.status_code == 200
    m = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert m is not None
    return m.group(1)


def login(client: httpx.Client, user: str, password: str | None = None) -> str:
    """Log ``client`` in; returns the session's CSRF token for writes."""
    token = login_form(client)
    r = client.post(
        "/login",
        data={"username": user, "password": password or PASSWORDS[user], "csrf_token": token},
    )
    assert r.status_code == 303, r.text
    me = client.get("/api/v1/session")
    assert me.status_code == 200
    csrf: str = me.json()["csrf"]
    return csrf


def start_server(view: FakeNodeView | None = None, **kw: Any) -> tuple[Served, Callable[[], None]]:
    """A server on a free port of 127.0.0.1 and the function that stops it."""
    view = view or FakeNodeView()
    clock = [time.time_ns()]
    kw.setdefault("login_limit", 1000)
    app = create_app(view, _USERS, clock=lambda: clock[0], **kw)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return Served(f"http://127.0.0.1:{port}", view, clock, app), stop


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """Start servers (one per call); all stop at the end of the test."""
    stops: list[Callable[[], None]] = []

    def start(view: Any = None, **kw: Any) -> Served:
        served, stop = start_server(view, **kw)
        stops.append(stop)
        return served

    yield start
    for stop in stops:
        stop()
