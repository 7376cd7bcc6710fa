"""The importers against the real export layouts in shared/data/kpi-exports."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from kpi.errors import ImportRefused, KpiError
from kpi.importers import ParsedExport, Series, parse_export, read_columns
from tests.kpi._fixtures import FIXTURE_FILES, read_export


def parse(name: str, **kwargs: object) -> ParsedExport:
    return parse_export(read_export(name), name, **kwargs)  # type: ignore[arg-type]


def total(series: Series) -> Decimal:
    return sum((p.value for p in series.points if p.value is not None), Decimal(0))


def numerators(series: Series) -> tuple[Decimal, Decimal]:
    num = sum((p.numerator or Decimal(0) for p in series.points), Decimal(0))
    den = sum((p.denominator or Decimal(0) for p in series.points), Decimal(0))
    return num, den


MARCH_2024 = (date(2024, 3, 1), date(2024, 3, 31))


def test_every_fixture_is_recognised_by_content() -> None:
    expected = {
        "ga4_events_event-name.csv": "ga4_events",
        "ga4_pages-and-screens_page-path-and-screen-class.csv": "ga4_pages",
        "ga4_reports-snapshot.csv": "ga4_snapshot",
        "glpi10_tickets_search-export_fr.csv": "glpi",
        "glpi11_tickets_search-export_fr.csv": "glpi",
        "glpi11_tickets_search-export_fr.xlsx": "glpi",
        "google-ads_campaign-report.csv": "google_ads_campaigns",
        "google-ads_campaign-report.xlsx": "google_ads_campaigns",
        "google-ads_campaign-report_excel-fr-resave.csv": "google_ads_campaigns",
        "google-ads_search-keyword-report.csv": "google_ads_keywords",
        "google-search-console_performance-on-search.zip": "gsc_dates",
        "google-search-console_performance_dates.csv": "gsc_dates",
        "google-search-console_performance_fr_requetes.csv": "gsc_queries",
        "google-search-console_performance_queries.csv": "gsc_queries",
        "jira_issues_export-csv-all-fields.csv": "jira",
        "matomo_api_actions-getpageurls_flat_fr.tsv": "matomo_pages",
        "matomo_api_contents-getcontentnames_week_2024-03.csv": "matomo_contents",
        "matomo_api_visitssummary-get_day_2024-03.csv": "matomo_visits",
        "microsoft-ads_campaign-performance-report_daily.csv": "microsoft_ads",
        "plausible_dashboard-export_2024-03.zip": "plausible_zip",
        "plausible_visitors.csv": "plausible_visitors",
        "ua_audience-overview_en-us.csv": "ua_audience",
        "ua_audience-overview_fr.csv": "ua_audience",
        "ua_behavior_all-pages_en-gb.csv": "ua_pages",
    }
    assert set(FIXTURE_FILES) == set(expected)
    for name, fmt in expected.items():
        # The file name plays no part: every file is renamed to whatever.bin.
        assert parse_export(read_export(name), "whatever.bin").format == fmt, name


def test_ga4_pages_sum_views_into_one_point_for_the_month() -> None:
    export = parse("ga4_pages-and-screens_page-path-and-screen-class.csv")
    assert export.format_label == "Google Analytics 4 — Pages et écrans"
    assert export.period == MARCH_2024
    views = export.series_by_key("views")
    assert views.suggested_kind == "audience"
    assert views.granularity == "month"
    assert len(views.points) == 1
    point = views.points[0]
    assert point.period_start == date(2024, 3, 1)
    assert point.value == 13301
    assert len(point.lines) == 22
    assert point.lines == tuple(range(11, 33))
    assert export.rejected == []


def test_ga4_engagement_time_keeps_total_seconds_and_active_users() -> None:
    export = parse("ga4_pages-and-screens_page-path-and-screen-class.csv")
    reading = export.series_by_key("engagement_time")
    assert reading.suggested_kind == "reading_time"
    assert reading.is_ratio
    (point,) = reading.points
    # First row: 41.10719677906391 s × 1987 active users (quantized to 4 decimals).
    assert point.denominator == 7713
    assert point.numerator is not None and point.numerator > 0
    assert point.value == (point.numerator / point.denominator).quantize(
        Decimal("0.0001")
    )


def test_ga4_events_keep_visual_clicks() -> None:
    export = parse("ga4_events_event-name.csv")
    image = export.series_by_key("event:image_click")
    zoom = export.series_by_key("event:gallery_zoom")
    assert image.suggested_kind == zoom.suggested_kind == "clicks"
    assert export.series_by_key("event:click").suggested_kind == "custom"
    assert [p.value for p in image.points] == [2841]
    assert [p.value for p in zoom.points] == [967]
    assert image.points[0].period_start == date(2024, 3, 1)


def test_ga4_snapshot_gives_daily_users_and_engagement_components() -> None:
    export = parse("ga4_reports-snapshot.csv")
    users = export.series_by_key("active_users")
    assert users.granularity == "day"
    assert len(users.points) == 31
    assert users.points[0].period_start == date(2024, 3, 1)
    assert users.points[0].value == 223
    assert users.points[-1].period_start == date(2024, 3, 31)
    engagement = export.series_by_key("engagement_time")
    first = engagement.points[0]
    assert first.denominator == 223
    assert first.numerator == (Decimal("37.2681") * 223).quantize(Decimal("0.0001"))
    sessions = export.series_by_key("sessions")
    assert [p.value for p in sessions.points] == [6895]
    assert [p.value for p in export.series_by_key("event:image_click").points] == [2841]


def test_ua_en_us_stores_days_and_ignores_the_totals_row() -> None:
    export = parse("ua_audience-overview_en-us.csv")
    assert export.period == (date(2019, 3, 1), date(2019, 3, 31))
    sessions = export.series_by_key("sessions")
    users = export.series_by_key("users")
    assert len(sessions.points) == len(users.points) == 31
    assert sessions.points[0].period_start == date(2019, 3, 1)  # 3/1/19 is M/D/YY
    assert sessions.points[0].value == 1480
    assert total(sessions) == 34324
    # The de-duplicated users total (23,595) is not a day and not a warning.
    assert total(users) == 28428
    assert all(p.value != 23595 for p in users.points)
    assert export.warnings == []
    assert all(p.period_start.month == 3 for p in users.points)


def test_ua_french_reads_no_break_space_thousands() -> None:
    export = parse("ua_audience-overview_fr.csv")
    sessions = export.series_by_key("sessions")
    assert len(sessions.points) == 31
    assert sessions.points[0].value == 1632
    assert total(sessions) == 32324
    assert export.warnings == []


def test_ua_pages_reads_durations_and_the_daily_block() -> None:
    export = parse("ua_behavior_all-pages_en-gb.csv")
    pageviews = export.series_by_key("pageviews")
    assert pageviews.granularity == "day"
    assert len(pageviews.points) == 31
    assert total(pageviews) == 8425
    reading = export.series_by_key("engagement_time")
    (point,) = reading.points
    # The totals row is UA's own site average (00:01:29 over 8,425 views), not
    # the pages' average weighted by views (83 s): UA divides by views - exits.
    assert point.denominator == 8425
    assert point.numerator == 89 * 8425
    assert point.value == 89


@pytest.mark.parametrize(
    "name",
    [
        "google-search-console_performance_dates.csv",
        "google-search-console_performance-on-search.zip",
    ],
)
def test_search_console_dates(name: str) -> None:
    export = parse(name)
    clicks = export.series_by_key("clicks")
    impressions = export.series_by_key("impressions")
    assert len(clicks.points) == len(impressions.points) == 31
    assert total(clicks) == 1630
    assert total(impressions) == 48157
    # Newest first in the file, oldest first in the series.
    assert clicks.points[0].period_start == date(2024, 3, 1)
    assert clicks.points[0].value == 90
    assert clicks.points[-1].lines == (2,)
    assert export.period == MARCH_2024


def test_search_console_queries_need_a_period_and_use_the_one_given() -> None:
    export = parse("google-search-console_performance_queries.csv")
    assert export.needs_period
    assert export.series_by_key("clicks").points == []
    dated = parse("google-search-console_performance_queries.csv", period=MARCH_2024)
    assert not dated.needs_period
    (point,) = dated.series_by_key("clicks").points
    assert point.period_start == date(2024, 3, 1)
    assert dated.series_by_key("clicks").granularity == "month"
    assert point.value == sum(
        int(r[1]) for r in _rows("google-search-console_performance_queries.csv")
    )


def test_search_console_french_queries_read_french_numbers() -> None:
    name = "google-search-console_performance_fr_requetes.csv"
    export = parse(name, period=MARCH_2024)
    rows = _rows(name)
    (impressions,) = export.series_by_key("impressions").points
    assert impressions.value == sum(int(r[2].replace("\u00a0", "")) for r in rows)
    assert len(impressions.lines) == len(rows) == 16
    assert export.rejected == []


def _rows(name: str) -> list[list[str]]:
    text = read_export(name).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))[1:]


def test_matomo_visits_summary_utf16() -> None:
    export = parse("matomo_api_visitssummary-get_day_2024-03.csv")
    visits = export.series_by_key("visits")
    assert len(visits.points) == 29
    days = {p.period_start for p in visits.points}
    assert date(2024, 3, 10) not in days and date(2024, 3, 24) not in days
    assert total(visits) == 9979
    reading = export.series_by_key("engagement_time")
    assert numerators(reading) == (Decimal(1875759), Decimal(9979))
    assert round(numerators(reading)[0] / numerators(reading)[1]) == 188
    assert reading.points[0].value == (Decimal(75325) / 499).quantize(Decimal("0.0001"))


def test_matomo_contents_weekly_interactions() -> None:
    export = parse("matomo_api_contents-getcontentnames_week_2024-03.csv")
    interactions = export.series_by_key("interactions")
    assert interactions.suggested_kind == "clicks"
    assert interactions.granularity == "week"
    assert len(interactions.points) == 5
    assert sum(len(p.lines) for p in interactions.points) == 20
    assert total(interactions) == 1719
    assert interactions.points[0].period_start == date(2024, 2, 26)
    assert export.period == (date(2024, 2, 26), date(2024, 3, 31))


def test_matomo_pages_translated_tsv_with_a_period() -> None:
    export = parse("matomo_api_actions-getpageurls_flat_fr.tsv", period=MARCH_2024)
    (views,) = export.series_by_key("pageviews").points
    assert views.value == 3870 + 1655 + 1298 + 1201 + 471 + 351 + 240 + 97 + 44 + 27
    (reading,) = export.series_by_key("engagement_time").points
    assert reading.denominator == views.value


@pytest.mark.parametrize(
    "name", ["plausible_visitors.csv", "plausible_dashboard-export_2024-03.zip"]
)
def test_plausible_visitors(name: str) -> None:
    export = parse(name)
    visitors = export.series_by_key("visitors")
    assert len(visitors.points) == 31
    assert total(visitors) == 6294
    assert total(export.series_by_key("pageviews")) == 16981
    reading = export.series_by_key("engagement_time")
    zero_day = next(p for p in reading.points if p.period_start == date(2024, 3, 17))
    assert zero_day.value is None  # no visits: no average, not 0, not an error
    assert zero_day.denominator == 0
    assert export.rejected == []


@pytest.mark.parametrize(
    "name",
    [
        "google-ads_campaign-report.csv",
        "google-ads_campaign-report_excel-fr-resave.csv",
        "google-ads_campaign-report.xlsx",
    ],
)
def test_google_ads_campaigns_cost_per_click_from_components(name: str) -> None:
    export = parse(name)
    assert export.period == MARCH_2024
    assert [p.value for p in export.series_by_key("clicks").points] == [9388]
    assert [p.value for p in export.series_by_key("cost").points] == [
        Decimal("4203.15")
    ]
    cpc = export.series_by_key("cpc")
    assert cpc.suggested_kind == "cost_per_click"
    assert cpc.unit == "EUR"
    (point,) = cpc.points
    assert (point.numerator, point.denominator) == (Decimal("4203.15"), 9388)
    assert point.value is not None and round(point.value, 2) == Decimal("0.45")
    assert len(point.lines) == 6  # data rows only, the five Total rows are ignored
    assert export.warnings == []


def test_google_ads_keywords_ignore_totals_in_the_third_column() -> None:
    export = parse("google-ads_search-keyword-report.csv")
    (clicks,) = export.series_by_key("clicks").points
    (cost,) = export.series_by_key("cost").points
    assert clicks.value == 4178
    assert cost.value == Decimal("2352.75")
    assert len(clicks.lines) == 10
    assert export.warnings == []


def test_google_ads_zero_clicks_means_no_cost_per_click() -> None:
    text = (
        'Campaign report\n"March 1, 2024 - March 31, 2024"\n'
        "Campaign,Clicks,Cost\nA,0,0.00\n"
    )
    export = parse_export(text.encode())
    (point,) = export.series_by_key("cpc").points
    assert point.value is None
    assert point.denominator == 0


def test_microsoft_ads_daily_cost_per_click() -> None:
    export = parse("microsoft-ads_campaign-performance-report_daily.csv")
    clicks = export.series_by_key("clicks")
    assert sum(len(p.lines) for p in clicks.points) == 60
    assert total(clicks) == 950
    assert total(export.series_by_key("cost")) == Decimal("463.48")
    cpc = export.series_by_key("cpc")
    num, den = numerators(cpc)
    assert (num, den) == (Decimal("463.48"), Decimal(950))
    assert round(num / den, 2) == Decimal("0.49")
    assert export.period == MARCH_2024
    assert export.warnings == []


@pytest.mark.parametrize(
    "name",
    [
        "glpi10_tickets_search-export_fr.csv",
        "glpi11_tickets_search-export_fr.csv",
        "glpi11_tickets_search-export_fr.xlsx",
    ],
)
def test_glpi_counts_incidents_per_opening_day(name: str) -> None:
    export = parse(name)
    incidents = export.series_by_key("incidents")
    assert incidents.suggested_kind == "incidents"
    assert incidents.granularity == "day"
    assert total(incidents) == 7
    assert total(export.series_by_key("tickets")) == 10
    assert incidents.points[0].period_start == date(2024, 3, 1)
    assert export.rejected == []


def test_glpi10_multiline_descriptions_keep_line_numbers() -> None:
    export = parse("glpi10_tickets_search-export_fr.csv")
    tickets = export.series_by_key("tickets")
    lines = sorted(line for p in tickets.points for line in p.lines)
    assert lines[:3] == [2, 5, 6]  # ticket 1187 spans lines 2-4


def test_jira_counts_incident_rows() -> None:
    export = parse("jira_issues_export-csv-all-fields.csv")
    incidents = export.series_by_key("incidents")
    assert total(incidents) == 3
    assert total(export.series_by_key("tickets")) == 4
    assert [p.period_start for p in incidents.points] == [
        date(2024, 3, 6),
        date(2024, 3, 14),
        date(2024, 3, 29),
    ]


# --------------------------------------------------------------------------- #
# Refusals and detection by content
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (bytes(range(256)) * 4, "binaire"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    ],
)
def test_non_text_files_are_refused_naming_what_they_look_like(
    data: bytes, looks_like: str
) -> None:
    with pytest.raises(ImportRefused) as error:
        parse_export(data, "export.csv")
    assert "Type de fichier non pris en charge" in str(error.value)
    assert looks_like in str(error.value)
    assert isinstance(error.value, KpiError)


def test_xlsx_renamed_csv_is_read_as_a_workbook() -> None:
    data = read_export("google-ads_campaign-report.xlsx")
    assert parse_export(data, "report.csv").format == "google_ads_campaigns"


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_empty_files_are_refused(data: bytes) -> None:
    with pytest.raises(ImportRefused, match="Le fichier est vide"):
        parse_export(data)


@pytest.mark.parametrize(
    "data",
    [
        b"date,visitors,pageviews,visits,views_per_visit,bounce_rate,visit_duration\r\n",
        b"Date,Clicks,Impressions,CTR,Position",
        b"date,value\n\n",
    ],
)
def test_header_only_files_are_refused_as_without_data(data: bytes) -> None:
    with pytest.raises(ImportRefused, match="aucune donnée"):
        parse_export(data)


def test_ga4_preamble_without_rows_has_no_data() -> None:
    head = read_export("ga4_events_event-name.csv").split(b"\r\n")[:10]
    with pytest.raises(ImportRefused, match="aucune donnée"):
        parse_export(b"\r\n".join(head))


def test_matomo_no_data_available_is_refused_clearly() -> None:
    with pytest.raises(ImportRefused, match="Matomo n'a renvoyé aucune donnée"):
        parse_export(b"No data available")


def test_files_over_the_limit_are_refused_with_the_limit_in_mb() -> None:
    with pytest.raises(ImportRefused, match="taille maximale de 20 Mo"):
        parse_export(b"a" * (20 * 1024 * 1024 + 1))
    with pytest.raises(ImportRefused, match="taille maximale de 1,0 Mo"):
        parse_export(b"date,value\n" * 100_000, max_bytes=1024 * 1024)


def test_an_unknown_layout_asks_for_a_mapping_and_lists_its_columns() -> None:
    data = b"Jour;Visites du site;Commentaire\n01/03/2024;12;ok\n"
    with pytest.raises(ImportRefused) as error:
        parse_export(data)
    assert error.value.columns == ["Jour", "Visites du site", "Commentaire"]
    message = str(error.value)
    assert "non reconnu" in message and "associez" in message
    assert "Visites du site" in message
    assert read_columns(data, "x.csv") == ["Jour", "Visites du site", "Commentaire"]


def test_read_columns_of_a_workbook() -> None:
    columns = read_columns(read_export("glpi11_tickets_search-export_fr.xlsx"))
    assert columns[:3] == ["ID", "Titre", "Statut"]


def test_a_zip_without_known_export_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", "x,y\n1,2\n")
        archive.writestr("b.csv", "x,y\n1,2\n")
    with pytest.raises(ImportRefused, match="Archive ZIP sans export reconnu"):
        parse_export(buffer.getvalue())


def test_a_damaged_zip_is_refused() -> None:
    data = read_export("plausible_dashboard-export_2024-03.zip")[:300]
    with pytest.raises(ImportRefused):
        parse_export(data)


# --------------------------------------------------------------------------- #
# Encodings and malformed rows
# --------------------------------------------------------------------------- #


def test_windows_1252_and_utf8_with_bom_decode_alike() -> None:
    text = read_export("google-search-console_performance_fr_requetes.csv").decode()
    # U+00A0 exists in cp1252 (0xA0), so the French file survives the round trip.
    as_cp1252 = parse_export(text.encode("cp1252"), period=MARCH_2024)
    with_bom = parse_export(b"\xef\xbb\xbf" + text.encode(), period=MARCH_2024)
    assert as_cp1252.series_by_key("impressions").points == (
        with_bom.series_by_key("impressions").points
    )


def test_a_line_in_another_encoding_is_rejected_by_number_and_the_rest_kept() -> None:
    lines = read_export("glpi11_tickets_search-export_fr.csv").split(b"\r\n")
    lines[2] = lines[2].decode().encode("cp1252")  # ticket 1188, "Création…"
    export = parse_export(b"\r\n".join(lines))
    assert [row.line for row in export.rejected] == [3]
    assert export.rejected[0].reason.startswith("Ligne 3 : caractères illisibles")
    assert total(export.series_by_key("tickets")) == 9
    assert total(export.series_by_key("incidents")) == 7


def test_nothing_decodable_is_refused() -> None:
    with pytest.raises(ImportRefused):
        parse_export(b"\x81\x8d\x8f\x90\x9d\n" * 3)


def test_utf16_without_bom_is_read() -> None:
    data = read_export("matomo_api_visitssummary-get_day_2024-03.csv")[2:]
    assert total(parse_export(data).series_by_key("visits")) == 9979


def test_malformed_rows_are_rejected_with_their_line_and_good_rows_kept() -> None:
    lines = read_export("google-search-console_performance_dates.csv").split(b"\n")
    lines[3] = b"2024-03-29,abc,1141,4.12%,10.47"
    lines[4] = b"2024-13-45,110,2201,5%,18.33"
    lines[5] = b"2024-03-27,-4,988,5.47%,23.79"
    export = parse_export(b"\n".join(lines))
    reasons = {row.line: row.reason for row in export.rejected}
    assert reasons == {
        4: "Ligne 4 : valeur « abc » illisible dans la colonne Clicks.",
        5: "Ligne 5 : date illisible « 2024-13-45 ».",
        6: "Ligne 6, colonne Clicks, « -4 » : Valeur négative refusée : ce nombre "
        "se compte à partir de 0.",
    }
    assert export.rejected[0].raw == "2024-03-29,abc,1141,4.12%,10.47"
    assert len(export.series_by_key("clicks").points) == 28


def test_a_too_large_value_is_rejected_explicitly() -> None:
    lines = read_export("plausible_visitors.csv").split(b"\r\n")
    lines[1] = b"2024-03-01,100000000000000,509,223,2.28,58,53"
    export = parse_export(b"\r\n".join(lines))
    assert [row.line for row in export.rejected] == [2]
    assert "trop grande" in export.rejected[0].reason


def test_totals_disagreeing_with_rows_raise_a_warning() -> None:
    data = read_export("ua_audience-overview_fr.csv").replace(
        ",32\u00a0324".encode(), ",32\u00a0325".encode()
    )
    export = parse_export(data)
    assert any("32325" in warning for warning in export.warnings)


def test_the_importers_suggest_kinds_of_the_models_enum() -> None:
    from kpi import importers, models

    assert importers.IndicatorKind is models.IndicatorKind
