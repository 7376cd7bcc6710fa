"""Real exports of the variants members meet (tests/data/kpi-exports/real, see its
README): GA4 explorations as downloaded, and what a person checks on each file."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kpi.errors import ImportRefused
from kpi.importers import ParsedExport, parse_export
from tests.kpi._fixtures import read_fetched

REAL = Path(__file__).resolve().parents[1] / "data" / "kpi-exports" / "real"

EXPLORATION = "ga4_exploration_free-form_page-path_425-days.csv"
EVENTS_TAB = "ga4_exploration_events-tab_page-path_90-days.csv"


def read(name: str) -> bytes:
    return (REAL / name).read_bytes()


fetched = read_fetched


def refusal(data: bytes) -> str:
    with pytest.raises(ImportRefused) as refused:
        parse_export(data, "download.csv")
    return str(refused.value)


def restated(data: bytes, old: bytes, new: bytes) -> ParsedExport:
    """The same export as if run over another range (``# YYYYMMDD-YYYYMMDD``)."""
    assert old in data
    return parse_export(data.replace(old, new), "download.csv")


# --------------------------------------------------------------------------- #
# GA4 explorations: "# Property", "# Exploration-Tab", "# YYYYMMDD-YYYYMMDD",
# then the header and a "Grand total" row with its label in an extra cell.
# --------------------------------------------------------------------------- #


def test_exploration_over_425_days_is_refused_naming_its_grand_total() -> None:
    message = refusal(read(EXPLORATION))
    assert "du 2024-11-22 au 2026-01-20 (425 jours" in message
    assert "Sessions : 16244" in message
    assert "Utilisateurs : 13789" in message
    assert "Événements clés : 9914" in message
    assert "exportez le rapport par jour" in message


def test_exploration_for_a_calendar_month_stores_its_grand_total() -> None:
    """Pages with their query strings: a session is listed on several pages
    (the 8 rows kept add up to 4,287 sessions; the file's 425-day rows to
    23,820), so only the Grand total row (line 8) says the month's sessions."""
    export = restated(read(EXPLORATION), b"# 20241122-20260120", b"# 20251201-20251231")
    assert export.format == "ga4_pages"
    assert export.period == (date(2025, 12, 1), date(2025, 12, 31))
    [sessions] = export.series_by_key("sessions").points
    assert (sessions.period_start, sessions.value) == (date(2025, 12, 1), 16244)
    assert export.series_by_key("sessions").granularity == "month"
    assert export.series_by_key("total_users").points[0].value == 13789
    assert export.series_by_key("key_events").points[0].value == 9914
    assert any("16244, ligne 8" in w for w in export.warnings)


def test_exploration_events_tab_gives_the_event_count_total() -> None:
    assert "Nombre d'événements : 4311" in refusal(read(EVENTS_TAB))  # 90 days
    export = restated(read(EVENTS_TAB), b"# 20251213-20260312", b"# 20260201-20260228")
    [events] = export.series_by_key("event_count").points
    assert (events.period_start, events.value) == (date(2026, 2, 1), 4311)


# --------------------------------------------------------------------------- #
# GA4 in another UI language: the 2023 reports snapshot ("Report CSV Export"),
# Spanish UI: "Día N", "Usuarios", "Tiempo de interacción medio", "Sesiones".
# --------------------------------------------------------------------------- #

SNAPSHOT_ES = "ga4_snapshot_report-csv-export_es_2023.csv"


def test_spanish_snapshot_gives_users_by_day_and_names_the_sessions() -> None:
    export = parse_export(read(SNAPSHOT_ES), "data-export.csv")
    assert export.format == "ga4_snapshot"
    assert export.period == (date(2023, 4, 24), date(2023, 5, 21))
    users = {p.period_start: p.value for p in export.series_by_key("users").points}
    assert len(users) == 28  # "0000" is 24 April, "0027" is 21 May
    assert users[date(2023, 5, 18)] == 16 and users[date(2023, 5, 21)] == 1
    assert sum(v or 0 for v in users.values()) == 17
    new_users = export.series_by_key("new_users").points
    assert sum(p.value or 0 for p in new_users) == 17
    # Average engagement time per user, weighted by the day's users.
    time = {p.period_start: p for p in export.series_by_key("engagement_time").points}
    assert time[date(2023, 5, 18)].value == Decimal("25.75")
    assert time[date(2023, 5, 18)].denominator == 16
    assert time[date(2023, 5, 21)].value == 48
    # 28 days are no indicator period: the 28 sessions by channel are named.
    [period] = [w for w in export.warnings if "28 jours" in w]
    assert "Sessions : 28" in period
    [unused] = [w for w in export.warnings if "non importés :" in w]
    assert "País / Usuarios" in unused
    assert export.rejected == []


# --------------------------------------------------------------------------- #
# Search Console "Last 24 hours": one row an hour, in the property's time zone.
# --------------------------------------------------------------------------- #

HOURLY = "gsc_chart_last-24-hours_utc3.csv"


def test_search_console_last_24_hours_is_refused_with_that_reason() -> None:
    """``Time (UTC+03:00)``, 15 Dec 21:00 to 16 Dec 20:00: no whole day, so no
    value by day; the member is told to export 7 days or more."""
    data = read(HOURLY)
    assert data.startswith(b"Time (UTC+03:00),Clicks,Impressions")
    assert data.count(b"\n2025-12-1") == 24  # 24 hours, 59 impressions, 0 clicks
    message = refusal(data)
    assert message.startswith("Données horaires")
    assert "aucun jour complet" in message and "7 jours" in message


# --------------------------------------------------------------------------- #
# Microsoft Advertising (Bing Ads) report downloaded through the API: the
# "Report Name:" preamble, "Rows: 0", the copyright footer.
# --------------------------------------------------------------------------- #

MS_ADS_EMPTY = "microsoft-ads_api_ad-performance_rows-0.csv"


def test_microsoft_ads_report_without_rows_says_it_holds_no_data() -> None:
    data = read(MS_ADS_EMPTY)
    assert data.startswith(b'"Report Name: AdPerformanceReport')
    assert b'"Rows: 0"' in data
    assert "aucune donnée" in refusal(data)


# --------------------------------------------------------------------------- #
# Spreadsheet downloads (XLSX)
# --------------------------------------------------------------------------- #

GSC_XLSX = "gsc_performance-on-search_last-12-months_trimmed.xlsx"
GSC_COMPARISON_XLSX = "gsc_performance-on-search_comparison_trimmed.xlsx"
UA_XLSX = "ua_pages_2022-07_xlsx.xlsx"


def test_search_console_workbook_gives_clicks_and_impressions_by_day() -> None:
    """ "Export › Download Excel": one sheet per dimension, the dates in "Chart",
    numbers as numbers; the other sheets are named, not added."""
    export = parse_export(fetched(GSC_XLSX), "performance.xlsx")
    assert export.format == "gsc_dates"
    clicks = {p.period_start: p.value for p in export.series_by_key("clicks").points}
    impressions = export.series_by_key("impressions").points
    assert len(clicks) == 53 and clicks[date(2025, 1, 7)] == 114
    february = [d for d in clicks if d.month == 2]
    assert len(february) == 28
    assert sum(clicks[d] or 0 for d in february) == 2505
    assert sum(p.value or 0 for p in impressions if p.period_start.month == 2) == 157308
    [named] = [w for w in export.warnings if "Countries" in w]
    assert "Queries" in named and "Devices" in named


def test_search_console_comparison_is_refused_in_one_sentence() -> None:
    """Comparing two periods puts "<range> Clicks" columns side by side and
    drops the dates sheet: the member is told to export one period."""
    message = refusal(fetched(GSC_COMPARISON_XLSX))
    assert "mode comparaison" in message
    assert "10/1/25 - 12/31/25 / 10/1/24 - 12/31/24" in message
    assert message.rstrip(".").count(". ") == 0


def test_search_console_comparison_csv_header_is_refused_too() -> None:
    header = (
        "Country,10/1/25 - 12/31/25 Clicks,10/1/24 - 12/31/24 Clicks,"
        "10/1/25 - 12/31/25 Impressions,10/1/24 - 12/31/24 Impressions,"
        "10/1/25 - 12/31/25 CTR,10/1/24 - 12/31/24 CTR,"
        "10/1/25 - 12/31/25 Position,10/1/24 - 12/31/24 Position\n"
        "United Kingdom,344,380,47707,17075,0.72%,2.23%,16.52,9.65\n"
    )
    assert "mode comparaison" in refusal(header.encode())


def test_universal_analytics_workbook_reads_like_its_csv() -> None:
    """UA "Export › Excel (XLSX)": a Summary sheet (view, report, range), the
    pages in Dataset1 (10 listed, their totals row) and the days in Dataset2."""
    export = parse_export(fetched(UA_XLSX), "Analytics All Web Site Data Pages.xlsx")
    assert export.format == "ua_pages"
    assert export.period == (date(2022, 7, 1), date(2022, 7, 31))
    views = export.series_by_key("pageviews")
    assert views.granularity == "day" and len(views.points) == 31
    assert views.points[0].value == 1022
    assert sum(p.value or 0 for p in views.points) == 93480
    # The site's average time on page is the totals row's (58.26 s), not the
    # average of the 10 pages listed.
    [reading] = export.series_by_key("engagement_time").points
    assert reading.value == Decimal("58.2641")
    assert reading.denominator == 93480
    assert export.rejected == []


# --------------------------------------------------------------------------- #
# The command line: the right figures or one sentence, never a traceback.
# --------------------------------------------------------------------------- #

NEW_FILES = [
    EXPLORATION,
    EVENTS_TAB,
    SNAPSHOT_ES,
    GSC_XLSX,
    GSC_COMPARISON_XLSX,
    UA_XLSX,
]


@pytest.mark.parametrize("name", NEW_FILES)
def test_inspect_json_gives_figures_or_one_sentence(
    runner, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(read(name) if (REAL / name).is_file() else fetched(name))
    result = runner.invoke(args=["kpi", "inspect", str(path), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    body = json.loads(result.output)
    if body["ok"]:
        assert any(series["points"] for series in body["series"])
    else:
        assert body["error"].rstrip(".").count(". ") == 0
