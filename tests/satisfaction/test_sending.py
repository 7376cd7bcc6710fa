"""The scheduler's jobs: due invitations, e-mails in the contact's language,
opt-out, closed projects, fatigue window, reminders, recurrence, crash and rerun."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from core.database import utcnow
from core.extensions import db
from core.mail import deliver_due
from core.mail_bodies import message_content
from core.models import OutboxMessage, OutboxStatus
from members.models import ProjectStatus
from satisfaction import services
from satisfaction.answer_form import parse_answers
from satisfaction.models import Campaign, Invitation, QuestionnaireVersion
from satisfaction.recurrence import Recurrence
from satisfaction.services import outbox, sending
from tests.conftest import Mailbox
from tests.satisfaction.conftest import (
    NOW,
    World,
    answer_form,
    link_in,
    make_campaign,
)

LATER = NOW + timedelta(hours=2)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_due_campaign_invites_each_contact_once_in_their_language(
    world, mailbox
) -> None:
    w = world(contacts=2, locales=("fr", "en"))
    assert services.send_due_invitations(NOW).invitations == 0  # not due yet

    report = services.send_due_invitations(LATER)

    assert report.invitations == 2
    invitations = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    assert [(i.contact_id, i.cycle) for i in invitations] == [
        (w.contacts[0].id, 1),
        (w.contacts[1].id, 1),
    ]
    assert all(i.expires_at == LATER + timedelta(days=30) for i in invitations)
    assert all(i.next_reminder_at == LATER + timedelta(days=7) for i in invitations)
    campaign = db.session.get(Campaign, w.campaign.id)
    assert campaign.next_run_at is None  # "once": nothing more to send
    assert campaign.cycles_run == 1
    assert campaign.last_run_summary["invited"] == 2
    assert db.session.get(QuestionnaireVersion, campaign.version_id).is_frozen

    deliver_due(LATER)
    [french] = mailbox.to(w.contacts[0].email)
    [english] = mailbox.to(w.contacts[1].email)
    assert (
        french["Subject"] == f"Votre avis sur « {w.project.title} » — {w.member.name}"
    )
    assert (
        english["Subject"] == f"Your opinion on “{w.project.title}” — {w.member.name}"
    )
    text = Mailbox.text_of(french)
    assert "Bonjour Contact 0," in text
    assert link_in(text).startswith("http://qualicharte.test/s/")
    assert (
        french["List-Unsubscribe"]
        .strip()
        .startswith("<http://qualicharte.test/s/unsubscribe/")
    )
    assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert french.get_body(preferencelist=("html",)) is not None
    assert "Hello Contact 1," in Mailbox.text_of(english)

    # Running again sends nothing more.
    assert services.send_due_invitations(LATER + timedelta(minutes=1)).invitations == 0
    assert _count(Invitation) == 2
    assert _count(OutboxMessage) == 2


def test_the_html_mail_escapes_the_contacts_name(world, make_contact, mailbox) -> None:
    w = world(contacts=0, campaign=False)
    contact = make_contact(w.project.client, name="<b>Zoé & Co</b>")
    make_campaign(w, contact_ids=[contact.id])
    services.send_due_invitations(LATER)
    content = message_content(db.session.scalar(select(OutboxMessage)))
    assert "Bonjour &lt;b&gt;Zoé &amp; Co&lt;/b&gt;," in content.html
    assert "<b>Zoé" not in content.html
    assert "Bonjour <b>Zoé & Co</b>," in content.text


def test_opted_out_contacts_and_closed_projects_get_nothing(world) -> None:
    w = world(contacts=2)
    w.contacts[0].opted_out_at = NOW
    db.session.commit()
    services.send_due_invitations(LATER)
    assert [i.contact_id for i in db.session.scalars(select(Invitation))] == [
        w.contacts[1].id
    ]
    assert db.session.get(Campaign, w.campaign.id).last_run_summary["opted_out"] == 1

    other = world(contacts=1)
    other.project.status = ProjectStatus.CLOSED
    db.session.commit()
    services.send_due_invitations(LATER)
    assert (
        db.session.scalar(
            select(func.count()).where(Invitation.campaign_id == other.campaign.id)
        )
        == 0
    )
    campaign = db.session.get(Campaign, other.campaign.id)
    assert campaign.last_run_summary["project_closed"] is True
    assert campaign.next_run_at is None


def test_the_fatigue_window_spares_a_contact_recently_surveyed_by_the_same_member(
    world, make_staff
) -> None:
    w = world(contacts=1)
    services.send_due_invitations(LATER)
    # A second campaign of the same member, due 10 days later: the contact is spared.
    second = make_campaign(
        w, name="Deuxième", recurrence=Recurrence.once(LATER + timedelta(days=10))
    )
    services.send_due_invitations(LATER + timedelta(days=10, minutes=1))
    assert db.session.get(Campaign, second.id).last_run_summary == {
        "cycle": 1,
        "opted_out": 0,
        "fatigue": 1,
        "invited": 0,
    }
    # The association shortens the window to 5 days: a third campaign goes out.
    from core.security import Role

    services.set_fatigue_days(make_staff(Role.SECRETARIAT), days=5)
    third = make_campaign(
        w, name="Troisième", recurrence=Recurrence.once(LATER + timedelta(days=11))
    )
    services.send_due_invitations(LATER + timedelta(days=11, minutes=1))
    assert db.session.get(Campaign, third.id).last_run_summary["invited"] == 1


def test_a_refused_fatigue_window_is_explained(make_staff) -> None:
    from core.security import Role

    with pytest.raises(services.BuilderError) as refused:
        services.set_fatigue_days(make_staff(Role.SECRETARIAT), days=400)
    assert refused.value.field == "fatigue_days"
    assert services.fatigue_days() == 30


def test_reminders_go_after_7_and_14_days_at_most_twice_and_not_once_answered(
    world, mailbox
) -> None:
    w = world(contacts=2)
    services.send_due_invitations(LATER)
    deliver_due(LATER)
    first_link = link_in(Mailbox.text_of(mailbox.to(w.contacts[0].email)[0]))
    mailbox.clear()

    assert services.send_reminders(LATER + timedelta(days=6)) == 0
    assert services.send_reminders(LATER + timedelta(days=7)) == 2
    assert services.send_reminders(LATER + timedelta(days=7, minutes=5)) == 0
    deliver_due(LATER + timedelta(days=7))
    [reminder] = mailbox.to(w.contacts[0].email)
    assert reminder["Subject"].startswith("Rappel : votre avis")
    # The reminder carries the same link as the invitation.
    assert link_in(Mailbox.text_of(reminder)) == first_link

    # Contact 1 answers: only contact 0 gets the second reminder.
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.contact_id == w.contacts[1].id)
    )
    page = services.page_of(invitation, 1)
    questions = invitation.version.questions
    for number in (1, 2):
        page = services.page_of(invitation, number)
        services.save_answers(
            invitation,
            page=page,
            answers=parse_answers(page.questions, answer_form(questions), require=True),
            share_with_board=False if page.is_last else None,
            submit=page.is_last,
            now=LATER + timedelta(days=8),
        )
    assert services.send_reminders(LATER + timedelta(days=14)) == 1
    assert services.send_reminders(LATER + timedelta(days=25)) == 0  # at most 2
    reminded = db.session.scalar(
        select(Invitation).where(Invitation.contact_id == w.contacts[0].id)
    )
    assert reminded.reminders_sent == 2
    assert reminded.next_reminder_at is None


def test_no_reminder_for_a_paused_campaign_or_an_expired_link(world) -> None:
    w = world(contacts=1, link_valid_days=10, reminder_days=[7, 9])
    services.send_due_invitations(LATER)
    services.set_paused(w.admin, w.campaign, paused=True)
    assert services.send_reminders(LATER + timedelta(days=7)) == 0
    services.set_paused(w.admin, w.campaign, paused=False)
    assert services.send_reminders(LATER + timedelta(days=11)) == 0  # expired


def test_a_recurring_campaign_sends_a_new_cycle_each_time(world) -> None:
    w = world(
        contacts=1,
        recurrence=Recurrence.every_n_months(
            3,
            day_of_month=2,
            time_of_day=NOW.time().replace(hour=11),
            start_on=NOW.date(),
        ),
    )
    services.set_fatigue_days(w.admin, days=0)
    first_run = db.session.get(Campaign, w.campaign.id).next_run_at
    services.send_due_invitations(first_run)
    second_run = db.session.get(Campaign, w.campaign.id).next_run_at
    assert (second_run - first_run).days in range(89, 93)
    services.send_due_invitations(second_run)
    cycles = db.session.scalars(
        select(Invitation.cycle).order_by(Invitation.cycle)
    ).all()
    assert cycles == [1, 2]


def test_a_paused_campaign_waits_and_catches_up_once_when_resumed(world) -> None:
    w = world(contacts=1)
    services.set_paused(w.admin, w.campaign, paused=True)
    services.send_due_invitations(LATER)
    assert _count(Invitation) == 0
    services.set_paused(w.admin, w.campaign, paused=False)
    services.send_due_invitations(LATER + timedelta(days=3))
    assert _count(Invitation) == 1


def test_a_crash_mid_run_leaves_nothing_and_the_rerun_sends_what_was_left_once(
    world, monkeypatch, mailbox
) -> None:
    worlds = [world(contacts=2) for _ in range(3)]
    real = outbox.queue_invitation_emails
    calls = {"n": 0}

    def dies_on_the_second_campaign(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("killed")  # not an Exception: the process dies
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox, "queue_invitation_emails", dies_on_the_second_campaign)
    with pytest.raises(SystemExit):
        services.send_due_invitations(LATER)
    db.session.rollback()  # what the database does when the connection drops
    assert _count(Invitation) == 2  # the first campaign's cycle, committed
    assert _count(OutboxMessage) == 2

    monkeypatch.setattr(outbox, "queue_invitation_emails", real)
    services.send_due_invitations(LATER + timedelta(minutes=1))
    assert _count(Invitation) == 6
    assert _count(OutboxMessage) == 6
    deliver_due(LATER + timedelta(minutes=1))
    for w in worlds:
        for contact in w.contacts:
            assert len(mailbox.to(contact.email)) == 1


def test_a_failing_campaign_does_not_stop_the_others(world, monkeypatch) -> None:
    first, second = world(contacts=1), world(contacts=1)
    real = sending._invite

    def fails_for_first(campaign, **kwargs):
        if campaign.id == first.campaign.id:
            raise RuntimeError("boom")
        return real(campaign, **kwargs)

    monkeypatch.setattr(sending, "_invite", fails_for_first)
    report = services.send_due_invitations(LATER)
    assert report.failed == [first.campaign.id]
    assert report.campaigns == [second.campaign.id]
    assert db.session.get(Campaign, first.campaign.id).cycles_run == 0


def test_the_scheduler_command_creates_and_delivers_in_one_run(
    world, runner, mailbox
) -> None:
    w = world(contacts=1, recurrence=Recurrence.once(NOW + timedelta(minutes=5)))
    db.session.commit()
    result = runner.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "satisfaction.send_due" in result.output
    assert len(mailbox.to(w.contacts[0].email)) == 1


def _queued_now(world) -> tuple[World, datetime]:
    """One contact's invitation queued now (the answer pages read the clock)."""
    now = utcnow()
    w = world(
        contacts=1,
        now=now - timedelta(hours=2),
        recurrence=Recurrence.once(now - timedelta(hours=1)),
    )
    services.send_due_invitations(now)
    return w, now


