"""Google Search Console › Performance › Export (CSV files, or the whole ZIP).

``Dates.csv`` is a daily series sorted newest first; ``Queries.csv`` and
``Pages.csv`` cover the range written in ``Filters.csv`` (only in the ZIP).
French UIs translate the headers and format numbers the French way.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from kpi.importers.base import ParsedExport, RejectedRow
from kpi.importers.cells import RowError, date_error, number_cell
from kpi.importers.dates import parse_date, parse_text_range
from kpi.importers.series import SeriesBuilder, finish_export, single_period
from kpi.importers.sniff import Document, text_document
from kpi.importers.tables import find_column, header_index, normalise_name, reject
from kpi.kinds import IndicatorKind
from kpi.periods import Granularity

LABELS = {
    "gsc_dates": _l("Google Search Console — Performances par date"),
    "gsc_queries": _l("Google Search Console — Requêtes"),
    "gsc_pages": _l("Google Search Console — Pages"),
}

_CLICKS = ("Clicks", "Clics")
_IMPRESSIONS = ("Impressions",)
_FIRST_COLUMNS = {
    "date": "gsc_dates",
    "top queries": "gsc_queries",
    "requêtes les plus fréquentes": "gsc_queries",
    "top pages": "gsc_pages",
    "pages les plus populaires": "gsc_pages",
}


def _header(doc: Document) -> list[str]:
    head = doc.head(1)
    if not head:
        return []
    return [part.strip().strip('"') for part in head[0].split(",")]


def detect(doc: Document) -> str | None:
    """The Search Console format id of ``doc``, or None."""
    header = [normalise_name(name) for name in _header(doc)]
    if len(header) < 3 or header[0] not in _FIRST_COLUMNS:
        return None
    if header[1] not in ("clicks", "clics") or "impressions" not in header:
        return None
    return _FIRST_COLUMNS[header[0]]


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse one Search Console CSV (``period`` for Queries/Pages, from Filters)."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    header = next(
        (
            item.cells
            for item in doc.records(",", start=1, stop=1)
            if not isinstance(item, RejectedRow)
        ),
        [],
    )
    columns = header_index(header)
    french = normalise_name(header[1]) == "clics" if len(header) > 1 else False
    decimal = "," if french else "."
    clicks_at = find_column(columns, *_CLICKS)
    impressions_at = find_column(columns, *_IMPRESSIONS)
    daily = fmt == "gsc_dates"
    anchor: date = date.min
    granularity: Granularity = "day"
    if not daily:
        anchor, granularity = single_period(period, export.warnings)
    clicks = SeriesBuilder(
        "clicks", str(_l("Clics (recherche)")), IndicatorKind.AUDIENCE, "", granularity
    )
    impressions = SeriesBuilder(
        "impressions",
        str(_l("Impressions (recherche)")),
        IndicatorKind.AUDIENCE,
        "",
        granularity,
    )
    for item in doc.records(",", start=2):
        if isinstance(item, RejectedRow):
            export.rejected.append(item)
            continue
        try:
            day = anchor
            if daily:
                try:
                    day = parse_date(item.get(0), ("%Y-%m-%d", "%d/%m/%Y"))
                except ValueError:
                    raise date_error(item.line, item.get(0)) from None
            values = [
                number_cell(
                    item.get(position),
                    line=item.line,
                    column=header[position],
                    decimal=decimal,
                )
                for position in (clicks_at, impressions_at)
                if position is not None
            ]
        except RowError as error:
            reject(export.rejected, item, error)
            continue
        for builder, value in zip((clicks, impressions), values, strict=False):
            builder.add(day, value, item.line)
    return finish_export(
        export,
        [clicks, impressions],
        stated_period=period if not daily else None,
        single=not daily,
    )


def detect_zip(members: dict[str, bytes]) -> bool:
    """True for the Search Console download (Dates.csv beside Queries/Filters)."""
    return "Dates.csv" in members and (
        "Filters.csv" in members or "Queries.csv" in members
    )


def parse_zip(members: dict[str, bytes], filename: str) -> ParsedExport:
    """Parse ``Dates.csv`` of the Search Console ZIP.  :raises ImportRefused:"""
    stated = _filters_period(members.get("Filters.csv", b""))
    doc = text_document(members["Dates.csv"], f"{filename}/Dates.csv")
    export = parse(doc, "gsc_dates", period=None)
    if stated is not None:
        export.period = stated
    return export


def _filters_period(data: bytes) -> tuple[date, date] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    for line in text.splitlines():
        name, _, value = line.partition(",")
        if name.strip() == "Date":
            return parse_text_range(value.strip().strip('"'))
    return None
