"""The database cannot be reached: every page is the 503 page (HTML in the
reader's language, JSON problem for the API), with Retry-After, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from core import create_app
from tests.conftest import free_port


def _unreachable(kind: str, tmp_path: Path) -> str:
    if kind == "postgresql":
        return f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"
    # A file in a folder that does not exist: SQLite cannot open it.
    return f"sqlite:///{tmp_path / 'missing' / 'folder' / 'db.sqlite'}"


@pytest.fixture(params=["postgresql", "sqlite"])
def down_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "SQLALCHEMY_DATABASE_URI": _unreachable(request.param, tmp_path),
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}
            if request.param == "postgresql"
            else {},
        }
    )
    yield app


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/registry", None),
        ("GET", "/registry/1", None),
        ("POST", "/login", {"email": "a@b.example", "password": "x"}),
        # (POST /password/forgot answers before it reads the database: see
        # tests/members/test_limits.py; its deferred work fails in the log.)
        ("GET", "/complaints/new", None),
    ],
)
def test_a_page_is_the_translated_503_page_with_retry_after(
    down_app: Flask, method: str, path: str, data: dict[str, str] | None
) -> None:
    client = down_app.test_client()
    response = client.open(path, method=method, data=data)
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"] == "30"
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Service indisponible" in page
    assert "La base de données est momentanément injoignable" in page

    client.post("/language", data={"locale": "en"})
    response = client.open(path, method=method, data=data)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Service unavailable" in page
    assert "The database cannot be reached" in page


def test_the_api_answers_a_503_problem_with_retry_after(down_app: Flask) -> None:
    response = down_app.test_client().get(
        "/api/v1/projects", headers={"Authorization": "Bearer qck_x"}
    )
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "30"
    body = response.get_json()
    assert body["status"] == 503 and "momentanément injoignable" in body["detail"]
