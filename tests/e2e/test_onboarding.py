"""In Chromium: the secretariat onboards a member, whose administrator accepts the
e-mailed invitation and creates a client and a project; the registry shows the
member; the language switch works."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.mail import deliver_due
from core.security import Role

pytestmark = pytest.mark.e2e


def test_secretariat_onboards_a_member_whose_admin_creates_a_client_and_project(
    page, live_server, make_staff, mailbox
) -> None:
    secretary = make_staff(Role.SECRETARIAT, email="sec@asso.example")

    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(secretary.email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Adhérents").click()
    page.get_by_role("link", name="Nouvel adhérent").click()

    # A wrong SIRET is refused next to the field, nothing is stored.
    page.get_by_label("Raison sociale").fill("Durance Numérique")
    page.get_by_label("SIRET").fill("123 456 789 00010")
    page.get_by_label("Commune").fill("Sisteron")
    page.get_by_label("Création de sites web").check()
    page.get_by_role("button", name="Enregistrer").click()
    assert "clé de contrôle" in page.locator("#siret-error").inner_text()

    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Adhérent « Durance Numérique » enregistré.").wait_for()

    page.get_by_label("Version de la charte").fill("2024.1")
    page.get_by_label("Date de signature").fill("2024-09-01")
    page.get_by_role("button", name="Enregistrer la signature").click()
    page.get_by_text("Signature de la charte enregistrée.").wait_for()

    page.get_by_label("Adresse e-mail").fill("direction@durance-numerique.example")
    page.get_by_label("Nom complet").fill("Inès Garcin")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.get_by_text(
        "Invitation envoyée à direction@durance-numerique.example."
    ).wait_for()
    page.get_by_role("button", name="Se déconnecter").click()

    # The scheduler's job delivers the invitation to the real SMTP server.
    deliver_due(datetime.now(UTC))
    [invitation] = mailbox.to("direction@durance-numerique.example")
    link = re.search(r"https?://\S+/invitation/\S+", mailbox.text_of(invitation)).group(
        0
    )
    assert link.startswith(live_server)

    page.goto(link)
    page.get_by_label("Nouveau mot de passe").fill("un-mot-de-passe-sûr")
    page.get_by_label("Confirmer le mot de passe").fill("un-mot-de-passe-sûr")
    page.get_by_role("button", name="Activer mon compte").click()
    page.get_by_text("Votre mot de passe est enregistré. Bienvenue !").wait_for()

    page.get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="Nouveau client").click()
    page.get_by_label("Nom du client").fill("Fromagerie des Monges")
    page.get_by_label("Effectif").fill("6")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Client enregistré.").wait_for()

    page.get_by_role("link", name="Nouveau projet").click()
    page.get_by_label("Intitulé").fill("Boutique en ligne")
    page.get_by_label("Début").fill("2025-02-01")
    page.get_by_label("Fin").fill("2025-01-01")
    page.get_by_role("button", name="Enregistrer").click()
    assert (
        "La fin ne peut pas précéder le début."
        in page.locator("#ends_on-error").inner_text()
    )
    page.get_by_label("Fin").fill("2025-12-31")
    page.get_by_label("Statut").select_option("active")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Projet enregistré.").wait_for()
    assert page.get_by_test_id("project-status").inner_text() == "En cours"

    page.goto("/registry")
    registry = page.get_by_test_id("registry")
    assert "Durance Numérique" in registry.inner_text()
    assert "Sisteron" in registry.inner_text()


def test_the_language_switch_turns_the_interface_into_english_and_back(page) -> None:
    page.goto("/registry")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Annuaire des signataires"
    )
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_test_id("lang-switch").click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Registry of signatories"
    )
    assert page.locator("html").get_attribute("lang") == "en"
    # The choice is remembered on the next page.
    page.goto("/login")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    page.get_by_test_id("lang-switch").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion"
