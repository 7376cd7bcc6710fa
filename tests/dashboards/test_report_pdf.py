"""The board's annual report as a PDF: printed by a real Chromium (Debian's), read
back with pypdf for the figures a person would check and the charts' own text."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from pypdf import PdfReader
from werkzeug.http import parse_options_header

from core.extensions import db
from core.security import Role
from dashboards import pdf, services
from satisfaction.margins import csat_interval, nps_interval
from tests.dashboards.conftest import NOW

pytestmark = pytest.mark.e2e

# The response-rate chart labels its bar "75 % (8)" (rate and sends): no table
# or sentence of the page says so, only the chart plotly.js drew.
DRAWN_RATE_BAR = "75 % (8)"
MISSING = "/nonexistent/chromium"


@pytest.fixture(autouse=True)
def _empty_pdf_cache(app: Flask) -> Iterator[None]:
    pdf.cache_of(app).clear()
    yield
    pdf.cache_of(app).clear()
    app.config["PDF_CHROMIUM_PATH"] = None


def text_of(data: bytes) -> str:
    """The PDF's text, each run of white space (line ends included) as one space."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def filename_of(response) -> str:  # type: ignore[no-untyped-def]
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    return options["filename"]


def test_board_downloads_the_report_as_a_pdf_with_its_figures_and_charts(
    client, auth, make_staff, member_with_data
) -> None:
    member_with_data(name="Alpha")
    auth.login(make_staff(Role.BOARD))
    page = client.get("/board/report?year=2026").get_data(as_text=True)
    assert 'href="/board/report.pdf?year=2026"' in page

    response = client.get("/board/report.pdf?year=2026")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert filename_of(response) == "rapport-qualite-2026.pdf"
    assert response.data.startswith(b"%PDF-")
    text = text_of(response.data)
    assert "Rapport qualité 2026 pour l'assemblée générale" in text
    # The headline figures: 1 member, 1 project, 6 answers of 8 sent (75 %), an
    # NPS of 17 and a CSAT of 67 % on those 6 answers.
    assert "Adhérents signataires 1 Projets en cours 1 " in text
    assert "Taux de réponse 75 %" in text
    # Each with its 95 % interval: NPS of (2 detractors, 1 passive, 3 promoters),
    # CSAT of 4 satisfied out of 6.
    nps, csat = nps_interval(2, 1, 3), csat_interval(4, 6)
    assert nps is not None and csat is not None
    assert (
        f"T2 2026 17 ± {nps.margin:.0f} (entre {nps.low:.0f} et {nps.high:.0f}) "
        f"(6 réponses) 67 % ± {csat.margin:.0f} (entre {csat.low:.0f} et "
        f"{csat.high:.0f}) (6 réponses)"
    ) in text
    assert "Alpha" in text
    # Drawn by plotly.js: the rate bar's own label and the axis ticks.
    assert DRAWN_RATE_BAR in text
    assert "100 %" in text
    # Each page is headed by the report's title and numbered.
    assert "Rapport qualité 2026 Page 1 / 4" in text
    # Print stylesheet: no navigation, buttons or forms.
    for absent in ("Se déconnecter", "Télécharger le PDF", "Afficher", "English"):
        assert absent not in text


def compliance_names(page: str) -> list[str]:
    """The members named in the page's compliance table, in its order."""
    table = page.split('data-testid="compliance"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">(?:<a [^>]*>)?(\w+)', table)


@pytest.mark.parametrize("stored", [False, True], ids=["live", "stored"])
def test_the_report_page_lists_members_page_by_page_and_the_pdf_lists_them_all(
    app, client, auth, make_staff, member_with_data, monkeypatch, stored
) -> None:
    """At 1,000 members the page would be a long table: on screen it is cut into
    pages by name, the pager keeps the year; the PDF still prints every member."""
    from dashboards import jobs

    monkeypatch.setitem(app.config, "DASHBOARDS_COMPLIANCE_PER_PAGE", 2)
    for name in ("Charlie", "Alpha", "Bravo"):
        member_with_data(name=name)
    if stored:
        assert jobs.refresh_rollups(NOW) == "full"
    auth.login(make_staff(Role.BOARD))

    first = client.get("/board/report?year=2026").get_data(as_text=True)
    second = client.get("/board/report?year=2026&page=2").get_data(as_text=True)
    beyond = client.get("/board/report?year=2026&page=9").get_data(as_text=True)

    assert compliance_names(first) == ["Alpha", "Bravo"]
    assert "Adhérents 1 à 2 sur 3." in first
    assert 'href="/board/report?year=2026&amp;page=2#compliance"' in first
    assert compliance_names(second) == ["Charlie"]
    assert "Adhérents 3 à 3 sur 3." in second
    assert 'href="/board/report?year=2026&amp;page=1#compliance"' in second
    assert "Cette page est vide : le tableau compte 3 adhérents sur 2 pages." in beyond
    # The figures above the table are the whole association's on every page.
    for page in (first, second):
        assert 'data-testid="members">3</dd>' in page

    assert (
        'href="/board/report?year=2026&amp;page=all" data-testid="report-all"' in first
    )
    whole = client.get("/board/report?year=2026&page=all").get_data(as_text=True)
    assert compliance_names(whole) == ["Alpha", "Bravo", "Charlie"]
    text = text_of(client.get("/board/report.pdf?year=2026").data)
    assert all(name in text for name in ("Alpha", "Bravo", "Charlie"))
    assert "Adhérents 1 à 2" not in text and "Suivante" not in text


