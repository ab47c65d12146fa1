"""``trilink secretariat ...``: the secretariat from the command line.

Every command takes ``--db URL`` (a SQLite path or URL, or ``postgresql://...``; default from
TRILINK_SECRETARIAT_DB) and brings the schema up to date first. Commands act as the operator
(sees everything) unless ``--as USER`` names a user, whose nation then limits what is shown.
``--now`` replaces the clock (ISO datetime with offset), for rehearsals and tests.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from trilink.secretariat.db import DEFAULT_DB, Database
from trilink.secretariat.errors import ValidationError
from trilink.secretariat.i18n import LANGS, pick
from trilink.secretariat.models import User
from trilink.secretariat.services import Secretariat, system_clock, system_user
from trilink.secretariat.validate import ROLES, check_year

__all__ = ["secretariat"]

F = TypeVar("F", bound=Callable[..., Any])


def db_option(fn: F) -> F:
    """The ``--db`` option every command takes."""
    return click.option(
        "--db",
        "db_url",
        default=DEFAULT_DB,
        show_default=True,
        envvar="TRILINK_SECRETARIAT_DB",
        help="Database: SQLite path/URL or postgresql://user@host/db.",
    )(fn)


def actor_options(fn: F) -> F:
    """``--as`` and ``--now``."""
    fn = click.option("--as", "as_user", default=None, help="Act and see as this user.")(fn)
    return click.option("--now", default=None, help="Override the clock (ISO, with offset).")(fn)


def _clock(now: str | None) -> Callable[[], dt.datetime]:
    if now is None:
        return system_clock
    try:
        fixed = dt.datetime.fromisoformat(now)
    except ValueError as exc:
        raise ValidationError(f"--now: {now!r} is not an ISO datetime") from exc
    if fixed.tzinfo is None:
        raise ValidationError("--now: give a time zone offset, e.g. 2025-01-01T00:00+00:00")
    check_year("--now", fixed.year)
    return lambda: fixed


password_option = click.option(
    "--password", envvar="TRILINK_SECRETARIAT_PASSWORD", help="Or set the env var."
)


def _required(password: str | None) -> str:
    """The password given by ``--password`` or the environment; there must be one."""
    if not password:
        raise ValidationError("--password (or TRILINK_SECRETARIAT_PASSWORD) is required")
    return password


@contextmanager
def _service(
    db_url: str, as_user: str | None = None, now: str | None = None
) -> Iterator[Secretariat]:
    database = Database(db_url)
    try:
        database.upgrade()
        with database.session() as session:
            user = system_user()
            if as_user is not None:
                found = session.scalars(select(User).where(User.username == as_user)).first()
                if found is None:
                    raise ValidationError(f"--as: no user {as_user!r}")
                user = found
            yield Secretariat(session, user, _clock(now))
    except DBAPIError as exc:
        raise database.unusable(exc) from exc
    finally:
        database.dispose()


def _read_json(path: Path) -> Any:
    """A JSON file, or one line saying why not (bad encoding, bad JSON, nesting too deep)."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{path}: not valid JSON ({exc})") from exc
    except RecursionError:
        raise ValidationError(f"{path}: JSON nested too deeply") from None
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read ({exc.strerror})") from exc


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group()
def secretariat() -> None:
    """Workstreams, commitments, meetings, minutes, exercises: the cooperation's memory."""


@secretariat.command()
@db_option
def init(db_url: str) -> None:
    """Create or upgrade the database schema."""
    with _service(db_url):
        pass
    click.echo("secretariat database is up to date")


@secretariat.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
def seed(db_url: str, as_json: bool) -> None:
    """Load the public history of the cooperation (idempotent)."""
    from trilink.secretariat.seed import load_seed

    with _service(db_url) as svc:
        counts = load_seed(svc)
    if as_json:
        _echo_json(counts)
    else:
        click.echo("seeded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@secretariat.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@db_option
@click.argument("username")
@click.option("--nation", required=True, help="KOR, USA or JPN.")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@password_option
@click.option("--email", default=None)
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True)
def user_add(
    db_url: str,
    username: str,
    nation: str,
    role: str,
    password: str | None,
    email: str | None,
    lang: str,
) -> None:
    """Add a user."""
    password = _required(password)
    with _service(db_url) as svc:
        u = svc.create_user(username, nation, role, password, email=email, lang=lang)
        click.echo(f"added {u.username} ({u.nation}, {u.role})")


