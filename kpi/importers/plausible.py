"""Plausible dashboard › "Export stats to CSV" (a ZIP of reports, or visitors.csv).

``visitors.csv`` is the time series: ``date,visitors,pageviews,visits,
views_per_visit,bounce_rate,visit_duration``; a day without traffic reads
``0,0,0,0.0,0.0,`` (no duration). Daily visitors add up to a sum of daily uniques,
not to the period's unique visitors.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import QUANTUM, ParsedExport, RejectedRow
from kpi.importers.cells import RowError, date_error, number_cell
from kpi.importers.dates import parse_date
from kpi.importers.series import SeriesBuilder, finish_export
from kpi.importers.sniff import Document, text_document
from kpi.importers.tables import Record, reject
from kpi.kinds import IndicatorKind
from kpi.periods import Granularity

LABELS = {
    "plausible_visitors": _l("Plausible — Visiteurs"),
    "plausible_zip": _l("Plausible — Export du tableau de bord (ZIP)"),
}

#: (concept, key, label, kind): the columns are words of the shared vocabulary.
_METRICS: tuple[tuple[str, str, str, IndicatorKind], ...] = (
    (
        "metric:visitors",
        "visitors",
        _l("Visiteurs (somme des jours)"),
        IndicatorKind.AUDIENCE,
    ),
    ("metric:pageviews", "pageviews", _l("Pages vues"), IndicatorKind.AUDIENCE),
    ("metric:visits", "visits", _l("Visites"), IndicatorKind.AUDIENCE),
)


def detect(doc: Document) -> str | None:
    """``plausible_visitors`` for a visitors.csv, else None."""
    head = doc.head(1)
    if not head:
        return None
    names = head[0].split(",")
    if (
        len(names) > 2
        and vocabulary.is_word(names[0], "date:date")
        and vocabulary.is_word(names[1], "metric:visitors")
        and vocabulary.find(names, "metric:visit_duration") is not None
    ):
        return "plausible_visitors"
    return None


def detect_zip(members: dict[str, bytes]) -> bool:
    """True for a Plausible dashboard export."""
    return "visitors.csv" in members


def parse_zip(members: dict[str, bytes], filename: str) -> ParsedExport:
    """Parse ``visitors.csv`` of a Plausible ZIP.  :raises ImportRefused:"""
    doc = text_document(members["visitors.csv"], f"{filename}/visitors.csv")
    export = parse(doc, "plausible_visitors", period=None)
    export.format, export.format_label = "plausible_zip", str(LABELS["plausible_zip"])
    return export


def _granularity(days: list[date]) -> Granularity:
    if len(days) > 1 and all(day.day == 1 for day in days):
        ordered = sorted(days)
        if all((b - a).days >= 28 for a, b in pairwise(ordered)):
            return "month"
    return "day"


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse Plausible's visitors.csv."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    rows: list[Record] = []
    header: list[str] = []
    for item in doc.records(","):
        if isinstance(item, RejectedRow):
            export.rejected.append(item)
        elif not header:
            header = [cell.strip() for cell in item.cells]
        else:
            rows.append(item)
    parsed: list[
        tuple[Record, date, list[Decimal], tuple[Decimal, Decimal] | None]
    ] = []
    positions = [
        (vocabulary.find(header, concept), key, label, kind)
        for concept, key, label, kind in _METRICS
    ]
    visits_at = vocabulary.find(header, "metric:visits")
    duration_at = vocabulary.find(header, "metric:visit_duration")
    for record in rows:
        try:
            try:
                day = parse_date(record.get(0), ("%Y-%m-%d",))
            except ValueError:
                raise date_error(record.line, record.get(0)) from None
            values = [
                number_cell(
                    record.get(at), line=record.line, column=header[at], decimal="."
                )
                for at, _, _, _ in positions
                if at is not None
            ]
            components = None
            if visits_at is not None and duration_at is not None:
                visits = number_cell(
                    record.get(visits_at),
                    line=record.line,
                    column="visits",
                    decimal=".",
                )
                duration_text = record.get(duration_at)
                if not duration_text.strip() and visits == 0:
                    duration = Decimal(0)
                else:
                    duration = number_cell(
                        duration_text,
                        line=record.line,
                        column="visit_duration",
                        decimal=".",
                        quantize=True,
                    )
                total = (duration * visits).quantize(QUANTUM, ROUND_HALF_EVEN)
                components = (total, visits)
        except RowError as error:
            reject(export.rejected, record, error)
            continue
        parsed.append((record, day, values, components))
    granularity = _granularity([day for _, day, _, _ in parsed])
    builders = [
        SeriesBuilder(key, label, kind, "", granularity)
        for at, key, label, kind in positions
        if at is not None
    ]
    duration_builder = SeriesBuilder(
        "engagement_time",
        str(_l("Durée moyenne des visites")),
        IndicatorKind.READING_TIME,
        "s",
        granularity,
        ratio=True,
    )
    for record, day, values, components in parsed:
        for builder, value in zip(builders, values, strict=True):
            builder.add(day, value, record.line)
        if components is not None:
            duration_builder.add_ratio(day, *components, record.line)
    return finish_export(
        export, [*builders, duration_builder], stated_period=None, single=False
    )
