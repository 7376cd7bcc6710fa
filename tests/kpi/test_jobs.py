"""The weekly reminder (once per gap) and the demo data loader (idempotent)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from core.extensions import db
from core.mail import deliver_due
from core.models import OutboxMessage
from core.security import Role
from kpi import services
from kpi.jobs import send_reminders
from kpi.models import Indicator, Measurement

NOW = datetime(2024, 4, 10, 8, 0, tzinfo=UTC)  # last complete month: March


def test_a_member_is_reminded_once_per_missing_value(
    agency, make_indicator, make_member_user, mailbox
) -> None:
    a = agency()
    make_indicator(a.project, "audience", name="Visites")
    filled = make_indicator(a.project, "incidents")
    services.record_measurement(None, filled, day=date(2024, 3, 1), value="2")
    assert send_reminders(NOW) == 1  # the admin (users only when no admin)
    deliver_due(NOW)
    [message] = mailbox.to(a.admin.email)
    text = mailbox.text_of(message)
    assert "Visites" in text and "2024-03-01" in text and "Incidents" not in text
    assert mailbox.to(a.user.email) == []
    # Same gap, next week: nothing again.
    assert send_reminders(datetime(2024, 4, 17, tzinfo=UTC)) == 0
    # A new gap (April) in May: one more reminder.
    services.record_measurement(None, filled, day=date(2024, 4, 1), value="1")
    assert send_reminders(datetime(2024, 5, 3, tzinfo=UTC)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_no_reminder_for_inactive_indicators_or_outside_the_project(
    agency, make_indicator
) -> None:
    a = agency(starts_on=date(2024, 5, 1))
    make_indicator(a.project, "audience")
    assert send_reminders(NOW) == 0  # March is before the project
    b = agency("Autre", starts_on=date(2024, 1, 1))
    indicator = make_indicator(b.project, "audience")
    fields = services.IndicatorFields(kind=indicator.kind, name=indicator.name)
    services.update_indicator(None, indicator, fields, is_active=False)
    assert send_reminders(NOW) == 0


def test_the_demo_loader_adds_eighteen_months_once(app, runner) -> None:
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    indicators = db.session.scalar(select(func.count()).select_from(Indicator))
    values = db.session.scalar(select(func.count()).select_from(Measurement))
    assert indicators > 0 and values == indicators * 18
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == values
    assert "kpi: 0 new indicators" in second.output


def test_the_job_is_registered_weekly(app) -> None:
    from core.scheduler import registered_jobs

    [job] = [j for j in registered_jobs(app) if j.id == "kpi.reminders"]
    assert job.minutes == 7 * 24 * 60
    assert Role.MEMBER_ADMIN  # reminders go to the member's staff
