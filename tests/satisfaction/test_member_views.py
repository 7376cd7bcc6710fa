"""The member's pages (builder, campaigns, project panel, alerts), the
secretariat's, and tenancy route by route."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.database import utcnow
from core.extensions import db
from core.security import Role
from satisfaction import services
from satisfaction.answer_form import parse_answers
from satisfaction.models import (
    Alert,
    Campaign,
    Question,
    QuestionnaireVersion,
)
from satisfaction.recurrence import Recurrence
from tests.satisfaction.conftest import answer_form


def _answered(world, *, nps: str = "9", n: int = 1):
    """A campaign sent now to ``n`` contacts who all answered."""
    now = utcnow()
    w = world(
        contacts=n,
        now=now - timedelta(hours=2),
        recurrence=Recurrence.once(now - timedelta(hours=1)),
    )
    services.send_due_invitations(now)
    from satisfaction.models import Invitation

    for invitation in db.session.scalars(select(Invitation)).all():
        questions = invitation.version.questions
        for number in (1, 2):
            page = services.page_of(invitation, number)
            form = answer_form(questions)
            nps_q = next(q for q in questions if q.type.value == "nps")
            form[f"q{nps_q.id}"] = [nps]
            services.save_answers(
                invitation,
                page=page,
                answers=parse_answers(page.questions, form, require=True),
                share_with_board=True if page.is_last else None,
                submit=page.is_last,
                now=now,
            )
    return w


def test_a_member_builds_a_questionnaire_from_the_charter_and_previews_it(
    world, client, auth
) -> None:
    w = world(campaign=False)
    auth.login(w.admin)
    created = client.post(
        "/space/questionnaires/new",
        data={"title": "Mon questionnaire", "source": "charter"},
    )
    assert created.status_code == 302
    builder = client.get(created.headers["Location"])
    html = builder.get_data(as_text=True)
    assert "La solution livrée répond-elle à votre besoin" in html
    assert "Solution en adéquation avec la demande" in html
    questionnaire_id = int(created.headers["Location"].rsplit("/", 1)[1])

    added = client.post(
        f"/space/questionnaires/{questionnaire_id}/questions/new",
        data={
            "kind": "single_choice",
            "text_fr": "Comment nous avez-vous connus ?",
            "text_en": "How did you hear about us?",
            "options_fr": "Bouche à oreille\nSalon\nInternet",
            "options_en": "Word of mouth\nFair\nInternet",
            "commitment": "",
        },
    )
    assert added.status_code == 302
    refused = client.post(
        f"/space/questionnaires/{questionnaire_id}/questions/new",
        data={"kind": "multiple_choice", "text_fr": "Lesquels ?", "options_fr": "Un"},
    )
    assert refused.status_code == 400
    assert "au moins deux options" in refused.get_data(as_text=True)

    english = client.get(f"/space/questionnaires/{questionnaire_id}/preview?lang=en")
    text = english.get_data(as_text=True)
    assert "How did you hear about us?" in text and "Word of mouth" in text
    french = client.get(f"/space/questionnaires/{questionnaire_id}/preview")
    assert "Comment nous avez-vous connus ?" in french.get_data(as_text=True)


def test_editing_a_sent_questionnaire_makes_a_new_version(world) -> None:
    w = _answered(world)
    questionnaire = w.questionnaire
    old = services.current_version(questionnaire)
    assert old.is_frozen
    first = old.questions[0]
    services.update_question(
        w.admin,
        questionnaire,
        first.id,
        kind=first.type,
        text_fr="Nouvelle formulation",
        text_en="New wording",
        is_required=True,
        commitment=first.commitment,
    )
    latest = services.current_version(questionnaire)
    assert latest.number == 2 and not latest.is_frozen
    assert latest.questions[0].text_fr == "Nouvelle formulation"
    db.session.expire_all()
    assert db.session.get(Question, first.id).text_fr.startswith("La solution livrée")
    # Moves and removals go to the same new version.
    services.move_question(w.admin, questionnaire, latest.questions[1].id, offset=-1)
    services.remove_question(w.admin, questionnaire, latest.questions[-1].id)
    assert (
        db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 3
    )
    assert len(services.current_version(questionnaire).questions) == 9


def test_a_campaign_is_created_with_its_next_five_sends_shown(
    world, client, auth
) -> None:
    w = world(campaign=False)
    auth.login(w.user)
    url = f"/space/projects/{w.project.id}/campaigns/new"
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "name": "Trimestriel",
        "questionnaire_id": str(w.questionnaire.id),
        "contact_ids": [str(c.id) for c in w.contacts],
        "kind": "every_n_months",
        "months": "3",
        "day_of_month": "1",
        "start_on": (utcnow().date() + timedelta(days=2)).isoformat(),
        "at": "09:30",
        "reminder_days": "7, 14",
        "max_reminders": "2",
        "link_valid_days": "30",
    }
    preview = client.post(url, data={**data, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert html.count("<li>", html.index('data-testid="upcoming"')) >= 5
    assert "Tous les 3 mois, le 1er à 09:30" in html
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0

    bad_cron = client.post(url, data={**data, "kind": "cron", "expression": "nope"})
    assert bad_cron.status_code == 400
    assert "Expression cron invalide" in bad_cron.get_data(as_text=True)

    saved = client.post(url, data={**data, "action": "save"})
    assert saved.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.recurrence["kind"] == "every_n_months"
    assert campaign.reminder_days == [7, 14]
    page = client.get(saved.headers["Location"])
    assert "Prochains envois" in page.get_data(as_text=True)
    assert client.post(f"/space/campaigns/{campaign.id}/pause").status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).is_paused


def test_the_project_page_shows_answers_under_five_and_scores_with_n(
    world, client, auth
) -> None:
    few = _answered(world, n=2)
    auth.login(few.admin)
    html = " ".join(
        client.get(f"/space/projects/{few.project.id}").get_data(as_text=True).split()
    )
    assert "Satisfaction du client" in html
    assert "2 réponses : 9 ×2" in html
    assert "Moins de 5 réponses : pas de pourcentage." in html
    assert "plotly-" in html  # the chart's script, from our own origin


def test_five_answers_give_a_percentage_with_n(world, client, auth) -> None:
    w = _answered(world, n=5, nps="10")
    auth.login(w.admin)
    html = " ".join(
        client.get(f"/space/projects/{w.project.id}").get_data(as_text=True).split()
    )
    assert "+100" in html and "(n = 5)" in html
    assert "Taux de réponse" in html and "100 %" in html


def test_plotly_is_served_from_our_origin_with_long_cache(app, client) -> None:
    from core.static_assets import plotly_js_url

    with app.test_request_context():
        url = plotly_js_url()
    response = client.get(url)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    response.close()  # a file response: its file stays open until closed
    assert client.get(url.replace("plotly-", "plotly-0.0.0-")).status_code == 404


def test_a_detractor_alert_is_followed_up_and_closed(world, client, auth) -> None:
    w = _answered(world, nps="2")
    auth.login(w.user)
    page = client.get("/space/alerts").get_data(as_text=True)
    assert "Client détracteur (NPS 0 à 6)" in page
    alert = db.session.scalar(select(Alert))
    refused = client.post(f"/space/alerts/{alert.id}", data={"action": "close"})
    assert refused.status_code == 400
    noted = client.post(
        f"/space/alerts/{alert.id}",
        data={"note": "Client rappelé le 3 mars.", "action": "close"},
    )
    assert noted.status_code == 302
    db.session.expire_all()
    closed = db.session.get(Alert, alert.id)
    assert (
        closed.closed_at is not None and closed.follow_up == "Client rappelé le 3 mars."
    )
    assert "Client rappelé le 3 mars." in client.get("/space/alerts?closed=1").get_data(
        as_text=True
    )


def test_the_secretariat_edits_the_charter_questionnaire_and_the_fatigue_window(
    make_staff, client, auth
) -> None:
    secretary = make_staff(Role.SECRETARIAT)
    auth.login(secretary)
    page = client.get("/admin/satisfaction")
    assert page.status_code == 200
    template = services.charter_template()
    assert (
        template is not None and len(services.current_version(template).questions) == 10
    )
    saved = client.post("/admin/satisfaction", data={"fatigue_days": "45"})
    assert saved.status_code == 302
    assert services.fatigue_days() == 45
    bad = client.post("/admin/satisfaction", data={"fatigue_days": "-3"})
    assert bad.status_code == 400
    builder = client.get(f"/space/questionnaires/{template.id}")
    assert builder.status_code == 200
    added = client.post(
        f"/space/questionnaires/{template.id}/questions/new",
        data={"kind": "yes_no", "text_fr": "Nous recommanderiez-vous ?", "text_en": ""},
    )
    assert added.status_code == 302


def test_the_board_reads_only_the_comments_clients_agreed_to_share(
    world, make_staff, client, auth
) -> None:
    _answered(world)
    auth.login(make_staff(Role.BOARD))
    html = client.get("/admin/satisfaction/comments").get_data(as_text=True)
    assert "Très bien." in html


# ---------------------------------------------------------------- tenancy


@pytest.fixture()
def tenancy(world, make_member, make_member_user, make_staff):
    a = _answered(world, nps="3")
    b_member = make_member(name="Autre agence")
    alert = db.session.scalar(select(Alert))
    response_id = alert.response_id
    return {
        "a": a,
        "users": {
            "anonymous": None,
            "a_admin": a.admin,
            "a_user": a.user,
            "b_admin": make_member_user(b_member, Role.MEMBER_ADMIN),
            "secretariat": make_staff(Role.SECRETARIAT),
            "board": make_staff(Role.BOARD),
        },
        "alert_id": alert.id,
        "response_id": response_id,
    }


# (method, url template, expected status per role)
ROUTES = [
    (
        "GET",
        "/space/questionnaires/{q}",
        {"a": 200, "b": 404, "sec": 404, "board": 403},
    ),
    (
        "GET",
        "/space/questionnaires/{q}/preview",
        {"a": 200, "b": 404, "sec": 404, "board": 403},
    ),
    (
        "GET",
        "/space/questionnaires/{q}/questions/{question}/edit",
        {"a": 200, "b": 404, "sec": 404, "board": 403},
    ),
    (
        "POST",
        "/space/questionnaires/{q}/questions/{question}/delete",
        {"a": 302, "b": 404, "sec": 404, "board": 403},
    ),
    ("GET", "/space/campaigns/{c}", {"a": 200, "b": 404, "sec": 403, "board": 403}),
    (
        "POST",
        "/space/campaigns/{c}/pause",
        {"a": 302, "b": 404, "sec": 403, "board": 403},
    ),
    (
        "GET",
        "/space/projects/{p}/campaigns/new",
        {"a": 200, "b": 404, "sec": 403, "board": 403},
    ),
    ("GET", "/space/responses/{r}", {"a": 200, "b": 404, "sec": 403, "board": 403}),
    ("POST", "/space/alerts/{alert}", {"a": 302, "b": 404, "sec": 403, "board": 403}),
    ("GET", "/space/alerts", {"a": 200, "b": 200, "sec": 403, "board": 403}),
    ("GET", "/admin/satisfaction", {"a": 403, "b": 403, "sec": 200, "board": 403}),
    (
        "GET",
        "/admin/satisfaction/comments",
        {"a": 403, "b": 403, "sec": 200, "board": 200},
    ),
]


@pytest.mark.parametrize(
    "role", ["anonymous", "a_admin", "a_user", "b_admin", "secretariat", "board"]
)
def test_each_route_answers_each_role_as_it_should(tenancy, app, role) -> None:
    a = tenancy["a"]
    question = services.current_version(a.questionnaire).questions[-1]
    values = {
        "q": a.questionnaire.id,
        "question": question.id,
        "c": a.campaign.id,
        "p": a.project.id,
        "r": tenancy["response_id"],
        "alert": tenancy["alert_id"],
    }
    user = tenancy["users"][role]
    key = {
        "a_admin": "a",
        "a_user": "a",
        "b_admin": "b",
        "secretariat": "sec",
        "board": "board",
    }.get(role)
    failures = []
    client = app.test_client()
    if user is not None:
        client.post(
            "/login", data={"email": user.email, "password": "correct-horse-battery"}
        )
    for method, template, expected in ROUTES:
        url = template.format(**values)
        reply = client.open(url, method=method, data={"note": "x"})
        want = 302 if key is None else expected[key]
        if key is None:
            ok = reply.status_code == 302 and "/login" in reply.headers["Location"]
        else:
            ok = reply.status_code == want
        if not ok:
            failures.append((method, url, reply.status_code, want))
        if key == "b":
            body = reply.get_data(as_text=True)
            assert a.contacts[0].name not in body or url == "/space/alerts"
    assert failures == []
