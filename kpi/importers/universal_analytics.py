"""Universal Analytics (legacy) CSV exports: Audience Overview and All Pages.

Layout: a ``#`` preamble with ``# YYYYMMDD-YYYYMMDD``, a blank line, the header,
cells formatted for the UI locale (``"1,204"``, ``1 632``, ``00:01:23``), and a
totals row whose first cell is empty. User totals are de-duplicated, so they are
never stored as a day nor compared with the sum of the days.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import QUANTUM, ParsedExport, RejectedRow
from kpi.importers.cells import (
    RowError,
    date_error,
    fmt_decimal,
    mismatch_warning,
    number_cell,
)
from kpi.importers.dates import check_date
from kpi.importers.ga4 import Block, split_blocks
from kpi.importers.series import (
    SeriesBuilder,
    drop_unstorable,
    finish_export,
    single_period,
)
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, reject
from kpi.kinds import IndicatorKind

LABELS = {
    "ua_audience": _l("Universal Analytics — Vue d'ensemble de l'audience"),
    "ua_pages": _l("Universal Analytics — Pages"),
}

#: The first column of a report by day, and of a report by page (concepts).
_DAY_COLUMN = ("date:day_index", "date:date")
_PAGE_COLUMN = ("dim:page", "dim:page_title")
_DATE_FORMATS = (
    "%m/%d/%y",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%Y%m%d",
    "%Y-%m-%d",
    "%d.%m.%Y",
)
#: (concept, key, label, summed in the totals row?) — users are de-duplicated.
_METRICS: tuple[tuple[str, str, str, bool], ...] = (
    ("metric:users", "users", _l("Utilisateurs"), False),
    ("metric:new_users", "new_users", "Nouveaux utilisateurs", True),
    ("metric:sessions", "sessions", "Sessions", True),
    ("metric:pageviews", "pageviews", _l("Pages vues"), True),
)


def _is_first(header: list[str], concepts: tuple[str, ...]) -> bool:
    return bool(header) and vocabulary.concept_of(header[0], concepts) is not None


def detect(doc: Document) -> str | None:
    """The UA format id of ``doc``, or None."""
    head = doc.head(12)
    if not head or not head[0].startswith("# ---"):
        return None
    if any(line.startswith("# Start date:") for line in head):
        return None
    blocks = split_blocks(doc)
    if not blocks or blocks[0].period is None:
        return None
    if _is_first(blocks[0].header, _DAY_COLUMN):
        return "ua_audience"
    if _is_first(blocks[0].header, _PAGE_COLUMN):
        return "ua_pages"
    return None


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a UA CSV export."""
    blocks = split_blocks(doc)
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    stated = blocks[0].period
    export.period = stated
    builders: list[SeriesBuilder] = []
    if fmt == "ua_audience":
        builders.extend(_parse_days(doc, blocks[0], export, stated))
    else:
        day_blocks = [
            block for block in blocks[1:] if _is_first(block.header, _DAY_COLUMN)
        ]
        page_builders = drop_unstorable(
            _parse_pages(doc, blocks[0], export, stated), stated, export.warnings
        )
        if day_blocks:
            daily = _parse_days(doc, day_blocks[0], export, stated)
            daily_keys = {builder.key for builder in daily}
            page_builders = [b for b in page_builders if b.key not in daily_keys]
            builders.extend(daily)
        builders.extend(page_builders)
    return finish_export(export, builders, stated_period=stated, single=False)


def _split(
    doc: Document, block: Block, rejected: list[RejectedRow]
) -> tuple[list[Record], Record | None]:
    rows: list[Record] = []
    totals: Record | None = None
    for item in doc.records(",", start=block.first, stop=block.last):
        if isinstance(item, RejectedRow):
            rejected.append(item)
        elif not item.get(0).strip():
            totals = item
        else:
            rows.append(item)
    return rows, totals


def _choose_format(texts: list[str], stated: tuple[date, date] | None) -> str:
    """The date format under which most day cells parse inside the stated range."""
    best, best_score = _DATE_FORMATS[0], -1
    for fmt in _DATE_FORMATS:
        score = 0
        for text in texts:
            try:
                day = datetime.strptime(text.strip(), fmt).date()
            except ValueError:
                continue
            score += 2 if stated is None or stated[0] <= day <= stated[1] else 1
        if score > best_score:
            best, best_score = fmt, score
    return best


