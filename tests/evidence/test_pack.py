"""The ZIP: the summary printed by a real Chromium (read back with pypdf), the
tables as XLSX (read back with openpyxl), a note instead of the PDF when there
is no Chromium, an audit entry for each pack made."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask_babel import force_locale
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from core.extensions import db
from core.models import AuditLog
from evidence import services, tables
from satisfaction.margins import csat_interval, nps_interval
from tests.evidence.conftest import CONTACT_EMAIL, CONTACT_NAME, TODAY, YEAR

MISSING = "/nonexistent/chromium"


@pytest.fixture()
def no_chromium(app: Flask) -> Iterator[None]:
    app.config["PDF_CHROMIUM_PATH"] = MISSING
    yield
    app.config["PDF_CHROMIUM_PATH"] = None


def files_of(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def sheet_rows(data: bytes, title: str) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(data))
    return [tuple(row) for row in book[title].iter_rows(values_only=True)]


@pytest.mark.e2e
def test_the_pack_holds_the_summary_as_a_pdf_with_the_facts(seeded) -> None:
    pack = services.build_pack(None, seeded.member.id, YEAR, today=TODAY)

    assert pack is not None and pack.has_pdf
    assert pack.file_name == "dossier-preuves-agence-preuves-2026.zip"
    files = files_of(pack.body)
    assert sorted(files) == [
        "dossier-preuves-agence-preuves-2026.pdf",
        "dossier-preuves-agence-preuves-2026.xlsx",
    ]
    text = text_of(files["dossier-preuves-agence-preuves-2026.pdf"])
    assert "Dossier de preuves 2026 — Agence Preuves" in text
    assert "Charte signée version 2024.1, le 1er mars 2024" in text
    assert "Préavis court : 9 jours pour 30 demandés" in text
    assert (
        "Licence WordPress Pro, renouvelée le 10 juil. 2026, payée par le client"
    ) in text
    nps, csat = nps_interval(2, 1, 3), csat_interval(4, 6)
    assert nps is not None and csat is not None
    assert (
        f"17 ± {nps.margin:.0f} (entre {nps.low:.0f} et {nps.high:.0f}) (6 réponses)"
    ) in text
    assert f"67 % ± {csat.margin:.0f}" in text
    assert "Résolue par un accord" in text
    assert "Planning non partagé" in text
    # Each page headed by the pack's title and numbered.
    assert "Dossier de preuves 2026 · Agence Preuves Page 1 / " in text
    for secret in (CONTACT_NAME, CONTACT_EMAIL, seeded.complaint.complainant_email):
        assert secret not in text


def test_the_tables_read_back_sheet_by_sheet_with_french_headers(
    seeded, no_chromium
) -> None:
    pack = services.build_pack(None, seeded.member.id, YEAR, today=TODAY)
    assert pack is not None

    data = files_of(pack.body)["dossier-preuves-agence-preuves-2026.xlsx"]
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "Adhérent",
        "Engagements",
        "Preuves",
        "Scores",
        "Indicateurs",
        "Questionnaires",
        "Plaintes",
        "Actions",
    ]
    member = dict(sheet_rows(data, "Adhérent")[1:])
    assert member["Adhérent"] == "Agence Preuves"
    assert member["Version de la charte signée"] == "2024.1"
    proofs = sheet_rows(data, "Preuves")
    assert proofs[0] == (
        "Engagement",
        "Type",
        "Projet",
        "Client",
        "Date",
        "Détail",
        "Signalement",
    )
    short = [row for row in proofs if row[1] == "Changement de prix"]
    assert len(short) == 1
    assert short[0][0] == "Maîtrise des coûts et des délais"
    assert short[0][2:4] == ("Site de la mairie", "Mairie de Gap")
    assert short[0][4].date() == date(2026, 6, 1)  # a date cell, not a text
    assert short[0][6] == "Préavis court : 9 jours pour 30 demandés"
    commitments = {row[0]: row for row in sheet_rows(data, "Engagements")[1:]}
    assert commitments["costs_deadlines"][2:] == (3, 1)
    assert commitments["adequacy"][2:] == (0, 0)
    scores = {row[0]: row for row in sheet_rows(data, "Scores")[1:]}
    nps = nps_interval(2, 1, 3)
    assert nps is not None
    assert scores["NPS"][1] == 6
    assert round(scores["NPS"][2]) == 17
    assert scores["NPS"][3] == pytest.approx(nps.margin)
    (indicator,) = sheet_rows(data, "Indicateurs")[1:]
    assert indicator[2] == "Visites" and indicator[4] == 100 and indicator[6] == 80
    assert indicator[7] == "Hors trajectoire"
    (action,) = sheet_rows(data, "Actions")[1:]
    assert action[4] == "Planning non partagé" and action[10] == "oui"
    everything = repr([sheet_rows(data, name) for name in book.sheetnames])
    for secret in (CONTACT_NAME, CONTACT_EMAIL, seeded.complaint.complainant_name):
        assert secret not in everything


def test_a_text_that_looks_like_a_formula_stays_a_text(seeded, no_chromium) -> None:
    from records import services as records

    records.add_delivery(
        seeded.admin,
        seeded.project,
        label='=HYPERLINK("http://evil.example")',
        delivered_on=date(2026, 4, 1),
        today=TODAY,
    )
    pack = services.build_pack(None, seeded.member.id, YEAR, today=TODAY)
    assert pack is not None

    data = files_of(pack.body)["dossier-preuves-agence-preuves-2026.xlsx"]
    sheet = load_workbook(io.BytesIO(data))["Preuves"]
    (cell,) = [row[5] for row in sheet.iter_rows(min_row=2) if "evil" in row[5].value]
    assert cell.value == '=HYPERLINK("http://evil.example")'
    assert cell.data_type == "s"


def test_without_chromium_the_pack_holds_the_summary_as_html_and_a_note(
    seeded, no_chromium
) -> None:
    pack = services.build_pack(None, seeded.member.id, YEAR, today=TODAY)

    assert pack is not None and not pack.has_pdf
    files = files_of(pack.body)
    assert sorted(files) == [
        "LISEZMOI.txt",
        "dossier-preuves-agence-preuves-2026.html",
        "dossier-preuves-agence-preuves-2026.xlsx",
    ]
    note = files["LISEZMOI.txt"].decode("utf-8")
    assert (
        "n'a pas pu être produite en PDF (Chromium est introuvable sur ce serveur)"
        in note
    )
    html = files["dossier-preuves-agence-preuves-2026.html"].decode("utf-8")
    assert "Préavis court : 9 jours pour 30 demandés" in html
    assert "<script" not in html and "href=" not in html


def test_a_year_without_data_still_gives_a_pack_that_says_so(
    seeded, no_chromium
) -> None:
    pack = services.build_pack(None, seeded.member.id, 2019, today=TODAY)

    assert pack is not None
    html = files_of(pack.body)["dossier-preuves-agence-preuves-2019.html"].decode()
    assert "Aucune donnée pour 2019" in html
    assert "Aucun enregistrement pour cette année." in html


def test_each_pack_made_is_logged(seeded, no_chromium) -> None:
    services.build_pack(seeded.admin, seeded.member.id, YEAR, today=TODAY)

    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "evidence.pack")
    ).one()
    assert (entry.actor_id, entry.member_id, entry.object_id) == (
        seeded.admin.id,
        seeded.member.id,
        seeded.member.id,
    )
    assert entry.detail == {"year": 2026, "pdf": False, "as_of": "2026-06-15"}


def test_the_pack_is_in_the_readers_language(seeded, no_chromium) -> None:
    with force_locale("en"):
        pack = services.build_pack(None, seeded.member.id, YEAR, today=TODAY)

    assert pack is not None
    assert pack.file_name == "evidence-pack-agence-preuves-2026.zip"
    files = files_of(pack.body)
    assert "README.txt" in files
    data = files["evidence-pack-agence-preuves-2026.xlsx"]
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[:3] == ["Member", "Commitments", "Records"]
    proofs = sheet_rows(data, "Records")
    assert proofs[0][0] == "Commitment"
    assert any(row[6] == "Short notice: 9 days where 30 are required" for row in proofs)


def test_the_frames_are_pure_and_keyed_by_sheet(seeded) -> None:
    facts = services.gather(seeded.member.id, YEAR, today=TODAY)
    assert facts is not None

    frames = tables.frames(facts, [("Adhérent", "Agence Preuves")])

    assert list(frames) == list(tables.SHEETS)
    assert len(frames["proofs"]) == len(facts.proofs)
    assert list(frames["actions"].columns) == list(tables.SHEETS["actions"][1])
