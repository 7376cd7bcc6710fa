"""In Chromium: the board follows the compliance table's link to a member's
evidence pack, downloads it, and the PDF in the ZIP holds the member's facts (a
short-notice price change, a licence to renew, a score with its margin); the
member downloads its own pack from its dashboard."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from pypdf import PdfReader

from core.security import Role
from tests.conftest import TEST_PASSWORD
from tests.dashboards.conftest import (  # noqa: F401
    add_answers,
    add_indicator,
    charter_version,
)
from tests.evidence.conftest import CONTACT_NAME, seeded  # noqa: F401
from tests.mediation.conftest import _attachment_dir, make_case  # noqa: F401

pytestmark = pytest.mark.e2e


def _sign_in(page, user) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _pdf_text(body: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        data = archive.read(name)
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_the_board_downloads_a_members_pack_from_the_compliance_table(
    page,
    seeded,  # noqa: F811
    make_staff,
) -> None:
    _sign_in(page, make_staff(Role.BOARD))
    page.goto("/board/review")
    page.get_by_role("link", name="dossier — Agence Preuves").click()
    page.get_by_role("heading", name="Dossier de preuves · Agence Preuves").wait_for()
    page.get_by_label("Année").select_option("2026")
    with page.expect_download() as event:
        page.get_by_role("button", name="Télécharger le dossier (ZIP)").click()
    download = event.value

    assert download.suggested_filename == "dossier-preuves-agence-preuves-2026.zip"
    body = download.path().read_bytes()
    text = _pdf_text(body, "dossier-preuves-agence-preuves-2026.pdf")
    assert "Dossier de preuves 2026 — Agence Preuves" in text
    assert "Préavis court : 9 jours pour 30 demandés" in text
    assert "Licence WordPress Pro, renouvelée le 10 juil. 2026" in text
    assert re.search(r"NPS 17 ± \d+ \(entre -?\d+ et \d+\) \(6 réponses\)", text)
    assert CONTACT_NAME not in text


def test_a_member_downloads_its_pack_from_its_dashboard(
    page,
    seeded,  # noqa: F811
    app,
) -> None:
    app.config["PDF_CHROMIUM_PATH"] = "/nonexistent/chromium"
    try:
        _sign_in(page, seeded.admin)
        page.goto("/dashboard")
        with page.expect_download() as event:
            page.get_by_role(
                "link", name=re.compile(r"Télécharger le dossier \d{4}")
            ).click()
        download = event.value
    finally:
        app.config["PDF_CHROMIUM_PATH"] = None

    assert re.fullmatch(
        r"dossier-preuves-agence-preuves-\d{4}\.zip", download.suggested_filename
    )
    with zipfile.ZipFile(download.path()) as archive:
        assert "LISEZMOI.txt" in archive.namelist()
