"""SQL statements per request do not grow with the questions or the contacts (no
N+1): counted with a ``before_cursor_execute`` listener, for 1 and for many."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from core.database import utcnow
from core.extensions import db
from core.mail_bodies import message_content
from core.models import OutboxMessage
from members.models import ClientContact
from satisfaction import services
from satisfaction.links import (
    invitation_token,
    read_unsubscribe_token,
    unsubscribe_token,
    unsubscribe_tokens,
)
from satisfaction.models import Alert, Invitation, QuestionType, Response
from satisfaction.recurrence import Recurrence
from satisfaction.services import frozen
from satisfaction.services.survey import PAGE_SIZE
from tests.satisfaction.conftest import NOW
from tests.statements import statements

MANY_QUESTIONS = 40  # the most a questionnaire may have
MANY_CONTACTS = 50


def _survey(world: Any, questions: int) -> tuple[Any, Any, list[int]]:
    """A questionnaire of ``questions`` 1–5 ratings sent now to one contact;
    returns the world, its invitation and the question ids in order."""
    now = utcnow()
    w = world(contacts=1, campaign=False)
    questionnaire = services.create_questionnaire(
        w.admin, w.member.id, title=f"{questions} questions", from_charter=False
    )
    for number in range(questions):
        services.add_question(
            w.admin,
            questionnaire,
            kind=QuestionType.RATING_1_5,
            text_fr=f"Question {number}",
            text_en=f"Question {number}",
            is_required=True,
        )
    services.create_campaign(
        w.admin,
        w.project,
        name="Mesure",
        questionnaire_id=questionnaire.id,
        contact_ids=[w.contacts[0].id],
        recurrence=Recurrence.once(now - timedelta(hours=1)),
        now=now - timedelta(hours=2),
    )
    services.send_due_invitations(now)
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.member_id == w.member.id)
    )
    ids = [q.id for q in sorted(invitation.version.questions, key=lambda q: q.position)]
    return w, invitation, ids


def _page(ids: list[int], number: int, action: str) -> dict[str, Any]:
    start = (number - 1) * PAGE_SIZE
    # All answered "1": every answer alerts the member (the costliest submission).
    form: dict[str, Any] = {f"q{i}": "1" for i in ids[start : start + PAGE_SIZE]}
    return {**form, "page": str(number), "action": action}


def _answer_counts(world: Any, client: Any, questions: int) -> dict[str, int]:
    _w, invitation, ids = _survey(world, questions)
    token = invitation_token(invitation.campaign_id, invitation.contact_id, 1)
    assert client.get(f"/s/{token}").status_code == 302
    pages = -(-questions // PAGE_SIZE)
    counts: dict[str, int] = {}
    with statements() as seen:
        assert client.get("/s/answer").status_code == 200
    counts["GET page"] = len(seen)
    with statements() as seen:
        assert client.post("/s/answer", data=_page(ids, 1, "save")).status_code == 302
    counts["POST page (save)"] = len(seen)
    for number in range(1, pages):
        assert (
            client.post("/s/answer", data=_page(ids, number, "next")).status_code == 302
        )
    with statements() as seen:
        done = client.post("/s/answer", data=_page(ids, pages, "submit"))
    assert done.status_code == 302 and done.headers["Location"] == "/s/thanks"
    counts["POST last page (submit)"] = len(seen)
    response = db.session.scalar(
        select(Response).where(Response.invitation_id == invitation.id)
    )
    assert response.submitted_at is not None
    assert len(response.answers) == questions
    # One alert for the response, listing every low answer.
    [alert] = db.session.scalars(
        select(Alert).where(Alert.response_id == response.id)
    ).all()
    assert len(alert.items) == questions
    return counts


def test_an_answer_costs_the_same_statements_for_1_or_40_questions(
    world, client
) -> None:
    one = _answer_counts(world, client, 1)
    many = _answer_counts(world, client, MANY_QUESTIONS)
    # A page holds 1 answer in the first case and 5 in the second; the
    # submission checks 1 or 40 answers and raises 1 or 40 alerts.
    assert many == one, (one, many)
    assert one["POST page (save)"] <= 6, one
    assert one["GET page"] <= 4, one


def _invitation_count(world: Any, contacts: int) -> tuple[int, Any]:
    w = world(contacts=contacts)
    opted_out = [c.id for c in w.contacts[1::10]]
    if opted_out:
        db.session.execute(
            update(ClientContact)
            .where(ClientContact.id.in_(opted_out))
            .values(opted_out_at=NOW)
        )
        db.session.commit()
    with statements() as seen:
        report = services.send_due_invitations(NOW + timedelta(hours=2))
    assert report.invitations == contacts - len(opted_out)
    assert db.session.scalar(
        select(func.count()).where(
            OutboxMessage.idempotency_key.like("satisfaction.invitation:%"),
            OutboxMessage.to_address.in_([c.email for c in w.contacts]),
        )
    ) == contacts - len(opted_out)
    return len(seen), w


def test_creating_invitations_costs_the_same_statements_for_1_or_50_contacts(
    world,
) -> None:
    one, _w = _invitation_count(world, 1)
    many, w = _invitation_count(world, MANY_CONTACTS)
    assert many == one, (one, many)
    assert one <= 12, one
    db.session.expire_all()
    assert w.campaign.last_run_summary["opted_out"] == 5
    assert w.campaign.last_run_summary["invited"] == MANY_CONTACTS - 5


def test_the_bulk_unsubscribe_tokens_are_the_ones_read_back(app) -> None:
    ids = [1, 42, 99_999, 10**12, 2**40 + 3, 10**15]
    tokens = unsubscribe_tokens(ids)
    for invitation_id in ids:
        assert tokens[invitation_id] == unsubscribe_token(invitation_id)
        assert read_unsubscribe_token(tokens[invitation_id]) == invitation_id


def test_a_cached_version_is_never_served_for_another_with_the_same_id(
    world,
) -> None:
    _w, invitation, ids = _survey(world, 2)
    version = invitation.version
    # An earlier version had this id (SQLite reuses ids, the tests empty their
    # tables): its cached questions are not this one's.
    frozen.clear_cache()
    frozen._cache[(version.id, "0" * 32)] = ()
    found = frozen.version_questions(version.id, uid=version.uid, frozen=True)
    assert [q.id for q in found] == ids
    with statements() as seen:
        again = frozen.version_questions(version.id, uid=version.uid, frozen=True)
    assert again == found and seen == []  # cached: no statement
    # A version not yet frozen is always read again.
    with statements() as seen:
        frozen.version_questions(version.id, uid=version.uid, frozen=False)
    assert len(seen) == 1


def test_the_bulk_e_mails_are_those_queue_email_would_render(world) -> None:
    """Rendered once per language and filled in the database, each e-mail is
    byte for byte the one rendered for its recipient alone."""
    from flask import render_template
    from flask_babel import force_locale

    from core.i18n import format_date  # French ordinals: "1er avril"
    from core.urls import external_url
    from satisfaction.links import invitation_token
    from satisfaction.services.outbox import INVITATION_TEMPLATE

    w = world(contacts=2, locales=("fr", "en"))
    for contact, name in zip(
        w.contacts, ['Zoé <O\'Brien> & "Cie"', "@@qc-link@@ Ann & Co"], strict=True
    ):
        contact.name = name
    db.session.commit()
    services.send_due_invitations(NOW + timedelta(hours=2))
    for contact in w.contacts:
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.contact_id == contact.id)
        )
        message = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.idempotency_key
                == f"satisfaction.invitation:{invitation.id}"
            )
        )
        unsubscribe = external_url(
            "satisfaction.unsubscribe", token=unsubscribe_token(invitation.id)
        )
        with force_locale(contact.locale):
            context = {
                "contact_name": contact.name,
                "member_name": w.member.name,
                "association_name": "Association Numérique Alpes du Sud",
                "project_title": w.project.title,
                "expires_on": format_date(invitation.expires_at, "long"),
                "reminder": False,
                "link": external_url(
                    "satisfaction.open_link",
                    token=invitation_token(w.campaign.id, contact.id, 1),
                ),
                "unsubscribe_link": unsubscribe,
            }
            text = render_template(f"{INVITATION_TEMPLATE}.txt", **context)
            html = render_template(f"{INVITATION_TEMPLATE}.html", **context)
            subject = render_template(f"{INVITATION_TEMPLATE}_subject.txt", **context)
        content = message_content(message)
        assert content.text == text
        assert content.html == html
        assert message.subject == " ".join(subject.split())
        assert content.headers["List-Unsubscribe"] == f"<{unsubscribe}>"
        assert message.to_address == contact.email
        # The row holds no body of its own, and no token: the links are made
        # when the e-mail is built.
        assert message.body_text is None and message.body_id is not None
        assert message.fill == {"name": contact.name, "invitation": invitation.id}
        token = invitation_token(w.campaign.id, contact.id, 1)
        assert token not in str(message.headers) and token in content.text
