"""Meta Ads Manager, Microsoft Clarity and YouTube Studio exports found in public
repositories (tests/data/kpi-exports/real), and the vocabulary that reads them in
other UI languages. Figures counted on the files with the ``csv`` module."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kpi.errors import ImportRefused
from kpi.importers import ParsedExport, Series, parse_export

REAL = Path(__file__).resolve().parents[1] / "data" / "kpi-exports" / "real"
MARCH_2024 = (date(2024, 3, 1), date(2024, 3, 31))


def read(name: str) -> bytes:
    return (REAL / name).read_bytes()


def parse(data: bytes, **kwargs: object) -> ParsedExport:
    return parse_export(data, "export.bin", **kwargs)  # type: ignore[arg-type]


def only(series: Series) -> Decimal | None:
    assert len(series.points) == 1
    return series.points[0].value


# --------------------------------------------------------------------------- #
# Meta Ads Manager
# --------------------------------------------------------------------------- #


def _july_2025(data: bytes) -> bytes:
    """The export as if run for July 2025 (a calendar month: storable)."""
    return data.replace(b"2025-02-01", b"2025-07-01").replace(
        b"2025-08-04", b"2025-07-31"
    )


def test_meta_ads_refuses_a_range_that_is_no_month_naming_its_totals() -> None:
    with pytest.raises(ImportRefused) as refused:  # 185 days: no single period
        parse(read("meta-ads_campaigns_inr.csv"))
    message = str(refused.value)
    assert "du 2025-02-01 au 2025-08-04 (185 jours" in message
    assert "Montant dépensé : 33245.34" in message
    assert "Clics sur un lien : 39581" in message


def test_meta_ads_takes_the_account_summary_row() -> None:
    export = parse(_july_2025(read("meta-ads_campaigns_inr.csv")))
    assert export.period == (date(2025, 7, 1), date(2025, 7, 31))
    spend = export.series_by_key("spend")
    assert spend.granularity == "month"
    assert (only(spend), spend.unit) == (Decimal("33245.34"), "INR")
    assert only(export.series_by_key("link_clicks")) == 39581
    cpc = export.series_by_key("cpc")
    assert cpc.suggested_kind == "cost_per_click"
    point = cpc.points[0]
    assert (point.numerator, point.denominator) == (Decimal("33245.34"), 39581)
    assert point.value == Decimal("0.8399")  # 0.83993179 in the file
    assert point.lines == (2,)  # the summary row, not the 15 campaigns
    assert export.rejected == []


def test_meta_ads_in_french_with_decimal_commas() -> None:
    text = _july_2025(read("meta-ads_campaigns_inr.csv")).decode("utf-8-sig")
    lines = text.splitlines()
    header = (
        lines[0]
        .replace('"Campaign name"', '"Nom de la campagne"')
        .replace('"Amount spent (INR)"', '"Montant dépensé (EUR)"')
        .replace('"Link clicks"', '"Clics sur un lien"')
        .replace('"Reporting starts"', '"Début des rapports"')
        .replace('"Reporting ends"', '"Fin des rapports"')
        .replace(",", ";")
    )
    rows = [line.replace(",", ";").replace(".", ",") for line in lines[1:]]
    data = "\ufeff" + "\r\n".join([header, *rows]) + "\r\n"
    export = parse(data.encode("cp1252", errors="replace"))
    assert export.format == "meta_ads"
    assert export.series_by_key("spend").unit == "EUR"
    assert only(export.series_by_key("spend")) == Decimal("33245.34")
    assert only(export.series_by_key("link_clicks")) == 39581


def test_meta_ads_daily_breakdown_gives_daily_values() -> None:
    data = (
        '\ufeff"Campaign name",Day,"Amount spent (EUR)","Link clicks",'
        '"Reporting starts","Reporting ends"\n'
        ",,30.50,61,2024-03-01,2024-03-02\n"
        "Printemps,2024-03-01,10.25,20,2024-03-01,2024-03-01\n"
        "Printemps,2024-03-02,20.25,41,2024-03-02,2024-03-02\n"
    )
    export = parse(data.encode())
    spend = export.series_by_key("spend")
    assert [(p.period_start, p.value) for p in spend.points] == [
        (date(2024, 3, 1), Decimal("10.25")),
        (date(2024, 3, 2), Decimal("20.25")),
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfNo data available.\n",
        b'"Campaign name","Amount spent (EUR)","Link clicks","Reporting starts",'
        b'"Reporting ends"\n"No data available."\n',
    ],
)
def test_meta_ads_no_data_file_is_refused_with_the_reason(data: bytes) -> None:
    with pytest.raises(ImportRefused) as refusal:
        parse(data)
    assert str(refusal.value.message).startswith(
        "L'outil n'a exporté aucune donnée (« No data available. »)"
    )


# --------------------------------------------------------------------------- #
# Microsoft Clarity
# --------------------------------------------------------------------------- #


def test_clarity_recordings_count_sessions_per_day() -> None:
    export = parse(read("clarity_recordings.csv"))
    assert export.format == "clarity_sessions"
    assert export.period == (date(2025, 8, 1), date(2025, 8, 4))
    sessions = export.series_by_key("sessions")
    assert sessions.suggested_kind == "audience"
    assert [(p.period_start, p.value) for p in sessions.points] == [
        (date(2025, 8, 1), 1),
        (date(2025, 8, 2), 7),
        (date(2025, 8, 3), 14),
        (date(2025, 8, 4), 22),
    ]
    assert export.warnings == []  # 44 = "Total sessions"


def test_clarity_total_sessions_that_do_not_match_the_rows_are_said() -> None:
    data = read("clarity_recordings.csv").replace(
        b'"Total sessions","44"', b'"Total sessions","45"'
    )
    export = parse(data)
    assert export.warnings == [
        "« Sessions » : le total du fichier (45) ne correspond pas à la somme "
        "des lignes (44)."
    ]


def test_clarity_export_with_only_its_preamble_is_refused_as_empty() -> None:
    preamble = read("clarity_recordings.csv").split(b'"Total sessions"')[0]
    with pytest.raises(ImportRefused) as refusal:
        parse(preamble)
    assert "aucune donnée" in str(refusal.value.message)


def test_clarity_top_pages_are_refused_in_one_sentence() -> None:
    with pytest.raises(ImportRefused) as refusal:
        parse(read("clarity_top-pages.csv"))
    assert "Recordings" in str(refusal.value.message)


# --------------------------------------------------------------------------- #
# YouTube Studio
# --------------------------------------------------------------------------- #


def test_youtube_table_takes_the_total_row_for_the_given_period() -> None:
    export = parse(read("youtube-studio_content_table-data.csv"), period=MARCH_2024)
    assert export.format == "youtube_studio"
    # Total,,,0,0,3562,265,253186,38.21,83.8,97004,375.6609,222,17949,5.19
    assert only(export.series_by_key("views")) == 97004
    assert only(export.series_by_key("watch_time_hours")) == Decimal("375.6609")
    assert only(export.series_by_key("impressions")) == 17949
    duration = export.series_by_key("view_duration").points[0]
    assert duration.value == Decimal(
        "13.9415"
    )  # 375.6609 h × 3600 / 97004 views = 13.94148
    assert export.series_by_key("views").points[0].lines == (2,)


def test_youtube_table_without_period_asks_for_it() -> None:
    export = parse(read("youtube-studio_content_table-data.csv"))
    assert export.needs_period
    assert all(not s.points for s in export.series)


def test_youtube_subscription_table_total_is_the_truth() -> None:
    export = parse(
        read("youtube-studio_subscription-status_table-data.csv"), period=MARCH_2024
    )
    assert only(export.series_by_key("views")) == 10103  # the rows add up to 10102
    assert only(export.series_by_key("watch_time_hours")) == Decimal("194.6712")
    assert "impressions" not in [s.key for s in export.series]


def test_youtube_in_spanish_with_a_date_column_gives_daily_values() -> None:
    data = (
        "Fecha,Visualizaciones,Tiempo de visualización (horas)\n"
        'Total,30,"1,75"\n'
        '2024-03-01,10,"0,5"\n'
        '2024-03-02,20,"1,25"\n'
    )
    export = parse(data.encode())
    views = export.series_by_key("views")
    assert [(p.period_start, p.value) for p in views.points] == [
        (date(2024, 3, 1), 10),
        (date(2024, 3, 2), 20),
    ]
    assert sum(
        p.value for p in export.series_by_key("watch_time_hours").points
    ) == Decimal("1.75")


def test_youtube_totals_give_daily_views_with_us_dates() -> None:
    export = parse(read("youtube-studio_totals.csv"))
    assert export.format == "youtube_studio"
    views = export.series_by_key("views")
    assert views.granularity == "day"
    assert export.period == (date(2026, 7, 16), date(2026, 8, 12))
    by_day = {p.period_start: p.value for p in views.points}
    assert by_day[date(2026, 8, 1)] == 11  # 8/1/2026 is 1 August, not 8 January
    assert sum(v for d, v in by_day.items() if d.month == 7) == 544
    assert sum(v for d, v in by_day.items() if d.month == 8) == 164


def test_inspect_json_refuses_the_meta_range_naming_its_spend(runner) -> None:
    result = runner.invoke(
        args=["kpi", "inspect", str(REAL / "meta-ads_campaigns_inr.csv"), "--json"]
    )
    assert result.exit_code == 1, result.output
    output = json.loads(result.output)
    assert output["ok"] is False
    assert "Montant dépensé : 33245.34" in output["error"]
    assert "par jour" in output["error"] and "Traceback" not in result.output


def test_inspect_refuses_clarity_top_pages_in_one_sentence(runner) -> None:
    result = runner.invoke(
        args=["kpi", "inspect", str(REAL / "clarity_top-pages.csv"), "--json"]
    )
    assert result.exit_code == 1
    output = json.loads(result.output)
    assert output["ok"] is False
    assert output["error"].count(". ") <= 1 and "Traceback" not in result.output


def test_meta_ads_without_summary_row_adds_the_campaigns() -> None:
    import csv
    import io

    lines = _july_2025(read("meta-ads_campaigns_inr.csv")).decode("utf-8-sig")
    lines = lines.splitlines()
    without_summary = "\n".join([lines[0], *lines[2:]]) + "\n"
    rows = list(csv.DictReader(io.StringIO(without_summary)))
    expected = sum(Decimal(r["Amount spent (INR)"]) for r in rows)
    export = parse(without_summary.encode())
    assert only(export.series_by_key("spend")) == expected
    assert only(export.series_by_key("link_clicks")) == sum(
        int(r["Link clicks"]) for r in rows
    )


def test_meta_ads_downloaded_as_xlsx_gives_the_same_summary() -> None:
    import csv
    import io
    from datetime import datetime

    from openpyxl import Workbook

    text = _july_2025(read("meta-ads_campaigns_inr.csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(rows[0])
    for row in rows[1:]:
        cells: list[object] = [
            float(cell) if cell.replace(".", "", 1).isdigit() else cell for cell in row
        ]
        cells[-2:] = [datetime.fromisoformat(day) for day in row[-2:]]
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    export = parse(buffer.getvalue())
    assert export.format == "meta_ads"
    assert export.period == (date(2025, 7, 1), date(2025, 7, 31))
    assert only(export.series_by_key("spend")) == Decimal("33245.34")
    assert only(export.series_by_key("link_clicks")) == 39581


def test_clarity_in_french_reads_day_first_dates() -> None:
    text = read("clarity_recordings.csv").decode("utf-8-sig")
    lines = text.split("\n")
    lines[0] = '"Nom du projet","Tee Fusion"'
    lines[1] = '"Plage de dates","01/08/2025 00:00 - 04/08/2025 23:59"'
    lines[4] = '"Nombre total de sessions","44"'
    for number in range(7, len(lines)):
        if lines[number].startswith('"08/'):
            month, day = lines[number][1:3], lines[number][4:6]
            lines[number] = f'"{day}/{month}' + lines[number][6:]
    export = parse(("\ufeff" + "\n".join(lines)).encode())
    assert export.format == "clarity_sessions"
    assert export.period == (date(2025, 8, 1), date(2025, 8, 4))
    sessions = export.series_by_key("sessions")
    assert [(p.period_start, p.value) for p in sessions.points][-1] == (
        date(2025, 8, 4),
        22,
    )


@pytest.mark.parametrize(
    "path", sorted(p for p in REAL.iterdir() if p.suffix != ".md"), ids=lambda p: p.name
)
def test_inspect_gives_figures_or_one_sentence_for_every_real_file(
    runner, path: Path
) -> None:
    result = runner.invoke(args=["kpi", "inspect", str(path), "--json"])
    assert "Traceback" not in result.output
    output = json.loads(result.output)
    if result.exit_code == 0:
        assert output["ok"] is True
        assert any(s["points"] for s in output["series"]) or any(
            "période" in w for w in output["warnings"]
        )
    else:
        assert result.exit_code == 1 and output["ok"] is False
        assert "\n" not in output["error"]
