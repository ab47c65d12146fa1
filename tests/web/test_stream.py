"""The live stream: a snapshot at every new version, heartbeats, and an end at logout."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

import httpx

from .conftest import Served, login

__all__: list[str] = []


def _events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event name or 'comment', data) of a Server-Sent Events stream."""
    name, data = "message", ""
    for line in lines:
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()
        elif line == "" and data:
            yield name, data
            name, data = "message", ""


def test_stream_sends_each_new_version_and_heartbeats(serve: Callable[..., Served]) -> None:
    s = serve(poll_s=0.05, heartbeat_s=0.3)
    with s.client() as c:
        login(c, "viewer")
        with c.stream("GET", "/api/v1/stream") as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            events = _events(r.iter_lines())
            kind, data = next(events)
            assert kind == "state"
            first = json.loads(data)
            assert first["version"] == s.view.version() == 1
            assert first["status"] == "exercise" and first["nation"] == "JPN"
            n = len(first["tracks"][0]["history"])
            # Nothing changes: a heartbeat comment, no new state.
            kind, _ = next(events)
            assert kind == "comment"
            s.view.move()
            kind, data = next(e for e in events if e[0] != "comment")
            second = json.loads(data)
            assert kind == "state" and second["version"] == 2
            assert len(second["tracks"][0]["history"]) == n + 1


def test_stream_ends_when_the_session_does(serve: Callable[..., Served]) -> None:
    s = serve(poll_s=0.05, heartbeat_s=0.2)
    with s.client() as c:
        csrf = login(c, "viewer")
        seen: list[str] = []

        def log_out_soon() -> None:
            time.sleep(0.5)
            with httpx.Client(base_url=s.url, cookies=c.cookies) as other:
                other.post("/logout", headers={"x-csrf-token": csrf})

        t = threading.Thread(target=log_out_soon)
        t.start()
        started = time.monotonic()
        with c.stream("GET", "/api/v1/stream") as r:
            for kind, _ in _events(r.iter_lines()):
                seen.append(kind)
                assert time.monotonic() - started < 10
        t.join()
        assert seen[0] == "state" and seen[-1] == "logout"
        assert c.get("/api/v1/stream").status_code == 401
