"""Initial secretariat schema, with triggers that make the audit log append-only.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 01:54:31.640023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sec_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_nation", sa.String(length=3), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        *_visibility_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_audit")),
    )
    with op.batch_alter_table("sec_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sec_audit_object_id"), ["object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sec_audit_object_type"), ["object_type"], unique=False)
        _create_visibility_indexes(batch_op, "sec_audit")

    op.create_table(
        "sec_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_visibility_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_document")),
        sa.UniqueConstraint("key", name=op.f("uq_sec_document_key")),
    )
    with op.batch_alter_table("sec_document", schema=None) as batch_op:
        _create_visibility_indexes(batch_op, "sec_document")

    op.create_table(
        "sec_exercise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.String(length=20), nullable=False),
        sa.Column("domains", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("after_action", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_visibility_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_exercise")),
        sa.UniqueConstraint("key", name=op.f("uq_sec_exercise_key")),
    )
    with op.batch_alter_table("sec_exercise", schema=None) as batch_op:
        _create_visibility_indexes(batch_op, "sec_exercise")

    op.create_table(
        "sec_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("ical_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_user")),
        sa.UniqueConstraint("ical_token", name=op.f("uq_sec_user_ical_token")),
        sa.UniqueConstraint("username", name=op.f("uq_sec_user_username")),
    )
    op.create_table(
        "sec_workstream",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("owners", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        *_visibility_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_workstream")),
        sa.UniqueConstraint("key", name=op.f("uq_sec_workstream_key")),
    )
    with op.batch_alter_table("sec_workstream", schema=None) as batch_op:
        _create_visibility_indexes(batch_op, "sec_workstream")

    op.create_table(
        "sec_commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("workstream_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("owners", sa.String(length=20), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=True),
        sa.Column("deadline_note", sa.String(length=200), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("source_outcome_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        *_visibility_columns(),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["sec_commitment.id"],
            name=op.f("fk_sec_commitment_parent_id_sec_commitment"),
        ),
        sa.ForeignKeyConstraint(
            ["workstream_id"],
            ["sec_workstream.id"],
            name=op.f("fk_sec_commitment_workstream_id_sec_workstream"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_commitment")),
        sa.UniqueConstraint("key", name=op.f("uq_sec_commitment_key")),
    )
    with op.batch_alter_table("sec_commitment", schema=None) as batch_op:
        _create_visibility_indexes(batch_op, "sec_commitment")

    op.create_table(
        "sec_document_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["sec_document.id"],
            name=op.f("fk_sec_document_version_document_id_sec_document"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_document_version")),
        sa.UniqueConstraint(
            "document_id", "number", name=op.f("uq_sec_document_version_document_id")
        ),
    )
    op.create_table(
        "sec_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.String(length=8), nullable=False),
        sa.Column("event_at", sa.DateTime(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["sec_user.id"], name=op.f("fk_sec_notification_user_id_sec_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_notification")),
        sa.UniqueConstraint(
            "user_id",
            "object_type",
            "object_id",
            "lead",
            "event_at",
            name=op.f("uq_sec_notification_user_id"),
        ),
    )
    op.create_table(
        "sec_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("anchor_local", sa.String(length=19), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("workstream_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_visibility_columns(),
        sa.ForeignKeyConstraint(
            ["workstream_id"],
            ["sec_workstream.id"],
            name=op.f("fk_sec_series_workstream_id_sec_workstream"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_series")),
        sa.UniqueConstraint("key", name=op.f("uq_sec_series_key")),
    )
    with op.batch_alter_table("sec_series", schema=None) as batch_op:
        _create_visibility_indexes(batch_op, "sec_series")

    op.create_table(
        "sec_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["sec_user.id"], name=op.f("fk_sec_session_user_id_sec_user")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sec_session")),
    )
    op.create_table(
        "sec_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["sec_document_version.id"],
            name=op.f("fk_sec_attachment_version_id_sec_document_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_attachment")),
    )
    op.create_table(
        "sec_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["sec_commitment.id"],
            name=op.f("fk_sec_evidence_commitment_id_sec_commitment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_evidence")),
    )
    op.create_table(
        "sec_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_visibility_columns(),
        sa.ForeignKeyConstraint(
            ["series_id"], ["sec_series.id"], name=op.f("fk_sec_meeting_series_id_sec_series")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_meeting")),
        sa.UniqueConstraint("key", name=op.f("uq_sec_meeting_key")),
        sa.UniqueConstraint("series_id", "starts_at", name=op.f("uq_sec_meeting_series_id")),
    )
    with op.batch_alter_table("sec_meeting", schema=None) as batch_op:
        _create_visibility_indexes(batch_op, "sec_meeting")

    op.create_table(
        "sec_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("due", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["sec_commitment.id"],
            name=op.f("fk_sec_milestone_commitment_id_sec_commitment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_milestone")),
    )
    op.create_table(
        "sec_agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("presenter", sa.String(length=200), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["sec_meeting.id"],
            name=op.f("fk_sec_agenda_item_meeting_id_sec_meeting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_agenda_item")),
    )
    op.create_table(
        "sec_minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["sec_meeting.id"], name=op.f("fk_sec_minutes_meeting_id_sec_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_minutes")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_sec_minutes_meeting_id")),
    )
    op.create_table(
        "sec_minutes_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("approver", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["minutes_id"],
            ["sec_minutes.id"],
            name=op.f("fk_sec_minutes_approval_minutes_id_sec_minutes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_minutes_approval")),
        sa.UniqueConstraint(
            "minutes_id", "nation", "revision", name=op.f("uq_sec_minutes_approval_minutes_id")
        ),
    )
    op.create_table(
        "sec_minutes_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["minutes_id"],
            ["sec_minutes.id"],
            name=op.f("fk_sec_minutes_revision_minutes_id_sec_minutes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_minutes_revision")),
        sa.UniqueConstraint(
            "minutes_id", "number", name=op.f("uq_sec_minutes_revision_minutes_id")
        ),
    )
    op.create_table(
        "sec_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["sec_agenda_item.id"],
            name=op.f("fk_sec_outcome_agenda_item_id_sec_agenda_item"),
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["sec_commitment.id"],
            name=op.f("fk_sec_outcome_commitment_id_sec_commitment"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["sec_meeting.id"], name=op.f("fk_sec_outcome_meeting_id_sec_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_outcome")),
    )
    _audit_triggers()


def downgrade() -> None:
    _drop_audit_triggers()
    op.drop_table("sec_outcome")
    op.drop_table("sec_minutes_revision")
    op.drop_table("sec_minutes_approval")
    op.drop_table("sec_minutes")
    op.drop_table("sec_agenda_item")
    op.drop_table("sec_milestone")
    with op.batch_alter_table("sec_meeting", schema=None) as batch_op:
        _drop_visibility_indexes(batch_op, "sec_meeting")

    op.drop_table("sec_meeting")
    op.drop_table("sec_evidence")
    op.drop_table("sec_attachment")
    op.drop_table("sec_session")
    with op.batch_alter_table("sec_series", schema=None) as batch_op:
        _drop_visibility_indexes(batch_op, "sec_series")

    op.drop_table("sec_series")
    op.drop_table("sec_notification")
    op.drop_table("sec_document_version")
    with op.batch_alter_table("sec_commitment", schema=None) as batch_op:
        _drop_visibility_indexes(batch_op, "sec_commitment")

    op.drop_table("sec_commitment")
    with op.batch_alter_table("sec_workstream", schema=None) as batch_op:
        _drop_visibility_indexes(batch_op, "sec_workstream")

    op.drop_table("sec_workstream")
    op.drop_table("sec_user")
    with op.batch_alter_table("sec_exercise", schema=None) as batch_op:
        _drop_visibility_indexes(batch_op, "sec_exercise")

    op.drop_table("sec_exercise")
    with op.batch_alter_table("sec_document", schema=None) as batch_op:
        _drop_visibility_indexes(batch_op, "sec_document")

    op.drop_table("sec_document")
    with op.batch_alter_table("sec_audit", schema=None) as batch_op:
        _drop_visibility_indexes(batch_op, "sec_audit")
        batch_op.drop_index(batch_op.f("ix_sec_audit_object_type"))
        batch_op.drop_index(batch_op.f("ix_sec_audit_object_id"))

    op.drop_table("sec_audit")


_NATION_FLAGS = ("vis_kor", "vis_usa", "vis_jpn")


def _visibility_columns() -> list[sa.Column[bool]]:
    """The three per-nation visibility flags every shareable table ends with."""
    return [sa.Column(flag, sa.Boolean(), nullable=False) for flag in _NATION_FLAGS]


def _create_visibility_indexes(batch_op: BatchOperations, table: str) -> None:
    """Index the visibility flags of ``table`` (in the order autogenerate wrote them)."""
    for flag in sorted(_NATION_FLAGS):
        batch_op.create_index(batch_op.f(f"ix_{table}_{flag}"), [flag], unique=False)


def _drop_visibility_indexes(batch_op: BatchOperations, table: str) -> None:
    """Drop the indexes made by :func:`_create_visibility_indexes`, in reverse order."""
    for flag in sorted(_NATION_FLAGS, reverse=True):
        batch_op.drop_index(batch_op.f(f"ix_{table}_{flag}"))


_FORBID = "audit log is append-only"


def _audit_triggers() -> None:
    """Refuse UPDATE and DELETE on the audit table in the database itself (defence in depth)."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER sec_audit_no_{verb.lower()} BEFORE {verb} ON sec_audit "
                f"BEGIN SELECT RAISE(ABORT, '{_FORBID}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION sec_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_FORBID}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER sec_audit_no_change BEFORE UPDATE OR DELETE ON sec_audit "
            "FOR EACH ROW EXECUTE FUNCTION sec_audit_immutable()"
        )
        op.execute(
            "CREATE TRIGGER sec_audit_no_truncate BEFORE TRUNCATE ON sec_audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION sec_audit_immutable()"
        )


def _drop_audit_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS sec_audit_no_update")
        op.execute("DROP TRIGGER IF EXISTS sec_audit_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS sec_audit_no_change ON sec_audit")
        op.execute("DROP TRIGGER IF EXISTS sec_audit_no_truncate ON sec_audit")
        op.execute("DROP FUNCTION IF EXISTS sec_audit_immutable()")
