"""YouTube Studio › Analytics › Advanced mode › Export (``Table data.csv``,
``Totals.csv``), in any UI language.

``Table data.csv`` has one row per video (or country, subscription status…) and a
``Total`` row, which is the truth (the rows are the top ones only); it does not say
its period (only the ZIP's name does), so the person gives it. ``Totals.csv``
(``Date,Views``, dates as the UI prints them: ``7/16/2026`` in English) gives
daily values. Watch time is in hours;
views and watch time also give the average view duration (a ratio, in seconds).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import ParsedExport
from kpi.importers.cells import RowError, date_error
from kpi.importers.dates import parse_date, parse_text_date, slash_order
from kpi.importers.flat import Metric, data_records, find_header
from kpi.importers.series import SeriesBuilder, finish_export, single_period
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, reject
from kpi.kinds import IndicatorKind
from kpi.periods import Granularity

LABELS = {"youtube_studio": _l("YouTube Studio — Statistiques")}

_SECONDS_PER_HOUR = Decimal(3600)


_METRICS = ("metric:views", "metric:watch_time_hours", "metric:impressions")


def _accept(cells: list[str]) -> bool:
    """Views and watch time (a table), or ``Date`` then only YouTube metrics
    (``Totals.csv``: ``Date,Views``)."""
    if (
        vocabulary.find(cells, "metric:views") is not None
        and vocabulary.find(cells, "metric:watch_time_hours") is not None
    ):
        return True
    return (
        len(cells) >= 2
        and vocabulary.is_word(cells[0], "date:date")
        and vocabulary.find(cells, "metric:views") is not None
        and all(any(vocabulary.is_word(c, m) for m in _METRICS) for c in cells[1:])
    )


def detect(doc: Document) -> str | None:
    """``youtube_studio`` or None: views and watch time (hours) in the header."""
    return "youtube_studio" if find_header(doc, _accept, limit=2) else None


def _date_formats(values: list[str]) -> tuple[str, ...]:
    """ISO, then day-first or month-first as the column shows (``16/7`` is
    day-first, ``7/16`` month-first); month-first when it does not tell, as an
    English UI prints ``7/16/2026``."""
    slashed = "%d/%m/%Y" if slash_order(values) == "dmy" else "%m/%d/%Y"
    return ("%Y-%m-%d", slashed)


def _day(text: str, line: int, formats: tuple[str, ...]) -> date:
    try:
        return parse_date(text, formats)
    except ValueError:
        pass
    try:
        return parse_text_date(text)
    except ValueError:
        raise date_error(line, text) from None


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a YouTube Studio export (``period``: that of a table without dates)."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    found = find_header(doc, _accept, limit=2)
    assert found is not None  # checked by detect()
    header_line, header = found
    rows = data_records(doc, header_line, export.rejected)
    date_at = vocabulary.find(header[:1], "date:date")
    total = next((r for r in rows if vocabulary.is_word(r.get(0), "total")), None)
    anchor: date = date.min
    granularity: Granularity = "day"
    if date_at is None:
        anchor, granularity = single_period(period, export.warnings)
    builders = _builders(granularity)
    metrics = {
        key: Metric(header, position, rows)
        for key in ("views", "watch_time_hours", "impressions")
        if (position := vocabulary.find(header, f"metric:{key}")) is not None
    }
    source = [total] if total is not None and date_at is None else rows
    formats = _date_formats([row.get(0) for row in rows])
    for row in source:
        if row is total and date_at is not None:
            continue
        try:
            day = _day(row.get(0), row.line, formats) if date_at is not None else anchor
            values = {key: metric.value(row) for key, metric in metrics.items()}
        except RowError as error:
            reject(export.rejected, row, error)
            continue
        _add(builders, day, values, row)
    return finish_export(
        export, builders.values(), stated_period=period, single=date_at is None
    )


def _builders(granularity: Granularity) -> dict[str, SeriesBuilder]:
    return {
        "views": SeriesBuilder(
            "views", _l("Vues (vidéos)"), IndicatorKind.AUDIENCE, "", granularity
        ),
        "watch_time_hours": SeriesBuilder(
            "watch_time_hours",
            _l("Durée de visionnage (heures)"),
            IndicatorKind.CUSTOM,
            "h",
            granularity,
        ),
        "impressions": SeriesBuilder(
            "impressions",
            _l("Impressions (miniatures)"),
            IndicatorKind.CUSTOM,
            "",
            granularity,
        ),
        "view_duration": SeriesBuilder(
            "view_duration",
            _l("Durée moyenne de visionnage"),
            IndicatorKind.READING_TIME,
            "s",
            granularity,
            ratio=True,
        ),
    }


def _add(
    builders: dict[str, SeriesBuilder],
    day: date,
    values: dict[str, Decimal],
    row: Record,
) -> None:
    for key, value in values.items():
        builders[key].add(day, value, row.line)
    if "views" in values and "watch_time_hours" in values:
        builders["view_duration"].add_ratio(
            day,
            values["watch_time_hours"] * _SECONDS_PER_HOUR,
            values["views"],
            row.line,
        )
