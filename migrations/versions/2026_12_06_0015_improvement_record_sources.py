"""improvement: actions opened by the records a charter rule flags

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:30:00

``improvement_action.source_type`` takes four more values, each naming the
records table its ``source_id`` points at: ``late_item``
(``records_client_item``: a critical item not provided by its due date),
``short_notice`` (``records_change``: a change announced with too little
notice), ``component`` (``records_technology``: end of support, client not
told), ``licence`` (``records_licence``: renewal passed without a reminder).
The column stays a VARCHAR(32); only its CHECK changes (dropped and created
again by Alembic on PostgreSQL, the table copied in batch mode on SQLite).
Downgrading deletes the actions of those sources first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OLD = ("detractor", "indicator", "complaint")
NEW = (*OLD, "late_item", "short_notice", "component", "licence")


def _source(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *values,
        name="improvement_source",
        native_enum=False,
        create_constraint=True,
        length=32,
    )


def upgrade() -> None:
    with op.batch_alter_table("improvement_action") as batch:
        batch.alter_column(
            "source_type",
            existing_type=_source(OLD),
            type_=_source(NEW),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM improvement_action WHERE source_type NOT IN "
            "('detractor', 'indicator', 'complaint')"
        )
    )
    with op.batch_alter_table("improvement_action") as batch:
        batch.alter_column(
            "source_type",
            existing_type=_source(NEW),
            type_=_source(OLD),
            existing_nullable=False,
        )
