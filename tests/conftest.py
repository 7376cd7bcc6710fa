"""Fixtures shared by every test: the app on SQLite or PostgreSQL, a real SMTP
server on loopback, factories that go through the real services."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from core import create_app
from core.extensions import db, limiter
from core.security import Role

TEST_PASSWORD = "correct-horse-battery"
# The real export files of shared/data/kpi-exports, copied into the repo so that
# the suite does not depend on where it is cloned.
KPI_EXPORTS_DIR = Path(
    os.environ.get(
        "QUALICHARTE_KPI_EXPORTS",
        Path(__file__).resolve().parent / "data" / "kpi-exports",
    )
)
SHARED_DIR = (
    KPI_EXPORTS_DIR.parent.parent
)  # so that SHARED_DIR / "data" / "kpi-exports" works


# ---------------------------------------------------------------- SMTP


class Mailbox:
    """What the loopback SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture()
def mailbox(smtp_server: tuple[Mailbox, int]) -> Mailbox:
    box, _port = smtp_server
    box.clear()
    return box


# ---------------------------------------------------------------- app and database


def test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from core.config import normalise_database_url

        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


test_database_url.__test__ = False  # type: ignore[attr-defined]


class CommittingClient(FlaskClient):
    """Each request runs in its own app context, as on a server: its own session
    and ``g``, and its response read whole and closed. The test's own transaction ends first (a browser never shares one
    with the server, and SQLite's write lock would deadlock)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        from flask import has_app_context

        if has_app_context():
            db.session.commit()
        # Read whole and closed, as a server does: what runs when a response is
        # closed (work deferred past the answer) has run when the test looks.
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(
    tmp_path_factory: pytest.TempPathFactory, smtp_server: tuple[Mailbox, int]
) -> Iterator[Flask]:
    _mailbox, port = smtp_server

    application = create_app(
        {
            "TESTING": True,
            "ENV_NAME": "testing",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": test_database_url(tmp_path_factory),
            "MAIL_URL": f"smtp://127.0.0.1:{port}",
            "BASE_URL": "http://qualicharte.test",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "RATELIMIT_ENABLED": True,
            # Cheap hashing keeps the suite fast; production uses scrypt.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    application.test_client_class = CommittingClient
    application.extensions["test.smtp_port"] = port
    with application.app_context():
        _reset_schema()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _reset_schema() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(
                text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            )
    else:
        with db.engine.begin() as connection:
            for name in tables:
                connection.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(autouse=True)
def _app_context(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the app runs in an app context on empty tables."""
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    application.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True)
    limiter.reset()
    with application.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _empty_tables()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


# ---------------------------------------------------------------- factories


@pytest.fixture()
def make_staff(app: Flask) -> Callable[..., Any]:
    """``make_staff(role)`` — a board or secretariat account."""
    from members import services

    counter = iter(range(1, 10_000))

    def make(role: Role = Role.SECRETARIAT, **kwargs: Any) -> Any:
        n = next(counter)
        return services.create_user(
            email=kwargs.pop("email", f"{role.value}{n}@asso.example"),
            role=role,
            password=kwargs.pop("password", TEST_PASSWORD),
            **kwargs,
        )

    return make


@pytest.fixture()
def make_member(app: Flask, make_staff: Callable[..., Any]) -> Callable[..., Any]:
    """``make_member(name=…)`` — an onboarded member that signed the charter."""
    from members import services
    from members.demo import make_siret

    counter = iter(range(1, 10_000))

    def make(name: str | None = None, *, signed: bool = True, **kwargs: Any) -> Any:
        n = next(counter)
        actor = kwargs.pop("actor", None) or make_staff(Role.SECRETARIAT)
        member = services.onboard_member(
            actor,
            name=name or f"Agence {n}",
            siret=kwargs.pop("siret", make_siret(f"{700000000 + n * 7919:09d}")),
            department=kwargs.pop("department", "04"),
            town=kwargs.pop("town", "Digne-les-Bains"),
            website=kwargs.pop("website", f"https://agence{n}.example"),
            services=kwargs.pop("services", ["website", "seo"]),
            is_public=kwargs.pop("is_public", True),
        )
        if signed:
            services.record_signature(
                actor, member, charter_version="2024.1", signed_on=date(2024, 3, 1)
            )
        return member

    return make


@pytest.fixture()
def make_member_user(app: Flask) -> Callable[..., Any]:
    """``make_member_user(member, role=Role.MEMBER_ADMIN)`` — an account with a password."""
    from members import services

    counter = iter(range(1, 10_000))

    def make(member: Any, role: Role = Role.MEMBER_ADMIN, **kwargs: Any) -> Any:
        n = next(counter)
        return services.create_user(
            email=kwargs.pop("email", f"user{n}.m{member.id}@member.example"),
            role=role,
            password=kwargs.pop("password", TEST_PASSWORD),
            member=member,
            **kwargs,
        )

    return make


@pytest.fixture()
def make_client(app: Flask) -> Callable[..., Any]:
    from members import services
    from members.models import ClientKind

    def make(member: Any, *, actor: Any = None, **kwargs: Any) -> Any:
        return services.create_client(
            actor,
            member.id,
            name=kwargs.pop("name", "Boulangerie Test"),
            kind=kwargs.pop("kind", ClientKind.TPE_PME),
            headcount=kwargs.pop("headcount", 12),
            town=kwargs.pop("town", "Gap"),
            **kwargs,
        )

    return make


@pytest.fixture()
def make_contact(app: Flask) -> Callable[..., Any]:
    from members import services

    counter = iter(range(1, 10_000))

    def make(client: Any, *, actor: Any = None, **kwargs: Any) -> Any:
        n = next(counter)
        return services.add_contact(
            actor,
            client,
            name=kwargs.pop("name", f"Contact {n}"),
            email=kwargs.pop("email", f"contact{n}.c{client.id}@client.example"),
            locale=kwargs.pop("locale", "fr"),
            **kwargs,
        )

    return make


@pytest.fixture()
def make_project(app: Flask, make_client: Callable[..., Any]) -> Callable[..., Any]:
    from members import services
    from members.models import ProjectStatus, ServiceType

    def make(
        member: Any, *, client: Any = None, actor: Any = None, **kwargs: Any
    ) -> Any:
        client = client or make_client(member)
        return services.create_project(
            actor,
            member.id,
            client_id=client.id,
            title=kwargs.pop("title", "Refonte du site"),
            service_type=kwargs.pop("service_type", ServiceType.WEBSITE),
            scope=kwargs.pop("scope", "Site vitrine"),
            deliverables=kwargs.pop("deliverables", "Maquettes, site"),
            exclusions=kwargs.pop("exclusions", "Rédaction"),
            starts_on=kwargs.pop("starts_on", date(2025, 1, 1)),
            ends_on=kwargs.pop("ends_on", date(2026, 12, 31)),
            status=kwargs.pop("status", ProjectStatus.ACTIVE),
        )

    return make


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user: Any, password: str = TEST_PASSWORD) -> Any:
        response = self.client.post(
            "/login", data={"email": user.email, "password": password}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def logout(self) -> Any:
        return self.client.post("/logout")


@pytest.fixture()
def auth(client: FlaskClient) -> Auth:
    return Auth(client)
