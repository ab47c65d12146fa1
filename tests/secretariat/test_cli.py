"""``trilink secretariat ...`` through the real entry point."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from icalendar import Calendar

from trilink.cli import main

from .helpers import fail, run


def test_seed_list_export_import(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", db_url]
    run(capsys, "init", *db)
    counts = json.loads(run(capsys, "seed", *db, "--json"))
    assert counts["commitments"] >= 5
    assert "commitments 0" in run(capsys, "seed", *db)
    # Camp David's 2023 year-end commitment is done, so nothing seeded is overdue
    overdue = json.loads(
        run(capsys, "commitments", *db, "--overdue", "--json", "--now", "2026-01-01T00:00+00:00")
    )
    assert overdue == []
    run(
        capsys,
        "user",
        "add",
        "kim",
        "--nation",
        "KOR",
        "--role",
        "staff",
        "--password",
        "long enough",
        *db,
    )
    run(
        capsys,
        "user",
        "add",
        "sato",
        "--nation",
        "JPN",
        "--role",
        "viewer",
        "--password",
        "long enough",
        *db,
    )
    imp = tmp_path / "new.json"
    imp.write_text(
        json.dumps(
            {
                "commitments": [
                    {
                        "key": "k-only",
                        "title": "KOR only",
                        "owners": "KOR",
                        "deadline": "2025-06-30",
                        "visible_to": "KOR",
                    },
                    {
                        "key": "shared",
                        "title": {"en": "Shared", "ja": "共有"},
                        "owners": "all",
                        "deadline": "2025-06-30",
                    },
                ]
            }
        )
    )
    assert "commitments 2" in run(capsys, "import", *db, str(imp), "--as", "kim")
    rows = json.loads(
        run(
            capsys,
            "commitments",
            *db,
            "--overdue",
            "--json",
            "--as",
            "sato",
            "--now",
            "2025-07-02T00:00+09:00",
            "--lang",
            "ja",
        )
    )
    assert [r["title"] for r in rows] == ["共有"]  # JPN never sees the KOR-only one
    text = run(
        capsys, "commitments", *db, "--overdue", "--as", "kim", "--now", "2025-07-02T00:00+09:00"
    )
    assert "KOR only" in text and "Shared" in text

    data = json.loads(run(capsys, "export", *db, "--format", "json", "--as", "sato"))
    assert {c["key"] for c in data["commitments"]} >= {"shared", "cd-2023-missile-warning"}
    assert "k-only" not in {c["key"] for c in data["commitments"]}
    table = list(csv.DictReader(io.StringIO(run(capsys, "export", *db, "--format", "csv"))))
    assert {"k-only", "shared"} <= {r["key"] for r in table}
    out = tmp_path / "feed.ics"
    main(["secretariat", "export", *db, "--format", "ics", "--as", "sato", "--out", str(out)])
    cal = Calendar.from_ical(out.read_bytes())
    assert any("Camp David" in str(e["SUMMARY"]) for e in cal.walk("VEVENT"))

    # the exported file imports into a fresh database with the same keyed content
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(data))
    run(capsys, "import", "--db", fresh, str(dump))
    again = json.loads(run(capsys, "export", "--db", fresh, "--format", "json"))
    assert {c["key"] for c in again["commitments"]} == {c["key"] for c in data["commitments"]}
    assert len(again["meetings"]) == len(data["meetings"])

    audit = json.loads(run(capsys, "audit", *db, "--json", "--limit", "5"))
    assert len(audit) == 5 and audit[0]["id"] > audit[-1]["id"]


def test_cli_bad_input_is_one_line_exit_2(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", sqlite_url]
    assert "unknown nation" in fail(
        capsys, "user", "add", "x", "--nation", "PRK", "--password", "long enough", *db
    )
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert "not valid JSON" in fail(capsys, "import", *db, str(bad))
    bad.write_text(
        json.dumps({"commitments": [{"title": "t", "owners": "all", "deadline": "2025-02-30"}]})
    )
    assert "commitments[0].deadline" in fail(capsys, "import", *db, str(bad))
    assert "--now" in fail(capsys, "commitments", *db, "--now", "yesterday")
    assert "--as" in fail(capsys, "commitments", *db, "--as", "nobody")
    assert "unsupported database" in fail(capsys, "init", "--db", "mysql://x@y/z")


def test_generate_and_remind_draft(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", sqlite_url]
    run(capsys, "seed", *db)
    out = run(capsys, "generate", *db, "dtt", "--until", "2026-12-31")
    assert "3 meeting(s) created" in out  # 2024, 2025, 2026 in the third week of April
    run(
        capsys,
        "user",
        "add",
        "lee",
        "--nation",
        "KOR",
        "--role",
        "viewer",
        "--password",
        "long enough",
        "--email",
        "lee@x.test",
        *db,
    )
    text = run(
        capsys, "remind", *db, "--draft", "--now", "2026-04-10T00:00+00:00", "--smtp-port", "9"
    )
    assert "draft: lee@x.test" in text and "0 reminder(s) queued" in text
