"""``trilink agreements`` and ``trilink fabric`` command groups."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from trilink.fabric.agreements import AgreementBook

__all__ = ["agreements", "fabric"]

_DIR_HELP = "Agreement state directory (default: $TRILINK_AGREEMENTS or ./agreements)."


def _book(directory: Path | None) -> AgreementBook:
    d = directory or Path(os.environ.get("TRILINK_AGREEMENTS", "agreements"))
    return AgreementBook(state_dir=d)


@click.group()
def agreements() -> None:
    """Show, suspend and restore agreements (changes apply to running nodes, audited)."""


@agreements.command("show")
@click.argument("name", required=False)
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path), help=_DIR_HELP
)
@click.option("--json", "as_json", is_flag=True)
@click.option("--audit", is_flag=True, help="Also print the state change log.")
def show_cmd(name: str | None, directory: Path | None, as_json: bool, audit: bool) -> None:
    """Show all agreements, or NAME."""
    book = _book(directory)
    rows = book.describe([name] if name else None)
    if as_json:
        out: dict[str, object] = {"agreements": rows}
        if audit:
            out["audit"] = book.audit_log()
        click.echo(json.dumps(out, indent=2))
        return
    for row in rows:
        relay = row["relay"]
        relay_txt = (
            f"relay via {relay['hub']} ({relay['consent']})"  # type: ignore[index]
            if relay["allowed"]  # type: ignore[index]
            else "no relay"
        )
        direct = ", ".join("-".join(p) for p in row["direct"]) or "none"  # type: ignore[attr-defined]
        click.echo(
            f"{row['name']:8} {row['state']:10} since {row['since'][:10]}  "
            f"parties {'/'.join(row['parties'])}  direct {direct}  {relay_txt}"
        )
    if audit:
        for entry in book.audit_log():
            click.echo(
                f"  {entry['agreement']}: {entry['from']} -> {entry['to']} "
                f"by {entry['by'] or '-'} ({entry['reason'] or '-'})"
            )


def _change(name: str, state: str, directory: Path | None, by: str, reason: str) -> None:
    book = _book(directory)
    rec = book.set_state(name, state, by=by, reason=reason)
    click.echo(f"{book.get(name).name}: {rec.state}")


_by = click.option("--by", default=lambda: os.environ.get("USER", ""), help="Who decided.")
_reason = click.option("--reason", default="", help="Why (kept in the audit log).")
_dir = click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path), help=_DIR_HELP
)


@agreements.command("suspend")
@click.argument("name")
@_dir
@_by
@_reason
def suspend_cmd(name: str, directory: Path | None, by: str, reason: str) -> None:
    """Suspend NAME now; nodes re-route on their next message."""
    _change(name, "suspended", directory, by, reason)


@agreements.command("restore")
@click.argument("name")
@_dir
@_by
@_reason
def restore_cmd(name: str, directory: Path | None, by: str, reason: str) -> None:
    """Put NAME back in force now."""
    _change(name, "in_force", directory, by, reason)


@agreements.command("terminate")
@click.argument("name")
@_dir
@_by
@_reason
def terminate_cmd(name: str, directory: Path | None, by: str, reason: str) -> None:
    """Terminate NAME (final)."""
    _change(name, "terminated", directory, by, reason)


@click.group()
def fabric() -> None:
    """Generate and run the NATS fabric (one server per nation, leaf links)."""
