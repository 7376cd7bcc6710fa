"""In Chromium: a member downloads the CSV of an indicator's values from the page
and the file reads as French Excel reads it — columns split on ``;``, a decimal
comma that parses as a number, accents intact; the dashboard's charts write
their numbers with a decimal comma too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from core.extensions import db
from dashboards.queries.common import utc_now
from kpi.models import (
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
    Measurement,
    Source,
)
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def test_a_french_csv_export_opens_in_columns_with_decimal_commas(
    page, make_member, make_member_user, make_project
) -> None:
    member = make_member(name="Agence Durance")
    user = make_member_user(member)
    project = make_project(member, title="Référencement été")
    now = utc_now()
    month = date(now.year, now.month, 1)
    indicator = Indicator(
        member_id=member.id,
        project_id=project.id,
        kind=IndicatorKind.CUSTOM,
        name="Durée moyenne",
        unit="min",
        direction=Direction.HIGHER,
        frequency=Frequency.MONTH,
        is_ratio=False,
        target_value=Decimal("10"),
        created_at=now,
        updated_at=now,
    )
    db.session.add(indicator)
    db.session.flush()
    db.session.add(
        Measurement(
            indicator_id=indicator.id,
            period_start=month,
            granularity=Frequency.MONTH,
            source=Source.MANUAL,
            value=Decimal("1234.5"),
            updated_at=now,
        )
    )
    db.session.commit()

    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # The dashboard's charts speak French too: decimal comma, thin-space thousands.
    page.goto("/dashboard")
    charts = page.locator("[data-figure]")
    assert charts.count() >= 1
    for n in range(charts.count()):
        charts.nth(n).scroll_into_view_if_needed()
        page.locator("[data-figure][data-drawn=true]").nth(n).wait_for()
        assert charts.nth(n).evaluate("el => el._fullLayout.separators") == ", "
    page.goto(f"/dashboard/indicators/{indicator.id}/rows")
    with page.expect_download() as event:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = event.value
    assert download.suggested_filename.endswith(".csv")
    raw = Path(download.path()).read_bytes()

    # What French Excel does: UTF-8 because of the BOM, then a split on ";".
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    row = dict(zip(header, lines[1].split(";"), strict=True))
    assert header[:4] == ["Projet", "Indicateur", "Début de la période", "Période"]
    assert row["Projet"] == "Référencement été"
    assert float(row["Valeur"].replace(",", ".")) == 1234.5
    assert row["Valeur"] == "1234,5" and row["Source"] == "Saisie"
    assert row["Début de la période"] == month.strftime("%d/%m/%Y")
