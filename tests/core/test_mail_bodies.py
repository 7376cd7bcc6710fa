"""Shared bodies: rendered once, filled per message when it is sent, the e-mail
the recipient gets the one rendered for them alone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.extensions import db
from core.mail import deliver_due, queue_email
from core.mail_bodies import (
    FillError,
    fill_slots,
    message_content,
    register_filler,
    render_shared_body,
)
from core.models import OutboxMessage, OutboxStatus

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEMPLATE = "members/email/password_reset"


def test_a_value_is_escaped_in_html_and_left_as_it_is_in_text() -> None:
    template = "<p>@@qc-ab12:name@@ — @@qc-ab12:name@@</p>"
    values = {"name": '<b>Zoé & "Co"</b>'}
    assert (
        fill_slots(template, "ab12", values, html=True)
        == "<p>&lt;b&gt;Zoé &amp; &#34;Co&#34;&lt;/b&gt; — "
        "&lt;b&gt;Zoé &amp; &#34;Co&#34;&lt;/b&gt;</p>"
    )
    assert fill_slots(template, "ab12", values, html=False) == (
        '<p><b>Zoé & "Co"</b> — <b>Zoé & "Co"</b></p>'
    )


def test_a_filled_value_or_another_bodys_slot_is_never_filled() -> None:
    # A name that looks like a slot stays as written; so does a slot of
    # another body (a user cannot guess the nonce of the body being filled).
    template = "@@qc-ab12:name@@ @@qc-ffff:link@@ @@qc-ab12:link@@"
    values = {"name": "@@qc-ab12:link@@", "link": "http://x.test/s/t"}
    assert fill_slots(template, "ab12", values, html=False) == (
        "@@qc-ab12:link@@ @@qc-ffff:link@@ http://x.test/s/t"
    )


def test_a_slot_without_a_value_is_an_error() -> None:
    with pytest.raises(FillError, match="'link'"):
        fill_slots("go: @@qc-ab12:link@@", "ab12", {"name": "x"}, html=False)


def _queue_shared(
    recipients: list[tuple[str, Mapping[str, Any]]], *, filler: str | None = None
) -> list[OutboxMessage]:
    body, subject = render_shared_body(
        TEMPLATE,
        context={"user": None, "hours": 2},
        locale="fr",
        slots=["link"],
        headers={"X-Link": "<{link}>"},
        filler=filler,
    )
    db.session.add(body)
    db.session.flush()
    messages = [
        OutboxMessage(
            idempotency_key=f"test.shared:{number}",
            to_address=address,
            subject=subject,
            body_id=body.id,
            fill=dict(fill),
            headers={},
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=NOW,
            created_at=NOW,
        )
        for number, (address, fill) in enumerate(recipients)
    ]
    db.session.add_all(messages)
    db.session.commit()
    return messages


def test_each_recipient_gets_the_email_rendered_for_them_alone(app, mailbox) -> None:
    links = {"a@client.example": "http://x.test/r?a=1&b=<2>"}
    links["b@client.example"] = "http://x.test/r/b"
    shared = _queue_shared([(a, {"link": link}) for a, link in links.items()])
    # The same e-mails, each rendered for its recipient alone (as before).
    for address, link in links.items():
        queue_email(
            to=f"alone.{address}",
            template=TEMPLATE,
            context={"user": None, "hours": 2, "link": link},
            locale="fr",
            key=f"alone:{address}",
            headers={"X-Link": f"<{link}>"},
            now=NOW,
        )
    db.session.commit()

    assert len(deliver_due(NOW + timedelta(seconds=1)).sent) == 4

    for address, link in links.items():
        [received] = mailbox.to(address)
        [alone] = mailbox.to(f"alone.{address}")
        assert received["Subject"] == "Choisir un nouveau mot de passe Qualicharte"
        assert received["X-Link"] == alone["X-Link"] == f"<{link}>"
        for kind in ("plain", "html"):
            part = received.get_body(preferencelist=(kind,)).get_content()
            assert part == alone.get_body(preferencelist=(kind,)).get_content()
        assert link in mailbox.text_of(received)
    html = mailbox.to("a@client.example")[0].get_body(preferencelist=("html",))
    assert "http://x.test/r?a=1&amp;b=&lt;2&gt;" in html.get_content()
    # The e-mails share one body; each row holds only its own values.
    assert len({message.body_id for message in shared}) == 1
    db.session.expire_all()
    for message in shared:
        row = db.session.get(OutboxMessage, message.id)
        assert row.body_text is None and row.status == OutboxStatus.SENT


def test_a_filler_makes_the_values_when_the_email_is_sent(app, mailbox) -> None:
    def link_of(fill: Mapping[str, Any]) -> dict[str, str]:
        if fill["ref"] == "gone":
            raise FillError("ref gone")
        return {"link": f"http://x.test/made/{fill['ref']}"}

    register_filler(app, "tests.link_of", link_of)
    kept, gone = _queue_shared(
        [
            ("kept@client.example", {"ref": "7"}),
            ("gone@client.example", {"ref": "gone"}),
        ],
        filler="tests.link_of",
    )
    assert "made" not in str(kept.fill)  # the link is not stored

    report = deliver_due(NOW + timedelta(seconds=1))

    assert report.sent == [kept.id] and report.failed == [gone.id]
    [received] = mailbox.messages
    assert "http://x.test/made/7" in mailbox.text_of(received)
    db.session.expire_all()
    failed = db.session.get(OutboxMessage, gone.id)
    assert failed.status == OutboxStatus.FAILED
    assert failed.last_error == "FillError: ref gone"
    # Nothing is attempted again.
    assert deliver_due(NOW + timedelta(days=1)).failed == []
    assert len(mailbox.messages) == 1


def test_a_message_with_its_own_body_is_read_as_it_is(app) -> None:
    message = OutboxMessage(
        idempotency_key="own",
        to_address="x@client.example",
        subject="S",
        body_text="Texte @@qc-ab12:link@@",
        body_html=None,
        headers={"X-A": "1"},
    )
    content = message_content(message)
    assert (content.text, content.html, content.headers) == (
        "Texte @@qc-ab12:link@@",
        None,
        {"X-A": "1"},
    )


def test_a_row_its_filler_cannot_read_fails_without_blocking_the_others(
    app, mailbox
) -> None:
    register_filler(app, "tests.strict", lambda fill: {"link": fill["link"]})
    broken, fine = _queue_shared(
        [("broken@client.example", {}), ("fine@client.example", {"link": "http://x"})],
        filler="tests.strict",
    )
    report = deliver_due(NOW + timedelta(seconds=1))
    assert report.failed == [broken.id] and report.sent == [fine.id]
    db.session.expire_all()
    assert "KeyError" in (db.session.get(OutboxMessage, broken.id).last_error or "")
