"""kpi: the history of replaced values (kpi_measurement_revision)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 20:30:00

A value replaced by hand, by an import or through the API is kept here, with
what replaced it, who and when; keyed by indicator and period so that the
history outlives a deleted value.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _source(name):
    return sa.Enum('manual', 'import', 'api', name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table('kpi_measurement_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('granularity', sa.Enum('day', 'week', 'month', name='measurement_revision_granularity', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('numerator', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('denominator', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('source', _source('measurement_revision_source'), nullable=False),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_by_source', _source('measurement_revision_replaced_by_source'), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['import_batch_id'], ['kpi_import_batch.id'], name=op.f('fk_kpi_measurement_revision_import_batch_id_kpi_import_batch'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['indicator_id'], ['kpi_indicator.id'], name=op.f('fk_kpi_measurement_revision_indicator_id_kpi_indicator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['members_user.id'], name=op.f('fk_kpi_measurement_revision_replaced_by_id_members_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_measurement_revision'))
    )
    with op.batch_alter_table('kpi_measurement_revision', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_measurement_revision_indicator_period', ['indicator_id', 'period_start'], unique=False)


def downgrade():
    with op.batch_alter_table('kpi_measurement_revision', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_measurement_revision_indicator_period')

    op.drop_table('kpi_measurement_revision')
