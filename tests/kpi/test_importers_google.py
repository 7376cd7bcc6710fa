"""The Google tools' exports as they really come (tests/data/kpi-exports/real)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from kpi.errors import ImportRefused
from kpi.importers import ParsedExport, Series, parse_export
from tests.kpi._fixtures import EXPORTS_DIR, read_fetched

REAL = EXPORTS_DIR / "real"


def real(name: str) -> bytes:
    return (REAL / name).read_bytes()


def parse(name: str, **kwargs: object) -> ParsedExport:
    # The file name plays no part in the detection.
    return parse_export(real(name), "whatever.bin", **kwargs)  # type: ignore[arg-type]


def total(series: Series) -> Decimal:
    return sum((p.value for p in series.points if p.value is not None), Decimal(0))


def rezip(data: bytes, *, drop: tuple[str, ...] = ()) -> bytes:
    """The same archive without the members named in ``drop``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for info in source.infolist():
            if info.filename not in drop:
                target.writestr(info.filename, source.read(info))
    return out.getvalue()


# --------------------------------------------------------------------------- #
# Search Console
# --------------------------------------------------------------------------- #


def test_search_console_french_zip_reads_the_dates_sheet_and_names_the_others() -> None:
    export = parse("gsc_performance_fr_michelin.zip")
    assert export.format == "gsc_dates"
    clicks = export.series_by_key("clicks")
    impressions = export.series_by_key("impressions")
    # 92 days, 6 Nov 2024 – 5 Feb 2025; the same totals as Appareils.csv.
    assert len(clicks.points) == 92
    assert total(clicks) == 676311 == 408346 + 255313 + 12652
    assert total(impressions) == 38473290
    assert clicks.points[0].period_start == date(2024, 11, 6)
    assert clicks.points[-1].period_start == date(2025, 2, 5)
    assert clicks.points[-1].value == 6443
    # "Les 3 derniers mois" in Filtres.csv: the period is the one of the rows.
    assert export.period == (date(2024, 11, 6), date(2025, 2, 5))
    (named,) = [w for w in export.warnings if "Dates.csv" in w]
    assert "Pays.csv" in named and "Requêtes.csv" in named
    assert export.rejected == []


def test_search_console_zip_without_dates_uses_devices_and_asks_for_the_period() -> (
    None
):
    data = rezip(real("gsc_performance_fr_michelin.zip"), drop=("Dates.csv",))
    export = parse_export(data, "export.zip")
    assert export.format == "gsc_devices"
    assert export.needs_period
    assert any("Dates.csv" in w for w in export.warnings)
    dated = parse_export(
        data, "export.zip", period=(date(2024, 12, 1), date(2024, 12, 31))
    )
    (point,) = dated.series_by_key("clicks").points
    assert point.value == 676311
    assert point.period_start == date(2024, 12, 1)
    assert dated.series_by_key("clicks").granularity == "month"


def test_search_console_countries_alone_say_to_import_the_dates_sheet() -> None:
    export = parse("gsc_fr_pays.csv")
    assert export.format == "gsc_countries"
    assert export.needs_period
    assert all(series.points == [] for series in export.series)
    assert any("importez la feuille Dates" in w for w in export.warnings)


def test_search_console_french_graphique_sheet_and_french_filters_range() -> None:
    export = parse("gsc_graphique_fr_new-site.zip")
    assert export.format == "gsc_dates"
    assert export.period == (date(2026, 9, 14), date(2026, 9, 15))
    clicks = export.series_by_key("clicks")
    assert [(p.period_start, p.value) for p in clicks.points] == [
        (date(2026, 9, 14), 0),
        (date(2026, 9, 15), 0),
    ]
    assert any("« Graphique.csv » importée" in w for w in export.warnings)
    assert export.rejected == []


