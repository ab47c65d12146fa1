"""Attempts of a hostile probe through the CLI and the import (SQLite unless marked)."""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from trilink.secretariat.db import Database
from trilink.secretariat.models import Commitment, User, Workstream
from trilink.secretariat.notify import SmtpConfig, flush_outbox, plan_reminders, queue_reminders
from trilink.secretariat.services import Secretariat, system_user

from .helpers import fail, run


# ----------------------------------------------------------------------------- 7. import
def test_a_failed_import_leaves_nothing_and_the_rerun_brings_everything(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", db_url]
    item = {"key": "ws-a", "title": "A", "owners": "all"}
    child = {"key": "c-ok", "title": "ok", "owners": "all", "workstream": "ws-a"}
    broken = {"key": "c-fix", "title": "fix", "owners": "Narnia", "workstream": "ws-a"}
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"workstreams": [item], "commitments": [child, broken]}))
    assert "commitments[1].owners" in fail(capsys, "import", str(path), *db)
    database = Database(db_url)
    try:
        with database.session() as s:
            assert s.query(Workstream).count() == 0 and s.query(Commitment).count() == 0
        broken["owners"] = "KOR"
        path.write_text(json.dumps({"workstreams": [item], "commitments": [child, broken]}))
        assert "commitments 2" in run(capsys, "import", str(path), *db)
        with database.session() as s:
            svc = Secretariat(s, system_user())
            assert svc.commitment_by_key("c-fix").owners == "KOR"
            assert svc.commitment_by_key("c-ok").workstream_id == svc.workstream_by_key("ws-a").id
    finally:
        database.dispose()


# ----------------------------------------------------------------------------- 8. CLI errors
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_bad_databases_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fail(capsys, "init", "--db", str(tmp_path / "no" / "such" / "dir" / "x.db"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    fail(capsys, "init", "--db", str(junk))
    err = fail(capsys, "init", "--db", f"postgresql://nobody@127.0.0.1:{_free_port()}/x")
    assert "database" in err
    for url in ("sqlite:///", "sqlite://", "sqlite:///:memory:"):
        assert "in-memory" in fail(capsys, "init", "--db", url)


def test_bad_inputs_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(tmp_path / "s.db")]
    run(capsys, "init", *db)
    meeting = {"title": "m", "tz": "UTC", "start_utc": "not a time", "end_utc": "x"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"meetings": [meeting]}))
    assert "meetings[0]" in fail(capsys, "import", str(bad), *db)
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    fail(capsys, "import", str(nested), *db)
    fail(capsys, "export", "--out", str(tmp_path / "missing" / "out.json"), *db)
    assert "days" in fail(capsys, "commitments", "--due-soon", "--days", "999999999", *db)
    assert "days" in fail(capsys, "commitments", "--due-soon", "--days", "-5", *db)
    late = "9999-12-31T23:59:59+00:00"
    assert "1900" in fail(capsys, "commitments", "--due-soon", "--now", late, *db)


# ----------------------------------------------------------------------------- reminders
def test_reminders_skip_deactivated_users_and_survive_odd_stored_dates(
    session: Session, users: dict[str, User], clock: Any
) -> None:
    root = Secretariat(session, system_user(), clock)
    soon = (clock() + dt.timedelta(days=2)).isoformat()
    good = root.create_commitment("good", owners="all", deadline=soon)
    odd = root.create_commitment("odd", owners="all", deadline=soon)
    # written straight into the database, past every check
    session.execute(
        update(Commitment)
        .where(Commitment.id == odd.id)
        .values(deadline=dt.datetime(1, 1, 1, tzinfo=dt.UTC))
    )
    session.commit()
    root.deactivate_user("kor_admin")
    planned = plan_reminders(session, clock)
    names = {u.username for u, _ in planned}
    assert "kor_admin" not in names and "kor_viewer" in names
    assert {n.object_id for _, n in planned} == {good.id}
    # queued while active, deactivated before the send: never sent
    queue_reminders(session, clock)
    root.deactivate_user("kor_staff")
    drafted = flush_outbox(session, clock, SmtpConfig("127.0.0.1", 9), draft=True)
    recipients = {m["To"] for m in drafted}
    assert "kor_staff@x.test" not in recipients and "kor_viewer@x.test" in recipients
