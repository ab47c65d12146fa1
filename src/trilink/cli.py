"""The one ``trilink`` command.

Subcommand groups live next to the code they drive (``trilink/<concern>/commands.py``); those
that drive several layers (``bench``, ``track``, ``demo``) sit on top with this module. All are
imported lazily, so ``trilink --help`` stays fast and a broken optional part cannot break the rest.
Every usage or input error ends in one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any, ClassVar

import click

from trilink import TrilinkError, __version__

__all__ = ["main", "cli", "LazyGroup"]

_PACKAGE_DIR = Path(__file__).resolve().parent

#: subcommand name -> "module:attribute" of a click command or group
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "trajectory": ("trilink.physics.commands:trajectory", "Fit and inspect missile trajectories."),
    "scenario": ("trilink.exercise.commands:scenario", "List, show and export scenarios."),
    "sites": ("trilink.sensors.commands:sites", "List the public sensor site catalogue."),
    "missiles": ("trilink.physics.commands:missiles", "List the public missile catalogue."),
    "track": ("trilink.track_commands:track", "Track plots from a JSON Lines file."),
    "bench": ("trilink.bench.commands:bench", "Run benchmarks (tracker, fabric)."),
    "keys": (
        "trilink.wire.commands:keys",
        "Make and list nation signing keys and TLS certificates.",
    ),
    "agreements": ("trilink.fabric.commands:agreements", "Show, suspend and restore agreements."),
    "fabric": ("trilink.fabric.commands:fabric", "Generate and run the NATS fabric."),
    "node": ("trilink.node.commands:node", "Run a national node."),
    "secretariat": ("trilink.secretariat.commands:secretariat", "The cooperation's secretariat."),
    "demo": ("trilink.demo:demo", "Run the one-machine demonstration."),
    "areas": ("trilink.geo.commands:areas", "Look up warning areas and maritime zones."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used.

    ``table`` names them (subcommand -> ("module:attribute", help line)); a subclass gives its own.
    """

    table: ClassVar[dict[str, tuple[str, str]]] = LAZY_COMMANDS

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._available()))

    def _available(self) -> dict[str, tuple[str, str]]:
        # Looked up as files, not with importlib's find_spec: that would import each command's
        # parent package (and with it numpy, scipy and numba) just to list the commands.
        return {
            name: (target, help_)
            for name, (target, help_) in self.table.items()
            if _module_file(target.split(":")[0]).is_file()
        }

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            return cmd
        entry = self._available().get(cmd_name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
        module = importlib.import_module(module_name)
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help text comes from the table, so listing commands imports nothing heavy.
        rows = [(name, help_) for name, (_, help_) in sorted(self._available().items())]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trilink")
def cli() -> None:
    """trilink: KOR-USA-JPN missile-warning sharing network and secretariat."""


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI, turning every usage or input error into one line and exit 2."""
    try:
        return cli.main(args=argv, prog_name="trilink", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("trilink: error: aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"trilink: error: {one_line(exc.format_message())}", err=True)
        sys.exit(2)
    except TrilinkError as exc:
        click.echo(f"trilink: error: {one_line(str(exc))}", err=True)
        sys.exit(2)
    except OSError as exc:  # a file or socket the command needed: said in one line too
        click.echo(f"trilink: error: {one_line(str(exc))}", err=True)
        sys.exit(2)
    except Exception as exc:
        # A fault of trilink itself: still one line for the operator, the traceback on demand.
        if os.environ.get("TRILINK_DEBUG"):
            raise
        what = one_line(f"{type(exc).__name__}: {exc}")
        click.echo(
            f"trilink: error: internal error ({what}); rerun with TRILINK_DEBUG=1 for details",
            err=True,
        )
        sys.exit(2)


def _module_file(module: str) -> Path:
    """Where a ``trilink.*`` module's source lives (a module file or a package's ``__init__``)."""
    base = _PACKAGE_DIR.joinpath(*module.split(".")[1:])
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def one_line(text: str) -> str:
    """Collapse a message to one line."""
    return " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    main()
