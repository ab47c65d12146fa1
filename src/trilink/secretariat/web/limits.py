"""Request limits that hold for every request, however its body is sent; login throttling.

:class:`BodyLimit` is plain ASGI middleware. It refuses a declared ``Content-Length`` over the
limit at once, and counts the bytes of every body as they arrive, so a chunked (streamed) body is
cut off at the limit too instead of being read whole. The body is collected before the app runs
(at most the limit), so the app never sees a part of a body that is later refused.

:class:`LoginThrottle` slows password guessing: after a few failures for one user name or one
client address, further attempts are refused for a window that doubles with every failure. It
runs on the injected clock, so tests never sleep.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BodyLimit", "LoginThrottle"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: 413 for a body over ``limit`` bytes, with or without Content-Length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await self._refuse(send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body: bytes = message.get("body", b"")
            size += len(body)
            if size > self.limit:
                # Stop reading here: the rest of the stream is never taken in.
                await self._refuse(send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"error": f"request too large (at most {self.limit} bytes)"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


@dataclass
class _Record:
    failures: int = 0
    locked_until: dt.datetime | None = None


@dataclass
class LoginThrottle:
    """Failed-login bookkeeping per user name and per client address (in memory, per process).

    After ``free`` failures, each further failure locks the key for ``base`` seconds, doubled per
    failure and capped at ``cap``. A success clears the user name's record (not the address's:
    one good password must not reset a guessing campaign against other names).
    """

    clock: Callable[[], dt.datetime]
    free: int = 5
    base: float = 1.0
    cap: float = 15 * 60.0
    _records: dict[str, _Record] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def keys(username: str, address: str) -> tuple[str, str]:
        """The two keys a login attempt counts against."""
        return f"user:{username.strip().lower()[:64]}", f"addr:{address}"

    def retry_after(self, *keys: str) -> float:
        """Seconds until an attempt is allowed again (0 if it is allowed now)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                rec = self._records.get(key)
                if rec is not None and rec.locked_until is not None and rec.locked_until > now:
                    wait = max(wait, (rec.locked_until - now).total_seconds())
        return wait

    def failed(self, *keys: str) -> None:
        """Count a failure against every key; lock those past the free attempts."""
        now = self.clock()
        with self._lock:
            for key in keys:
                rec = self._records.setdefault(key, _Record())
                rec.failures += 1
                over = rec.failures - self.free
                if over > 0:
                    seconds = min(self.cap, self.base * 2 ** min(over - 1, 30))
                    rec.locked_until = now + dt.timedelta(seconds=seconds)
            if len(self._records) > 100_000:  # bound memory under a spray of names
                self._records.clear()

    def succeeded(self, username_key: str) -> None:
        """Forget the failures of a user name after a correct password."""
        with self._lock:
            self._records.pop(username_key, None)
