"""Meeting attendees: ``sec_meeting_attendee``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 16:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sec_meeting_attendee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["sec_meeting.id"],
            name=op.f("fk_sec_meeting_attendee_meeting_id_sec_meeting"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["sec_user.id"], name=op.f("fk_sec_meeting_attendee_user_id_sec_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sec_meeting_attendee")),
    )


def downgrade() -> None:
    op.drop_table("sec_meeting_attendee")
