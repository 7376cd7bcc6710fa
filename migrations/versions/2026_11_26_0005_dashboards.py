"""dashboards: the client portal's magic links and the rollups

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 15:25:00

The dashboards only read the other features' tables; theirs hold the client
portal's sign-in links (only the token's SHA-256 is stored) and the rollups the
pages read at scale (latest value per indicator, answer counts per member and
month, the refresh watermark), plus two indexes the incremental refresh needs.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dashboards_portal_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboards_portal_link')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_dashboards_portal_link_token_hash')),
    )
    op.create_index('ix_dashboards_portal_link_email', 'dashboards_portal_link', ['email', 'created_at'], unique=False)
    # The rollups the pages read (refreshed by the dashboards.rollups job).
    op.create_table(
        'dashboards_indicator_latest',
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.ForeignKeyConstraint(['indicator_id'], ['kpi_indicator.id'], name=op.f('fk_dashboards_indicator_latest_indicator_id_kpi_indicator'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_dashboards_indicator_latest_member_id_members_member'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('indicator_id', name=op.f('pk_dashboards_indicator_latest')),
    )
    op.create_index(op.f('ix_dashboards_indicator_latest_member_id'), 'dashboards_indicator_latest', ['member_id'], unique=False)
    op.create_table(
        'dashboards_score_month',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('question_type', sa.String(length=32), nullable=False),
        sa.Column('commitment', sa.String(length=32), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_dashboards_score_month_member_id_members_member'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id', 'month', 'question_type', 'commitment', 'value', name=op.f('pk_dashboards_score_month')),
    )
    op.create_index('ix_dashboards_score_month_month', 'dashboards_score_month', ['month'], unique=False)
    op.create_table(
        'dashboards_rollup_state',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('watermark', sa.DateTime(timezone=True), nullable=False),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_dashboards_rollup_state')),
    )
    # What the incremental refresh looks for, on the other features' tables.
    op.create_index('ix_dashboards_measurement_updated_at', 'kpi_measurement', ['updated_at'], unique=False)
    op.create_index('ix_dashboards_response_submitted_at', 'satisfaction_response', ['submitted_at'], unique=False)


def downgrade():
    op.drop_index('ix_dashboards_response_submitted_at', table_name='satisfaction_response')
    op.drop_index('ix_dashboards_measurement_updated_at', table_name='kpi_measurement')
    op.drop_table('dashboards_rollup_state')
    op.drop_index('ix_dashboards_score_month_month', table_name='dashboards_score_month')
    op.drop_table('dashboards_score_month')
    op.drop_index(op.f('ix_dashboards_indicator_latest_member_id'), table_name='dashboards_indicator_latest')
    op.drop_table('dashboards_indicator_latest')
    op.drop_index('ix_dashboards_portal_link_email', table_name='dashboards_portal_link')
    op.drop_table('dashboards_portal_link')
