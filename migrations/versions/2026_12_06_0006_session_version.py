"""members: a session version per user, so that sessions can be ended

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 16:00:00

What the session and the remember-me cookie store becomes "<user id>:<version>";
signing out, setting or changing the password and "sign out of all devices" raise
the version, which ends every session of the user, copied cookies included.
Sessions opened before this migration (which stored the id alone) end too.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('members_user') as batch:
        batch.add_column(
            sa.Column('session_version', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('members_user') as batch:
        batch.drop_column('session_version')
