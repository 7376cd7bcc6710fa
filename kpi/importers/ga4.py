"""Google Analytics 4 reports downloaded as CSV (Reports UI › Download file › CSV).

Layout: a ``#`` preamble ending in ``# Start date: YYYYMMDD`` / ``# End date:``,
then the header, raw numbers (full-precision floats), no totals row. The reports
snapshot holds several such tables separated by blank lines.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers.base import QUANTUM, ParsedExport, RejectedRow
from kpi.importers.cells import RowError, date_error, number_cell
from kpi.importers.dates import compact_range, parse_date
from kpi.importers.series import SeriesBuilder, finish_export, single_period
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, find_column, header_index, reject
from kpi.kinds import IndicatorKind

LABELS = {
    "ga4_pages": _l("Google Analytics 4 — Pages et écrans"),
    "ga4_events": _l("Google Analytics 4 — Événements"),
    "ga4_snapshot": _l("Google Analytics 4 — Instantané des rapports"),
    "ga4_report": _l("Google Analytics 4 — Rapport"),
}

#: Custom events that count clicks on visual content (``click`` is outbound links).
VISUAL_EVENTS = frozenset({"image_click", "gallery_zoom"})

_START_RE = re.compile(r"Start date:\s*(\d{8})")
_END_RE = re.compile(r"End date:\s*(\d{8})")
_RANGE_RE = re.compile(r"(\d{8})\s*-\s*(\d{8})")


@dataclass
class Block:
    """One table of a ``#``-commented export: comments, header and data lines."""

    comments: list[str]
    period: tuple[date, date] | None
    header_line: int
    header: list[str]
    first: int
    last: int
    extra: dict[str, str] = field(default_factory=dict)


def split_blocks(doc: Document, delimiter: str = ",") -> list[Block]:
    """Cut the document into tables: ``#`` comments, a header, data up to a blank."""
    lines = doc.lines
    blocks: list[Block] = []
    comments: list[str] = []
    start_text = end_text = ""
    file_period: tuple[date, date] | None = None
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            index += 1
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            comments.append(body)
            if match := _START_RE.search(body):
                start_text = match.group(1)
            elif match := _END_RE.search(body):
                end_text = match.group(1)
            elif match := _RANGE_RE.fullmatch(body):
                start_text, end_text = match.group(1), match.group(2)
            index += 1
            continue
        period = compact_range(start_text, end_text) or file_period
        file_period = file_period or period
        header = next(csv.reader([lines[index]], delimiter=delimiter), [])
        end = index + 1
        while (
            end < len(lines)
            and lines[end].strip()
            and not lines[end].lstrip().startswith("#")
        ):
            end += 1
        blocks.append(Block(comments, period, index + 1, header, index + 2, end))
        comments, start_text, end_text = [], "", ""
        index = end
    return blocks


