"""improvement: the improvement-action register

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:00:00

One table, ``improvement_action``: an action opened once per trigger (a
detractor's alert, the second of two consecutive periods an indicator is off
track, an admissible complaint), unique on ``(source_type, source_id)``, both
NOT NULL; what the member decided (cause, action, owner, due date, result) and
the effect recorded when closing it. ``reminded_due_on`` is the due date whose
overdue reminder was queued.

The enum columns are VARCHAR(32) with a CHECK, as everywhere
(``core.models.enum_column``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SOURCES = ("detractor", "indicator", "complaint")
STATES = ("to_decide", "in_progress", "closed")


def upgrade() -> None:
    op.create_table(
        "improvement_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "source_type",
            sa.Enum(
                *SOURCES,
                name="improvement_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_detail", sa.JSON(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                *STATES,
                name="improvement_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("effect", sa.Text(), nullable=False),
        sa.Column("effect_on", sa.Date(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members_member.id"],
            name=op.f("fk_improvement_action_member_id_members_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["members_project.id"],
            name=op.f("fk_improvement_action_project_id_members_project"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["members_user.id"],
            name=op.f("fk_improvement_action_owner_id_members_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["members_user.id"],
            name=op.f("fk_improvement_action_closed_by_id_members_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_action")),
        sa.UniqueConstraint(
            "source_type",
            "source_id",
            name=op.f("uq_improvement_action_source_type_source_id"),
        ),
    )
    with op.batch_alter_table("improvement_action") as batch:
        batch.create_index(
            "ix_improvement_action_member_state", ["member_id", "state"], unique=False
        )
        batch.create_index(
            "ix_improvement_action_due", ["state", "due_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("improvement_action") as batch:
        batch.drop_index("ix_improvement_action_due")
        batch.drop_index("ix_improvement_action_member_state")
    op.drop_table("improvement_action")
