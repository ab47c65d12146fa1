"""Replay control for scenario runs: a clock in scenario seconds that can pause and change speed.

:class:`ReplayClock` maps wall time to scenario seconds; pausing, resuming or changing the
speed re-anchors it at the present, so scenario time never jumps. The live demo drives both
its desks' ticks and its nodes' senders from one such clock, so pausing pauses everything.
:class:`ReplayControl` is what the web application asks of a replay (``POST /api/v1/replay``);
a real node has none.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field, model_validator

__all__ = [
    "SPEED_MAX",
    "SPEED_MIN",
    "ReplayChange",
    "ReplayClock",
    "ReplayControl",
    "ReplayState",
]

#: the speeds a replay may run at (scenario seconds per wall second)
SPEED_MIN = 0.1
SPEED_MAX = 100.0


class ReplayState(BaseModel):
    """A replay's state as the page shows it."""

    paused: bool
    speed: float
    #: a round is being replayed (False between rounds and after the last one)
    running: bool = True
    #: scenario seconds since the scenario's start
    t_s: float = 0.0
    #: grows by one on every change of ``paused``, ``speed`` or ``running``
    version: int = 0

    @property
    def rate(self) -> float:
        """Scenario seconds per wall second right now: 0 when paused or not running."""
        return self.speed if self.running and not self.paused else 0.0


class ReplayChange(BaseModel):
    """Pause or resume a replay, or set its speed (at least one of the two)."""

    paused: bool | None = None
    speed: float | None = Field(default=None, ge=SPEED_MIN, le=SPEED_MAX, allow_inf_nan=False)

    @model_validator(mode="after")
    def _something(self) -> ReplayChange:
        if self.paused is None and self.speed is None:
            raise ValueError("give paused, speed or both")
        return self


@runtime_checkable
class ReplayControl(Protocol):
    """A scenario replay the page may pause, resume and speed up or slow down."""

    def state(self) -> ReplayState: ...

    def set(self, paused: bool | None, speed: float | None, by: str) -> ReplayState:
        """Change the replay (``None`` keeps a value); ``by`` is the user, for the audit log."""
        ...


class ReplayClock:
    """Scenario seconds as a function of wall time, with pause and speed.

    ``clock`` gives wall seconds (default :func:`time.monotonic`; tests inject their own).
    ``start(t_s)`` begins a round at scenario second ``t_s``; ``finish()`` freezes it. Every
    change re-anchors the clock at the present, and calls each of :attr:`listeners`.
    """

    def __init__(
        self,
        speed: float = 1.0,
        *,
        paused: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check_speed(speed)
        self.clock = clock
        self._lock = threading.Lock()
        self._speed = float(speed)
        self._paused = paused
        self._running = False
        self._wall0 = clock()
        self._t0 = 0.0
        self._version = 0
        self.listeners: list[Callable[[], None]] = []

    def _now(self, wall: float) -> float:
        if self._paused or not self._running:
            return self._t0
        return self._t0 + (wall - self._wall0) * self._speed

    def now(self) -> float:
        """Scenario seconds now."""
        with self._lock:
            return self._now(self.clock())

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def running(self) -> bool:
        return self._running

    def _changed(self, **kw: object) -> None:
        """Re-anchor at the present, then apply ``kw`` (under the lock)."""
        wall = self.clock()
        self._t0 = self._now(wall)
        self._wall0 = wall
        for k, v in kw.items():
            setattr(self, f"_{k}", v)
        self._version += 1

    def _tell(self) -> None:
        for listener in list(self.listeners):
            listener()

    def start(self, t_s: float = 0.0) -> None:
        """A new round from scenario second ``t_s``, at the current speed and pause."""
        with self._lock:
            self._changed(running=True)
            self._t0 = float(t_s)
        self._tell()

    def finish(self) -> None:
        """The round is over: scenario time stands still until the next :meth:`start`."""
        with self._lock:
            self._changed(running=False)
        self._tell()

    def set(
        self, paused: bool | None = None, speed: float | None = None, by: str = ""
    ) -> ReplayState:
        """Pause or resume, and / or set the speed (``None`` keeps it); returns the new state.
        ``by`` is not recorded here (a :class:`ReplayControl` wrapping the clock audits it)."""
        if speed is not None:
            _check_speed(speed)
        with self._lock:
            kw: dict[str, object] = {}
            if paused is not None:
                kw["paused"] = bool(paused)
            if speed is not None:
                kw["speed"] = float(speed)
            self._changed(**kw)
        self._tell()
        return self.state()

    def wall_until(self, t_s: float) -> float:
        """Wall seconds until scenario second ``t_s`` at the present pace (``inf`` when paused
        or not running; 0 when it has come)."""
        with self._lock:
            now = self._now(self.clock())
            if now >= t_s:
                return 0.0
            if self._paused or not self._running:
                return math.inf
            return (t_s - now) / self._speed

    def state(self) -> ReplayState:
        with self._lock:
            return ReplayState(
                paused=self._paused,
                speed=self._speed,
                running=self._running,
                t_s=self._now(self.clock()),
                version=self._version,
            )


def _check_speed(speed: float) -> None:
    if not (math.isfinite(speed) and SPEED_MIN <= speed <= SPEED_MAX):
        raise ValueError(f"speed must be a number from {SPEED_MIN:g} to {SPEED_MAX:g}")
