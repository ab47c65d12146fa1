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

    def _refill(self) -> None:
        now = self.clock()
        # refill for the time elapsed, never above the burst
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def take(self) -> bool:
        """Take one token if there is one."""
        return self.take_up_to(1) == 1

    def take_up_to(self, n: int) -> int:
        """Take as many whole tokens as there are, up to ``n``; how many were taken."""
        if self.rate <= 0:
            return n
        self._refill()
        k = min(n, int(self._tokens))
        self._tokens -= k
        return k

    def refund(self, k: int) -> None:
        """Give back ``k`` tokens taken but not used."""
        if self.rate > 0 and k > 0:
            self._tokens = min(self.burst, self._tokens + k)

    def wait_s(self) -> float:
        """How long until a whole token is there."""
        if self.rate <= 0:
            return 0.0
        self._refill()
        return max(0.0, (1.0 - self._tokens) / self.rate)


class DropTally:
    """Messages dropped per key (a subject, an origin) since the last :meth:`take`: counted on
    the hot path, audited as one row per key later (a flood makes many)."""

    def __init__(self) -> None:
        self._by_subject: Counter[str] = Counter()

    def add(self, key: str, count: int = 1) -> None:
        self._by_subject[key] += count

    def take(self) -> list[tuple[str, int]]:
        """The counts so far, by subject, and start again."""
        out = sorted(self._by_subject.items())
        self._by_subject.clear()
        return out
