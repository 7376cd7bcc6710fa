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
    pass


def downgrade():
    pass