@pytest.mark.parametrize("page", ["0", "-1", "2x", "1.5", "999999"])
def test_a_bad_report_page_is_refused_in_the_users_language(
    client, auth, make_staff, page
) -> None:
    query = {"year": "2026", "page": page}
    auth.login(make_staff(Role.BOARD))
    french = client.get("/board/report", query_string=query)
    auth.logout()
    auth.login(make_staff(Role.BOARD, locale="en"))
    english = client.get("/board/report", query_string=query)

    assert french.status_code == english.status_code == 400
    assert "Page invalide" in french.get_data(as_text=True)
    assert "Invalid page: give a whole number from 1." in english.get_data(as_text=True)


def test_without_its_charts_the_report_has_no_chart_text(
    app, client, auth, make_staff, member_with_data
) -> None:
    """The control of the test above: the chart's label comes from the drawing."""
    member_with_data(name="Alpha")
    auth.login(make_staff(Role.BOARD))
    page = client.get("/board/report?year=2026").get_data(as_text=True)
    no_charts = re.sub(
        r'<div class="dash-chart[^"]*" data-figure="[^"]+"></div>', "", page
    )
    assert no_charts != page

    data = pdf.html_to_pdf(
        no_charts,
        fetch=pdf.static_fetcher(app),
        chromium=pdf.find_chromium(),
        title="Rapport",
        footer="{page}/{pages}",
    )

    text = text_of(data)
    assert "Taux de réponse 75 %" in text
    assert DRAWN_RATE_BAR not in text


def test_charts_that_never_draw_give_a_clear_error_in_bounded_time(
    app, client, auth, make_staff, member_with_data
) -> None:
    member_with_data(name="Alpha")
    auth.login(make_staff(Role.BOARD))
    page = client.get("/board/report?year=2026").get_data(as_text=True)
    serve = pdf.static_fetcher(app)

    def without_plotly(path: str) -> tuple[bytes, str] | None:
        return None if "plotly" in path else serve(path)

    with pytest.raises(pdf.PdfUnavailable) as error:
        pdf.html_to_pdf(
            page,
            fetch=without_plotly,
            chromium=pdf.find_chromium(),
            title="Rapport",
            footer="{page}/{pages}",
            timeout=3,
        )
    assert error.value.reason == "failed"
    assert "charts not drawn" in error.value.detail


def test_the_pdf_is_in_the_readers_language(
    client, auth, make_staff, member_with_data
) -> None:
    member_with_data(name="Alpha")
    auth.login(make_staff(Role.SECRETARIAT, locale="en"))

    response = client.get("/board/report.pdf?year=2026")

    assert response.status_code == 200
    assert filename_of(response) == "quality-report-2026.pdf"
    text = text_of(response.data)
    assert "Quality report 2026 for the general assembly" in text
    assert "Response rate 75 %" in text
    assert "Quality report 2026 Page 1 / " in text and "Rapport qualité" not in text


def test_a_second_download_of_the_same_figures_comes_from_the_cache(
    app, client, auth, make_staff, member_with_data
) -> None:
    member_with_data(name="Alpha")
    services.rebuild_figures(now=NOW)
    db.session.commit()
    auth.login(make_staff(Role.BOARD))
    first = client.get("/board/report.pdf?year=2026")
    assert first.status_code == 200

    # No Chromium any more: only a PDF kept from the first download can answer.
    app.config["PDF_CHROMIUM_PATH"] = MISSING
    again = client.get("/board/report.pdf?year=2026")
    assert again.status_code == 200 and again.data == first.data
    assert client.get("/board/report.pdf?year=2025").status_code == 503


def test_without_chromium_the_pdf_is_unavailable_with_a_clear_message(
    app, client, auth, make_staff, member_with_data
) -> None:
    member_with_data(name="Alpha")
    app.config["PDF_CHROMIUM_PATH"] = MISSING
    auth.login(make_staff(Role.BOARD))

    response = client.get("/board/report.pdf?year=2026")

    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert (
        "La génération du PDF n'est pas disponible sur ce serveur (Chromium "
        "introuvable) : imprimez le rapport complet (/board/report?year=2026&amp;page=all)"
        " et choisissez « Enregistrer au format PDF »."
    ) in html.replace("&#39;", "'")
    # That page holds every member, as the PDF would have.
    whole = client.get("/board/report?year=2026&page=all").get_data(as_text=True)
    assert compliance_names(whole) == ["Alpha"]
    assert "compliance-count" not in whole and 'data-testid="report-all"' not in whole


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "-5"])
def test_a_bad_year_is_refused_with_a_message(
    client, auth, make_staff, year: str
) -> None:
    auth.login(make_staff(Role.BOARD))
    for url in ("/board/report", "/board/report.pdf"):
        response = client.get(url, query_string={"year": year})
        assert response.status_code == 400
        assert "Année invalide : indiquez une année entre 2000 et 2100." in (
            response.get_data(as_text=True)
        )


def test_members_and_visitors_get_no_report(
    client, auth, make_member, make_member_user
) -> None:
    assert client.get("/board/report.pdf?year=2026").status_code == 302
    auth.login(make_member_user(make_member(name="Alpha")))
    assert client.get("/board/report.pdf?year=2026").status_code == 403
    assert client.get("/board/report?year=2026").status_code == 403
