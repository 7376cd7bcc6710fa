"""The licence reminder job: the client's contacts, 30 days before, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from core.extensions import db
from core.mail import deliver_due
from core.models import OutboxMessage
from members.models import ProjectStatus
from records import jobs, services
from records.models import LicenceReminder, Payer
from tests.records.conftest import TODAY

NOON = datetime(TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=UTC)


def _licence(setting, days: int, name: str = "Antivirus (20 postes)"):
    return services.add_licence(
        setting.admin,
        setting.project,
        name=name,
        renews_on=TODAY + timedelta(days=days),
        paid_by=Payer.CLIENT,
        today=TODAY,
    )


def _outbox() -> int:
    return int(db.session.scalar(select(func.count(OutboxMessage.id))) or 0)


def test_a_licence_renewing_within_30_days_is_reminded_once(
    setting, make_contact, mailbox, app
) -> None:
    make_contact(setting.project.client, email="compta@mairie.example", locale="en")
    licence = _licence(setting, 25)
    _licence(setting, 45, name="Suite bureautique")  # too early for a reminder

    report = jobs.remind_licences(NOON)
    assert report.reminded == [licence.id]
    assert report.emails == 2
    assert _outbox() == 2
    # The next tick, and the day after, queue nothing more.
    assert jobs.remind_licences(NOON + timedelta(minutes=60)).emails == 0
    assert jobs.remind_licences(NOON + timedelta(days=1)).emails == 0
    assert _outbox() == 2

    deliver_due(NOON)
    french = mailbox.to("elu@mairie.example")
    english = mailbox.to("compta@mairie.example")
    assert len(french) == 1 and len(english) == 1
    assert "Antivirus (20 postes)" in french[0]["Subject"]
    assert "à renouveler le" in mailbox.text_of(french[0])
    assert "is to be renewed on" in mailbox.text_of(english[0])


def test_two_processes_racing_queue_each_reminder_once(setting) -> None:
    """The second process sees the licence as due (its read came first) but the
    reminder row and the outbox keys are unique: it writes nothing."""
    licence = _licence(setting, 10)
    due = services.licences_to_remind(TODAY)
    assert [lic.id for lic in due] == [licence.id]
    assert services.remind_licence(licence, now=NOON) == 1
    assert services.remind_licence(licence, now=NOON) == 0
    assert _outbox() == 1
    assert db.session.scalar(select(func.count(LicenceReminder.id))) == 1


def test_a_new_renewal_date_is_reminded_again(setting) -> None:
    licence = _licence(setting, 5)
    assert jobs.remind_licences(NOON).emails == 1
    licence.renews_on = licence.renews_on + timedelta(days=365)
    db.session.commit()
    later = NOON + timedelta(days=365)
    assert jobs.remind_licences(later).emails == 1
    assert _outbox() == 2


def test_closed_projects_and_clients_without_contacts_get_no_reminder(
    setting, make_member, make_member_user, make_project
) -> None:
    _licence(setting, 5)
    setting.project.status = ProjectStatus.CLOSED
    db.session.commit()
    assert jobs.remind_licences(NOON).emails == 0

    member = make_member("Sans contact")
    bare = make_project(member)
    services.add_licence(
        make_member_user(member),
        bare,
        name="Licence",
        renews_on=TODAY + timedelta(days=5),
        paid_by=Payer.MEMBER,
        today=TODAY,
    )
    assert jobs.remind_licences(NOON).emails == 0
    assert _outbox() == 0
    assert db.session.scalar(select(func.count(LicenceReminder.id))) == 0


def test_the_job_is_registered_with_the_scheduler(app) -> None:
    from core.scheduler import registered_jobs

    assert "records.licence_reminders" in {spec.id for spec in registered_jobs(app)}
