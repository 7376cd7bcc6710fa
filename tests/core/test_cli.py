"""The command line: first accounts, the scheduler's one-shot run, demo data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from core.extensions import db
from core.mail import queue_email
from core.models import OutboxMessage, OutboxStatus
from members.models import Client, ClientKind, Member, Project, ServiceType, User


def test_users_create_makes_a_board_account_that_can_sign_in(runner, client) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Presidente@Asso.example",
            "--role",
            "board",
        ],
        input="un-mot-de-passe-long\nun-mot-de-passe-long\n",
    )
    assert result.exit_code == 0, result.output
    assert "created board account presidente@asso.example" in result.output
    response = client.post(
        "/login",
        data={"email": "presidente@asso.example", "password": "un-mot-de-passe-long"},
    )
    assert response.headers["Location"] == "/"


def test_users_create_refuses_a_short_password_and_a_duplicate(runner) -> None:
    short = runner.invoke(
        args=["users", "create", "--email", "a@asso.example", "--role", "secretariat"],
        input="court\ncourt\n",
    )
    assert short.exit_code != 0
    assert "at least 10 characters" in short.output
    for _ in range(2):
        last = runner.invoke(
            args=[
                "users",
                "create",
                "--email",
                "a@asso.example",
                "--role",
                "secretariat",
            ],
            input="assez-long-pour-passer\nassez-long-pour-passer\n",
        )
    assert last.exit_code != 0
    assert "Un compte existe déjà" in last.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_scheduler_run_once_delivers_the_outbox(runner, mailbox) -> None:
    queue_email(
        to="client@client.example",
        template="members/email/password_reset",
        context={"user": None, "link": "http://x.example/r/1", "hours": 2},
        locale="fr",
        key="cli-test",
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    db.session.commit()
    result = runner.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "core.deliver_outbox" in result.output
    assert [m["To"] for m in mailbox.messages] == ["client@client.example"]
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.SENT


def test_demo_load_builds_a_believable_association_and_is_idempotent(runner) -> None:
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "demo-qualicharte" in first.output

    def counts() -> tuple[int, ...]:
        db.session.expire_all()
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Member, User, Client, Project)
        )

    before = counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert counts() == before
    members = db.session.scalars(select(Member)).all()
    assert len(members) == 6
    assert {m.department for m in members} == {"04", "05"}
    assert set(db.session.scalars(select(Client.kind))) == set(ClientKind)
    assert set(db.session.scalars(select(Project.service_type))) == set(ServiceType)
    roles = set(db.session.scalars(select(User.role)))
    assert {r.value for r in roles} == {
        "board",
        "secretariat",
        "member_admin",
        "member_user",
    }


def test_the_outbox_is_delivered_after_every_job_that_queues_mail(app) -> None:
    from core.scheduler import registered_jobs

    assert registered_jobs(app)[-1].id == "core.deliver_outbox"
