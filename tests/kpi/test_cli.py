"""``flask kpi inspect`` and ``flask kpi import`` on the real export files."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.extensions import db
from kpi.models import ImportBatch, Measurement
from tests.conftest import SHARED_DIR

EXPORTS = SHARED_DIR / "data" / "kpi-exports"


def test_inspect_prints_format_series_and_stores_nothing(runner) -> None:
    result = runner.invoke(
        args=[
            "kpi",
            "inspect",
            str(EXPORTS / "google-search-console_performance_dates.csv"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "format: gsc_dates" in result.output
    assert (
        "series clicks: Clics (recherche) [audience, day] 31 value(s), total 1630"
        in result.output
    )
    assert "  2024-03-01  90" in result.output
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0


@pytest.mark.parametrize(
    ("name", "key", "total"),
    [
        ("ga4_pages-and-screens_page-path-and-screen-class.csv", "views", "13301"),
        ("plausible_dashboard-export_2024-03.zip", "pageviews", "16981"),
        ("ua_audience-overview_fr.csv", "sessions", "32324"),
        (
            "matomo_api_contents-getcontentnames_week_2024-03.csv",
            "interactions",
            "1719",
        ),
    ],
)
def test_inspect_json_gives_every_point(runner, name, key, total) -> None:
    result = runner.invoke(args=["kpi", "inspect", str(EXPORTS / name), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    series = next(s for s in body["series"] if s["key"] == key)
    assert sum(Decimal(p["value"]) for p in series["points"]) == Decimal(total)


def test_inspect_lists_rejected_rows_with_their_line(runner, tmp_path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("Jour;Visites\n01/03/2024;12\n02/03/2024;abc\n")
    result = runner.invoke(
        args=[
            "kpi",
            "inspect",
            str(path),
            "--date-column",
            "Jour",
            "--column",
            "Visites",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "rejected line 3:" in result.output


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"%PDF-1.5 fake", "PDF"),
        (b"", "vide"),
        (b"a,b\n1,2\n3,4\n", "non reconnu"),
    ],
)
def test_refused_files_exit_non_zero_with_a_one_line_reason(
    runner, tmp_path, content, reason
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    result = runner.invoke(args=["kpi", "inspect", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("refused: ") and reason in lines[0]
    as_json = runner.invoke(args=["kpi", "inspect", str(path), "--json"])
    assert as_json.exit_code == 1 and json.loads(as_json.output)["ok"] is False


def test_import_stores_into_an_indicator_and_a_second_run_changes_nothing(
    runner, agency, make_indicator
) -> None:
    a = agency()
    cpc = make_indicator(a.project, "cost_per_click", frequency="day")
    path = str(EXPORTS / "microsoft-ads_campaign-performance-report_daily.csv")
    dry = runner.invoke(
        args=["kpi", "import", path, "--indicator", str(cpc.id), "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "dry run: would store 31 new" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0
    first = runner.invoke(
        args=["kpi", "import", path, "--indicator", str(cpc.id), "--json"]
    )
    assert first.exit_code == 0, first.output
    body = json.loads(first.output)
    assert (body["new"], body["changed"], body["series"]) == (31, 0, "cpc")
    again = runner.invoke(args=["kpi", "import", path, "--indicator", str(cpc.id)])
    assert again.exit_code == 0
    assert "stored 0 new, 0 changed, 31 unchanged, 0 rejected" in again.output
    assert db.session.scalar(select(func.sum(Measurement.denominator))) == Decimal(
        "950"
    )
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 2


def test_import_with_a_column_and_refusals(runner, agency, make_indicator) -> None:
    a = agency()
    visits = make_indicator(a.project, "audience", frequency="day")
    path = str(EXPORTS / "plausible_visitors.csv")
    ok = runner.invoke(
        args=[
            "kpi",
            "import",
            path,
            "--indicator",
            str(visits.id),
            "--column",
            "pageviews",
        ]
    )
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(select(func.sum(Measurement.value))) == Decimal("16981")
    unknown = runner.invoke(
        args=["kpi", "import", path, "--indicator", str(visits.id), "--column", "nope"]
    )
    assert unknown.exit_code == 1 and "no series named 'nope'" in unknown.output
    missing = runner.invoke(args=["kpi", "import", path, "--indicator", "999999"])
    assert missing.exit_code == 1 and "no indicator 999999" in missing.output
    monthly = runner.invoke(
        args=[
            "kpi",
            "import",
            str(EXPORTS / "ga4_pages-and-screens_page-path-and-screen-class.csv"),
            "--indicator",
            str(visits.id),
            "--column",
            "views",
        ]
    )
    assert monthly.exit_code == 1 and "par mois" in monthly.output