def test_search_console_chart_sheet_with_filters_gives_march() -> None:
    export = parse("gsc_chart_filters_en.zip")
    assert export.format == "gsc_dates"
    assert export.period == (date(2026, 3, 1), date(2026, 3, 31))
    clicks = export.series_by_key("clicks")
    assert len(clicks.points) == 31
    assert total(clicks) == 2048
    assert total(export.series_by_key("impressions")) == 516114
    assert parse("gsc_chart_en.csv").format == "gsc_dates"


def test_search_console_sheet_with_a_stated_month_gives_its_total() -> None:
    chart = real("gsc_chart_en.csv").decode()
    devices = "Device,Clicks,Impressions,CTR,Position\nMobile,1500,300000,0.5%,7\n"
    devices += "Desktop,548,216114,0.25%,8\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Devices.csv", devices)
        archive.writestr("Filters.csv", 'Filter,Value\nDate,"Mar 1, 2026-Mar 31, 2026"')
    export = parse_export(out.getvalue(), "gsc.zip")
    assert export.format == "gsc_devices"
    (point,) = export.series_by_key("clicks").points
    assert (point.period_start, point.value) == (date(2026, 3, 1), 2048)
    assert export.series_by_key("clicks").granularity == "month"
    assert not export.needs_period
    assert chart.count("\n") == 31


def test_search_console_excel_export_reads_its_dates_sheet() -> None:
    import csv

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    with zipfile.ZipFile(io.BytesIO(real("gsc_performance_fr_michelin.zip"))) as zf:
        # Queries first: the first sheet alone has no dates.
        for name in ("Requêtes.csv", "Pays.csv", "Dates.csv", "Filtres.csv"):
            sheet = workbook.create_sheet(name.removesuffix(".csv"))
            for cells in csv.reader(io.StringIO(zf.read(name).decode())):
                sheet.append([int(c) if c.isdigit() else c for c in cells])
    out = io.BytesIO()
    workbook.save(out)
    export = parse_export(out.getvalue(), "performance.xlsx")
    assert export.format == "gsc_dates"
    assert total(export.series_by_key("clicks")) == 676311
    assert len(export.series_by_key("clicks").points) == 92
    assert any("« Dates » importée" in w for w in export.warnings)


def _hours(day: str, hours: range) -> str:
    return "".join(f"{day} {hour:02d}:00,{hour},{10 * hour},1%,5\n" for hour in hours)


def test_search_console_hours_are_added_into_complete_days() -> None:
    text = "Date,Clicks,Impressions,CTR,Position\n"
    text += _hours("2026-03-01", range(10, 24)) + _hours("2026-03-02", range(24))
    text += _hours("2026-03-03", range(0, 9))
    export = parse_export(text.encode())
    (point,) = export.series_by_key("clicks").points
    assert (point.period_start, point.value) == (date(2026, 3, 2), sum(range(24)))
    assert len(export.rejected) == 14 + 9
    assert "incomplètes (14 heures sur 24)" in export.rejected[0].reason


def test_search_console_last_24_hours_alone_are_refused_with_the_reason() -> None:
    text = "Date,Clicks,Impressions,CTR,Position\n"
    text += _hours("2026-03-01", range(10, 24)) + _hours("2026-03-02", range(0, 10))
    with pytest.raises(ImportRefused, match="aucun jour complet"):
        parse_export(text.encode())


def test_search_console_hours_without_their_day_are_refused_with_the_reason() -> None:
    text = "Hour,Clicks,Impressions,CTR,Position\n"
    text += "".join(f"{hour}:00,{hour},{hour * 10},1%,5\n" for hour in range(24))
    with pytest.raises(ImportRefused, match="aucun jour complet"):
        parse_export(text.encode())


# --------------------------------------------------------------------------- #
# Google Analytics 4
# --------------------------------------------------------------------------- #


