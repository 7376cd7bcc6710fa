from __future__ import annotations

import pytest

from core import create_app
from core.config import DEFAULT_SECRET_KEY, Config, ConfigError, normalise_database_url


def test_production_refuses_the_default_secret_key() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Config(env={"QUALICHARTE_ENV": "production"})


def test_production_starts_with_a_real_secret_key_and_secure_cookies() -> None:
    config = Config(env={"QUALICHARTE_ENV": "production", "SECRET_KEY": "s" * 40})
    assert config.SECRET_KEY == "s" * 40
    assert config.SESSION_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE == "Lax"


def test_development_cookies_are_not_secure_so_that_http_localhost_works() -> None:
    config = Config(env={})
    assert config.SECRET_KEY == DEFAULT_SECRET_KEY
    assert config.SESSION_COOKIE_SECURE is False
    assert config.MAIL_URL == "file:"


def test_an_unknown_environment_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="QUALICHARTE_ENV"):
        Config(env={"QUALICHARTE_ENV": "staging"})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg_3(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_test_config_does_not_read_the_developers_environment(monkeypatch) -> None:
    monkeypatch.setenv("MAIL_URL", "smtp://should-not-be-used:25")
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@nowhere/none")
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["MAIL_URL"] != "smtp://should-not-be-used:25"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def test_sqlite_connections_get_the_pragmas(app) -> None:
    from sqlalchemy import text

    from core.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only concern SQLite")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 15000
