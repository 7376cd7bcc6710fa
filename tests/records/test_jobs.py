"""The reminder jobs: the client's contacts, 30 days before a licence renewal
and 7 days before an item is due, once each."""

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


# ---------------------------------------------------------------- client items


def _item(setting, days: int, *, critical: bool = True, label: str = "Photos"):
    return services.add_client_item(
        setting.admin,
        setting.project,
        label=label,
        due_on=TODAY + timedelta(days=days),
        is_critical=critical,
        today=TODAY,
    )


def test_an_item_due_within_the_week_is_reminded_once(setting, mailbox) -> None:
    item = _item(setting, 7, label="Textes de l'accueil")
    later = _item(setting, 8, label="Trop tôt")
    received = _item(setting, 2, label="Déjà là")
    services.mark_item_received(
        setting.admin, setting.project, received.id, received_on=TODAY, today=TODAY
    )
    report = jobs.remind_client_items(NOON)
    assert report.reminded == [item.id]
    assert jobs.remind_client_items(NOON + timedelta(hours=1)).emails == 0
    # A day later, the item due a week after is reminded, the first one not again.
    assert jobs.remind_client_items(NOON + timedelta(days=1)).reminded == [later.id]
    deliver_due(NOON + timedelta(days=1))
    texts = [mailbox.text_of(m) for m in mailbox.to("elu@mairie.example")]
    assert len(texts) == 2
    [text] = [t for t in texts if "Textes de l'accueil" in t]
    assert "« Textes de l'accueil »" in text
    assert "Le délai du projet en dépend" in text


def test_an_item_moved_to_a_new_due_date_is_reminded_again(setting) -> None:
    item = _item(setting, 3, critical=False)
    assert jobs.remind_client_items(NOON).emails == 1
    assert services.remind_client_item(item, now=NOON) == 0  # a second process
    item.due_on = item.due_on + timedelta(days=14)
    db.session.commit()
    assert jobs.remind_client_items(NOON + timedelta(days=14)).emails == 1
    assert _outbox() == 2


def test_both_reminder_jobs_are_registered_with_the_scheduler(app) -> None:
    from core.scheduler import registered_jobs

    ids = {spec.id for spec in registered_jobs(app)}
    assert {"records.licence_reminders", "records.item_reminders"} <= ids