def test_ga4_real_snapshot_gives_daily_users_and_names_the_other_tables() -> None:
    export = parse("ga4_reports-snapshot_2026-01.csv")
    assert export.format == "ga4_snapshot"
    assert export.period == (date(2026, 1, 9), date(2026, 2, 5))
    users = export.series_by_key("active_users")
    assert len(users.points) == 28
    assert users.points[0].period_start == date(2026, 1, 9)
    assert users.points[0].value == 13
    assert total(users) == 121
    assert total(export.series_by_key("new_users")) == 107
    # 28 days are no indicator period: the 141 sessions are named, not stored.
    assert all(series.key != "sessions" for series in export.series)
    (period_warning,) = [w for w in export.warnings if "28 jours" in w]
    assert "Sessions : 141" in period_warning
    (unused,) = [w for w in export.warnings if "non importés :" in w]
    assert "Country ID / Active users" in unused
    assert export.rejected == []


def refusal(name: str) -> str:
    """The one-sentence refusal of a real file."""
    with pytest.raises(ImportRefused) as refused:
        parse(name)
    return str(refused.value)


def test_ga4_report_over_six_months_is_refused_not_stored_as_its_first_day() -> None:
    """Six months are no indicator period: the file is refused in one sentence
    that names its totals and says to export by day or for a calendar month."""
    message = refusal("ga4_landing-page_2025-02-to-08.csv")
    assert "du 2025-02-01 au 2025-08-04 (185 jours" in message
    assert "Sessions : 2107" in message
    assert "Événements clés : 16" in message
    assert "exportez le rapport par jour" in message
    assert message.count(". ") == 0


def test_ga4_spreadsheet_renamed_csv_reads_like_the_csv() -> None:
    assert real("ga4_landing-page_xlsx-renamed.csv").startswith(b"PK\x03\x04")
    assert refusal("ga4_landing-page_xlsx-renamed.csv") == refusal(
        "ga4_landing-page_2025-02-to-08.csv"
    )
    # The same workbook for July 2025 (a calendar month) is read like the CSV.
    july = (
        real("ga4_landing-page_2025-02-to-08.csv")
        .replace(b"# Start date: 20250201", b"# Start date: 20250701")
        .replace(b"# End date: 20250804", b"# End date: 20250731")
    )
    csv_export = parse_export(july)
    xlsx_export = parse_export(_as_workbook(july.decode("utf-8-sig")))
    assert xlsx_export.format == csv_export.format == "ga4_report"
    assert (
        xlsx_export.period == csv_export.period == (date(2025, 7, 1), date(2025, 7, 31))
    )
    assert xlsx_export.series_by_key("sessions").points[0].value == 2107
    assert xlsx_export.rejected == []


