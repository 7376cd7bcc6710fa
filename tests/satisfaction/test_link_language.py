"""A used or expired link answers in the contact's language, not the browser's
session's; French sentences name the association with its article."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

from sqlalchemy import select

from core.database import utcnow
from core.extensions import db
from core.mail import deliver_due
from satisfaction import services
from satisfaction.models import Invitation
from satisfaction.recurrence import Recurrence
from tests.conftest import Mailbox
from tests.satisfaction.conftest import link_in


def _sent(world, mailbox, **kwargs):  # type: ignore[no-untyped-def]
    now = utcnow()
    w = world(
        contacts=1,
        now=now - timedelta(hours=2),
        recurrence=Recurrence.once(now - timedelta(hours=1)),
        **kwargs,
    )
    services.send_due_invitations(now)
    deliver_due(now)
    link = link_in(Mailbox.text_of(mailbox.to(w.contacts[0].email)[0]))
    return db.session.scalar(select(Invitation)), urlsplit(link).path


def test_an_english_contact_reopening_an_answered_link_reads_english(
    world, mailbox, client
) -> None:
    invitation, path = _sent(world, mailbox, locales=("en",))
    invitation.answered_at = utcnow()
    db.session.commit()
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 410
    assert '<html lang="en">' in html
    assert "Questionnaire already answered" in html
    assert "You have already answered this questionnaire. Thank you!" in html
    assert "déjà" not in html


def test_an_english_contact_with_an_expired_link_reads_english(
    world, mailbox, client
) -> None:
    invitation, path = _sent(world, mailbox, locales=("en",))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = client.get(path).get_data(as_text=True)
    assert '<html lang="en">' in html and "Lien expiré" not in html


def test_a_french_page_names_the_association_with_its_article(
    world, mailbox, client, app
) -> None:
    _invitation, path = _sent(world, mailbox)
    client.get(path)
    html = unescape(client.get("/s/answer").get_data(as_text=True))
    assert "de l'Association Numérique Alpes du Sud" in html
    assert "de Association" not in html
    app.config["ASSOCIATION_NAME_WITH_ARTICLE"] = "la Fédération des Alpes"
    try:
        html = unescape(client.get("/s/answer").get_data(as_text=True))
    finally:
        app.config["ASSOCIATION_NAME_WITH_ARTICLE"] = None
    assert "de la Fédération des Alpes" in html
