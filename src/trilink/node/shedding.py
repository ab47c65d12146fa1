"""Per-origin limits a node applies before any costly check: a token bucket and drop tallies."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

__all__ = ["DropTally", "TokenBucket"]


class TokenBucket:
    """At most ``rate`` takes a second on average and ``burst`` at once; ``rate`` 0: no limit."""

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self.clock = clock
        self._tokens = self.burst
        self._at = clock()

    def take(self) -> bool:
        """Take one token if there is one."""
        if self.rate <= 0:
            return True
        now = self.clock()
        # refill for the time elapsed, never above the burst
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


class DropTally:
    """Messages dropped per subject since the last :meth:`take`: counted on the hot path,
    audited as one row per subject later (a flood makes many)."""

    def __init__(self) -> None:
        self._by_subject: Counter[str] = Counter()

    def add(self, subject: str) -> None:
        self._by_subject[subject] += 1

    def take(self) -> list[tuple[str, int]]:
        """The counts so far, by subject, and start again."""
        out = sorted(self._by_subject.items())
        self._by_subject.clear()
        return out
