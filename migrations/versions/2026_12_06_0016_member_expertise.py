"""members: the team's skills, trainings and watch sources (Ressources et expertise)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 23:00:00

Three new tables, each owned by a member (deleted with it):

- ``members_skill``: a skill of the team and how many staff hold it (``people``
  at least 1); a skill is named once per member (unique ``member_id, name``,
  whose index also serves "the skills of a member");
- ``members_training``: a course completed (``completed_on``, never in the
  future: the services check it), its optional provider and how many attended
  (at least 1);
- ``members_watch_source``: a watch source, its optional address (http or
  https, checked by the services) and topic.

``members_member.show_expertise_publicly`` (false for every existing member):
whether the public verification page shows them. Added in batch mode, which
SQLite needs to add a NOT NULL column; PostgreSQL gets a plain ALTER TABLE.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _member_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["member_id"],
        ["members_member.id"],
        name=f"fk_{table}_member_id_members_member",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "members_skill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _member_fk("members_skill"),
        sa.CheckConstraint("people >= 1", name="ck_members_skill_people_positive"),
        sa.UniqueConstraint(
            "member_id", "name", name="uq_members_skill_member_id_name"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_members_skill"),
    )
    op.create_table(
        "members_training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _member_fk("members_training"),
        sa.CheckConstraint(
            "attendees >= 1", name="ck_members_training_attendees_positive"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_members_training"),
    )
    op.create_table(
        "members_watch_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("topic", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _member_fk("members_watch_source"),
        sa.PrimaryKeyConstraint("id", name="pk_members_watch_source"),
    )
    for table in ("members_training", "members_watch_source"):
        with op.batch_alter_table(table) as batch:
            batch.create_index(f"ix_{table}_member_id", ["member_id"], unique=False)
    with op.batch_alter_table("members_member") as batch:
        batch.add_column(
            sa.Column(
                "show_expertise_publicly",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("members_member") as batch:
        batch.drop_column("show_expertise_publicly")
    for table in ("members_watch_source", "members_training"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_member_id")
    op.drop_table("members_watch_source")
    op.drop_table("members_training")
    op.drop_table("members_skill")
