"""core: e-mail bodies shared by many outbox messages

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 23:00:00

A campaign's invitations in one language share one body, rendered once with
slots (``core_outbox_body``); each message points at it (``body_id``) and keeps
the values that fill it (``fill``), filled when it is sent (core.mail_bodies).
A message has its own ``body_text`` or a ``body_id`` (CHECK ``has_body``), so
the messages already queued keep their own bodies and are sent unchanged.

``body_id`` has an index but no foreign key: PostgreSQL checks a foreign key
with a trigger per row, 40 % of the cost of queueing a campaign's e-mails; a
body is written before its messages and never deleted while one points at it.

Downgrade: the messages on a shared body get its text and HTML with their slots
unfilled (only the sender can fill them: the links are made from the secret
key), which is right for messages already sent or failed; it stops if some are
still to send: deliver them first (``flask scheduler run``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "core_outbox_body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("slot_nonce", sa.String(length=32), nullable=False),
        sa.Column("filler", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_outbox_body")),
    )
    with op.batch_alter_table("core_outbox_message") as batch:
        batch.alter_column("body_text", existing_type=sa.Text(), nullable=True)
        batch.add_column(sa.Column("body_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fill", sa.JSON(), nullable=True))
        batch.create_index("ix_core_outbox_message_body_id", ["body_id"], unique=False)
        batch.create_check_constraint(
            op.f("ck_core_outbox_message_has_body"),
            "body_text IS NOT NULL OR body_id IS NOT NULL",
        )


def downgrade() -> None:
    connection = op.get_bind()
    waiting = connection.scalar(
        sa.text(
            "SELECT count(*) FROM core_outbox_message WHERE body_id IS NOT NULL "
            "AND status IN ('pending', 'sending')"
        )
    )
    if waiting:
        raise RuntimeError(
            f"{waiting} e-mails on a shared body are still to send: deliver them "
            "(flask scheduler run) before downgrading"
        )
    op.execute(
        "UPDATE core_outbox_message SET "
        "body_text = (SELECT b.body_text FROM core_outbox_body b "
        "WHERE b.id = core_outbox_message.body_id), "
        "body_html = (SELECT b.body_html FROM core_outbox_body b "
        "WHERE b.id = core_outbox_message.body_id) "
        "WHERE body_id IS NOT NULL"
    )
    with op.batch_alter_table("core_outbox_message") as batch:
        batch.drop_constraint(op.f("ck_core_outbox_message_has_body"), type_="check")
        batch.drop_index("ix_core_outbox_message_body_id")
        batch.drop_column("fill")
        batch.drop_column("body_id")
        batch.alter_column("body_text", existing_type=sa.Text(), nullable=False)
    op.drop_table("core_outbox_body")
