"""What a producer hands a node: an outgoing item and when to share it."""

from __future__ import annotations

from dataclasses import dataclass

from trilink.fabric.guard import Outgoing

__all__ = ["TimedItem"]


@dataclass(frozen=True)
class TimedItem:
    """An item to share ``at_s`` seconds after the source starts."""

    at_s: float
    item: Outgoing
