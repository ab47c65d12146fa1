"""``trilink agreements`` and ``trilink fabric`` command groups."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trilink import NATIONS, TrilinkError
from trilink.fabric.agreements import AgreementBook

if TYPE_CHECKING:
    from trilink.fabric.natsconf import FabricLayout

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


def _state_command(verb: str, state: str, doc: str) -> None:
    """``trilink agreements VERB NAME``: put agreement NAME in ``state`` now (audited)."""

    @agreements.command(verb, help=doc)
    @click.argument("name")
    @_dir
    @_by
    @_reason
    def cmd(name: str, directory: Path | None, by: str, reason: str) -> None:
        _change(name, state, directory, by, reason)


for _verb, _state, _doc in (
    ("suspend", "suspended", "Suspend NAME now; nodes re-route on their next message."),
    ("restore", "in_force", "Put NAME back in force now."),
    ("terminate", "terminated", "Terminate NAME (final)."),
):
    _state_command(_verb, _state, _doc)


@click.group()
def fabric() -> None:
    """Generate and run the NATS fabric (one server per nation, leaf links)."""


@fabric.command("config")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--keys", "keys_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Host for every server.")
@click.option(
    "--server",
    "servers",
    multiple=True,
    metavar="NATION=HOST:CLIENT:LEAF:HTTP",
    help="Place one nation's server (one server per site); repeatable.",
)
@click.option("--no-tls", is_flag=True, help="Plain TCP between servers (loopback tests only).")
@click.option(
    "--client-tls", is_flag=True, help="TLS on client ports on loopback too (always on elsewhere)."
)
@click.option("--agreements", "agreements_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--secrets-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="One <NATION>.secrets.json per site: its node password and its links' secrets "
    "(read if present, written back).",
)
@click.option(
    "--nation",
    "only",
    type=click.Choice(NATIONS),
    help="Configure only this site's server and node, reading only its own secrets file.",
)
def config_cmd(
    out: Path,
    keys_dir: Path | None,
    host: str,
    servers: tuple[str, ...],
    no_tls: bool,
    client_tls: bool,
    agreements_dir: Path | None,
    secrets_dir: Path | None,
    only: str | None,
) -> None:
    """Generate every nation's nats-server config, node configs and fabric.json in OUT."""
    from trilink.fabric.local import make_layout
    from trilink.fabric.natsconf import ServerSpec, generate, site_secrets, write_node_configs

    layout = make_layout(out, keys_dir or out / "keys", host=host, tls=not no_tls)
    layout.client_tls = client_tls
    for spec in servers:
        try:
            nation, rest = spec.split("=", 1)
            h, cp, lp, hp = rest.rsplit(":", 3)
            layout.servers[nation] = ServerSpec(nation, h, int(cp), int(lp), int(hp))
        except ValueError:
            raise click.BadParameter(f"{spec!r}: expected NATION=HOST:CLIENT:LEAF:HTTP") from None
    sites = [only] if only else list(layout.servers)
    if secrets_dir is not None:
        for site in sites:
            layout.passwords.update(_read_secrets(layout, secrets_dir, site))
    book = _book(agreements_dir or out / "agreements")
    layout.direct_enabled = book.in_force("GSOMIA")
    paths = generate(layout, out, sites)
    nodes = write_node_configs(layout, out, agreements_dir or out / "agreements", sites)
    if secrets_dir is not None:
        secrets_dir.mkdir(parents=True, exist_ok=True)
        for site in sites:
            path = secrets_dir / f"{site}.secrets.json"
            path.write_text(json.dumps(site_secrets(layout, site), indent=2, sort_keys=True))
            path.chmod(0o600)
    for nation, path in paths.items():
        click.echo(f"{nation}: server {path}  node {nodes[nation]}")
    click.echo(
        f"direct KOR-JPN link: {'yes' if layout.direct_enabled else 'no (GSOMIA not in force)'}"
    )


def _read_secrets(layout: FabricLayout, directory: Path, site: str) -> dict[str, str]:
    """A site's own secrets file (empty if absent); a secret that is not the site's is refused."""
    path = directory / f"{site}.secrets.json"
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        found = {str(k): str(v) for k, v in raw.items()}
        foreign = [k for k in found if site not in layout.secret_owners(k)]
    except (ValueError, AttributeError) as exc:
        raise TrilinkError(f"{path}: not a secrets file ({exc})") from None
    if foreign:
        raise TrilinkError(f"{path}: holds secrets that are not {site}'s: {', '.join(foreign)}")
    return found


@fabric.command("up")
@click.option("--dir", "directory", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--nation", "only", multiple=True, help="Start only these nations' servers.")
@click.option("--agreements", "agreements_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seconds", type=float, default=0.0, help="Stop after this long (0: until Ctrl-C).")
def up_cmd(
    directory: Path, only: tuple[str, ...], agreements_dir: Path | None, seconds: float
) -> None:
    """Start the servers configured in DIR; the direct link follows GSOMIA at run time.

    SIGTERM (a service manager) or SIGINT stops every server it started.
    """
    import signal
    import time
    from types import FrameType

    from trilink.fabric.local import LocalFabric

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    # With --nation (one server per site) the configs are used as they are.
    fab = LocalFabric(directory, regenerate=not only)
    book = _book(agreements_dir or directory / "agreements")
    try:
        if only:
            for n in only:
                fab.start_one(n)
        else:
            fab.set_direct(book.in_force("GSOMIA"))
            fab.start()
        click.echo(f"fabric up: {', '.join(f'{n}={fab.layout.url(n)}' for n in fab.servers)}")
        deadline = time.monotonic() + seconds if seconds else None
        while deadline is None or time.monotonic() < deadline:
            # Well within the nodes' settle time for a restored direct agreement.
            time.sleep(0.1)
            if not only and book.refresh():
                direct = book.in_force("GSOMIA")
                fab.set_direct(direct)
                click.echo(
                    f"GSOMIA {'in force' if direct else 'not in force'}: direct link "
                    f"{'carries KOR-JPN' if direct else 'carries nothing'} (reloaded)"
                )
    except KeyboardInterrupt:
        pass
    finally:
        # A second signal must not cut the shutdown short and orphan a server.
        held = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            fab.stop()
        finally:
            signal.signal(signal.SIGINT, held[signal.SIGINT])
            signal.signal(signal.SIGTERM, previous)


@fabric.command("status")
@click.option("--dir", "directory", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def status_cmd(directory: Path, as_json: bool) -> None:
    """Show which servers run and which leaf links are up."""
    from trilink.fabric.natsconf import load_layout
    from trilink.fabric.server import NatsServer

    layout = load_layout(directory)
    rows = []
    for n, s in layout.servers.items():
        srv = NatsServer(
            n,
            directory / f"{n}.conf",
            directory / "logs" / f"{n}.log",
            s.host,
            s.client_port,
            s.http_port,
        )
        try:
            up = srv.monitor("healthz").get("status") == "ok"
        except OSError:
            up = False
        rows.append({"nation": n, "url": layout.url(n), "up": up, "links": srv.leaf_accounts()})
    if as_json:
        click.echo(json.dumps({"servers": rows}, indent=2))
    else:
        for r in rows:
            links = ", ".join(r["links"]) or "-"  # type: ignore[arg-type]
            click.echo(
                f"{r['nation']}  {'up  ' if r['up'] else 'down'}  {r['url']}  links: {links}"
            )
