"""In Chromium, on the demo data: the board's compliance table fits a 1366 px
screen without scrolling sideways, and the campaign form shows only the fields
of the chosen schedule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from members.demo import BOARD_EMAIL, DEMO_PASSWORD
from members.models import Project, ProjectStatus, User

pytestmark = pytest.mark.e2e

FITS = """() => {
  const table = document.querySelector("[data-testid=compliance]");
  const box = table.parentElement;
  return {
    table: table.scrollWidth,
    box: box.clientWidth,
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  };
}"""


def _login(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _demo(app) -> None:
    for loader in app.extensions["qualicharte.demo"].values():
        loader("small")


def test_the_compliance_table_fits_at_1366_px(app, page) -> None:
    _demo(app)
    db.session.rollback()
    page.set_viewport_size({"width": 1366, "height": 768})
    _login(page, BOARD_EMAIL)
    page.goto("/board/review")
    page.get_by_test_id("compliance").wait_for()
    sizes = page.evaluate(FITS)
    assert sizes["viewport"] == 1366
    assert sizes["table"] <= sizes["box"], sizes  # no scroll inside its box
    assert sizes["page"] <= sizes["viewport"], sizes  # nor across the page


def test_the_campaign_form_shows_the_fields_of_the_chosen_schedule(app, page) -> None:
    _demo(app)
    admin = db.session.scalar(
        select(User).where(User.email == "admin@pixel-durance.example")
    )
    project_id = db.session.scalar(
        select(Project.id)
        .where(
            Project.member_id == admin.member_id,
            Project.status == ProjectStatus.ACTIVE,
        )
        .order_by(Project.id)
    )
    email = admin.email
    db.session.rollback()
    _login(page, email)
    page.goto(f"/space/projects/{project_id}/campaigns/new")
    kind = page.get_by_label("Quand")
    assert kind.input_value() == "once"
    assert page.get_by_label("Date d'envoi").is_visible()
    assert not page.get_by_label("Jour du mois").is_visible()
    assert not page.get_by_label("Expression cron").is_visible()

    kind.select_option("every_n_months")
    assert page.get_by_label("Jour du mois").is_visible()
    assert page.get_by_label("À partir du").is_visible()
    assert not page.get_by_label("Date d'envoi").is_visible()
    assert not page.get_by_label("Date de recette").is_visible()

    kind.select_option("cron")
    assert page.get_by_label("Expression cron").is_visible()
    assert not page.get_by_label("Heure d'envoi (heure de Paris)").is_visible()
    assert not page.get_by_label("Intervalle ou délai « à froid » (mois)").is_visible()