@user.command("deactivate")
@db_option
@click.argument("username")
def user_deactivate(db_url: str, username: str) -> None:
    """Deactivate a user: no login; their sessions and calendar feed end at once."""
    with _service(db_url) as svc:
        svc.deactivate_user(username)
    click.echo(f"deactivated {username}; sessions ended")


@user.command("passwd")
@db_option
@click.argument("username")
@password_option
def user_passwd(db_url: str, username: str, password: str | None) -> None:
    """Set a user's password; every session of the user ends."""
    password = _required(password)
    with _service(db_url) as svc:
        svc.set_password(username, password)
    click.echo(f"password of {username} changed; sessions ended")


@user.command("rotate-token")
@db_option
@click.argument("username")
def user_rotate_token(db_url: str, username: str) -> None:
    """Give a user a new calendar token (prints the new feed path)."""
    with _service(db_url) as svc:
        token = svc.rotate_user_token(username)
    click.echo(f"/calendar/{token}.ics")


@secretariat.command()
@db_option
@actor_options
@click.option("--overdue", "view", flag_value="overdue", help="Only overdue commitments.")
@click.option("--due-soon", "view", flag_value="due_soon", help="Only those due soon.")
@click.option("--review-due", "view", flag_value="review_due", help="Only those due for review.")
@click.option("--days", default=30, show_default=True, help="Horizon of --due-soon/--review-due.")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def commitments(
    db_url: str,
    as_user: str | None,
    now: str | None,
    view: str | None,
    days: int,
    lang: str,
    as_json: bool,
) -> None:
    """List commitments (all, --overdue, --due-soon or --review-due)."""
    with _service(db_url, as_user, now) as svc:
        rows: list[dict[str, Any]] = [
            {
                "id": c.id,
                "key": c.key,
                "title": pick(c.title, lang),
                "owners": c.owners,
                "deadline": c.deadline.isoformat() if c.deadline else None,
                "status": c.status,
                "progress": round(svc.rolled_progress(c), 1),
                "visible_to": list(c.visible_to),
            }
            for c in svc.list_commitments(view or "all", days=days)
        ]
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        click.echo("no commitments")
    for r in rows:
        deadline = (r["deadline"] or "-")[:10]
        click.echo(
            f"{r['id']:>4}  {deadline:<10}  {r['status']:<11} {r['progress']:>5.1f}%  "
            f"{r['owners']:<11}  {r['title']}"
        )


@secretariat.command("export")
@db_option
@actor_options
@click.option(
    "--format", "fmt", type=click.Choice(["json", "ics", "csv"]), default="json", show_default=True
)
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_cmd(
    db_url: str, as_user: str | None, now: str | None, fmt: str, lang: str, out: Path | None
) -> None:
    """Export what the acting user may see as JSON, iCalendar or CSV (commitments)."""
    from trilink.secretariat.exchange import export_csv, export_data
    from trilink.secretariat.ical import build_calendar

    with _service(db_url, as_user, now) as svc:
        if fmt == "json":
            data = json.dumps(export_data(svc), ensure_ascii=False, indent=2).encode() + b"\n"
        elif fmt == "csv":
            data = export_csv(svc, lang).encode()
        else:
            data = build_calendar(svc, lang)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise ValidationError(f"--out: cannot write {out} ({exc.strerror})") from exc
        click.echo(f"wrote {out} ({len(data)} bytes)", err=True)


