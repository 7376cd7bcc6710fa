"""dashboards: the client portal's magic links

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 15:25:00

The dashboards only read the other features' tables; their one table holds the
client portal's sign-in links (only the token's SHA-256 is stored).
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


def downgrade():
    op.drop_index('ix_dashboards_portal_link_email', table_name='dashboards_portal_link')
    op.drop_table('dashboards_portal_link')
