"""In Chromium: a member's administrator records a skill, a training and a watch
source, a wrong address is refused next to its field, and once the member
chooses so, its public verification page shows them; both pages pass axe-core
in French and English."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.dates import local_today
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def _add(page, summary: str, fields: dict[str, str]) -> None:
    details = page.locator("details", has=page.locator("summary", has_text=summary))
    details.locator("summary").click()
    for label, value in fields.items():
        details.get_by_label(label, exact=True).fill(value)
    details.get_by_role("button", name="Enregistrer").click()


def test_an_admin_keeps_the_expertise_and_shows_it_publicly(
    page, serious_violations, make_member, make_member_user
) -> None:
    member = make_member("Ubaye Hébergement")
    admin = make_member_user(member, email="direction@ubaye.example")
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(admin.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("link", name="Équipe", exact=True).click()
    page.get_by_role("link", name="Compétences, formations et veille").click()
    page.get_by_role(
        "heading", name="Compétences, formations et veille", level=1
    ).wait_for()
    _add(
        page,
        "Ajouter une compétence",
        {"Compétence": "Administration Linux", "Personnes qui la détiennent": "3"},
    )
    page.get_by_text("Enregistré.").wait_for()
    _add(
        page,
        "Ajouter une formation",
        {
            "Formation suivie": "SecNumacadémie",
            "Organisme (facultatif)": "ANSSI",
            "Terminée le": (local_today() - timedelta(days=40)).isoformat(),
            "Personnes formées": "2",
        },
    )
    page.get_by_text("Enregistré.").wait_for()

    # A script address is refused, next to its field, and nothing is lost.
    _add(
        page,
        "Ajouter une source de veille",
        {"Source de veille": "CERT-FR", "Adresse web (facultatif)": "javascript:x"},
    )
    error = page.locator("#sources-url-error")
    assert "doit commencer par https:// ou http://" in error.inner_text()
    assert page.get_by_label("Source de veille", exact=True).input_value() == "CERT-FR"
    page.get_by_label("Adresse web (facultatif)").fill("https://www.cert.ssi.gouv.fr/")
    page.locator("form", has=page.locator("#sources-url")).get_by_role(
        "button", name="Enregistrer"
    ).click()
    page.get_by_text("Enregistré.").wait_for()
    assert page.get_by_test_id("skill").inner_text().startswith("Administration Linux")
    assert "SecNumacadémie" in page.get_by_test_id("training").inner_text()
    assert serious_violations(page) == []

    # Not public until chosen.
    page.goto(f"/registry/{member.id}")
    assert page.get_by_test_id("public-expertise").count() == 0
    page.goto("/space/expertise")
    page.get_by_label("Afficher nos compétences").check()
    page.get_by_role("button", name="Enregistrer ce choix").click()
    page.get_by_text(
        "Votre page publique affiche désormais ces informations."
    ).wait_for()

    page.get_by_role("link", name="Voir la page publique").click()
    shown = page.get_by_test_id("public-expertise")
    assert "Administration Linux — 3 personnes" in shown.inner_text()
    assert "SecNumacadémie (ANSSI)" in shown.inner_text()
    assert shown.get_by_role("link", name="CERT-FR").get_attribute("href") == (
        "https://www.cert.ssi.gouv.fr/"
    )
    assert serious_violations(page) == []
    page.get_by_test_id("lang-switch").click()
    assert "Administration Linux — 3 people" in (
        page.get_by_test_id("public-expertise").inner_text()
    )
    assert serious_violations(page) == []
    page.goto("/space/expertise")
    page.get_by_role("heading", name="Skills, training and watch", level=1).wait_for()
    assert serious_violations(page) == []
