"""kpi: a measurement's import batch is a plain indexed column, not a foreign key

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:10:00

``kpi_measurement.import_batch_id`` says which import wrote a value (undo uses
it). As a foreign key it made PostgreSQL run one referential check per row an
import writes — about 17 µs a row, 5 s of a 300,000-row import — for a rule
nothing needs: an import batch is never deleted on its own (undo keeps it,
marked ``undone_at``), only with its project, whose indicators' measurements go
with it (``kpi_measurement.indicator_id`` still cascades). The index stays (undo
and the history read by batch); a test checks that deleting a project leaves no
value pointing at a missing batch.

Downgrade: values whose batch no longer exists are set to NULL first, then the
foreign key is put back as it was (ON DELETE SET NULL).
"""

from __future__ import annotations

from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

FK = "fk_kpi_measurement_import_batch_id_kpi_import_batch"


def upgrade() -> None:
    with op.batch_alter_table("kpi_measurement", schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")


def downgrade() -> None:
    op.execute(
        "UPDATE kpi_measurement SET import_batch_id = NULL"
        " WHERE import_batch_id IS NOT NULL AND import_batch_id NOT IN"
        " (SELECT id FROM kpi_import_batch)"
    )
    with op.batch_alter_table("kpi_measurement", schema=None) as batch_op:
        batch_op.create_foreign_key(
            FK, "kpi_import_batch", ["import_batch_id"], ["id"], ondelete="SET NULL"
        )