def test_the_outbox_stores_no_answer_link_and_the_sent_one_opens(
    world, mailbox, client
) -> None:
    w, now = _queued_now(world)
    message = db.session.scalar(select(OutboxMessage))
    invitation = db.session.scalar(select(Invitation))
    assert message.body_text is None and message.body_html is None
    assert message.fill == {"name": "Contact 0", "invitation": invitation.id}
    assert message.headers == {}

    deliver_due(now)
    [received] = mailbox.to(w.contacts[0].email)
    assert client.get(link_in(Mailbox.text_of(received))).status_code == 302
    assert "/s/unsubscribe/" in received["List-Unsubscribe"]


def test_a_secret_key_changed_before_sending_still_gives_a_link_that_opens(
    app, world, mailbox, client
) -> None:
    w, now = _queued_now(world)
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-new-secret-key"
    try:
        deliver_due(now)
        [received] = mailbox.to(w.contacts[0].email)
        # The invitation was re-keyed with the e-mail's claim: the link opens.
        assert client.get(link_in(Mailbox.text_of(received))).status_code == 302
    finally:
        app.config["SECRET_KEY"] = secret


def test_an_invitation_gone_before_sending_gives_no_email(world, mailbox) -> None:
    w = world(contacts=2)
    services.send_due_invitations(LATER)
    gone = db.session.scalar(
        select(Invitation).where(Invitation.contact_id == w.contacts[0].id)
    )
    db.session.delete(gone)
    db.session.commit()

    report = deliver_due(LATER)

    assert len(report.sent) == 1 and len(report.failed) == 1
    assert mailbox.to(w.contacts[0].email) == []
    assert len(mailbox.to(w.contacts[1].email)) == 1
    failed = db.session.get(OutboxMessage, report.failed[0])
    assert failed.status == OutboxStatus.FAILED
    assert f"invitation {gone.id} is gone" in (failed.last_error or "")


