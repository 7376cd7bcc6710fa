"""members: the charter as data — versions, commitments, signatures linked

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 23:00:00

Two tables: ``members_charter_version`` (number unique, title, markdown body,
``published_on`` NULL for a draft) and ``members_charter_commitment`` (one row
per commitment code of a version, unique on ``(version_id, code)``: its title,
clause and the records that prove it). ``members_member.charter_version_id``
links a signature to the stored version it names.

Data: charter 2.1, the text in force, is seeded as published on 2023-05-10 from
the files the members package ships (``members/data/charte-qualite-2.1.*``),
and members whose recorded version is "2.1" are linked to it. Other numbers
(older paper versions) keep their number and no link. The downgrade drops the
link and the tables; the version number on members is untouched either way.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from importlib.resources import files

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The frozen seed of 2.1: later versions are written by the secretariat in the
# app, never in these files.
SEED = "charte-qualite-2.1.json"


def _create_tables() -> None:
    op.create_table(
        "members_charter_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members_charter_version")),
        sa.UniqueConstraint("number", name=op.f("uq_members_charter_version_number")),
    )
    op.create_table(
        "members_charter_commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["members_charter_version.id"],
            name=op.f(
                "fk_members_charter_commitment_version_id_members_charter_version"
            ),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members_charter_commitment")),
        sa.UniqueConstraint(
            "version_id",
            "code",
            name=op.f("uq_members_charter_commitment_version_id_code"),
        ),
    )
    with op.batch_alter_table("members_member") as batch:
        batch.add_column(sa.Column("charter_version_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_members_member_charter_version_id_members_charter_version"),
            "members_charter_version",
            ["charter_version_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def _seed() -> None:
    """Charter 2.1, published, and the signatures that name it."""
    data = files("members") / "data"
    seed = json.loads((data / SEED).read_text(encoding="utf-8"))
    body = (data / seed["body"]).read_text(encoding="utf-8")
    versions = sa.table(
        "members_charter_version",
        sa.column("id", sa.Integer()),
        sa.column("number", sa.String()),
        sa.column("title", sa.String()),
        sa.column("body", sa.Text()),
        sa.column("published_on", sa.Date()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    commitments = sa.table(
        "members_charter_commitment",
        sa.column("version_id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("position", sa.Integer()),
        sa.column("title", sa.String()),
        sa.column("text", sa.Text()),
        sa.column("evidence", sa.Text()),
    )
    bind = op.get_bind()
    bind.execute(
        versions.insert().values(
            number=seed["number"],
            title=seed["title"],
            body=body,
            published_on=date.fromisoformat(seed["published_on"]),
            created_at=datetime.now(UTC),
        )
    )
    version_id = bind.execute(
        sa.select(versions.c.id).where(versions.c.number == seed["number"])
    ).scalar_one()
    bind.execute(
        commitments.insert(),
        [
            {
                "version_id": version_id,
                "code": item["code"],
                "position": position,
                "title": item["title"],
                "text": item["text"],
                "evidence": item["evidence"],
            }
            for position, item in enumerate(seed["commitments"], start=1)
        ],
    )
    members = sa.table(
        "members_member",
        sa.column("charter_version", sa.String()),
        sa.column("charter_version_id", sa.Integer()),
    )
    bind.execute(
        members.update()
        .where(members.c.charter_version == seed["number"])
        .values(charter_version_id=version_id)
    )


def upgrade() -> None:
    _create_tables()
    _seed()


def downgrade() -> None:
    with op.batch_alter_table("members_member") as batch:
        batch.drop_constraint(
            op.f("fk_members_member_charter_version_id_members_charter_version"),
            type_="foreignkey",
        )
        batch.drop_column("charter_version_id")
    op.drop_table("members_charter_commitment")
    op.drop_table("members_charter_version")
