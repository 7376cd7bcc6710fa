"""The client's answer page: token exchanged for a session, language of the
contact, saved as it goes, validated, one response per invitation, clear pages
for bad links, opt-out."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from core.database import utcnow
from core.extensions import db
from core.mail import deliver_due
from core.models import OutboxMessage
from satisfaction import services
from satisfaction.models import Alert, Answer, Invitation, Response
from satisfaction.recurrence import Recurrence
from tests.conftest import Mailbox
from tests.satisfaction.conftest import NOW, answer_form, link_in


def _sent(world, mailbox, **kwargs):
    """A campaign sent to one contact; returns (world, invitation, link path).

    The pages read the real clock, so the campaign is sent "now"."""
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
    invitation = db.session.scalar(select(Invitation))
    return w, invitation, urlsplit(link).path


def _get(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _questions(invitation):
    return sorted(invitation.version.questions, key=lambda q: q.position)


def _flat(form):
    return {key: values for key, values in form.items()}


def test_the_link_is_exchanged_for_a_session_and_the_token_leaves_the_url(
    world, mailbox, client
) -> None:
    w, invitation, path = _sent(world, mailbox)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/s/answer"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert _get(Invitation, invitation.id).opened_at is not None

    page = client.get("/s/answer")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Content-Language"] == "fr"
    assert w.member.name in html
    assert w.project.title in html
    assert "Association Numérique Alpes du Sud" in html
    assert "Page 1 sur 2" in html
    assert "<legend" in html and 'aria-describedby="q' in html
    assert path.rsplit("/", 1)[1] not in html


def test_the_page_speaks_the_contacts_language(world, mailbox, client) -> None:
    _w, _invitation, path = _sent(world, mailbox, locales=("en",))
    client.get(path)
    page = client.get("/s/answer")
    html = page.get_data(as_text=True)
    assert page.headers["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "Does the solution delivered meet your needs" in html
    assert "Save and continue later" in html


def test_answers_are_saved_as_they_go_and_resumed_from_the_same_link(
    world, mailbox, app
) -> None:
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    first = app.test_client()
    first.get(path)
    form = answer_form(questions[:5], action="save", page="1")
    saved = first.post("/s/answer", data=_flat(form))
    assert saved.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 5

    # Later, in another browser: the same link, the answers are there.
    second = app.test_client()
    second.get(path)
    html = second.get("/s/answer").get_data(as_text=True)
    assert f'id="q{questions[0].id}-4" value="4" checked' in html


def test_a_refused_submission_keeps_what_was_typed(world, mailbox, client) -> None:
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    client.get(path)
    form = answer_form(questions[:5], action="next", page="1")
    form[f"q{questions[0].id}"] = ["9"]  # out of the 1–5 scale
    form[f"q{questions[1].id}"] = []  # required, left empty
    refused = client.post("/s/answer", data=_flat(form))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "hors de l&#39;échelle de 1 à 5" in html
    assert "Cette question demande une réponse." in html
    assert (
        f'aria-describedby="q{questions[0].id}-hint q{questions[0].id}-error"' in html
    )
    assert f'id="q{questions[2].id}-4" value="4" checked' in html
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_submitting_stores_one_response_raises_alerts_and_thanks(
    world, mailbox, client
) -> None:
    w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    client.get(path)
    nps = next(q for q in questions if q.type.value == "nps")
    first = answer_form(questions[:5], action="next", page="1")
    assert client.post("/s/answer", data=_flat(first)).status_code == 302
    last = answer_form(questions[5:], action="submit", page="2", share_with_board="1")
    last[f"q{nps.id}"] = ["3"]
    done = client.post("/s/answer", data=_flat(last))
    assert done.status_code == 302 and done.headers["Location"] == "/s/thanks"
    assert "Vos réponses ont bien été enregistrées." in client.get(
        "/s/thanks"
    ).get_data(as_text=True)
    response = db.session.scalar(select(Response))
    assert response.submitted_at is not None and response.share_with_board is True
    assert _get(Invitation, invitation.id).answered_at is not None
    [alert] = db.session.scalars(select(Alert)).all()
    assert alert.reason.value == "detractor"
    assert [(i.question_id, i.reason.value, i.value) for i in alert.items] == [
        (nps.id, "detractor", 3)
    ]
    assert db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == w.admin.email)
    ).subject.startswith("Alerte satisfaction")

    # The same link again: a clear page, not a second response.
    again = client.get(path)
    assert again.status_code == 410
    assert "Vous avez déjà répondu à ce questionnaire." in again.get_data(as_text=True)


def test_twenty_parallel_submissions_store_one_response(world, mailbox, app) -> None:
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    opener = app.test_client()
    opener.get(path)
    opener.post(
        "/s/answer", data=_flat(answer_form(questions[:5], action="next", page="1"))
    )
    final = _flat(answer_form(questions[5:], action="submit", page="2"))
    db.session.commit()

    clients = []
    for _ in range(20):
        other = app.test_client()
        other.get(path)  # each browser opens the e-mailed link
        clients.append(other)
    barrier = threading.Barrier(20)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def submit(browser) -> None:
        barrier.wait()
        reply = browser.post("/s/answer", data=final)
        with lock:
            results.append((reply.status_code, reply.get_data(as_text=True)))

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 20
    assert sorted(code for code, _ in results).count(302) == 1
    refused = [body for code, body in results if code != 302]
    unexpected = [
        (code, body[:300]) for code, body in results if code not in (302, 409, 410)
    ]
    assert unexpected == []
    assert all("Vous avez déjà répondu à ce questionnaire." in body for body in refused)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_bad_links_get_clear_pages_never_a_500(world, mailbox, client, app) -> None:
    assert client.get("/s/" + "x" * 43).status_code == 404
    assert "Ce lien n&#39;existe pas" in client.get("/s/nope").get_data(as_text=True)
    assert client.get("/s/answer").status_code == 404  # no session
    assert client.post("/s/answer", data={"action": "submit"}).status_code == 404
    _w, invitation, path = _sent(world, mailbox)
    db.session.get(Invitation, invitation.id).expires_at = NOW
    db.session.commit()
    expired = client.get(path)
    assert expired.status_code == 410
    assert "Ce lien a expiré" in expired.get_data(as_text=True)


def test_a_tampered_choice_is_refused_with_a_message(world, mailbox, client) -> None:
    _w, invitation, path = _sent(world, mailbox)
    questions = _questions(invitation)
    client.get(path)
    form = answer_form(questions[:5], action="save", page="1")
    form[f"q{questions[0].id}"] = ["abc"]
    reply = client.post("/s/answer", data=_flat(form))
    assert reply.status_code == 400
    assert "Choix invalide." in reply.get_data(as_text=True)
    # A page number out of range is clamped, not a crash.
    assert client.get("/s/answer?page=99").status_code == 200


def test_the_answer_page_is_rate_limited(world, mailbox, client, app) -> None:
    app.config["SURVEY_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [client.get("/s/unknown-token").status_code for _ in range(5)]
    finally:
        app.config.pop("SURVEY_RATE_LIMIT")
    assert codes[:3] == [404, 404, 404]
    assert codes[3:] == [429, 429]


def test_unsubscribing_by_link_and_one_click_stops_further_sends(
    world, mailbox, client
) -> None:
    w, _invitation, _path = _sent(world, mailbox)
    message = mailbox.to(w.contacts[0].email)[0]
    url = message["List-Unsubscribe"].strip()[1:-1]
    path = urlsplit(url).path
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirmer la désinscription" in page.get_data(as_text=True)
    one_click = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert "vous ne recevrez plus" in one_click.get_data(as_text=True)
    db.session.expire_all()
    assert w.contacts[0].opted_out_at is not None
    assert client.get("/s/unsubscribe/forged.token").status_code == 404


def test_respondents_behind_one_address_are_limited_per_link_not_together(
    world, mailbox, app
) -> None:
    now = utcnow()
    w = world(
        contacts=6,
        now=now - timedelta(hours=2),
        recurrence=Recurrence.once(now - timedelta(hours=1)),
    )
    services.send_due_invitations(now)
    deliver_due(now)
    app.config["SURVEY_RATE_LIMIT"] = "3 per minute"
    try:
        codes = []
        for contact in w.contacts:  # six browsers, one company proxy
            browser = app.test_client()
            path = urlsplit(link_in(Mailbox.text_of(mailbox.to(contact.email)[0]))).path
            codes += [
                browser.get(path).status_code,
                browser.get("/s/answer").status_code,
            ]
        # One respondent reloading too fast is still limited.
        codes_one = [browser.get("/s/answer").status_code for _ in range(3)]
    finally:
        app.config.pop("SURVEY_RATE_LIMIT")
    assert codes == [302, 200] * 6
    assert codes_one == [200, 200, 429]


def test_guessing_links_from_one_address_is_limited(client, app) -> None:
    app.config["SURVEY_BAD_LINK_RATE_LIMIT"] = "5 per minute"
    try:
        codes = [client.get(f"/s/guess-{i:04d}").status_code for i in range(8)]
    finally:
        app.config.pop("SURVEY_BAD_LINK_RATE_LIMIT")
    assert codes == [404] * 5 + [429] * 3
