"""In Chromium: a member goes from an empty project to agreed indicators with a
year of values imported from a Plausible export (the real layout), charted
against target by plotly under the strict Content-Security-Policy."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from core.extensions import db
from core.mail import deliver_due
from core.security import Role
from tests.conftest import KPI_EXPORTS_DIR

pytestmark = pytest.mark.e2e


def year_of_plausible(path: Path) -> Path:
    """The real ``visitors.csv`` (March 2024), replayed day by day over 2025:
    same header, same bytes per row (CRLF), a year of values."""
    lines = (KPI_EXPORTS_DIR / "plausible_visitors.csv").read_bytes().split(b"\r\n")
    header, rows = lines[0], [r for r in lines[1:] if r]
    out = [header]
    for month in range(1, 13):
        for day in range(1, calendar.monthrange(2025, month)[1] + 1):
            cells = rows[(day - 1) % len(rows)].split(b",")
            cells[0] = date(2025, month, day).isoformat().encode()
            # a slow rise through the year, so that the target is reached late
            cells[1] = str(int(cells[1]) + month * 10).encode()
            out.append(b",".join(cells))
    path.write_bytes(b"\r\n".join(out) + b"\r\n")
    return path


def test_member_agrees_indicators_with_the_client_imports_a_year_and_charts_it(
    page,
    live_server,
    browser,
    make_member,
    make_member_user,
    make_client,
    make_contact,
    make_project,
    mailbox,
    tmp_path,
) -> None:
    member = make_member(name="Durance Web")
    admin = make_member_user(
        member, Role.MEMBER_ADMIN, email="admin@durance-web.example"
    )
    client = make_client(member, name="Gîtes du Lac")
    make_contact(
        client, name="Nina Roux", email="nina@gites-du-lac.example", locale="fr"
    )
    project = make_project(
        member,
        client=client,
        title="Site des gîtes",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    project_id = project.id
    db.session.rollback()
    errors: list[str] = []
    # Console errors (a CSP violation is one) and failed requests, except the
    # favicon the frame does not serve.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )

    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(admin.email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/space/projects/{project_id}")
    assert "Aucun indicateur pour ce projet" in page.locator("#kpi").inner_text()

    # An indicator from the charter's catalogue, its defaults proposed.
    page.get_by_role("link", name="Ajouter un indicateur").click()
    page.get_by_role("link", name="Audience").click()
    assert page.get_by_label("Unité").input_value() == "visites"
    page.get_by_label("Nom").fill("Visiteurs du site")
    page.get_by_label("Date du point de départ").fill("2025-01-01")
    page.get_by_label("Valeur de départ").fill("4 000")
    page.get_by_label("Objectif").fill("6 500")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Indicateur « Visiteurs du site » ajouté.").wait_for()

    # The client agrees through the e-mailed link, without a password.
    page.goto(f"/space/projects/{project_id}")
    page.get_by_role("button", name="Envoyer pour validation").click()
    page.get_by_text(
        "Indicateurs envoyés pour validation à nina@gites-du-lac.example."
    ).wait_for()
    deliver_due(datetime.now(UTC))
    [message] = mailbox.to("nina@gites-du-lac.example")
    link = re.search(r"https?://\S+/kpi/agreement/\S+", mailbox.text_of(message)).group(
        0
    )
    contact_context = browser.new_context(base_url=live_server, locale="fr-FR")
    contact_page = contact_context.new_page()
    contact_page.goto(link)
    assert contact_page.url.endswith("/kpi/agreement")  # the token left the URL
    listed = contact_page.get_by_test_id("kpi-agreement-indicators").inner_text()
    assert "Visiteurs du site" in listed
    assert "Plus cette valeur est haute, mieux c'est." in listed
    assert "Objectif : 6 500 visites." in listed.replace("\u202f", " ").replace(
        "\xa0", " "
    )
    contact_page.get_by_role("button", name="Je valide ces indicateurs").click()
    contact_page.get_by_text("Merci, votre validation est enregistrée.").wait_for()
    contact_context.close()

    # A year of values from a Plausible export: preview, then confirm.
    page.goto(f"/space/projects/{project_id}")
    assert (
        "Validés par Nina Roux"
        in page.get_by_test_id("kpi-agreement-status").inner_text()
    )
    page.get_by_role("link", name="Importer un fichier").first.click()
    page.get_by_label("Fichier d'export").set_input_files(
        str(year_of_plausible(tmp_path / "visitors.csv"))
    )
    page.get_by_role("button", name="Voir l'aperçu").click()
    assert "Plausible" in page.get_by_test_id("kpi-format").inner_text()
    counts = page.get_by_test_id("kpi-preview-counts").inner_text()
    assert "12 nouvelle(s) valeur(s), 0 modifiée(s)" in counts  # days summed per month
    page.get_by_role("button", name="Confirmer l'import").click()
    page.get_by_text("Import enregistré : 12 nouvelle(s) valeur(s)").wait_for()

    # The chart, drawn by our static script from the page's JSON.
    page.goto(f"/space/projects/{project_id}")
    plot = page.locator("[data-figure^='kpi-figure-']").first
    plot.scroll_into_view_if_needed()  # charts are drawn as they come on screen
    plot.and_(page.locator("[data-drawn='true']")).wait_for()
    assert plot.locator(".main-svg").count() > 0
    legend = plot.locator(".legendtext").all_text_contents()
    assert {"Valeur", "Objectif", "Point de départ"} <= set(legend)
    status = page.locator("[data-testid^='kpi-status-']").first.inner_text()
    assert "Objectif atteint" in status  # December 2025 is above 6 500
    page.get_by_role("link", name="Par trimestre").click()
    page.locator("[data-figure^='kpi-figure-']").first.scroll_into_view_if_needed()
    page.locator("[data-drawn='true']").first.wait_for()
    table = page.locator("[data-testid^='kpi-table-'] tbody tr")
    assert table.count() == 4
    assert table.first.locator("th").text_content() == "T1 2025"
    assert errors == [], errors
