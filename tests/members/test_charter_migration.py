"""Migration 0012 stores charter 2.1 as published, with its thirteen commitments,
and links the signatures that name it; its downgrade removes them again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from core import create_app
from core.extensions import db
from members.commitments import CommitmentCode


@pytest.fixture()
def empty_database_url(app: Flask, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of the same kind as the suite's (its own name on
    PostgreSQL, so that it never meets the schema test's)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'charter.db'}"
        return
    name = "qualicharte_charter_migration"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


MEMBER = (
    "INSERT INTO members_member (name, siret, department, town, services, "
    "charter_version, signed_on, mark_status, mark_changed_at, is_public, "
    "created_at) VALUES (:name, :siret, '05', 'Gap', '[]', :version, "
    "'2024-03-01', 'active', '2024-03-01 00:00:00', true, '2024-03-01 00:00:00')"
)


def test_0012_seeds_charter_2_1_and_links_its_signatures(
    empty_database_url: str,
) -> None:
    fresh = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
        }
    )
    cli = fresh.test_cli_runner()
    with fresh.app_context():
        result = cli.invoke(args=["db", "upgrade", "0011"])
        assert result.exit_code == 0, result.output
        with db.engine.begin() as connection:
            for name, siret, version in (
                ("Sur 2.1", "11111111111111", "2.1"),
                ("Sur 2.0", "22222222222222", "2.0"),
            ):
                connection.execute(
                    text(MEMBER), {"name": name, "siret": siret, "version": version}
                )
        result = cli.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as connection:
            version = connection.execute(
                text(
                    "SELECT id, number, published_on, body FROM members_charter_version"
                )
            ).one()
            codes = connection.execute(
                text(
                    "SELECT code, title, evidence FROM members_charter_commitment "
                    "WHERE version_id = :id ORDER BY position"
                ),
                {"id": version.id},
            ).all()
            links = dict(
                connection.execute(
                    text("SELECT name, charter_version_id FROM members_member")
                ).all()
            )
        assert version.number == "2.1"
        assert str(version.published_on) == "2023-05-10"
        assert "## Médiation des litiges" in version.body
        assert [c.code for c in codes] == [c.value for c in CommitmentCode]
        assert all(c.title and c.evidence for c in codes)
        assert links == {"Sur 2.1": version.id, "Sur 2.0": None}

        result = cli.invoke(args=["db", "downgrade", "0011"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            columns = {
                c["name"] for c in inspect(connection).get_columns("members_member")
            }
        assert "members_charter_version" not in tables
        assert "charter_version_id" not in columns and "charter_version" in columns
        db.engine.dispose()
