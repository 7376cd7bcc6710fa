"""The scheduler runs the register's jobs: a new trigger gets its action and
a late one its reminder in one ``flask scheduler run --once``, in the
owner's language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.database import utcnow
from core.extensions import db
from core.scheduler import registered_jobs
from improvement import services
from improvement.models import ImprovementAction


def test_the_jobs_run_before_the_outbox_is_delivered(app) -> None:
    ids = [spec.id for spec in registered_jobs(app)]
    assert ids.index("improvement.open_actions") < ids.index(
        "improvement.remind_overdue"
    )
    assert ids.index("improvement.remind_overdue") < ids.index("core.deliver_outbox")


def test_a_scheduler_run_opens_the_action_of_a_new_trigger(detractor, runner) -> None:
    detractor("4", now=utcnow() - timedelta(days=1))
    db.session.commit()
    result = runner.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "improvement.open_actions" in result.output
    action = db.session.scalars(select(ImprovementAction)).one()
    assert action.source_detail["score"] == 4


def test_scheduler_runs_remind_a_late_action_once_in_the_owners_language(
    detractor, runner, mailbox, make_member_user
) -> None:
    now = utcnow()
    w = detractor("4", now=now - timedelta(days=30))
    owner = make_member_user(w.member, locale="en", full_name="Owner")
    services.open_actions(now - timedelta(days=25))
    action = db.session.scalars(select(ImprovementAction)).one()
    services.decide_action(
        w.admin,
        action,
        cause="Cause.",
        plan="Call the client back within a day.",
        owner_id=owner.id,
        due_on=(now - timedelta(days=2)).date(),
        now=now - timedelta(days=20),
    )
    mailbox.clear()
    for _run in range(2):
        result = runner.invoke(args=["scheduler", "run", "--once"])
        assert result.exit_code == 0, result.output
    # Other jobs may write to a member's staff (the monthly digest…): ours, once.
    [message] = [
        m
        for m in mailbox.to(owner.email)
        if m["Subject"].startswith("Improvement action late (due on")
    ]
    body = mailbox.text_of(message)
    assert "Detractor response (recommendation 4 out of 10)" in body
    assert "Call the client back within a day." in body
