"""dashboards: stored board reviews per department and service type

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:15:00

The rollup job stores the board's review of the default period for the whole
association and for each department and service type, and of each year with
answers (the annual report), so that the first visit to a filtered review
reads stored rows in every worker. A stored review is known by its period, the
day it was judged on, its department and its service type ("" for all).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dashboards_board_snapshot") as batch:
        batch.add_column(
            sa.Column(
                "department", sa.String(length=8), server_default="", nullable=False
            )
        )
        batch.add_column(
            sa.Column(
                "service_type", sa.String(length=32), server_default="", nullable=False
            )
        )
        batch.drop_constraint(
            "uq_dashboards_board_snapshot_since_until_on_date", type_="unique"
        )
        batch.create_unique_constraint(
            "uq_dashboards_board_snapshot_review",
            ["since", "until", "on_date", "department", "service_type"],
        )


def downgrade():
    # The filtered reviews go (the job stores them again); one per period remains.
    op.execute(
        "DELETE FROM dashboards_board_snapshot WHERE department != '' OR service_type != ''"
    )
    with op.batch_alter_table("dashboards_board_snapshot") as batch:
        batch.drop_constraint("uq_dashboards_board_snapshot_review", type_="unique")
        batch.create_unique_constraint(
            "uq_dashboards_board_snapshot_since_until_on_date",
            ["since", "until", "on_date"],
        )
        batch.drop_column("service_type")
        batch.drop_column("department")
