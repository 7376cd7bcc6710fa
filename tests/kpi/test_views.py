"""KPI pages: indicators from the catalogue, manual entry, the import flow, the
project panel with its charts, API tokens, and tenancy role by role."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.security import Role
from core.static_assets import PLOTLY_JS_VERSION
from kpi import services
from kpi.models import ImportBatch, Indicator, Measurement
from tests.kpi.conftest import export_bytes


def _figure(html: str, indicator_id: int) -> dict:
    match = re.search(
        rf'<script type="application/json" id="kpi-figure-{indicator_id}">(.*?)</script>',
        html,
        re.S,
    )
    assert match, "no figure JSON on the page"
    return json.loads(match.group(1))


def test_the_catalogue_offers_the_charter_kinds_and_prefills_defaults(
    client, auth, agency
) -> None:
    a = agency()
    auth.login(a.admin)
    page = client.get(f"/space/projects/{a.project.id}/indicators/new")
    text = page.get_data(as_text=True)
    for label in (
        "Audience",
        "Coût par clic",
        "Incidents",
        "Temps de lecture",
        "Clics",
    ):
        assert label in text
    form = client.get(
        f"/space/projects/{a.project.id}/indicators/new?kind=cost_per_click"
    ).get_data(as_text=True)
    assert 'value="Coût par clic"' in form and 'value="€"' in form
    assert '<option selected value="lower">' in form


def test_a_member_adds_an_indicator_and_enters_values(client, auth, agency) -> None:
    a = agency()
    auth.login(a.user)
    response = client.post(
        f"/space/projects/{a.project.id}/indicators/new",
        data={
            "kind": "audience",
            "name": "",
            "unit": "visites",
            "direction": "higher",
            "frequency": "month",
            "aggregation": "sum",
            "baseline_on": "2024-01-01",
            "baseline_value": "1 000",
            "target_value": "1,500",
        },
    )
    assert response.status_code == 302
    indicator = db.session.scalar(select(Indicator))
    assert indicator.name == "Visites du site"
    assert (indicator.baseline_value, indicator.target_value) == (1000, 1500)
    for day, typed in [("2024-02-10", "1 234,5"), ("2024-03-01", "1,600")]:
        response = client.post(
            f"/space/indicators/{indicator.id}/measurements",
            data={"day": day, "value": typed},
        )
        assert response.status_code == 302
    page = client.get(f"/space/indicators/{indicator.id}").get_data(as_text=True)
    assert "Mesure enregistrée." in page
    assert "1 234,5" in page.replace("\u202f", " ").replace("\xa0", " ")
    figure = _figure(page, indicator.id)
    assert figure["data"][0]["y"] == [1234.5, 1600.0]
    assert figure["data"][1]["y"] == [1500.0, 1500.0]  # target line


def test_a_wrong_number_is_refused_next_to_its_field(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    indicator = make_indicator(a.project, "audience")
    auth.login(a.admin)
    response = client.post(
        f"/space/indicators/{indicator.id}/measurements",
        data={"day": "2024-03-01", "value": "1e999"},
    )
    assert response.status_code == 400
    assert 'id="value-error"' in response.get_data(as_text=True)
    too_big = client.post(
        f"/space/indicators/{indicator.id}/measurements",
        data={"day": "2024-03-01", "value": "123456789012345678"},
    )
    assert too_big.status_code == 400
    assert "trop grand" in too_big.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0


def test_the_project_panel_charts_each_indicator_by_month_quarter_and_year(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    cpc = make_indicator(a.project, "cost_per_click", target_value="0.5")
    for month, cost, clicks in [(1, "100", "1000"), (2, "90", "100"), (3, "0", "0")]:
        services.record_measurement(
            None, cpc, day=date(2024, month, 1), numerator=cost, denominator=clicks
        )
    auth.login(a.admin)
    html = client.get(f"/space/projects/{a.project.id}").get_data(as_text=True)
    assert "Indicateurs d'efficacité" in html
    # core's charts.js loads plotly.js (the basic bundle where no heatmap is drawn,
    # the cartesian one where one is) and its stylesheet from our own URLs.
    assert (
        f'data-plotly-js="/assets/vendor/plotly-basic-{PLOTLY_JS_VERSION}.min.js"'
        in html
    )
    assert (
        f'data-plotly-js-cartesian="/assets/vendor/plotly-cartesian-{PLOTLY_JS_VERSION}.min.js"'
        in html
    )
    assert f'data-plotly-css="/assets/vendor/plotly-{PLOTLY_JS_VERSION}.css"' in html
    assert 'src="/static/charts.js?v=' in html
    assert f'data-figure="kpi-figure-{cpc.id}"' in html
    assert "<script>" not in html  # no inline script (strict CSP)
    assert _figure(html, cpc.id)["data"][0]["y"] == [0.1, 0.9, None]
    quarter = client.get(f"/space/projects/{a.project.id}?kpi_period=quarter")
    figure = _figure(quarter.get_data(as_text=True), cpc.id)
    assert figure["data"][0]["x"] == ["2024-Q1"]
    assert figure["data"][0]["y"] == [0.1727]
    assert "—" in quarter.get_data(as_text=True)  # the month without clicks
    year = client.get(f"/space/projects/{a.project.id}?kpi_period=year")
    assert _figure(year.get_data(as_text=True), cpc.id)["data"][0]["x"] == ["2024"]


def test_plotly_is_served_from_our_static_files_cached_for_a_year(client) -> None:
    response = client.get(f"/assets/vendor/plotly-basic-{PLOTLY_JS_VERSION}.min.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    cache = response.headers["Cache-Control"]
    assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache
    assert len(response.get_data()) > 1_000_000
    response.close()  # a file response: its file stays open until closed
    assert client.get("/assets/vendor/plotly-basic-0.0.1.min.js").status_code == 404
    assert (
        client.get(f"/assets/vendor/plotly-{PLOTLY_JS_VERSION}.min.js").status_code
        == 404
    )
    # plotly.js's own rules, as a stylesheet: its injected <style> is blocked by CSP.
    css = client.get(f"/assets/vendor/plotly-{PLOTLY_JS_VERSION}.css")
    assert css.mimetype == "text/css" and "immutable" in css.headers["Cache-Control"]
    text = css.get_data(as_text=True)
    assert ".js-plotly-plot .plotly .main-svg{position:absolute;" in text
    assert text.count("{") > 40


def _upload(client, project_id: int, name: str, data: bytes | None = None):
    return client.post(
        f"/space/projects/{project_id}/imports",
        data={
            "file": (io.BytesIO(data if data is not None else export_bytes(name)), name)
        },
        content_type="multipart/form-data",
    )


def test_import_flow_upload_preview_confirm_reimport_and_undo(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    clicks = make_indicator(
        a.project, "audience", name="Clics de recherche", frequency="day"
    )
    services.record_measurement(None, clicks, day=date(2024, 3, 1), value="1")
    auth.login(a.admin)
    uploaded = _upload(
        client, a.project.id, "google-search-console_performance_dates.csv"
    )
    assert uploaded.status_code == 302
    preview_url = uploaded.headers["Location"]
    preview = client.get(preview_url).get_data(as_text=True)
    assert "Google Search Console" in preview
    assert (
        "30 nouvelle(s) valeur(s), 1 modifiée(s), 0 inchangée(s), 0 ligne(s) rejetée(s)."
        in preview
    )
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    # The proposal: the first audience series feeds the only audience indicator.
    assert f'<option value="{clicks.id}" selected>' in preview
    confirmed = client.post(
        f"{preview_url}/confirm",
        data={"target-0": str(clicks.id), "target-1": ""},
    )
    assert confirmed.status_code == 302
    detail = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "30 nouvelle(s) valeur(s), 1 modifiée(s)" in detail
    total = db.session.scalar(
        select(func.sum(Measurement.value)).where(Measurement.indicator_id == clicks.id)
    )
    assert total == Decimal("1630")
    # The kept upload is gone: confirming twice is impossible.
    assert client.post(f"{preview_url}/confirm").status_code == 404

    again = _upload(client, a.project.id, "google-search-console_performance_dates.csv")
    preview = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "0 nouvelle(s) valeur(s), 0 modifiée(s), 31 inchangée(s)" in preview
    assert "déjà été importé" in preview

    batch = db.session.scalar(select(ImportBatch))
    history = client.get(f"/space/projects/{a.project.id}/imports").get_data(
        as_text=True
    )
    assert "google-search-console_performance_dates.csv" in history
    undone = client.post(f"/space/imports/{batch.id}/undo", data={"confirmed": "1"})
    assert undone.status_code == 302
    page = client.get(undone.headers["Location"]).get_data(as_text=True)
    assert "30 valeur(s) retirée(s), 1 restaurée(s)" in page
    assert [m.value for m in db.session.scalars(select(Measurement))] == [Decimal("1")]


def test_a_client_cannot_post_its_own_values_at_confirmation(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    auth.login(a.admin)
    url = _upload(client, a.project.id, "plausible_visitors.csv").headers["Location"]
    client.post(
        f"{url}/confirm",
        data={
            "target-0": str(visits.id),
            "value": "999999",
            "points": "x",
        },
    )
    total = db.session.scalar(select(func.sum(Measurement.value)))
    assert total == Decimal("6294")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n...", "PDF"),
        (b"\x89PNG\r\n\x1a\n0000", "PNG"),
        (b"", "Le fichier est vide"),
    ],
)
def test_wrong_files_are_refused_with_a_clear_message(
    client, auth, agency, data, message
) -> None:
    a = agency()
    auth.login(a.admin)
    response = _upload(client, a.project.id, "export.csv", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_an_xlsx_named_csv_is_read_by_its_content(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    make_indicator(a.project, "incidents")
    auth.login(a.admin)
    response = _upload(
        client,
        a.project.id,
        "tickets.csv",
        export_bytes("glpi11_tickets_search-export_fr.xlsx"),
    )
    assert response.status_code == 302
    assert "GLPI" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_unknown_layout_asks_for_a_mapping(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    auth.login(a.admin)
    data = b"Jour;Visites\n01/03/2024;1 204\n02/03/2024;12,5\n"
    url = _upload(client, a.project.id, "mine.csv", data).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Associer les colonnes" in page
    mapped = client.post(
        f"{url}/mapping",
        data={
            "date_column": "Jour",
            "value_columns": ["Visites"],
            "date_format": "%d/%m/%Y",
            "decimal_separator": ",",
            "granularity": "day",
        },
    )
    assert mapped.status_code == 302
    preview = client.get(url).get_data(as_text=True)
    assert "2 nouvelle(s) valeur(s)" in preview
    client.post(f"{url}/confirm", data={"target-0": str(visits.id)})
    assert db.session.scalar(select(func.sum(Measurement.value))) == Decimal("1216.5")


def test_api_tokens_are_shown_once_and_revocable(client, auth, agency) -> None:
    a = agency()
    auth.login(a.admin)
    created = client.post("/space/api-tokens", data={"name": "Script Matomo"})
    html = created.get_data(as_text=True)
    secret = re.search(r'data-testid="kpi-token-secret">(qck_[^<]+)<', html).group(1)
    listing = client.get("/space/api-tokens").get_data(as_text=True)
    assert secret not in listing and "Script Matomo" in listing
    token = services.list_tokens(a.member.id)[0]
    assert token.token_hash != secret and secret.startswith(token.prefix)
    assert client.post(f"/space/api-tokens/{token.id}/revoke").status_code == 302
    assert services.authenticate_token(secret) is None


def test_a_member_user_cannot_create_tokens(client, auth, agency) -> None:
    a = agency()
    auth.login(a.user)
    assert client.post("/space/api-tokens", data={"name": "x"}).status_code == 403


# ---------------------------------------------------------------- tenancy


@pytest.fixture()
def other_members_objects(agency, make_indicator):
    """Everything another member owns in the KPI feature."""
    theirs = agency("Agence Voisine")
    indicator = make_indicator(theirs.project, "audience", frequency="day")
    measurement, _ = services.record_measurement(
        None, indicator, day=date(2024, 3, 1), value="3"
    )
    pending = services.start_upload(
        None,
        theirs.project,
        data=export_bytes("plausible_visitors.csv"),
        file_name="p.csv",
    )
    batch = services.confirm_upload(
        None, theirs.project, pending, {"visitors": indicator.id}
    )
    token, _secret = services.create_token(
        theirs.admin, theirs.member.id, name="leur jeton"
    )
    pending2 = services.start_upload(
        None,
        theirs.project,
        data=export_bytes("plausible_visitors.csv"),
        file_name="p.csv",
    )
    return {
        "project": theirs.project.id,
        "indicator": indicator.id,
        "measurement": measurement.id,
        "batch": batch.id,
        "token": token.id,
        "pending": pending2.id,
    }


def _foreign_routes(ids: dict) -> list[tuple[str, str]]:
    return [
        ("GET", f"/space/projects/{ids['project']}/indicators/new"),
        ("POST", f"/space/projects/{ids['project']}/indicators/new"),
        ("GET", f"/space/indicators/{ids['indicator']}"),
        ("GET", f"/space/indicators/{ids['indicator']}/edit"),
        ("POST", f"/space/indicators/{ids['indicator']}/edit"),
        ("POST", f"/space/indicators/{ids['indicator']}/measurements"),
        ("POST", f"/space/measurements/{ids['measurement']}/delete"),
        ("GET", f"/space/projects/{ids['project']}/imports"),
        ("POST", f"/space/projects/{ids['project']}/imports"),
        ("GET", f"/space/imports/pending/{ids['pending']}"),
        *[
            ("POST", f"/space/imports/pending/{ids['pending']}/{step}")
            for step in ("mapping", "period", "confirm", "cancel")
        ],
        ("GET", f"/space/imports/{ids['batch']}"),
        ("POST", f"/space/imports/{ids['batch']}/undo"),
        ("POST", f"/space/api-tokens/{ids['token']}/revoke"),
        ("POST", f"/space/projects/{ids['project']}/agreement"),
    ]


@pytest.mark.parametrize("role", [Role.MEMBER_ADMIN, Role.MEMBER_USER])
def test_another_members_kpi_objects_answer_404(
    client, auth, agency, other_members_objects, make_member_user, role
) -> None:
    mine = agency("Mon Agence")
    auth.login(make_member_user(mine.member, role))
    for method, url in _foreign_routes(other_members_objects):
        response = client.open(
            url, method=method, data={"day": "2024-03-01", "value": "1"}
        )
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Agence Voisine" not in response.get_data(as_text=True)
    # Nothing of theirs changed.
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 31
    assert db.session.get(ImportBatch, other_members_objects["batch"]).undone_at is None


@pytest.mark.parametrize("role", [Role.BOARD, Role.SECRETARIAT])
def test_association_staff_do_not_use_member_kpi_pages(
    client, auth, make_staff, other_members_objects, role
) -> None:
    auth.login(make_staff(role))
    for method, url in _foreign_routes(other_members_objects):
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url)


def test_anonymous_visitors_are_sent_to_the_login_page(
    client, other_members_objects
) -> None:
    for method, url in _foreign_routes(other_members_objects):
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), (method, url)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]
