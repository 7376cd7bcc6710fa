"""The outbox delivers through a real SMTP server on loopback, once, with retries."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from core.extensions import db
from core.mail import deliver_due, message_id_domain, queue_email
from core.models import OutboxMessage, OutboxStatus
from tests.conftest import free_port

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _queue(
    key: str = "k1", to: str = "someone@client.example", locale: str = "fr"
) -> None:
    queue_email(
        to=to,
        template="members/email/password_reset",
        context={"user": None, "link": "http://x.test/reset/abc", "hours": 2},
        locale=locale,
        key=key,
        now=NOW,
    )
    db.session.commit()


def test_a_queued_message_is_delivered_once_over_smtp(app, mailbox) -> None:
    _queue()
    report = deliver_due(NOW + timedelta(seconds=1))
    assert len(report.sent) == 1
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "someone@client.example"
    assert message["Subject"] == "Choisir un nouveau mot de passe Qualicharte"
    assert "http://x.test/reset/abc" in mailbox.text_of(message)
    assert message.get_body(preferencelist=("html",)) is not None
    # A second run finds nothing left to send.
    assert deliver_due(NOW + timedelta(minutes=5)).sent == []
    assert len(mailbox.messages) == 1


def test_the_message_is_written_in_the_recipients_language(app, mailbox) -> None:
    _queue(locale="en")
    deliver_due(NOW + timedelta(seconds=1))
    assert mailbox.messages[0]["Subject"] == "Choose a new Qualicharte password"


def test_queueing_the_same_key_twice_stores_one_message(app) -> None:
    _queue("same")
    _queue("same")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_an_unreachable_smtp_server_gets_retries_with_back_off(app, mailbox) -> None:
    _queue()
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    try:
        first = deliver_due(NOW)
        message = db.session.scalar(select(OutboxMessage))
        assert first.retried == [message.id]
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == 1
        assert message.next_attempt_at == NOW + timedelta(seconds=60)
        assert "ConnectionRefusedError" in (message.last_error or "")
        # Not due yet: nothing is attempted before the back-off ends.
        assert deliver_due(NOW + timedelta(seconds=30)).retried == []
        second = deliver_due(NOW + timedelta(seconds=61))
        assert second.retried == [message.id]
        db.session.refresh(message)
        assert message.next_attempt_at == NOW + timedelta(seconds=61 + 120)
    finally:
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{mailbox_port(app)}"
    # The server is back: the message goes, once.
    third = deliver_due(NOW + timedelta(hours=1))
    assert third.sent == [message.id]
    assert len(mailbox.messages) == 1


def mailbox_port(app) -> int:
    return int(app.extensions["test.smtp_port"])


def test_a_message_is_given_up_after_the_maximum_attempts(app) -> None:
    _queue()
    saved = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    try:
        deliver_due(NOW)
        report = deliver_due(NOW + timedelta(days=1))
    finally:
        app.config["MAIL_URL"] = saved
        app.config["MAIL_MAX_ATTEMPTS"] = 8
    message = db.session.scalar(select(OutboxMessage))
    assert report.failed == [message.id]
    assert message.status == OutboxStatus.FAILED


def test_concurrent_deliveries_send_each_message_once(app, mailbox) -> None:
    for n in range(30):
        _queue(key=f"bulk-{n}", to=f"c{n}@client.example")
    db.session.remove()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                deliver_due(NOW + timedelta(seconds=1), limit=7)
                deliver_due(NOW + timedelta(seconds=1), limit=50)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    recipients = sorted(m["To"] for m in mailbox.messages)
    assert recipients == sorted(f"c{n}@client.example" for n in range(30))
    sent = db.session.scalar(
        select(func.count()).where(OutboxMessage.status == OutboxStatus.SENT)
    )
    assert sent == 30


def test_a_message_claimed_by_a_process_that_died_is_sent_after_the_lease(
    app, mailbox
) -> None:
    _queue()
    message = db.session.scalar(select(OutboxMessage))
    message.status = OutboxStatus.SENDING
    message.claimed_at = NOW
    db.session.commit()
    # The lease is one minute: the message waits no longer than that.
    assert deliver_due(NOW + timedelta(seconds=30)).sent == []
    assert deliver_due(NOW + timedelta(seconds=61)).sent == [message.id]
    assert len(mailbox.messages) == 1


def test_in_development_messages_are_files_listed_at_dev_outbox(tmp_path) -> None:
    from core import create_app

    dev = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "ENV_NAME": "development",
            "MAIL_URL": "file:",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.db'}",
        }
    )
    dev.instance_path = str(tmp_path / "instance")
    with dev.app_context():
        db.create_all()
        _queue(to="dev@client.example")
        deliver_due(NOW + timedelta(seconds=1))
        files = list((tmp_path / "instance" / "outbox").glob("*.eml"))
        assert len(files) == 1
        db.session.remove()
    page = dev.test_client().get("/dev/outbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "dev@client.example" in html
    assert "Choisir un nouveau mot de passe Qualicharte" in html


def test_every_message_carries_a_message_id_derived_from_its_outbox_row(
    app, mailbox
) -> None:
    _queue()
    message = db.session.scalar(select(OutboxMessage))
    deliver_due(NOW + timedelta(seconds=1))
    received = mailbox.messages[0]
    expected = f"<qc-outbox-{message.id}-20260302090000000000@qualicharte.localhost>"
    assert received["Message-ID"] == expected
    assert received["Date"] == "Mon, 02 Mar 2026 09:00:00 +0000"


def test_a_message_sent_again_after_a_crash_keeps_its_message_id(app, mailbox) -> None:
    _queue()
    deliver_due(NOW + timedelta(seconds=1))
    # The sender died after the server accepted it and before it was marked
    # sent: its claim runs out and the message goes again, the same message.
    message = db.session.scalar(select(OutboxMessage))
    message.status = OutboxStatus.SENDING
    message.claimed_at = NOW + timedelta(seconds=1)
    db.session.commit()
    assert deliver_due(NOW + timedelta(seconds=62)).sent == [message.id]
    first, second = mailbox.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Date"] == second["Date"]
    assert mailbox.text_of(first) == mailbox.text_of(second)


def test_the_message_id_domain_is_the_senders_then_the_servers(
    app, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL_FROM", "Qualité <qualite@anas.example>")
    assert message_id_domain() == "anas.example"
    monkeypatch.setitem(app.config, "MAIL_FROM", "no-domain")
    monkeypatch.setitem(app.config, "SERVER_NAME", "qualite.example.org:8443")
    assert message_id_domain() == "qualite.example.org"
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    assert message_id_domain() == "qualicharte.test"  # BASE_URL's host


def test_a_claimed_message_is_sent_after_the_configured_lease(
    app, mailbox, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL_CLAIM_LEASE_SECONDS", 5)
    _queue()
    message = db.session.scalar(select(OutboxMessage))
    message.status = OutboxStatus.SENDING
    message.claimed_at = NOW
    db.session.commit()
    assert deliver_due(NOW + timedelta(seconds=4)).sent == []
    assert deliver_due(NOW + timedelta(seconds=6)).sent == [message.id]
