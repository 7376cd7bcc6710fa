"""In Chromium, on the demo data: the board's quality review, a member's dashboard
and the client portal show the database's headline figures and pass axe-core
(no serious or critical violation)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from core.extensions import db, limiter
from core.mail import deliver_due
from dashboards import services
from dashboards.queries import association as association_queries
from dashboards.queries import common as common_queries
from dashboards.queries import indicators as indicators_queries
from dashboards.queries import portal as portal_queries
from members.demo import BOARD_EMAIL, DEMO_PASSWORD
from members.models import ClientContact, Project, ProjectStatus, User

pytestmark = pytest.mark.e2e
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def _serious_violations(page) -> list:
    # page.evaluate is not subject to the page's CSP (add_script_tag would be).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _plotly_bundles(page) -> list[str]:
    """The plotly.js bundles the page fetched (basic, cartesian)."""
    names = page.evaluate(
        "() => performance.getEntriesByType('resource').map((e) => e.name)"
    )
    return sorted(
        {m.group(1) for n in names if (m := re.search(r"/plotly-(\w+)-[\d.]+", n))}
    )


def _login(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_board_member_and_client_walk_their_dashboards(
    app, page, live_server, mailbox
) -> None:
    for loader in app.extensions["qualicharte.demo"].values():
        loader("small")
    filters = common_queries.Filters(
        *services.default_period(common_queries.utc_today())
    )
    counts = association_queries.association_counts(filters)
    admin = db.session.scalar(
        select(User).where(User.email == "admin@pixel-durance.example")
    )
    member_dash = services.member_dashboard(
        admin.member_id, filters, now=common_queries.utc_now()
    )
    project = db.session.scalar(
        select(Project)
        .where(
            Project.member_id == admin.member_id, Project.status == ProjectStatus.ACTIVE
        )
        .order_by(Project.id)
    )
    contact_email = db.session.scalar(
        select(ClientContact.email)
        .where(ClientContact.client_id == project.client_id)
        .order_by(ClientContact.id)
    )
    own = portal_queries.portal_projects(contact_email)
    assert project.id in {p["id"] for p in own}
    indicator_names = {
        i.name for i in indicators_queries.project_indicators(project.id)
    }
    agreed = bool(association_queries.project_agreed([project.id]))
    # A project of a client this contact is not a contact of.
    foreign = db.session.scalar(
        select(Project)
        .where(
            Project.status == ProjectStatus.ACTIVE,
            Project.id.not_in([p["id"] for p in own]),
        )
        .order_by(Project.id)
    )
    # Plain values: after the rollback, touching an ORM object would reload it
    # and hold a read snapshot that makes the next write fail on SQLite.
    admin_email, project_title = admin.email, project.title
    foreign_id, foreign_title = foreign.id, foreign.title
    db.session.rollback()

    _login(page, BOARD_EMAIL)
    page.goto("/board/review")
    assert page.get_by_test_id("members").inner_text() == str(counts["members"])
    assert page.get_by_test_id("active-projects").inner_text() == str(
        counts["active_projects"]
    )
    assert page.get_by_test_id("clients").inner_text() == str(counts["clients"])
    # Charts are drawn as they come on screen, the heatmap by the cartesian
    # bundle (the member dashboard's, below, by the basic one).
    page.locator("[data-figure=fig-heat]").scroll_into_view_if_needed()
    page.locator("[data-figure=fig-heat][data-drawn]").wait_for()
    assert _plotly_bundles(page) == ["cartesian"]
    assert _serious_violations(page) == []
    # The compliance table, listed by pages from the stored review: every
    # signatory member is counted; searching for one lists only that one.
    members = counts["members"]
    assert page.get_by_test_id("compliance-count").inner_text() == (
        f"Adhérents 1 à {min(members, 50)} sur {members}."
    )
    page.get_by_label("Rechercher un adhérent").fill("pixel")
    page.get_by_role("button", name="Afficher").click()
    assert page.get_by_test_id("compliance-count").inner_text() == (
        "Adhérents 1 à 1 sur 1."
    )
    page.get_by_role("button", name="Se déconnecter").click()

    _login(page, admin_email)
    page.goto("/dashboard")
    assert page.get_by_test_id("open-alerts").inner_text() == str(
        member_dash.open_alerts
    )
    nps = member_dash.latest["nps"]
    if nps.is_reliable:
        assert (
            page.locator("[data-testid=nps] [data-metric=nps]").inner_text()
            == f"{nps.value:.0f}"
        )
    assert page.get_by_test_id("indicators").locator("tbody tr").count() == max(
        1, len(member_dash.indicators)
    )
    chart = page.locator("[data-figure]").first
    chart.scroll_into_view_if_needed()
    chart.and_(page.locator("[data-drawn]")).wait_for()
    assert _plotly_bundles(page) == ["basic"]
    assert _serious_violations(page) == []
    page.get_by_role("button", name="Se déconnecter").click()

    # The client portal: a magic link on request, e-mailed through the outbox to
    # the loopback SMTP server, opened in the browser.
    limiter.reset()  # other tests of the session posted to the same endpoints
    page.goto("/portal")
    assert _serious_violations(page) == []
    page.get_by_label("Adresse e-mail").fill(contact_email.upper())
    page.get_by_role("button", name="Recevoir un lien de connexion").click()
    page.get_by_text("un lien de connexion vient de lui être envoyé").wait_for()
    # The link is queued once the server has closed its answer (same time for a
    # known and an unknown address): deliver until it has gone out.
    for _ in range(50):
        db.session.rollback()
        deliver_due(datetime.now(UTC))
        db.session.rollback()
        if mailbox.to(contact_email):
            break
        time.sleep(0.1)
    [message] = mailbox.to(contact_email)
    link = re.search(r"https?://\S+/portal/link/\S+", mailbox.text_of(message))
    assert link is not None
    page.goto(link.group(0))
    assert page.url.endswith("/portal/projects")  # the token left the address bar
    listed = page.get_by_test_id("portal-projects")
    for shown in own:
        assert shown["title"] in listed.inner_text()
    assert foreign_title not in listed.inner_text()
    assert _serious_violations(page) == []
    listed.get_by_role("link", name=project_title).click()
    page.get_by_role("heading", name=project_title, level=1).wait_for()
    body = page.locator("main").inner_text()
    assert indicator_names and all(name in body for name in indicator_names)
    assert ("Vous avez validé ces indicateurs" in body) is agreed
    assert _serious_violations(page) == []
    # Another client's project is not found, and says nothing of it.
    missing = page.goto(f"/portal/projects/{foreign_id}")
    assert missing is not None and missing.status == 404
    assert foreign_title not in page.content()
