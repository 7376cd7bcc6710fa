"""dashboards: a light per charter commitment in the stored compliance table

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 23:00:00

``dashboards_board_compliance.commitments`` holds one light per commitment of
the charter, keyed by its stable code (``members.commitments``):
``{"communication": "green", "security": "red", ...}``. NULL in the rows stored
before: the rollup job stores every review again on its next run, and the
page says the lights are computed then. The board filters on one light with
``json_extract`` (SQLite) or ``->>`` (PostgreSQL), within one stored review.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dashboards_board_compliance") as batch:
        batch.add_column(sa.Column("commitments", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dashboards_board_compliance") as batch:
        batch.drop_column("commitments")
