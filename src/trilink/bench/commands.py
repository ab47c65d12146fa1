"""``trilink bench``: benchmark subcommands, each imported only when run."""

from __future__ import annotations

import importlib

import click

__all__ = ["bench"]

_BENCHES: dict[str, tuple[str, str]] = {
    "tracker": ("trilink.bench.tracker:tracker", "trilink vs Stone Soup on a seeded salvo."),
    "fabric": ("trilink.bench.fabric:fabric", "Event latency and loss across the NATS fabric."),
    "trajectory": ("trilink.bench.trajectory:trajectory", "Vectorised trajectory propagation."),
    "warning": ("trilink.bench.warning:warning", "Fused-picture update to warnings written."),
}


class _LazyBench(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_BENCHES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _BENCHES.get(cmd_name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise click.UsageError(f"benchmark {cmd_name!r} is not available: {exc}") from exc
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(k, v[1]) for k, v in sorted(_BENCHES.items())])


@click.group(cls=_LazyBench)
def bench() -> None:
    """Run benchmarks; each prints one JSON object."""
