"""In Chromium: a client files a complaint on the public page and confirms it from
the e-mail; the secretariat admits it, the member answers, the mediation fails
and the commission gives a warning (the registry still lists the member); a
second complaint ends in an exclusion that removes the member from the registry
and turns its badge to "withdrawn"."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.extensions import db
from core.mail import deliver_due
from core.security import Role
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Se déconnecter").wait_for()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("link", name="Se connecter").wait_for()


def _link(mailbox, address: str, path: str) -> str:
    deliver_due(datetime.now(UTC))
    for message in reversed(mailbox.to(address)):
        found = re.search(rf"https?://\S+{path}\S+", mailbox.text_of(message))
        if found:
            return found.group(0)
    raise AssertionError(f"no {path} link e-mailed to {address}")


def _file_complaint(page, mailbox, *, email: str, facts: str, tmp_path: Path) -> str:
    """File on the public page, confirm from the e-mail; the reference."""
    page.goto("/complaints/new")
    page.get_by_label("Vos nom et prénom").fill("Anne Roux")
    page.get_by_label("Votre entreprise ou organisation").fill("Boulangerie Roux")
    page.get_by_label("Votre adresse e-mail").fill(email)
    page.get_by_label("Adhérent concerné").select_option(
        label="Durance Numérique (Sisteron)"
    )
    page.get_by_label("Projet concerné (si vous le connaissez)").fill("Site vitrine")
    page.get_by_label("Ce qui s'est passé").fill(facts)
    page.get_by_label("Ce que vous attendez").fill("Une livraison à date ferme.")
    quote = tmp_path / "devis.pdf"
    quote.write_bytes(PDF)
    page.get_by_label("Pièces jointes").set_input_files(str(quote))
    page.get_by_role("button", name="Envoyer la plainte").click()
    page.get_by_role("heading", name="Confirmez votre adresse e-mail").wait_for()

    page.goto(_link(mailbox, email, "/complaints/verify/"))
    flash = page.get_by_text(re.compile(r"enregistrée sous la référence R-\d{4}-\d{4}"))
    reference = re.search(r"R-\d{4}-\d{4}", flash.inner_text()).group(0)
    assert page.get_by_test_id("complaint-status").inner_text() == "Déposée"
    assert "devis.pdf" in page.get_by_test_id("timeline").inner_text()
    return reference


def _open_case(page, reference: str) -> None:
    page.get_by_role("link", name="Plaintes", exact=True).click()
    page.get_by_role("link", name=reference).click()
    page.get_by_role("heading", name=f"Plainte {reference}").wait_for()


def _admit(page, reference: str) -> None:
    _open_case(page, reference)
    page.get_by_label("Recevable", exact=True).check()
    page.get_by_role("button", name="Statuer sur la recevabilité").click()
    page.get_by_text(
        "Plainte déclarée recevable : l'adhérent est invité à répondre."
    ).wait_for()


def _refer(page, judge: str) -> None:
    page.get_by_label(judge).check()
    page.get_by_role("button", name="Saisir la commission").click()
    page.get_by_text("La commission des plaintes est saisie.").wait_for()


def _decide(page, reference: str, decision: str, reasons: str) -> None:
    _open_case(page, reference)
    page.get_by_label("Décision", exact=True).select_option(decision)
    page.get_by_label("Motifs de la décision").fill(reasons)
    page.get_by_role("button", name="Rendre la décision").click()
    page.get_by_text(
        "Décision enregistrée : elle prend effet immédiatement."
    ).wait_for()
    assert page.get_by_test_id("complaint-status").inner_text() == "Décision rendue"


def test_a_complaint_goes_to_a_warning_then_another_to_an_exclusion(
    page,
    browser,
    live_server,
    make_staff,
    make_member,
    make_member_user,
    mailbox,
    tmp_path,
    app,
) -> None:
    app.config["MEDIATION_ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    secretary = make_staff(Role.SECRETARIAT, email="greffe@asso.example")
    judge = make_staff(Role.BOARD, email="juge@asso.example", full_name="Jeanne Juge")
    make_staff(
        Role.BOARD, email="ines@durance-numerique.example", full_name="Inès Garcin"
    )
    member = make_member(
        name="Durance Numérique",
        town="Sisteron",
        website="https://durance-numerique.example",
    )
    admin = make_member_user(member, email="direction@durance.example")
    member_id = member.id
    db.session.rollback()

    # 1. The client files, and confirms from the e-mail received over SMTP.
    reference = _file_complaint(
        page,
        mailbox,
        email="anne@roux.example",
        facts="Le site devait être livré en janvier ; rien depuis, malgré trois relances.",
        tmp_path=tmp_path,
    )
    follow = _link(mailbox, "anne@roux.example", "/complaints/follow/")

    # 2. The secretariat admits it: the member is invited to answer.
    _sign_in(page, secretary.email)
    _admit(page, reference)
    assert page.get_by_test_id("reply-due").is_visible()
    _sign_out(page)

    # 3. The member answers in its space.
    _sign_in(page, admin.email)
    _open_case(page, reference)
    page.get_by_label("Vos arguments", exact=True).fill(
        "Le client n'a jamais fourni ses textes."
    )
    page.get_by_role("button", name="Envoyer mes arguments").click()
    page.get_by_text(
        "Vos arguments sont transmis : la médiation est ouverte."
    ).wait_for()
    assert page.get_by_test_id("complaint-status").inner_text() == "En médiation"
    _sign_out(page)

    # 4. The mediation fails: a private note, then the commission; a board user
    #    from the member's own domain cannot sit.
    _sign_in(page, secretary.email)
    _open_case(page, reference)
    page.get_by_label("Type d'entrée").select_option("note")
    page.get_by_label("Texte", exact=True).fill(
        "Aucun compromis possible, l'adhérent refuse."
    )
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_text("Entrée ajoutée au dossier.").wait_for()
    page.get_by_label(re.compile("Inès Garcin")).check()
    page.get_by_label("Jeanne Juge").check()
    page.get_by_role("button", name="Saisir la commission").click()
    page.get_by_text(
        "Inès Garcin ne peut pas siéger pour cette plainte : son adresse e-mail est "
        "du domaine de l'adhérent."
    ).wait_for()
    page.get_by_label(re.compile("Inès Garcin")).uncheck()
    _refer(page, "Jeanne Juge")
    _sign_out(page)

    # 5. The commission gives a warning: the member stays in the registry.
    _sign_in(page, judge.email)
    _decide(page, reference, "warning", "Délais non tenus et défaut d'information.")
    _sign_out(page)
    page.goto("/registry")
    assert "Durance Numérique" in page.get_by_test_id("registry").inner_text()

    # The complainant follows the case: the decision, not the private note.
    complainant = browser.new_context(base_url=live_server, locale="fr-FR")
    own = complainant.new_page()
    own.goto(follow)
    assert "/follow/" not in own.url
    assert own.get_by_test_id("complaint-decision").inner_text() == "Avertissement"
    assert "Aucun compromis possible" not in own.content()
    complainant.close()

    # 6. A second complaint: the member lets its deadline pass, the commission
    #    excludes it; the registry drops it and the badge says so.
    second = _file_complaint(
        page,
        mailbox,
        email="paul@fromagerie.example",
        facts="Hébergement coupé deux semaines sans prévenir ni rembourser.",
        tmp_path=tmp_path,
    )
    _sign_in(page, secretary.email)
    _admit(page, second)
    page.get_by_role("button", name="Ouvrir la médiation").click()
    page.get_by_text("La médiation est ouverte.").wait_for()
    _refer(page, "Jeanne Juge")
    _sign_out(page)
    _sign_in(page, judge.email)
    _decide(page, second, "exclusion", "Manquements graves et répétés à la charte.")
    _sign_out(page)

    page.goto("/registry")
    assert "Durance Numérique" not in page.content()
    badge = page.request.get(f"/registry/{member_id}/badge.svg")
    assert "Marque retirée" in badge.text()
    app.config.pop("MEDIATION_ATTACHMENT_DIR", None)
