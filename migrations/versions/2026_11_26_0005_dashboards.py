"""dashboards: the client portal's magic links and the rollups

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 15:25:00

The dashboards only read the other features' tables; theirs hold the client
portal's sign-in links (only the token's SHA-256 is stored) and the rollups the
pages read at scale (latest value per indicator, answer counts per member and
month, the refresh watermark, the board's stored quality review), plus two indexes the incremental refresh needs.
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
    # The board's quality review, stored by the rollup job (one snapshot per period).
    op.create_table(
        'dashboards_board_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('since', sa.Date(), nullable=False),
        sa.Column('until', sa.Date(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('members', sa.Integer(), nullable=False),
        sa.Column('active_projects', sa.Integer(), nullable=False),
        sa.Column('clients', sa.Integer(), nullable=False),
        sa.Column('members_with_projects', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboards_board_snapshot')),
        sa.UniqueConstraint('since', 'until', 'on_date', name=op.f('uq_dashboards_board_snapshot_since_until_on_date')),
    )
    snapshot = lambda table: sa.ForeignKeyConstraint(  # noqa: E731
        ['snapshot_id'], ['dashboards_board_snapshot.id'],
        name=op.f(f'fk_{table}_snapshot_id_dashboards_board_snapshot'), ondelete='CASCADE',
    )
    op.create_table(
        'dashboards_board_score',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.String(length=8), nullable=False),
        sa.Column('question_type', sa.String(length=32), nullable=False),
        sa.Column('commitment', sa.String(length=32), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        snapshot('dashboards_board_score'),
        sa.PrimaryKeyConstraint('snapshot_id', 'quarter', 'question_type', 'commitment', 'value', name=op.f('pk_dashboards_board_score')),
    )
    op.create_table(
        'dashboards_board_rate',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.String(length=8), nullable=False),
        sa.Column('sent', sa.Integer(), nullable=False),
        sa.Column('answered', sa.Integer(), nullable=False),
        snapshot('dashboards_board_rate'),
        sa.PrimaryKeyConstraint('snapshot_id', 'quarter', name=op.f('pk_dashboards_board_rate')),
    )
    op.create_table(
        'dashboards_board_status',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('service_type', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        snapshot('dashboards_board_status'),
        sa.PrimaryKeyConstraint('snapshot_id', 'service_type', 'status', name=op.f('pk_dashboards_board_status')),
    )
    op.create_table(
        'dashboards_board_spread',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('metric', sa.String(length=32), nullable=False),
        sa.Column('commitment', sa.String(length=32), nullable=False),
        sa.Column('contributors', sa.Integer(), nullable=False),
        sa.Column('q1', sa.Float(), nullable=True),
        sa.Column('median', sa.Float(), nullable=True),
        sa.Column('q3', sa.Float(), nullable=True),
        sa.Column('bins', sa.JSON(), nullable=True),
        snapshot('dashboards_board_spread'),
        sa.PrimaryKeyConstraint('snapshot_id', 'metric', 'commitment', name=op.f('pk_dashboards_board_spread')),
    )
    op.create_table(
        'dashboards_board_comment',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=4000), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('member', sa.String(length=200), nullable=False),
        sa.Column('service_type', sa.String(length=32), nullable=False),
        snapshot('dashboards_board_comment'),
        sa.PrimaryKeyConstraint('snapshot_id', 'position', name=op.f('pk_dashboards_board_comment')),
    )
    op.create_table(
        'dashboards_board_compliance',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('search_name', sa.String(length=200), nullable=False),
        sa.Column('department', sa.String(length=8), nullable=False),
        sa.Column('mark_status', sa.String(length=32), nullable=False),
        sa.Column('projects', sa.Integer(), nullable=False),
        sa.Column('agreed', sa.Integer(), nullable=False),
        sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_recently', sa.Integer(), nullable=False),
        sa.Column('sent', sa.Integer(), nullable=False),
        sa.Column('answered', sa.Integer(), nullable=False),
        sa.Column('rate', sa.Float(), nullable=True),
        sa.Column('open_alerts', sa.Integer(), nullable=False),
        sa.Column('complaints', sa.Integer(), nullable=True),
        sa.Column('nps_value', sa.Float(), nullable=True),
        sa.Column('nps_n', sa.Integer(), nullable=False),
        sa.Column('nps_reliable', sa.Boolean(), nullable=False),
        sa.Column('nps_distribution', sa.JSON(), nullable=True),
        sa.Column('light_agreed', sa.String(length=8), nullable=False),
        sa.Column('light_sent', sa.String(length=8), nullable=False),
        sa.Column('light_rate', sa.String(length=8), nullable=False),
        sa.Column('light_alerts', sa.String(length=8), nullable=False),
        sa.Column('light_complaints', sa.String(length=8), nullable=True),
        sa.Column('reds', sa.Integer(), nullable=False),
        sa.Column('ambers', sa.Integer(), nullable=False),
        sa.Column('worst_rank', sa.Integer(), nullable=False),
        sa.Column('name_rank', sa.Integer(), nullable=False),
        sa.Column('rate_rank', sa.Integer(), nullable=False),
        sa.Column('alerts_rank', sa.Integer(), nullable=False),
        sa.Column('nps_rank', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_dashboards_board_compliance_member_id_members_member'), ondelete='CASCADE'),
        snapshot('dashboards_board_compliance'),
        sa.PrimaryKeyConstraint('snapshot_id', 'member_id', name=op.f('pk_dashboards_board_compliance')),
    )
    for name, columns in (
        ('worst', ['snapshot_id', 'worst_rank']),
        ('name', ['snapshot_id', 'name_rank']),
        ('rate', ['snapshot_id', 'rate_rank']),
        ('alerts', ['snapshot_id', 'alerts_rank']),
        ('nps', ['snapshot_id', 'nps_rank']),
        ('department', ['snapshot_id', 'department', 'worst_rank']),
    ):
        op.create_index(f'ix_dashboards_board_compliance_{name}', 'dashboards_board_compliance', columns, unique=False)
    # What the incremental refresh looks for, on the other features' tables.
    op.create_index('ix_dashboards_measurement_updated_at', 'kpi_measurement', ['updated_at'], unique=False)
    op.create_index('ix_dashboards_response_submitted_at', 'satisfaction_response', ['submitted_at'], unique=False)


def downgrade():
    for name in ('department', 'nps', 'alerts', 'rate', 'name', 'worst'):
        op.drop_index(f'ix_dashboards_board_compliance_{name}', table_name='dashboards_board_compliance')
    for table in ('compliance', 'comment', 'spread', 'status', 'rate', 'score', 'snapshot'):
        op.drop_table(f'dashboards_board_{table}')
    op.drop_index('ix_dashboards_response_submitted_at', table_name='satisfaction_response')
    op.drop_index('ix_dashboards_measurement_updated_at', table_name='kpi_measurement')
    op.drop_table('dashboards_rollup_state')
    op.drop_index('ix_dashboards_score_month_month', table_name='dashboards_score_month')
    op.drop_table('dashboards_score_month')
    op.drop_index(op.f('ix_dashboards_indicator_latest_member_id'), table_name='dashboards_indicator_latest')
    op.drop_table('dashboards_indicator_latest')
    op.drop_index('ix_dashboards_portal_link_email', table_name='dashboards_portal_link')
    op.drop_table('dashboards_portal_link')
