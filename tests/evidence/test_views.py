"""The pack's pages by role: a member's staff download their own pack (another
member's is not found), the board and the secretariat any member's; a bad year
is a 400 with its message; links from the dashboards."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.http import parse_options_header

from core.dates import local_today
from core.extensions import db
from core.models import AuditLog
from core.security import Role

MISSING = "/nonexistent/chromium"


@pytest.fixture()
def no_chromium(app: Flask) -> Iterator[None]:
    app.config["PDF_CHROMIUM_PATH"] = MISSING
    yield
    app.config["PDF_CHROMIUM_PATH"] = None


def filename_of(response) -> str:  # type: ignore[no-untyped-def]
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    return options["filename"]


def names_in(response) -> list[str]:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return sorted(archive.namelist())


@pytest.mark.parametrize("role", ["admin", "user"])
def test_a_members_staff_download_their_own_pack(
    client, auth, seeded, no_chromium, role: str
) -> None:
    auth.login(getattr(seeded, role))
    page = client.get(f"/evidence/members/{seeded.member.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Dossier de preuves · Agence Preuves" in html
    assert f'action="/evidence/members/{seeded.member.id}/pack.zip"' in html

    response = client.get(f"/evidence/members/{seeded.member.id}/pack.zip?year=2026")

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert filename_of(response) == "dossier-preuves-agence-preuves-2026.zip"
    assert "dossier-preuves-agence-preuves-2026.xlsx" in names_in(response)
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "evidence.pack")
    ).one()
    assert entry.actor_id == getattr(seeded, role).id
    assert entry.member_id == seeded.member.id


def test_another_members_pack_is_not_found(client, auth, seeded, no_chromium) -> None:
    auth.login(seeded.other_admin)
    for url in (
        f"/evidence/members/{seeded.member.id}",
        f"/evidence/members/{seeded.member.id}/pack.zip?year=2026",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "Agence Preuves" not in response.get_data(as_text=True)
    assert (
        db.session.scalars(
            select(AuditLog.id).where(AuditLog.action == "evidence.pack")
        ).all()
        == []
    )


@pytest.mark.e2e
def test_the_board_downloads_any_members_pack_with_its_pdf(
    client, auth, seeded, make_staff
) -> None:
    auth.login(make_staff(Role.BOARD))
    page = client.get(f"/evidence/members/{seeded.member.id}")
    assert page.status_code == 200
    assert f'href="/board/review/members/{seeded.member.id}"' in page.get_data(
        as_text=True
    )

    response = client.get(f"/evidence/members/{seeded.member.id}/pack.zip?year=2026")

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        pdf = archive.read("dossier-preuves-agence-preuves-2026.pdf")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Agence Preuves" in text
    assert "Préavis court : 9 jours pour 30 demandés" in text
    assert "Licence WordPress Pro" in text
    assert "17 ± " in text


def test_the_secretariat_reaches_any_member_and_an_unknown_one_is_not_found(
    client, auth, seeded, make_staff, no_chromium
) -> None:
    auth.login(make_staff(Role.SECRETARIAT))
    assert client.get(f"/evidence/members/{seeded.other_member.id}").status_code == 200
    response = client.get(
        f"/evidence/members/{seeded.other_member.id}/pack.zip?year=2026"
    )
    assert filename_of(response) == "dossier-preuves-agence-voisine-2026.zip"
    assert client.get("/evidence/members/999999").status_code == 404
    assert client.get("/evidence/members/999999/pack.zip?year=2026").status_code == 404


@pytest.mark.parametrize("year", ["abc", "1999", "3000", "-5"])
def test_a_bad_year_is_refused_with_a_message(client, auth, seeded, year: str) -> None:
    auth.login(seeded.admin)
    for url in (
        f"/evidence/members/{seeded.member.id}",
        f"/evidence/members/{seeded.member.id}/pack.zip",
    ):
        response = client.get(url, query_string={"year": year})
        assert response.status_code == 400
        assert (
            f"Année invalide : indiquez une année entre 2000 et {local_today().year}."
        ) in response.get_data(as_text=True)


def test_a_year_without_data_still_gives_a_pack(
    client, auth, seeded, no_chromium
) -> None:
    auth.login(seeded.admin)
    response = client.get(f"/evidence/members/{seeded.member.id}/pack.zip?year=2019")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        html = archive.read("dossier-preuves-agence-preuves-2019.html").decode()
    assert "Aucune donnée pour 2019" in html


def test_visitors_are_sent_to_sign_in(client, seeded) -> None:
    response = client.get(f"/evidence/members/{seeded.member.id}/pack.zip?year=2026")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_dashboards_link_to_the_pack(client, auth, seeded, make_staff) -> None:
    year = local_today().year
    auth.login(seeded.admin)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert (
        f'href="/evidence/members/{seeded.member.id}/pack.zip?year={year}"' in dashboard
    )
    assert f'href="/evidence/members/{seeded.member.id}"' in dashboard
    auth.logout()

    auth.login(make_staff(Role.BOARD))
    member_page = client.get(f"/board/review/members/{seeded.member.id}")
    assert f'href="/evidence/members/{seeded.member.id}"' in member_page.get_data(
        as_text=True
    )
    review = client.get("/board/review").get_data(as_text=True)
    assert f'href="/evidence/members/{seeded.member.id}"' in review
    assert f'href="/evidence/members/{seeded.other_member.id}"' in review
