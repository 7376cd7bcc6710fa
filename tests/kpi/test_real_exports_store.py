"""Real exports of tickets and new tools (tests/data/kpi-exports/real), stored
through the import service and previewed through the upload page."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from core.extensions import db
from kpi import services
from kpi.importers import parse_export
from kpi.models import Measurement

REAL = Path(__file__).resolve().parents[1] / "data" / "kpi-exports" / "real"
NOW = datetime(2025, 9, 10, 9, 0, tzinfo=UTC)


def _import(project, indicator, name: str, series: str):
    data = (REAL / name).read_bytes()
    export = parse_export(data, name)
    return services.store_import(
        None,
        project,
        export,
        {series: indicator.id},
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        now=NOW,
    )


def _stored(indicator) -> list[tuple[date, Decimal]]:
    rows = db.session.scalars(
        select(Measurement)
        .where(Measurement.indicator_id == indicator.id)
        .order_by(Measurement.period_start)
    )
    return [(m.period_start, m.value) for m in rows]


def test_brazilian_glpi_stores_16_incidents_for_august_2025(
    agency, make_indicator
) -> None:
    a = agency()
    incidents = make_indicator(a.project, "incidents", frequency="month")
    batch, _ = _import(a.project, incidents, "glpi_tickets_pt-br.csv", "incidents")
    assert batch is not None and batch.rows_rejected == 0
    assert _stored(incidents) == [(date(2025, 8, 1), Decimal(16))]


def test_clarity_sessions_are_stored_per_day(agency, make_indicator) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    _import(a.project, visits, "clarity_recordings.csv", "sessions")
    assert _stored(visits) == [
        (date(2025, 8, 1), Decimal(1)),
        (date(2025, 8, 2), Decimal(7)),
        (date(2025, 8, 3), Decimal(14)),
        (date(2025, 8, 4), Decimal(22)),
    ]


def test_the_jira_preview_says_what_counts_as_an_incident(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    make_indicator(a.project, "incidents")
    auth.login(a.admin)
    response = client.post(
        f"/space/projects/{a.project.id}/imports",
        data={
            "file": (
                io.BytesIO((REAL / "jira_all-fields_bugs_en.csv").read_bytes()),
                "Jira.csv",
            )
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jira" in page
    assert "seuls les tickets de type « Incident » sont comptés (0 sur 8)" in page
    assert "Types trouvés : Bug (8)" in page
    assert "Tickets de type « Bug »" in page
