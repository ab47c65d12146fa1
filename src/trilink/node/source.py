"""The producer side of a node: what it has to share, and when.

The node pulls timed items from a :class:`Source`: the scenario pipeline
(:class:`~trilink.node.pipeline.ScenarioSource`), or the seeded stand-in
:class:`~trilink.synthetic.messages.SyntheticSalvo`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from trilink.fabric.timed import TimedItem

__all__ = ["Source"]


class Source(Protocol):
    """Anything that yields timed items in non-decreasing time order."""

    def items(self) -> Iterator[TimedItem]: ...
