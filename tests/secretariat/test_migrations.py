"""The shipped migration matches the models and carries the audit triggers, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from trilink.secretariat.db import Database
from trilink.secretariat.models import Base


def test_migration_matches_models_and_is_idempotent(db: Database) -> None:
    db.upgrade()  # already at head: a no-op
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
        if conn.dialect.name == "sqlite":
            names = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'")).scalars()
            )
            assert names == {"sec_audit_no_update", "sec_audit_no_delete"}
        else:
            names = set(
                conn.execute(
                    text(
                        "SELECT tgname FROM pg_trigger "
                        "WHERE tgrelid = 'sec_audit'::regclass AND NOT tgisinternal"
                    )
                ).scalars()
            )
            assert names == {"sec_audit_no_change", "sec_audit_no_truncate"}
    assert "sec_commitment" in inspect(db.engine).get_table_names()
