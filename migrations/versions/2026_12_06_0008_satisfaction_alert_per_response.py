"""satisfaction: one alert per response, its low answers as items

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:30:00

A detractor who also rated the commitments low raised one alert per low answer
(nine alerts, each closed by hand, "Non conforme (9)" on the board). An alert
is now one per response (``satisfaction_alert.response_id`` unique) and lists
its low answers in ``satisfaction_alert_item``.

Existing alerts are merged per response: the oldest one stays (its id, so that
links and the audit log still point at it), with the gravest reason (detractor
if any), the earliest creation, every distinct follow-up note (oldest first),
and closed only if all of them were closed (then at the latest closing, by
whoever closed it). Each former alert becomes an item of the merged alert.

The downgrade splits each alert back into one alert per item (same state).

(Follows 0007, the history of replaced measurements.)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REASONS = ("detractor", "low_rating")

_old_alert = sa.table(
    "satisfaction_alert",
    sa.column("id", sa.Integer),
    sa.column("member_id", sa.Integer),
    sa.column("response_id", sa.Integer),
    sa.column("question_id", sa.Integer),
    sa.column("reason", sa.String),
    sa.column("value", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("follow_up", sa.Text),
    sa.column("closed_at", sa.DateTime(timezone=True)),
    sa.column("closed_by_id", sa.Integer),
)
_item = sa.table(
    "satisfaction_alert_item",
    sa.column("id", sa.Integer),
    sa.column("alert_id", sa.Integer),
    sa.column("question_id", sa.Integer),
    sa.column("reason", sa.String),
    sa.column("value", sa.Integer),
)


def _merged(rows: list[Any]) -> dict[str, Any]:
    """The state of the one alert that replaces a response's alerts."""
    notes: list[str] = []
    for row in rows:
        note = (row.follow_up or "").strip()
        if note and note not in notes:
            notes.append(note)
    closed = [row for row in rows if row.closed_at is not None]
    last = max(closed, key=lambda r: r.closed_at) if len(closed) == len(rows) else None
    return {
        "reason": "detractor"
        if any(row.reason == "detractor" for row in rows)
        else "low_rating",
        "created_at": min(row.created_at for row in rows),
        "follow_up": "\n\n".join(notes),
        "closed_at": None if last is None else last.closed_at,
        "closed_by_id": None if last is None else last.closed_by_id,
    }


def upgrade() -> None:
    bind = op.get_bind()
    # Read first: on SQLite the batch operation below rebuilds the table.
    rows = bind.execute(
        sa.select(_old_alert).order_by(_old_alert.c.response_id, _old_alert.c.id)
    ).all()
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row.response_id].append(row)
    items = []
    for group in groups.values():
        keep = group[0].id
        items += [
            {
                "alert_id": keep,
                "question_id": row.question_id,
                "reason": row.reason,
                "value": row.value,
            }
            for row in group
        ]
        bind.execute(
            _old_alert.update().where(_old_alert.c.id == keep).values(**_merged(group))
        )
        extra = [row.id for row in group[1:]]
        if extra:
            bind.execute(_old_alert.delete().where(_old_alert.c.id.in_(extra)))

    with op.batch_alter_table("satisfaction_alert") as batch:
        batch.drop_constraint(
            "uq_satisfaction_alert_response_id_question_id", type_="unique"
        )
        batch.drop_constraint(
            "fk_satisfaction_alert_question_id_satisfaction_question",
            type_="foreignkey",
        )
        batch.drop_column("question_id")
        batch.drop_column("value")
        batch.create_unique_constraint(
            "uq_satisfaction_alert_response_id", ["response_id"]
        )

    op.create_table(
        "satisfaction_alert_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                *REASONS,
                name="satisfaction_alert_item_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["satisfaction_alert.id"],
            name=op.f("fk_satisfaction_alert_item_alert_id_satisfaction_alert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["satisfaction_question.id"],
            name=op.f("fk_satisfaction_alert_item_question_id_satisfaction_question"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_alert_item")),
        sa.UniqueConstraint(
            "alert_id",
            "question_id",
            name=op.f("uq_satisfaction_alert_item_alert_id_question_id"),
        ),
    )
    if items:
        bind.execute(_item.insert(), items)


def downgrade() -> None:
    bind = op.get_bind()
    alert = sa.table(
        "satisfaction_alert",
        *[
            sa.column(c.name, c.type)
            for c in _old_alert.columns
            if c.name not in ("question_id", "value")
        ],
    )
    alerts = {row.id: row for row in bind.execute(sa.select(alert)).all()}
    items = bind.execute(sa.select(_item).order_by(_item.c.alert_id, _item.c.id)).all()
    op.drop_table("satisfaction_alert_item")
    bind.execute(alert.delete())

    with op.batch_alter_table("satisfaction_alert") as batch:
        batch.drop_constraint("uq_satisfaction_alert_response_id", type_="unique")
        batch.add_column(sa.Column("question_id", sa.Integer(), nullable=False))
        batch.add_column(sa.Column("value", sa.Integer(), nullable=False))
        batch.create_foreign_key(
            "fk_satisfaction_alert_question_id_satisfaction_question",
            "satisfaction_question",
            ["question_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_unique_constraint(
            "uq_satisfaction_alert_response_id_question_id",
            ["response_id", "question_id"],
        )

    rows = []
    seen: set[int] = set()
    for item in items:
        parent = alerts[item.alert_id]
        rows.append(
            {
                # The first item keeps the alert's id (links stay valid).
                **({} if item.alert_id in seen else {"id": item.alert_id}),
                "member_id": parent.member_id,
                "response_id": parent.response_id,
                "question_id": item.question_id,
                "reason": item.reason,
                "value": item.value,
                "created_at": parent.created_at,
                "follow_up": parent.follow_up,
                "closed_at": parent.closed_at,
                "closed_by_id": parent.closed_by_id,
            }
        )
        seen.add(item.alert_id)
    for row in rows:
        bind.execute(_old_alert.insert().values(**row))
