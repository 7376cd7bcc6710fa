"""The Google tools' exports as they really come (tests/data/kpi-exports/real)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from kpi.errors import ImportRefused
from kpi.importers import ParsedExport, Series, parse_export
from tests.kpi._fixtures import EXPORTS_DIR

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


def test_search_console_french_zip_reads_the_dates_sheet_and_names_the_others() -> (
    None
):
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
    dated = parse_export(data, "export.zip", period=(date(2024, 12, 1), date(2024, 12, 31)))
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