def detect(doc: Document) -> str | None:
    """The GA4 format id of ``doc``, or None."""
    head = doc.head(20)
    if not head or not head[0].startswith("# ---"):
        return None
    if not any(line.startswith("# Start date:") for line in head):
        return None
    if len(head) > 1 and "reports snapshot" in head[1].casefold():
        return "ga4_snapshot"
    blocks = split_blocks(doc)
    if not blocks:
        return "ga4_report"
    names = [name.strip().casefold() for name in blocks[0].header]
    if names[:2] == ["event name", "event count"] or (
        "event name" in names and "event count" in names
    ):
        return "ga4_events"
    if names and names[0].startswith(("page path", "page title", "page location")):
        return "ga4_pages"
    return "ga4_report"


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a GA4 CSV download."""
    blocks = split_blocks(doc)
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    stated = blocks[0].period if blocks else None
    if fmt == "ga4_snapshot":
        return _parse_snapshot(doc, blocks, export)
    if not blocks:
        return finish_export(export, [], stated_period=stated, single=False)
    block = blocks[0]
    if fmt == "ga4_events":
        return _parse_events(doc, block, export, stated or period)
    return _parse_table(doc, block, export, stated or period)


def _records(doc: Document, block: Block, rejected: list[RejectedRow]) -> list[Record]:
    rows: list[Record] = []
    for item in doc.records(",", start=block.first, stop=block.last):
        if isinstance(item, RejectedRow):
            rejected.append(item)
        else:
            rows.append(item)
    return rows


def _row_date(record: Record, column: int | None, anchor: date) -> date:
    if column is None:
        return anchor
    text = record.get(column)
    try:
        return parse_date(text, ("%Y%m%d", "%Y-%m-%d"))
    except ValueError:
        raise date_error(record.line, text) from None


_ADDITIVE: tuple[tuple[str, str, str, IndicatorKind], ...] = (
    ("Views", "views", _l("Vues"), IndicatorKind.AUDIENCE),
    ("Sessions", "sessions", "Sessions", IndicatorKind.AUDIENCE),
    (
        "Engaged sessions",
        "engaged_sessions",
        _l("Sessions avec engagement"),
        IndicatorKind.AUDIENCE,
    ),
    ("Event count", "event_count", _l("Nombre d'événements"), IndicatorKind.CUSTOM),
    ("Key events", "key_events", _l("Événements clés"), IndicatorKind.CUSTOM),
)
#: Users are de-duplicated: they add up across days, never across pages.
_USERS: tuple[tuple[str, str, str], ...] = (
    ("Active users", "active_users", "Utilisateurs actifs"),
    ("Total users", "total_users", "Utilisateurs"),
    ("New users", "new_users", "Nouveaux utilisateurs"),
)
_ENGAGEMENT: tuple[tuple[str, str], ...] = (
    ("Average engagement time per active user", "Active users"),
    ("Average engagement time", "Active users"),
    ("Average engagement time per session", "Sessions"),
)


def _parse_table(
    doc: Document,
    block: Block,
    export: ParsedExport,
    stated: tuple[date, date] | None,
) -> ParsedExport:
    columns = header_index(block.header)
    date_column = find_column(columns, "Date")
    if date_column is not None and date_column != 0:
        date_column = None
    anchor, granularity = single_period(stated, export.warnings)
    if date_column is not None:
        granularity = "day"
    builders: list[tuple[int, SeriesBuilder]] = []
    for name, key, label, kind in _ADDITIVE:
        position = find_column(columns, name)
        if position is not None:
            builders.append(
                (position, SeriesBuilder(key, label, kind, "", granularity))
            )
    if date_column is not None:
        for name, key, label in _USERS:
            position = find_column(columns, name)
            if position is not None:
                builders.append(
                    (
                        position,
                        SeriesBuilder(
                            key, label, IndicatorKind.AUDIENCE, "", granularity
                        ),
                    )
                )
    engagement: tuple[int, int, str, str] | None = None
    for name, weight_name in _ENGAGEMENT:
        position = find_column(columns, name)
        weight_position = find_column(columns, weight_name)
        if position is not None and weight_position is not None:
            engagement = (
                position,
                weight_position,
                block.header[position],
                weight_name,
            )
            break
    time_builder = SeriesBuilder(
        "engagement_time",
        str(_l("Temps d'engagement moyen")),
        IndicatorKind.READING_TIME,
        "s",
        granularity,
        ratio=True,
    )
    for record in _records(doc, block, export.rejected):
        try:
            when = _row_date(record, date_column, anchor)
            values = [
                number_cell(
                    record.get(position),
                    line=record.line,
                    column=block.header[position],
                    decimal=".",
                )
                for position, _ in builders
            ]
            if engagement is not None:
                average = number_cell(
                    record.get(engagement[0]),
                    line=record.line,
                    column=engagement[2],
                    decimal=".",
                    quantize=True,
                )
                weight = number_cell(
                    record.get(engagement[1]),
                    line=record.line,
                    column=engagement[3],
                    decimal=".",
                )
        except RowError as error:
            reject(export.rejected, record, error)
            continue
        for (_, builder), value in zip(builders, values, strict=True):
            builder.add(when, value, record.line)
        if engagement is not None:
            total = (average * weight).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
            time_builder.add_ratio(when, total, weight, record.line)
    all_builders = [builder for _, builder in builders]
    if engagement is not None:
        all_builders.append(time_builder)
    return finish_export(
        export, all_builders, stated_period=stated, single=date_column is None
    )


def _parse_events(
    doc: Document,
    block: Block,
    export: ParsedExport,
    stated: tuple[date, date] | None,
    *,
    only_visual: bool = False,
) -> ParsedExport:
    columns = header_index(block.header)
    name_column = find_column(columns, "Event name")
    count_column = find_column(columns, "Event count")
    date_column = find_column(columns, "Date")
    anchor, granularity = single_period(stated, export.warnings)
    if date_column is not None:
        granularity = "day"
    builders: dict[str, SeriesBuilder] = {}
    if name_column is None or count_column is None:
        return finish_export(export, [], stated_period=stated, single=True)
    for record in _records(doc, block, export.rejected):
        name = record.get(name_column).strip()
        if only_visual and name not in VISUAL_EVENTS:
            continue
        try:
            when = _row_date(record, date_column, anchor)
            count = number_cell(
                record.get(count_column),
                line=record.line,
                column=block.header[count_column],
                decimal=".",
            )
        except RowError as error:
            reject(export.rejected, record, error)
            continue
        if name not in builders:
            kind: IndicatorKind = (
                IndicatorKind.CLICKS if name in VISUAL_EVENTS else IndicatorKind.CUSTOM
            )
            builders[name] = SeriesBuilder(
                f"event:{name}",
                str(_l("Événement « %(name)s »", name=name)),
                kind,
                "",
                granularity,
            )
        builders[name].add(when, count, record.line)
    return finish_export(
        export,
        list(builders.values()),
        stated_period=stated,
        single=date_column is None,
    )


def _parse_snapshot(
    doc: Document, blocks: list[Block], export: ParsedExport
) -> ParsedExport:
    stated = blocks[0].period if blocks else None
    export.period = stated
    daily: dict[str, SeriesBuilder] = {
        "active users": SeriesBuilder(
            "active_users", _l("Utilisateurs actifs"), IndicatorKind.AUDIENCE, "", "day"
        ),
        "new users": SeriesBuilder(
            "new_users", _l("Nouveaux utilisateurs"), IndicatorKind.AUDIENCE, "", "day"
        ),
    }
    users_by_day: dict[date, tuple[Decimal, int]] = {}
    engagement_rows: list[tuple[date, Decimal, Record]] = []
    builders: list[SeriesBuilder] = []
    sessions = SeriesBuilder(
        "sessions", "Sessions", IndicatorKind.AUDIENCE, "", "month"
    )
    for block in blocks:
        names = [name.strip().casefold() for name in block.header]
        if len(names) != 2 or block.period is None:
            continue
        if names[0] == "nth day" and names[1] in (
            "active users",
            "new users",
            "average engagement time per active user",
        ):
            for record in _records(doc, block, export.rejected):
                try:
                    day = _nth_day(record, block.period[0])
                    value = number_cell(
                        record.get(1),
                        line=record.line,
                        column=block.header[1],
                        decimal=".",
                        quantize=names[1].startswith("average"),
                    )
                except RowError as error:
                    reject(export.rejected, record, error)
                    continue
                if names[1].startswith("average"):
                    engagement_rows.append((day, value, record))
                    continue
                daily[names[1]].add(day, value, record.line)
                if names[1] == "active users":
                    users_by_day[day] = (value, record.line)
        elif names[0].startswith("session primary channel group") and names[1] == (
            "sessions"
        ):
            anchor, granularity = single_period(block.period, export.warnings)
            sessions.granularity = granularity
            for record in _records(doc, block, export.rejected):
                try:
                    value = number_cell(
                        record.get(1),
                        line=record.line,
                        column=block.header[1],
                        decimal=".",
                    )
                except RowError as error:
                    reject(export.rejected, record, error)
                    continue
                sessions.add(anchor, value, record.line)
    builders.extend(daily.values())
    builders.append(sessions)
    engagement = SeriesBuilder(
        "engagement_time",
        str(_l("Temps d'engagement moyen")),
        IndicatorKind.READING_TIME,
        "s",
        "day",
        ratio=True,
    )
    for day, average, record in engagement_rows:
        if day not in users_by_day:
            export.warnings.append(
                str(
                    _l(
                        "Ligne %(line)d : pas d'utilisateurs actifs pour ce jour, "
                        "temps d'engagement ignoré.",
                        line=record.line,
                    )
                )
            )
            continue
        users, users_line = users_by_day[day]
        total = (average * users).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
        engagement.add_ratio(day, total, users, (record.line, users_line))
    builders.append(engagement)
    events = [
        block
        for block in blocks
        if [name.strip().casefold() for name in block.header]
        == ["event name", "event count"]
    ]
    result = finish_export(export, builders, stated_period=stated, single=False)
    if events:
        visual = _parse_events(
            doc,
            events[0],
            ParsedExport(format="", format_label=""),
            events[0].period,
            only_visual=True,
        )
        result.series.extend(visual.series)
        result.rejected.extend(visual.rejected)
    return result


def _nth_day(record: Record, start: date) -> date:
    text = record.get(0).strip()
    if not text.isdigit() or len(text) > 5:
        raise date_error(record.line, text)
    return start + timedelta(days=int(text))