def _parse_days(
    doc: Document,
    block: Block,
    export: ParsedExport,
    stated: tuple[date, date] | None,
) -> list[SeriesBuilder]:
    rows, totals = _split(doc, block, export.rejected)
    fmt = _choose_format([row.get(0) for row in rows], stated)
    metrics: list[tuple[int, SeriesBuilder, bool]] = []
    for concept, key, label, additive in _METRICS:
        position = vocabulary.find(block.header, concept)
        if position is not None:
            metrics.append(
                (
                    position,
                    SeriesBuilder(key, label, IndicatorKind.AUDIENCE, "", "day"),
                    additive,
                )
            )
    for record in rows:
        try:
            try:
                day = check_date(datetime.strptime(record.get(0).strip(), fmt).date())
            except ValueError:
                raise date_error(record.line, record.get(0)) from None
            values = [
                number_cell(
                    record.get(position),
                    line=record.line,
                    column=block.header[position],
                )
                for position, _, _ in metrics
            ]
        except RowError as error:
            reject(export.rejected, record, error)
            continue
        for (_, builder, _), value in zip(metrics, values, strict=True):
            builder.add(day, value, record.line)
    if totals is not None:
        for position, builder, additive in metrics:
            _cross_check(totals, position, builder, additive, export.warnings)
    return [builder for _, builder, _ in metrics]


def _cross_check(
    totals: Record,
    position: int,
    builder: SeriesBuilder,
    additive: bool,
    warnings: list[str],
) -> None:
    if not additive or not len(builder):
        return
    try:
        total = number_cell(totals.get(position), line=totals.line, column="")
    except RowError:
        return
    if total != builder.total():
        warnings.append(mismatch_warning(builder.label, total, builder.total()))


def _parse_pages(
    doc: Document,
    block: Block,
    export: ParsedExport,
    stated: tuple[date, date] | None,
) -> list[SeriesBuilder]:
    views_column = vocabulary.find(block.header, "metric:pageviews")
    time_column = vocabulary.find(block.header, "metric:avg_time_on_page")
    anchor, granularity = single_period(stated, export.warnings)
    views = SeriesBuilder(
        "pageviews", _l("Pages vues"), IndicatorKind.AUDIENCE, "", granularity
    )
    reading = SeriesBuilder(
        "engagement_time",
        str(_l("Temps moyen sur la page")),
        IndicatorKind.READING_TIME,
        "s",
        granularity,
        ratio=True,
    )
    if views_column is None:
        return []
    rows, totals = _split(doc, block, export.rejected)
    for record in rows:
        try:
            count = number_cell(
                record.get(views_column),
                line=record.line,
                column=block.header[views_column],
            )
            seconds = (
                number_cell(
                    record.get(time_column),
                    line=record.line,
                    column=block.header[time_column],
                    duration=True,
                    quantize=True,
                )
                if time_column is not None
                else None
            )
        except RowError as error:
            reject(export.rejected, record, error)
            continue
        views.add(anchor, count, record.line)
        if seconds is not None:
            # UA divides by (pageviews - exits); pageviews is the closest weight
            # the export gives for every row.
            total = (seconds * count).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
            reading.add_ratio(anchor, total, count, record.line)
    if totals is not None:
        _use_totals(
            totals, anchor, (views_column, time_column), (views, reading), export
        )
    result = [views]
    if time_column is not None:
        result.append(reading)
    return result


def _use_totals(
    totals: Record,
    anchor: date,
    columns: tuple[int, int | None],
    builders: tuple[SeriesBuilder, SeriesBuilder],
    export: ParsedExport,
) -> None:
    """The totals row is the truth for the whole period: the listed pages are
    often the first rows of many (the rows shown in the UI), and the site's
    average time on page is not the average of the pages listed."""
    views, reading = builders
    views_column, time_column = columns
    try:
        count = number_cell(totals.get(views_column), line=totals.line, column="")
    except RowError:
        return
    listed = views.total()
    views.set_total(anchor, count, totals.line)
    if time_column is not None:
        try:
            seconds = number_cell(
                totals.get(time_column),
                line=totals.line,
                column="",
                duration=True,
                quantize=True,
            )
        except RowError:
            seconds = None
        if seconds is not None:
            total = (seconds * count).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
            reading.set_total(anchor, total, totals.line, count)
    if listed != count:
        export.warnings.append(
            str(
                _l(
                    "« %(label)s » : le total du fichier (%(total)s, ligne "
                    "%(line)d) est retenu ; les lignes listées donnent %(sum)s "
                    "(une session ou un utilisateur compte sur plusieurs lignes, "
                    "des lignes ne sont pas listées).",
                    label=views.label,
                    total=fmt_decimal(count),
                    line=totals.line,
                    sum=fmt_decimal(listed),
                )
            )
        )
