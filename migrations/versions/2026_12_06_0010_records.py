"""records: what a member keeps per project to prove the charter's commitments

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:00:00

New tables only, nothing existing changes: client-provided items, the budget
and deadline, price or deadline changes, the follow-up log, deliveries, the
source-code handover, technologies, backup plans, licences, and the reminders
already sent to the client (per licence and renewal date, per client item and
due date: unique, so that a reminder goes once even with several scheduler
processes).

Every record carries its project (deleted with it) and the project's member
(tenancy: every query filters on it).

(Follows 0009, the board snapshot's stored filters.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True, length=32
    )


def _record_columns(table: str) -> list[sa.SchemaItem]:
    """The id, timestamp, project and member every record has."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["members_project.id"],
            name=f"fk_{table}_project_id_members_project",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members_member.id"],
            name=f"fk_{table}_member_id_members_member",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _indexes(table: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.create_index(f"ix_{table}_project_id", ["project_id"], unique=False)
        batch.create_index(f"ix_{table}_member_id", ["member_id"], unique=False)


TABLES = (
    "records_client_item",
    "records_budget",
    "records_change",
    "records_follow_up",
    "records_delivery",
    "records_handover",
    "records_technology",
    "records_backup_plan",
    "records_licence",
)


def upgrade() -> None:
    op.create_table(
        "records_client_item",
        *_record_columns("records_client_item"),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("is_critical", sa.Boolean(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
    )
    op.create_table(
        "records_budget",
        *_record_columns("records_budget"),
        sa.Column("setup_cost", sa.Numeric(12, 2), nullable=False),
        sa.Column("recurring_cost", sa.Numeric(12, 2), nullable=False),
        sa.Column(
            "recurring_period",
            _enum("records_recurring_period", "month", "year"),
            nullable=False,
        ),
        sa.Column("third_party_cost", sa.Numeric(12, 2), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "setup_cost >= 0 AND recurring_cost >= 0 AND third_party_cost >= 0",
            name="ck_records_budget_amounts_positive",
        ),
        sa.UniqueConstraint("project_id", name="uq_records_budget_project_id"),
    )
    op.create_table(
        "records_change",
        *_record_columns("records_change"),
        sa.Column(
            "kind", _enum("records_change_kind", "price", "deadline"), nullable=False
        ),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
    )
    op.create_table(
        "records_follow_up",
        *_record_columns("records_follow_up"),
        sa.Column(
            "kind",
            _enum(
                "records_follow_up_kind",
                "report",
                "price",
                "planning",
                "deadlines",
                "acceptance",
                "limits",
            ),
            nullable=False,
        ),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "records_delivery",
        *_record_columns("records_delivery"),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
    )
    op.create_table(
        "records_handover",
        *_record_columns("records_handover"),
        sa.Column(
            "mode",
            _enum("records_handover_mode", "client", "third_party", "excluded"),
            nullable=False,
        ),
        sa.Column("handed_on", sa.Date(), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("clause", sa.String(length=1000), nullable=False),
        sa.CheckConstraint(
            "(mode = 'excluded') OR (handed_on IS NOT NULL)",
            name="ck_records_handover_handed_on_given",
        ),
        sa.UniqueConstraint("project_id", name="uq_records_handover_project_id"),
    )
    op.create_table(
        "records_technology",
        *_record_columns("records_technology"),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=60), nullable=False),
        sa.Column("end_of_support_on", sa.Date(), nullable=True),
        sa.Column("client_informed_on", sa.Date(), nullable=True),
    )
    op.create_table(
        "records_backup_plan",
        *_record_columns("records_backup_plan"),
        sa.Column("scope", sa.String(length=300), nullable=False),
        sa.Column(
            "frequency",
            _enum("records_backup_frequency", "hourly", "daily", "weekly", "monthly"),
            nullable=False,
        ),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("restore_hours", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "restore_hours > 0", name="ck_records_backup_plan_restore_hours_positive"
        ),
    )
    op.create_table(
        "records_licence",
        *_record_columns("records_licence"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("renews_on", sa.Date(), nullable=False),
        sa.Column(
            "paid_by", _enum("records_payer", "client", "member"), nullable=False
        ),
    )
    for table in TABLES:
        _indexes(table)
    with op.batch_alter_table("records_licence") as batch:
        batch.create_index("ix_records_licence_renews_on", ["renews_on"], unique=False)
    with op.batch_alter_table("records_client_item") as batch:
        batch.create_index("ix_records_client_item_due_on", ["due_on"], unique=False)
    op.create_table(
        "records_client_item_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["records_client_item.id"],
            name="fk_records_client_item_reminder_item_id_records_client_item",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_records_client_item_reminder"),
        sa.UniqueConstraint(
            "item_id",
            "due_on",
            name="uq_records_client_item_reminder_item_id_due_on",
        ),
    )
    op.create_table(
        "records_licence_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("renews_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["licence_id"],
            ["records_licence.id"],
            name="fk_records_licence_reminder_licence_id_records_licence",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_records_licence_reminder"),
        sa.UniqueConstraint(
            "licence_id",
            "renews_on",
            name="uq_records_licence_reminder_licence_id_renews_on",
        ),
    )


def downgrade() -> None:
    op.drop_table("records_client_item_reminder")
    op.drop_table("records_licence_reminder")
    for table in reversed(TABLES):
        op.drop_table(table)