def _as_workbook(text: str) -> bytes:
    import csv

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for cells in csv.reader(io.StringIO(text)):
        sheet.append(
            [float(c) if c.replace(".", "", 1).isdigit() else c for c in cells]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_ga4_march_report_as_xlsx_keeps_its_figures() -> None:
    from tests.kpi._fixtures import read_export

    text = read_export("ga4_pages-and-screens_page-path-and-screen-class.csv")
    export = parse_export(_as_workbook(text.decode("utf-8-sig")), "report.csv")
    assert export.format == "ga4_pages"
    (views,) = export.series_by_key("views").points
    assert (views.period_start, views.value) == (date(2024, 3, 1), 13301)
    assert export.series_by_key("views").granularity == "month"


EXPLORATION = (
    "# ----------------------------------------\n"
    "# Free form 1\n"
    "# Account: Example\n"
    "# Property: example.org - GA4\n"
    "# ----------------------------------------\n"
    "#\n"
    "# All Users\n"
    "# Start date: 20240301\n"
    "# End date: 20240331\n"
    "Page path and screen class,Views,Sessions,Active users\n"
    ",1500,900,700,Grand total\n"
    "/,1000,600,500\n"
    "/contact,300,200,180\n"
)


def test_ga4_exploration_grand_total_is_the_truth_for_the_month() -> None:
    export = parse_export(EXPLORATION.encode())
    assert export.format == "ga4_pages"
    (views,) = export.series_by_key("views").points
    (sessions,) = export.series_by_key("sessions").points
    (users,) = export.series_by_key("active_users").points
    # The rows shown add up to 1300 views; the Grand total row (line 11) says 1500.
    assert (views.period_start, views.value) == (date(2024, 3, 1), 1500)
    assert sessions.value == 900
    assert users.value == 700  # users are de-duplicated: only the total says it
    assert 11 in views.lines
    assert any("1500" in w and "1300" in w for w in export.warnings)
    assert export.series[0].key == "sessions"  # visits before page views


def test_ga4_daily_exploration_checks_its_grand_total() -> None:
    text = (
        "# ----------------------------------------\n"
        "# Free form 1\n"
        "# ----------------------------------------\n"
        "# Start date: 20240301\n"
        "# End date: 20240302\n"
        "Date,Sessions,Active users\n"
        "Grand total,{total},150\n"
        "20240301,60,80\n"
        "20240302,40,90\n"
    )
    export = parse_export(text.format(total=100).encode())
    sessions = export.series_by_key("sessions")
    assert [(p.period_start, p.value) for p in sessions.points] == [
        (date(2024, 3, 1), 60),
        (date(2024, 3, 2), 40),
    ]
    assert export.warnings == []
    wrong = parse_export(text.format(total=101).encode())
    assert any("101" in w and "100" in w for w in wrong.warnings)


def test_ga4_year_by_month_gives_monthly_sessions_users_included() -> None:
    text = (
        "# ----------------------------------------\n"
        "# Free form 1\n"
        "# ----------------------------------------\n"
        "# Start date: 20240101\n"
        "# End date: 20241231\n"
        "Year month,Sessions,Active users\n"
        "202401,500,300\n"
        "202402,450,280\n"
    )
    export = parse_export(text.encode())
    sessions = export.series_by_key("sessions")
    assert sessions.granularity == "month"
    assert [(p.period_start, p.value) for p in sessions.points] == [
        (date(2024, 1, 1), 500),
        (date(2024, 2, 1), 450),
    ]
    assert [p.value for p in export.series_by_key("active_users").points] == [300, 280]


def test_ga4_exploration_in_french_tsv_with_total_general() -> None:
    text = (
        "# ----------------------------------------\n"
        "# Exploration libre 1\n"
        "# ----------------------------------------\n"
        "# Date de début : 20240301\n"
        "# Date de fin : 20240331\n"
        "Nom de l'événement\tNombre d'événements\n"
        "Total général\t4000\n"
        "image_click\t2841\n"
        "gallery_zoom\t967\n"
        "page_view\t192\n"
    )
    export = parse_export(text.encode())
    assert export.format == "ga4_events"
    assert export.period == (date(2024, 3, 1), date(2024, 3, 31))
    (visual,) = export.series_by_key("visual_clicks").points
    assert visual.value == 2841 + 967
    assert "Σ gallery_zoom + image_click" in export.series_by_key("visual_clicks").label
    assert all(series.key != "event:Total général" for series in export.series)


# --------------------------------------------------------------------------- #
# Google Ads
# --------------------------------------------------------------------------- #

JANUARY_2026 = (date(2026, 1, 1), date(2026, 1, 31))


def _with_date_line(name: str, line: str) -> bytes:
    """The real report with its second line (the date range) replaced."""
    rows = real(name).decode().split("\n")
    rows[1] = line
    return "\n".join(rows).encode()


def test_google_ads_search_terms_take_the_campaign_total_when_rows_fall_short() -> None:
    data = _with_date_line(
        "google-ads_search-terms-report_campaign-total.csv",
        '"January 1, 2026 - January 31, 2026"',
    )
    export = parse_export(data)
    assert export.format == "google_ads_search_terms"
    (clicks,) = export.series_by_key("clicks").points
    (cost,) = export.series_by_key("cost").points
    (cpc,) = export.series_by_key("cpc").points
    # 15 search terms shown hold 2 clicks; "Total: Campaign" says 5,120.
    assert (clicks.period_start, clicks.value) == (date(2026, 1, 1), 5120)
    assert cost.value == Decimal("1468.19")
    assert (cpc.numerator, cpc.denominator) == (Decimal("1468.19"), 5120)
    assert export.series_by_key("clicks").granularity == "month"
    assert any("Total: Campaign" in w and "5120" in w for w in export.warnings)


def test_google_ads_account_total_is_the_truth_over_thirty_days() -> None:
    # 17 Jan – 15 Feb (a rolling 30 days) is no indicator period: refused with
    # the account totals named, not stored on 17 January.
    message = refusal("google-ads_search-terms-report_2024-01-17.csv")
    assert "du 2024-01-17 au 2024-02-15 (30 jours" in message
    assert "Clics (annonces) : 7166" in message
    assert "Coût : 97152.46" in message
    # The same report for a calendar month keeps the account total (7166).
    data = _with_date_line(
        "google-ads_search-terms-report_2024-01-17.csv",
        '"January 1, 2024 - January 31, 2024"',
    )
    export = parse_export(data)
    assert export.format == "google_ads_search_terms"
    assert any("Total: Account" in w and "7166" in w for w in export.warnings)
    assert export.series_by_key("clicks").points[0].value == 7166


def test_google_ads_all_time_asks_for_the_period_then_uses_it() -> None:
    data = _with_date_line("google-ads_search-terms-report_2024-01-17.csv", "All time")
    export = parse_export(data)
    assert export.needs_period
    assert any("« All time »" in w for w in export.warnings)
    assert export.series_by_key("clicks").points == []
    dated = parse_export(data, period=JANUARY_2026)
    (clicks,) = dated.series_by_key("clicks").points
    assert (clicks.period_start, clicks.value) == (date(2026, 1, 1), 7166)


def test_google_ads_excel_csv_utf16_tabs_is_read() -> None:
    data = read_fetched("google-ads_campaign-report_excel-utf16.csv")
    assert data.startswith(b"\xff\xfe")
    with pytest.raises(ImportRefused) as refused:  # 28 days: no indicator period
        parse_export(data, "Campaign report.csv")
    message = str(refused.value)
    assert "du 2026-01-27 au 2026-02-23 (28 jours" in message
    assert "Clics (annonces) : 264" in message
    assert "Coût : 365.22" in message
    assert "Impressions : 9380" in message


def test_adwords_2016_keyword_report_dates_itself_from_its_title() -> None:
    export = parse("adwords_keyword-report_2016-utf16.csv")
    assert export.format == "google_ads_keywords"
    assert export.period == (date(2016, 6, 14), date(2016, 6, 14))
    (clicks,) = export.series_by_key("clicks").points
    (cost,) = export.series_by_key("cost").points
    assert (clicks.period_start, clicks.value) == (date(2016, 6, 14), 6)
    assert cost.value == Decimal("3.94")
    assert export.series_by_key("clicks").granularity == "day"
    assert len(clicks.lines) == 7  # the keyword rows; "Total - filtered"/"Total" agree
    assert export.warnings == []


@pytest.mark.parametrize(
    ("line", "stored"),
    [
        ('"March 4, 2024 - March 10, 2024"', True),  # Monday to Sunday
        ('"March 6, 2024 - March 12, 2024"', False),  # 7 days from a Wednesday
        ('"January 1, 2024 - December 31, 2024"', False),  # a year
        ('"March 1, 2024 - March 31, 2024"', True),
    ],
)
def test_a_report_is_stored_only_for_a_calendar_period(line: str, stored: bool) -> None:
    data = _with_date_line("google-ads_search-terms-report_2024-01-17.csv", line)
    if stored:
        points = parse_export(data).series_by_key("clicks").points
        assert points[0].value == 7166
    else:
        with pytest.raises(ImportRefused, match="ni un jour, ni une semaine"):
            parse_export(data)


def test_google_ads_report_segmented_by_day_gives_daily_values() -> None:
    text = (
        "Campaign report\n"
        '"March 1, 2024 - March 2, 2024"\n'
        "Day,Campaign,Clicks,Impr.,Currency code,Cost\n"
        "2024-03-01,A,10,100,EUR,5.00\n"
        "2024-03-02,A,20,200,EUR,7.50\n"
        "Total: Account, --,30,300,EUR,12.50\n"
    )
    export = parse_export(text.encode())
    clicks = export.series_by_key("clicks")
    assert clicks.granularity == "day"
    assert [(p.period_start, p.value) for p in clicks.points] == [
        (date(2024, 3, 1), 10),
        (date(2024, 3, 2), 20),
    ]
    assert export.warnings == []


def test_google_ads_year_segmented_by_month_gives_monthly_values() -> None:
    text = (
        "Rapport sur les campagnes\n"
        "1 janvier 2024 - 31 décembre 2024\n"
        "Mois;Campagne;Clics;Coût\n"
        "janvier 2024;A;12;6,00\n"
        "février 2024;A;8;4,50\n"
        "Total : compte;;20;10,50\n"
    )
    export = parse_export(text.encode("cp1252"))
    cost = export.series_by_key("cost")
    assert cost.granularity == "month"
    assert [(p.period_start, p.value) for p in cost.points] == [
        (date(2024, 1, 1), Decimal("6.00")),
        (date(2024, 2, 1), Decimal("4.50")),
    ]
    assert export.period == (date(2024, 1, 1), date(2024, 12, 31))


# --------------------------------------------------------------------------- #
# flask kpi inspect
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("name", "fmt", "clicks"),
    [
        ("gsc_performance_fr_michelin.zip", "gsc_dates", 676311),
        ("gsc_chart_filters_en.zip", "gsc_dates", 2048),
        ("adwords_keyword-report_2016-utf16.csv", "google_ads_keywords", 6),
    ],
)
def test_inspect_json_gives_the_clicks_of_real_exports(
    runner, name: str, fmt: str, clicks: int
) -> None:
    result = runner.invoke(args=["kpi", "inspect", str(REAL / name), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["format"] == fmt
    (series,) = [s for s in body["series"] if s["key"] == "clicks"]
    assert sum(Decimal(p["value"]) for p in series["points"]) == clicks


def test_inspect_refuses_last_24_hours_in_one_sentence(runner, tmp_path) -> None:
    path = tmp_path / "Chart.csv"
    path.write_text(
        "Date,Clicks,Impressions,CTR,Position\n" + _hours("2026-03-01", range(10, 20))
    )
    result = runner.invoke(args=["kpi", "inspect", str(path), "--json"])
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["ok"] is False
    assert body["error"].startswith("Données horaires")
    assert "Traceback" not in result.output


#: Real files refused on purpose, each in one sentence.
REFUSED_REAL_FILES = {
    "clarity_top-pages.csv",
    "ga4_exploration_events-tab_page-path_90-days.csv",
    "ga4_exploration_free-form_page-path_425-days.csv",
    "ga4_landing-page_2025-02-to-08.csv",
    "ga4_landing-page_xlsx-renamed.csv",
    "google-ads_search-terms-report_2024-01-17.csv",
    "google-ads_search-terms-report_campaign-total.csv",
    "gsc_chart_last-24-hours_utc3.csv",
    "meta-ads_campaigns_inr.csv",
    "microsoft-ads_api_ad-performance_rows-0.csv",
}


@pytest.mark.parametrize(
    "name", sorted(p.name for p in REAL.iterdir() if p.suffix != ".md")
)
def test_inspect_never_fails_with_a_traceback_on_real_files(runner, name: str) -> None:
    result = runner.invoke(args=["kpi", "inspect", str(REAL / name), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    body = json.loads(result.output)
    # Clarity's top pages are refused on purpose (their sessions overlap), and
    # the reports of a range that is no indicator period (28, 30 or 185 days):
    # each in one sentence that says what to do.
    assert body["ok"] is (name not in REFUSED_REAL_FILES)
    if not body["ok"]:
        assert body["error"].rstrip(".").count(". ") <= 1
