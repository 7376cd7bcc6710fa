"""In Chromium: a due campaign goes out with `flask scheduler run --once`, the
client opens the e-mailed link, answers, and the member sees the response and the
scores on the project page; the answer page passes axe-core in French and English."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.database import utcnow
from core.extensions import db
from satisfaction import services
from satisfaction.links import invitation_token
from satisfaction.models import Invitation, Response
from satisfaction.recurrence import Recurrence
from tests.conftest import Mailbox
from tests.satisfaction import conftest as satisfaction_fixtures
from tests.satisfaction.conftest import link_in

pytestmark = pytest.mark.e2e

# The satisfaction tests' ``world`` fixture, shared with these end-to-end tests.
world = satisfaction_fixtures.world

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def _due_campaign(world, locale: str = "fr"):
    now = utcnow()
    return world(
        contacts=1,
        locales=(locale,),
        now=now - timedelta(hours=2),
        recurrence=Recurrence.once(now - timedelta(hours=1)),
    )


@pytest.fixture()
def base_url_is_live(app, live_server):
    previous = app.config["BASE_URL"]
    app.config["BASE_URL"] = live_server
    yield
    app.config["BASE_URL"] = previous


def test_a_due_campaign_is_answered_in_the_browser_and_scored_on_the_project(
    page, live_server, base_url_is_live, world, runner, mailbox
) -> None:
    w = _due_campaign(world)
    contact, admin, project = w.contacts[0], w.admin, w.project
    db.session.commit()

    result = runner.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    [message] = mailbox.to(contact.email)
    link = link_in(Mailbox.text_of(message))
    assert link.startswith(live_server)
    db.session.rollback()

    page.goto(link)
    assert page.url == f"{live_server}/s/answer"  # the token left the address bar
    page.get_by_role("heading", level=1).wait_for()
    assert w.member.name in page.get_by_role("heading", level=1).inner_text()
    assert "Page 1 sur 2" in page.content()

    # Page 1: five commitment ratings, chosen with the keyboard-reachable labels.
    for group in page.locator("fieldset").all():
        group.get_by_text("4", exact=True).click()
    page.get_by_role("button", name="Page suivante").click()
    page.get_by_text("Page 2 sur 2").wait_for()

    # Submitting with a required question left empty keeps what was typed.
    page.get_by_role("group", name="Quelle est la probabilité").get_by_text(
        "9", exact=True
    ).click()
    page.get_by_label("Vos suggestions").fill("Un point hebdomadaire serait utile.")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.get_by_text("Cette question demande une réponse.").first.wait_for()
    assert (
        page.get_by_label("Vos suggestions").input_value()
        == "Un point hebdomadaire serait utile."
    )
    for group in page.locator("fieldset").all():
        if not group.locator("input:checked").count():
            group.get_by_text("4", exact=True).click()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.get_by_text("Vos réponses ont bien été enregistrées.").wait_for()

    # The same link again says it was answered.
    page.goto(link)
    assert "Vous avez déjà répondu" in page.get_by_test_id("link-message").inner_text()

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    db.session.rollback()

    # The member signs in and finds the answer and the scores on the project page.
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(admin.email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/space/projects/{project.id}")
    panel = page.get_by_test_id("satisfaction-panel")
    assert panel.get_by_test_id("answered").inner_text() == "1"
    assert panel.get_by_test_id("score-nps").inner_text().startswith("1 réponse : 9")
    # The chart is drawn by our static script from the JSON block (strict CSP),
    # once it comes near the screen: plotly.js is not fetched before.
    assert page.evaluate("() => typeof window.Plotly") == "undefined"
    panel.locator(".sat-chart").first.scroll_into_view_if_needed()
    panel.locator(".sat-chart .main-svg").first.wait_for()
    assert errors == []


def _axe_violations(browser, live_server: str, token: str, locale: str) -> list:
    context = browser.new_context(
        base_url=live_server, locale=f"{locale}-FR", bypass_csp=True
    )
    try:
        tab = context.new_page()
        tab.goto(f"/s/{token}")
        tab.get_by_role("heading", level=1).wait_for()
        assert tab.locator("html").get_attribute("lang") == locale
        tab.evaluate(AXE.read_text(encoding="utf-8"))
        results = tab.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        # The second page (text answer, consent) and a refused submission too.
        tab.get_by_role(
            "button", name="Page suivante" if locale == "fr" else "Next page"
        ).click()
        tab.locator(".invalid-feedback").first.wait_for()
        tab.evaluate(AXE.read_text(encoding="utf-8"))
        refused = tab.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
    finally:
        context.close()
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"]]}
        for v in results["violations"] + refused["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_answer_page_has_no_serious_accessibility_violation(
    browser, live_server, app, world, locale
) -> None:
    w = _due_campaign(world, locale)
    services.send_due_invitations(utcnow())
    invitation = db.session.scalar(select(Invitation))
    token = invitation_token(invitation.campaign_id, invitation.contact_id, 1)
    db.session.commit()
    app.config["SQLITE_IMMEDIATE_OUTSIDE_REQUESTS"] = False
    try:
        violations = _axe_violations(browser, live_server, token, locale)
    finally:
        app.config["SQLITE_IMMEDIATE_OUTSIDE_REQUESTS"] = True
    assert violations == [], json.dumps(violations, indent=2)[:3000]
    assert w.member.name
