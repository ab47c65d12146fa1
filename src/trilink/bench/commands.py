"""``trilink bench``: benchmark subcommands, each imported only when run."""

from __future__ import annotations

from typing import ClassVar

import click

from trilink.cli import LazyGroup

__all__ = ["bench"]

_BENCHES: dict[str, tuple[str, str]] = {
    "tracker": ("trilink.bench.tracker:tracker", "trilink vs Stone Soup on a seeded salvo."),
    "fabric": ("trilink.bench.fabric:fabric", "Event latency and loss across the NATS fabric."),
    "trajectory": ("trilink.bench.trajectory:trajectory", "Vectorised trajectory propagation."),
    "warning": ("trilink.bench.warning:warning", "Fused-picture update to warnings written."),
}


class _LazyBench(LazyGroup):
    """The benchmarks' lazy group; one whose extra is not installed is a usage error."""

    table: ClassVar[dict[str, tuple[str, str]]] = _BENCHES

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        try:
            return super().get_command(ctx, cmd_name)
        except ModuleNotFoundError as exc:
            raise click.UsageError(f"benchmark {cmd_name!r} is not available: {exc}") from exc


@click.group(cls=_LazyBench)
def bench() -> None:
    """Run benchmarks; each prints one JSON object."""
