"""kpi: indicators, measurements, imports, api tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 15:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('kpi_api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['members_user.id'], name=op.f('fk_kpi_api_token_created_by_id_members_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_kpi_api_token_member_id_members_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_kpi_api_token_token_hash'))
    )
    with op.batch_alter_table('kpi_api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_api_token_member_id'), ['member_id'], unique=False)

    op.create_table('kpi_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('set_version', sa.Integer(), nullable=False),
    sa.Column('set_signature', sa.String(length=64), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('pending', 'acknowledged', 'commented', 'superseded', name='agreement_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('commented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['members_client_contact.id'], name=op.f('fk_kpi_agreement_contact_id_members_client_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_kpi_agreement_member_id_members_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['members_project.id'], name=op.f('fk_kpi_agreement_project_id_members_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['members_user.id'], name=op.f('fk_kpi_agreement_sent_by_id_members_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_agreement')),
    sa.UniqueConstraint('project_id', 'set_version', name=op.f('uq_kpi_agreement_project_id_set_version')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_kpi_agreement_token_hash'))
    )
    with op.batch_alter_table('kpi_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_agreement_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_agreement_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_agreement_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_kpi_agreement_project_status', ['project_id', 'status'], unique=False)

    op.create_table('kpi_import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=40), nullable=False),
    sa.Column('format_label', sa.String(length=200), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_stored', sa.Integer(), nullable=False),
    sa.Column('rows_updated', sa.Integer(), nullable=False),
    sa.Column('rows_unchanged', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_label', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['members_user.id'], name=op.f('fk_kpi_import_batch_created_by_id_members_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_kpi_import_batch_member_id_members_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['members_project.id'], name=op.f('fk_kpi_import_batch_project_id_members_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['undone_by_id'], ['members_user.id'], name=op.f('fk_kpi_import_batch_undone_by_id_members_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_import_batch'))
    )
    with op.batch_alter_table('kpi_import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_import_batch_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_import_batch_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_import_batch_sha256'), ['sha256'], unique=False)

    op.create_table('kpi_indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('audience', 'cost_per_click', 'incidents', 'reading_time', 'clicks', 'custom', name='indicator_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('unit', sa.String(length=30), nullable=False),
    sa.Column('direction', sa.Enum('higher', 'lower', name='indicator_direction', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('frequency', sa.Enum('day', 'week', 'month', name='indicator_frequency', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('aggregation', sa.Enum('sum', 'mean', name='indicator_aggregation', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_ratio', sa.Boolean(), nullable=False),
    sa.Column('numerator_label', sa.String(length=60), nullable=True),
    sa.Column('denominator_label', sa.String(length=60), nullable=True),
    sa.Column('baseline_on', sa.Date(), nullable=True),
    sa.Column('baseline_value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('target_value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('baseline_value IS NULL OR baseline_on IS NOT NULL', name=op.f('ck_kpi_indicator_baseline_has_date')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_kpi_indicator_version_positive')),
    sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_kpi_indicator_member_id_members_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['members_project.id'], name=op.f('fk_kpi_indicator_project_id_members_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_indicator'))
    )
    with op.batch_alter_table('kpi_indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_indicator_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_indicator_project_id'), ['project_id'], unique=False)

    op.create_table('kpi_measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('granularity', sa.Enum('day', 'week', 'month', name='measurement_granularity', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('numerator', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('denominator', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('source', sa.Enum('manual', 'import', 'api', name='measurement_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('denominator IS NULL OR denominator >= 0', name=op.f('ck_kpi_measurement_denominator_positive')),
    sa.ForeignKeyConstraint(['import_batch_id'], ['kpi_import_batch.id'], name=op.f('fk_kpi_measurement_import_batch_id_kpi_import_batch'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['indicator_id'], ['kpi_indicator.id'], name=op.f('fk_kpi_measurement_indicator_id_kpi_indicator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_measurement')),
    sa.UniqueConstraint('indicator_id', 'period_start', 'granularity', name=op.f('uq_kpi_measurement_indicator_id_period_start_granularity'))
    )
    with op.batch_alter_table('kpi_measurement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_measurement_import_batch_id'), ['import_batch_id'], unique=False)

    op.create_table('kpi_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['kpi_indicator.id'], name=op.f('fk_kpi_reminder_indicator_id_kpi_indicator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_reminder')),
    sa.UniqueConstraint('indicator_id', 'period_start', name=op.f('uq_kpi_reminder_indicator_id_period_start'))
    )
    op.create_table('kpi_import_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('measurement_id', sa.Integer(), nullable=False),
    sa.Column('previous_value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('previous_numerator', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('previous_denominator', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('previous_source', sa.Enum('manual', 'import', 'api', name='import_change_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('previous_batch_id', sa.Integer(), nullable=True),
    sa.Column('previous_updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['kpi_import_batch.id'], name=op.f('fk_kpi_import_change_batch_id_kpi_import_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measurement_id'], ['kpi_measurement.id'], name=op.f('fk_kpi_import_change_measurement_id_kpi_measurement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['previous_batch_id'], ['kpi_import_batch.id'], name=op.f('fk_kpi_import_change_previous_batch_id_kpi_import_batch'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_import_change'))
    )
    with op.batch_alter_table('kpi_import_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_import_change_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_import_change_measurement_id'), ['measurement_id'], unique=False)


def downgrade():

    with op.batch_alter_table('kpi_import_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_import_change_measurement_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_import_change_batch_id'))

    op.drop_table('kpi_import_change')
    op.drop_table('kpi_reminder')
    with op.batch_alter_table('kpi_measurement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_measurement_import_batch_id'))

    op.drop_table('kpi_measurement')
    with op.batch_alter_table('kpi_indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_indicator_project_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_indicator_member_id'))

    op.drop_table('kpi_indicator')
    with op.batch_alter_table('kpi_import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_import_batch_sha256'))
        batch_op.drop_index(batch_op.f('ix_kpi_import_batch_project_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_import_batch_member_id'))

    op.drop_table('kpi_import_batch')
    with op.batch_alter_table('kpi_agreement', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_agreement_project_status')
        batch_op.drop_index(batch_op.f('ix_kpi_agreement_project_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_agreement_member_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_agreement_contact_id'))

    op.drop_table('kpi_agreement')
    with op.batch_alter_table('kpi_api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_api_token_member_id'))

    op.drop_table('kpi_api_token')