def test_the_development_outbox_shows_the_invitation_as_sent(
    app, world, client, tmp_path
) -> None:
    w = world(contacts=1, locales=("en",))
    services.send_due_invitations(LATER)
    saved = {key: app.config[key] for key in ("MAIL_URL", "ENV_NAME")}
    instance = app.instance_path
    app.config.update(MAIL_URL="file:", ENV_NAME="development")
    app.instance_path = str(tmp_path)
    try:
        deliver_due(LATER)
        page = client.get("/dev/outbox").get_data(as_text=True)
    finally:
        app.config.update(saved)
        app.instance_path = instance
    assert w.contacts[0].email in page
    assert "Hello Contact 0," in page
    assert re.search(r"http://qualicharte.test/s/[A-Za-z0-9_-]{20,}", page)
    assert "@@qc-" not in page


def test_a_cycle_found_begun_is_completed_without_inviting_anyone_twice(
    world, mailbox
) -> None:
    # A cycle's invitations are written in one transaction, so a cycle can only
    # be found begun when its campaign was put back by hand: the run completes
    # it, each contact invited once.
    w = world(contacts=2)
    services.send_due_invitations(LATER)
    kept = db.session.scalar(
        select(Invitation).where(Invitation.contact_id == w.contacts[0].id)
    )
    db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.to_address == w.contacts[1].email)
    )
    db.session.execute(
        delete(Invitation).where(Invitation.contact_id == w.contacts[1].id)
    )
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == w.campaign.id)
        .values(cycles_run=0, next_run_at=LATER)
    )
    db.session.commit()

    report = services.send_due_invitations(LATER + timedelta(minutes=1))

    assert report.invitations == 1 and report.failed == []
    rows = db.session.scalars(select(Invitation).order_by(Invitation.contact_id)).all()
    assert [(i.contact_id, i.cycle) for i in rows] == [
        (w.contacts[0].id, 1),
        (w.contacts[1].id, 1),
    ]
    assert rows[0].id == kept.id
    deliver_due(LATER + timedelta(minutes=1))
    assert len(mailbox.to(w.contacts[0].email)) == 1
    assert len(mailbox.to(w.contacts[1].email)) == 1
