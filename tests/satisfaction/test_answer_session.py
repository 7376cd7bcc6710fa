"""Saving a page without reading the invitation first: the session holds the
invitation's frozen version, the statement that saves checks that it is still
open, and every other case reads it and answers as before."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from core.database import utcnow
from core.extensions import db
from core.models import AuditLog
from satisfaction.models import Answer, Invitation, Response
from tests.satisfaction.conftest import answer_form
from tests.satisfaction.test_answer_page import _flat, _get, _questions, _sent

SESSION_KEY = "satisfaction.invitation"
VERSION_KEY = "satisfaction.version"


def _post_page(client, questions, *, action: str, page: int, **kwargs):
    """POST the answer page ``page`` with the usual answers to ``questions``."""
    form = answer_form(questions, action=action, page=str(page))
    return client.post("/s/answer", data=_flat(form), **kwargs)


def _count(model) -> int:
    db.session.rollback()
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_session_holds_the_invitations_frozen_version_until_submitted(
    world, mailbox, client
) -> None:
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    client.get(path)
    with client.session_transaction() as session:
        assert session[SESSION_KEY] == invitation.id
        assert session[VERSION_KEY] == [invitation.version_id, invitation.version.uid]
    first = _post_page(client, questions[:5], action="next", page=1)
    assert first.status_code == 302
    assert first.headers["Location"] == "/s/answer?page=2"
    done = _post_page(client, questions[5:], action="submit", page=2)
    assert done.headers["Location"] == "/s/thanks"
    with client.session_transaction() as session:
        assert SESSION_KEY not in session and VERSION_KEY not in session
        assert session["satisfaction.answered"] == invitation.id
    assert _get(Response, 1).submitted_at is not None
    assert _count(Answer) == len(questions)


def test_a_submission_closes_the_invitation_and_writes_its_audit_entry(
    world, mailbox, client
) -> None:
    # On PostgreSQL one statement closes the invitation and writes the entry.
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    client.get(path)
    assert _post_page(client, questions[:5], action="next", page=1).status_code == 302
    done = _post_page(client, questions[5:], action="submit", page=2)
    assert done.headers["Location"] == "/s/thanks"
    db.session.rollback()
    assert _get(Invitation, invitation.id).answered_at is not None
    response = _get(Response, 1)
    [entry] = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "response.submit")
    ).all()
    assert (entry.object_type, entry.object_id) == ("response", response.id)
    assert (entry.actor_id, entry.actor_label) == (None, "system")
    assert entry.member_id == invitation.member_id
    assert entry.detail == {
        "campaign_id": invitation.campaign_id,
        "cycle": invitation.cycle,
    }
    assert entry.created_at is not None and entry.created_at.tzinfo is not None


def test_a_page_posted_after_the_link_expired_is_refused_and_saves_nothing(
    world, mailbox, client
) -> None:
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    client.get(path)
    db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    refused = _post_page(client, questions[:5], action="next", page=1)
    assert refused.status_code == 410
    assert "Ce lien a expiré." in refused.get_data(as_text=True)
    assert _count(Response) == 0
    assert _count(Answer) == 0


def test_a_page_posted_after_another_browser_submitted_is_refused(
    world, mailbox, app
) -> None:
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    late, first = app.test_client(), app.test_client()
    late.get(path)
    first.get(path)
    for number, chunk, action in (
        (1, questions[:5], "next"),
        (2, questions[5:], "submit"),
    ):
        assert _post_page(first, chunk, action=action, page=number).status_code == 302
    form = answer_form(questions[:5], action="next", page="1")
    form[f"q{questions[0].id}"] = ["1"]
    refused = late.post("/s/answer", data=_flat(form))
    assert refused.status_code == 410
    assert "Vous avez déjà répondu à ce questionnaire." in refused.get_data(
        as_text=True
    )
    db.session.rollback()
    kept = db.session.scalar(
        select(Answer.value).where(Answer.question_id == questions[0].id)
    )
    # The submitted answer, not the late one.
    submitted = answer_form(questions[:1])[f"q{questions[0].id}"][0]
    assert submitted != "1" and kept == int(submitted)


def test_a_submission_missing_an_earlier_answer_stays_open_until_completed(
    world, mailbox, client
) -> None:
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    client.get(path)
    # Saved ("save" requires nothing) with a required question left empty.
    page1 = answer_form(questions[:5], action="save", page="1")
    page1[f"q{questions[1].id}"] = []
    assert client.post("/s/answer", data=_flat(page1)).status_code == 302
    page2 = answer_form(questions[5:], action="submit", page="2")
    refused = client.post("/s/answer", data=_flat(page2))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Cette question demande une réponse." in html
    assert "Page 1 sur 2" in html
    # The claim on the submission was given back; page 2's answers are kept.
    [response] = db.session.scalars(select(Response)).all()
    assert _get(Response, response.id).submitted_at is None
    assert _get(Invitation, invitation.id).answered_at is None
    assert _count(Answer) == len(questions) - 1

    assert _post_page(client, questions[:5], action="next", page=1).status_code == 302
    done = client.post("/s/answer", data=_flat(page2))
    assert done.headers["Location"] == "/s/thanks"
    assert _get(Response, response.id).submitted_at is not None
    assert _get(Invitation, invitation.id).answered_at is not None


def test_a_session_without_the_version_reads_the_invitation_and_saves(
    world, mailbox, client
) -> None:
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    client.get(path)
    with client.session_transaction() as session:
        del session[VERSION_KEY]  # a cookie from before the version was kept
    saved = _post_page(client, questions[:5], action="next", page=1)
    assert saved.status_code == 302
    assert _count(Answer) == 5


def test_a_session_whose_invitation_is_gone_gets_the_session_page(
    world, mailbox, client
) -> None:
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    client.get(path)
    with client.session_transaction() as session:
        session[SESSION_KEY] = invitation.id + 1000
    refused = _post_page(client, questions[:5], action="next", page=1)
    assert refused.status_code == 404
    assert "Votre session a expiré." in refused.get_data(as_text=True)
    assert _count(Response) == 0


def test_the_saved_message_speaks_the_contacts_language(world, mailbox, client) -> None:
    _w, invitation, path = _sent(world, mailbox, locales=("en",))
    questions = _questions(invitation)
    client.get(path)
    saved = _post_page(
        client, questions[:5], action="save", page=1, follow_redirects=True
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert "Your answers are saved. You can resume with the same link until" in html
