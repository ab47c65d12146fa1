"""Engine, sessions and migrations.

A database is named by a URL (``sqlite:///path.db``, ``postgresql://user@host/db``) or by a bare
file path (SQLite). Migrations ship inside the package and run programmatically, so ``init`` and
server start-up bring any database to the current schema without an ``alembic.ini``.
"""

from __future__ import annotations

import os
from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from trilink.secretariat.errors import ValidationError

__all__ = ["DEFAULT_DB", "Database", "normalize_url"]

#: Default database: a SQLite file in the working directory (override with TRILINK_SECRETARIAT_DB).
DEFAULT_DB = os.environ.get("TRILINK_SECRETARIAT_DB", "sqlite:///trilink-secretariat.db")


def normalize_url(url: str) -> str:
    """Turn a path or URL into a SQLAlchemy URL; PostgreSQL goes through psycopg 3."""
    if "://" not in url:
        if url in ("", ":memory:"):
            raise ValidationError(
                "bad database URL: an in-memory SQLite database would be thrown away; give a file"
            )
        return f"sqlite:///{url}"
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValidationError(f"bad database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite" and (
        parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"
    ):
        # An in-memory database vanishes when the command ends: a silent loss of every write.
        raise ValidationError(
            f"bad database URL {url!r}: an in-memory SQLite database would be thrown away; "
            "give a file, e.g. sqlite:///secretariat.db"
        )
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValidationError(
            f"unsupported database {parsed.drivername!r}: use sqlite or postgresql"
        )
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Database:
    """An engine, a session factory and the migration runner for one database."""

    def __init__(self, url: str = DEFAULT_DB) -> None:
        self.url = normalize_url(url)
        self.engine: Engine = create_engine(self.url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        """A new ORM session."""
        return self.sessions()

    def upgrade(self) -> None:
        """Apply every migration not yet applied (idempotent).

        A database that cannot be opened (a missing directory, a file that is not a database, an
        unreachable server) is a :class:`ValidationError` naming it, never a driver traceback.
        """
        cfg = Config()
        cfg.set_main_option("script_location", str(files("trilink.secretariat") / "migrations"))
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except DBAPIError as exc:
            raise self.unusable(exc) from exc

    def unusable(self, exc: DBAPIError) -> ValidationError:
        """The one-line error for a database that cannot be used (password hidden)."""
        shown = make_url(self.url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "unknown"
        return ValidationError(f"database {shown}: cannot be used ({reason[:200]})")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
