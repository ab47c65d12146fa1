"""``trilink keys``: make and list nation signing keys and TLS certificates."""

from __future__ import annotations

import json
from pathlib import Path

import click

from trilink import NATIONS
from trilink.wire.keys import init_nation, list_keys

__all__ = ["keys"]


@click.group()
def keys() -> None:
    """Make and list nation signing keys (Ed25519) and TLS certificates (X.509)."""


@keys.command("init")
@click.option("--nation", required=True, type=click.Choice(NATIONS))
@click.option("--dir", "directory", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", "hosts", multiple=True, help="Host name or IP for the server certificate.")
@click.option("--force", is_flag=True, help="Replace existing keys.")
def init_cmd(nation: str, directory: Path, hosts: tuple[str, ...], force: bool) -> None:
    """Make NATION's key pair, CA and server certificate in DIR."""
    files = init_nation(directory, nation, hosts or ("localhost", "127.0.0.1"), force=force)
    click.echo(f"{nation}: signing key {files.signing_key}, public {files.signing_pub}")
    click.echo(f"{nation}: TLS CA {files.ca_cert}, server {files.server_cert}")


@keys.command("list")
@click.option("--dir", "directory", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def list_cmd(directory: Path, as_json: bool) -> None:
    """List the keys and certificates in DIR."""
    rows = list_keys(directory)
    if as_json:
        click.echo(json.dumps({"keys": rows}, indent=2))
        return
    if not rows:
        click.echo(f"no keys in {directory}")
    for row in rows:
        priv = "private+public" if row["private_key"] else "public only"
        click.echo(f"{row['nation']}  {row['fingerprint']}  {priv}")
