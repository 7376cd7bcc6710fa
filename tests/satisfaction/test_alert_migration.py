"""Migration 0008 merges the per-answer alerts of a database into one alert per
response (and its downgrade splits them back)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import Migrate, downgrade, upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from core import MIGRATIONS_DIR, create_app
from core.extensions import db
from core.security import new_token
from satisfaction.models import (
    Alert,
    Campaign,
    Invitation,
    QuestionType,
    Response,
)

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
NAME = "qualicharte_alert_migration_check"


@pytest.fixture()
def fresh_url(app: Flask, tmp_path: Path) -> Iterator[str]:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'alerts.db'}"
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {NAME}"))
    yield url.set(database=NAME).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)"))
    admin.dispose()


def _responses(project, contact, version, n: int) -> list[int]:
    campaign = Campaign(
        member_id=project.member_id,
        project_id=project.id,
        version_id=version.id,
        name="Bilan",
        recurrence={"kind": "once", "run_at": NOW.isoformat()},
        created_at=NOW,
    )
    db.session.add(campaign)
    db.session.flush()
    ids = []
    for cycle in range(1, n + 1):
        invitation = Invitation(
            campaign_id=campaign.id,
            contact_id=contact.id,
            cycle=cycle,
            member_id=project.member_id,
            version_id=version.id,
            token_hash=new_token()[1],
            created_at=NOW,
            sent_at=NOW,
            expires_at=NOW + timedelta(days=30),
            answered_at=NOW,
        )
        db.session.add(invitation)
        db.session.flush()
        response = Response(
            invitation_id=invitation.id,
            campaign_id=campaign.id,
            started_at=NOW,
            updated_at=NOW,
            submitted_at=NOW,
        )
        db.session.add(response)
        db.session.flush()
        ids.append(response.id)
    return ids


OLD_ALERT = text(
    "INSERT INTO satisfaction_alert (member_id, response_id, question_id, reason,"
    " value, created_at, follow_up, closed_at, closed_by_id) VALUES (:member,"
    " :response, :question, :reason, :value, :created, :note, :closed, NULL)"
)


def _at(hours: int) -> datetime:
    at = NOW + timedelta(hours=hours)
    # SQLite stores naive UTC (as core.database.UTCDateTime does).
    return at if db.engine.dialect.name == "postgresql" else at.replace(tzinfo=None)


def test_per_answer_alerts_become_one_alert_per_response(
    fresh_url, make_member, make_client, make_contact, make_project
) -> None:
    from satisfaction.services import current_version, ensure_charter_template

    fresh = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": fresh_url}
    )
    # Flask-Migrate is bound by the first `flask db` command (not at start-up).
    Migrate(render_as_batch=True).init_app(fresh, db, directory=str(MIGRATIONS_DIR))
    with fresh.app_context():
        # The rows are made with today's models (the schema at head), then the
        # database goes back to 0007, where alerts were still one per answer.
        upgrade(directory=str(MIGRATIONS_DIR), revision="head")
        member = make_member(name="Avant la migration")
        client = make_client(member)
        contact = make_contact(client)
        project = make_project(member, client=client)
        version = current_version(ensure_charter_template(now=NOW))
        questions = {q.type: q.id for q in version.questions}
        rating = next(
            q.id for q in version.questions if q.type == QuestionType.RATING_1_5
        )
        first, second = _responses(project, contact, version, 2)
        member_id = member.id
        db.session.commit()
        db.session.remove()
        downgrade(directory=str(MIGRATIONS_DIR), revision="0007")
        rows = [
            # A detractor who rated two things low: three alerts, one open.
            (first, questions[QuestionType.NPS], "detractor", 3, 0, "", None),
            (first, questions[QuestionType.CSAT], "low_rating", 1, 1, "Rappelé.", 5),
            (first, rating, "low_rating", 2, 2, "Rappelé.", 6),
            # Another response: one alert, closed.
            (second, rating, "low_rating", 1, 3, "Geste commercial.", 7),
        ]
        for response, question, reason, value, hour, note, closed in rows:
            db.session.execute(
                OLD_ALERT,
                {
                    "member": member_id,
                    "response": response,
                    "question": question,
                    "reason": reason,
                    "value": value,
                    "created": _at(hour),
                    "note": note,
                    "closed": None if closed is None else _at(closed),
                },
            )
        db.session.commit()
        old_ids = list(
            db.session.scalars(text("SELECT id FROM satisfaction_alert ORDER BY id"))
        )
        db.session.remove()

        upgrade(directory=str(MIGRATIONS_DIR), revision="head")
        merged = db.session.scalars(select(Alert).order_by(Alert.id)).all()
        assert [a.response_id for a in merged] == [first, second]
        one, two = merged
        assert one.id == old_ids[0] and two.id == old_ids[3]
        assert one.reason.value == "detractor"
        assert [(i.question_id, i.value) for i in one.items] == [
            (questions[QuestionType.NPS], 3),
            (questions[QuestionType.CSAT], 1),
            (rating, 2),
        ]
        # One of its alerts was still open: the merged alert is open, with the
        # note written once.
        assert one.closed_at is None and one.follow_up == "Rappelé."
        assert one.created_at == NOW
        assert two.closed_at == NOW + timedelta(hours=7)
        assert [(i.question_id, i.value) for i in two.items] == [(rating, 1)]
        db.session.remove()

        downgrade(directory=str(MIGRATIONS_DIR), revision="0006")
        split = db.session.execute(
            text(
                "SELECT response_id, question_id, value FROM satisfaction_alert"
                " ORDER BY response_id, question_id"
            )
        ).all()
        assert sorted(split) == sorted((r[0], r[1], r[3]) for r in rows)
        db.session.remove()
        db.engine.dispose()