@secretariat.command("import")
@db_option
@actor_options
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cmd(db_url: str, as_user: str | None, now: str | None, path: Path) -> None:
    """Import a JSON file in the export format (objects with known keys are skipped)."""
    from trilink.secretariat.exchange import import_data

    data = _read_json(path)
    with _service(db_url, as_user, now) as svc:
        counts = import_data(svc, data)
    click.echo("imported: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@secretariat.command("generate")
@db_option
@actor_options
@click.argument("series_key")
@click.option("--until", required=True, help="Last date (YYYY-MM-DD).")
def generate(
    db_url: str, as_user: str | None, now: str | None, series_key: str, until: str
) -> None:
    """Create a series' meetings up to a date."""
    with _service(db_url, as_user, now) as svc:
        made = svc.generate_meetings(svc.series_by_key(series_key).id, until)
        for m in made:
            click.echo(f"{m.id:>4}  {m.starts_at.isoformat()}  {pick(m.title, 'en')}")
        click.echo(f"{len(made)} meeting(s) created")


@secretariat.command("attach-run")
@db_option
@actor_options
@click.argument("exercise_key")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def attach_run(
    db_url: str, as_user: str | None, now: str | None, exercise_key: str, report: Path
) -> None:
    """Attach a scenario run's after-action report (JSON) to an exercise."""
    data = _read_json(report)
    with _service(db_url, as_user, now) as svc:
        ex = svc.attach_run(svc.exercise_by_key(exercise_key).id, data)
        click.echo(f"attached after-action figures to {ex.key}")


@secretariat.command()
@db_option
@actor_options
@click.option("--object-type", default=None)
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def audit(
    db_url: str,
    as_user: str | None,
    now: str | None,
    object_type: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Show the audit log, newest first."""
    with _service(db_url, as_user, now) as svc:
        rows: list[dict[str, Any]] = [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "before": e.before,
                "after": e.after,
            }
            for e in svc.audit(object_type=object_type, limit=limit)
        ]
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(
            f"{r['id']:>6}  {r['at'][:19]}  {r['actor']:<16} {r['action']:<10} {r['object']}"
        )


@secretariat.command()
@db_option
@actor_options
@click.option("--draft", is_flag=True, help="Show the e-mails; send nothing.")
@click.option("--smtp-host", envvar="TRILINK_SMTP_HOST", default="localhost", show_default=True)
@click.option("--smtp-port", envvar="TRILINK_SMTP_PORT", default=25, show_default=True)
@click.option("--sender", envvar="TRILINK_SMTP_FROM", default="secretariat@trilink.local")
def remind(
    db_url: str,
    as_user: str | None,
    now: str | None,
    draft: bool,
    smtp_host: str,
    smtp_port: int,
    sender: str,
) -> None:
    """Queue due reminders and send the outbox (one e-mail per recipient)."""
    from trilink.secretariat.notify import SmtpConfig, flush_outbox, queue_reminders

    with _service(db_url, None, now) as svc:
        queued = [] if draft else queue_reminders(svc.session, svc.clock)
        msgs = flush_outbox(
            svc.session, svc.clock, SmtpConfig(smtp_host, smtp_port, sender), draft=draft
        )
    for m in msgs:
        click.echo(f"{'draft' if draft else 'sent'}: {m['To']}: {m['Subject']}")
    click.echo(
        f"{len(queued)} reminder(s) queued, {len(msgs)} e-mail(s) {'drafted' if draft else 'sent'}"
    )


@secretariat.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8700, show_default=True)
@click.option("--tls-cert", type=click.Path(path_type=Path), default=None, help="PEM certificate.")
@click.option("--tls-key", type=click.Path(path_type=Path), default=None, help="PEM private key.")
def serve(db_url: str, host: str, port: int, tls_cert: Path | None, tls_key: Path | None) -> None:
    """Serve the web pages and the REST API (OpenAPI at /api/docs); HTTPS with --tls-*."""
    import uvicorn

    from trilink.secretariat.web.app import create_app

    if (tls_cert is None) != (tls_key is None):
        raise ValidationError("--tls-cert and --tls-key go together")
    for option, path in (("--tls-cert", tls_cert), ("--tls-key", tls_key)):
        if path is not None and not path.is_file():
            raise ValidationError(f"{option}: no such file {str(path)!r}")
    tls = tls_cert is not None
    app = create_app(db_url, secure_cookies=tls)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
    )
