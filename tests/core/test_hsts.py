"""Strict-Transport-Security: in production (max-age from the settings), not in
development or tests over plain HTTP unless asked for."""

from __future__ import annotations

from core import create_app
from core.config import settings_from_env


def test_production_sends_hsts_for_a_year_by_default() -> None:
    settings = settings_from_env({"QUALICHARTE_ENV": "production"})
    assert settings["HSTS_ENABLED"] is True
    assert settings["HSTS_MAX_AGE"] == 31_536_000


def test_development_and_testing_do_not_unless_configured() -> None:
    for env in ("development", "testing"):
        assert settings_from_env({"QUALICHARTE_ENV": env})["HSTS_ENABLED"] is False
    settings = settings_from_env(
        {"QUALICHARTE_ENV": "development", "HSTS_ENABLED": "1", "HSTS_MAX_AGE": "600"}
    )
    assert settings["HSTS_ENABLED"] is True and settings["HSTS_MAX_AGE"] == 600
    production_off = settings_from_env(
        {"QUALICHARTE_ENV": "production", "HSTS_ENABLED": "0"}
    )
    assert production_off["HSTS_ENABLED"] is False


def _headers(**config: object) -> dict[str, str]:
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        | config
    )
    return dict(app.test_client().get("/healthz").headers)


def test_every_answer_carries_the_configured_max_age() -> None:
    headers = _headers(HSTS_ENABLED=True, HSTS_MAX_AGE=600)
    assert headers["Strict-Transport-Security"] == "max-age=600"


def test_the_test_app_over_http_sends_none(client) -> None:
    assert "Strict-Transport-Security" not in client.get("/registry").headers
    assert "Strict-Transport-Security" not in _headers()
