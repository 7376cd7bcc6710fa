"""The migrations are the schema: one head, and an empty database upgraded to it
has exactly the models' tables, columns, indexes and constraints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import Migrate, downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core import MIGRATIONS_DIR, create_app
from core.extensions import db


def test_there_is_a_single_head() -> None:
    config = AlembicConfig(str(Path(MIGRATIONS_DIR) / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads: {heads}"


@pytest.fixture()
def empty_database_url(app: Flask, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of the same kind as the suite's."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = "qualicharte_migration_check"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_upgrade_on_an_empty_database_gives_the_models_schema(
    empty_database_url: str,
) -> None:
    fresh = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
        }
    )
    with fresh.app_context():
        # What an operator runs: `flask db upgrade`.
        result = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


COUNTED = (
    "members_member",
    "members_user",
    "members_client",
    "members_client_contact",
    "members_project",
)


def _counts() -> dict[str, int]:
    return {
        table: db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in COUNTED
    }


def test_migrations_that_rebuild_a_table_keep_the_rows_referencing_it(
    empty_database_url: str,
    make_member: Any,
    make_member_user: Any,
    make_client: Any,
    make_contact: Any,
    make_project: Any,
) -> None:
    """SQLite rebuilds a table to alter it (batch mode): with foreign keys on,
    dropping the old members_member would have deleted every project, client and
    user of the members (ON DELETE CASCADE). Down across the migrations that
    rebuild it (0016, 0012) and up again, with data: nothing is lost."""
    fresh = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
        }
    )
    Migrate(render_as_batch=True).init_app(fresh, db, directory=str(MIGRATIONS_DIR))
    with fresh.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision="head")
        for n in range(2):
            member = make_member(f"Agence {n}")
            make_member_user(member)
            client = make_client(member)
            make_contact(client)
            make_project(member, client=client)
        db.session.commit()
        before = _counts()
        db.session.remove()
        assert before["members_project"] == 2 and before["members_client_contact"] == 2
        downgrade(directory=str(MIGRATIONS_DIR), revision="0011")
        assert _counts() == before
        db.session.remove()
        upgrade(directory=str(MIGRATIONS_DIR), revision="head")
        assert _counts() == before
        # The connection went back to the pool with its foreign keys on.
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        db.session.remove()
        db.engine.dispose()
