"""Google Analytics 4 reports and explorations (CSV, TSV, or XLSX even renamed).

Layout: a ``#`` preamble ending in ``# Start date: YYYYMMDD`` / ``# End date:``
(translated in other UI languages), then the header and raw numbers
(full-precision floats). Explorations add a ``Grand total`` row; the reports
snapshot holds several tables separated by blank lines (see ``ga4_layout``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers.base import QUANTUM, ParsedExport, RejectedRow
from kpi.importers.cells import (
    RowError,
    date_error,
    fmt_decimal,
    mismatch_warning,
    number_cell,
)
from kpi.importers.dates import parse_date
from kpi.importers.ga4_layout import (
    Block,
    block_records,
    canonical,
    has_start_date,
    split_blocks,
)
from kpi.importers.series import (
    SeriesBuilder,
    drop_unstorable,
    finish_export,
    single_period,
)
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, find_column, header_index, reject
from kpi.kinds import IndicatorKind

__all__ = ["LABELS", "VISUAL_EVENTS", "Block", "detect", "parse", "split_blocks"]

LABELS = {
    "ga4_pages": _l("Google Analytics 4 — Pages et écrans"),
    "ga4_events": _l("Google Analytics 4 — Événements"),
    "ga4_snapshot": _l("Google Analytics 4 — Instantané des rapports"),
    "ga4_report": _l("Google Analytics 4 — Rapport"),
}

#: Custom events that count clicks on visual content (``click`` is outbound links).
VISUAL_EVENTS = frozenset({"image_click", "gallery_zoom"})


def detect(doc: Document) -> str | None:
    """The GA4 format id of ``doc``, or None."""
    head = [line.strip().strip("\t") for line in doc.head(20)]
    if not head or not head[0].startswith("# ---"):
        return None
    if not has_start_date(head):
        return None
    if len(head) > 1 and "reports snapshot" in head[1].casefold():
        return "ga4_snapshot"
    blocks = split_blocks(doc)
    if not blocks:
        return "ga4_report"
    names = [name.strip().casefold() for name in canonical(blocks[0].header)]
    if "event name" in names and "event count" in names:
        return "ga4_events"
    if names and names[0].startswith(("page path", "page title", "page location")):
        return "ga4_pages"
    return "ga4_report"


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a GA4 download (report or exploration; CSV, TSV or XLSX)."""
    blocks = split_blocks(doc)
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    stated = blocks[0].period if blocks else None
    if fmt == "ga4_snapshot":
        return _parse_snapshot(doc, blocks, export)
    if not blocks:
        return finish_export(export, [], stated_period=stated, single=False)
    block = blocks[0]
    if fmt == "ga4_events":
        result = _parse_events(doc, block, export, stated or period)
    else:
        result = _parse_table(doc, block, export, stated or period)
    _name_unused(blocks, {block.header_line}, result)
    return result


def _records(doc: Document, block: Block, rejected: list[RejectedRow]) -> list[Record]:
    return block_records(doc, block, rejected)[0]


def _row_date(record: Record, column: int | None, anchor: date) -> date:
    if column is None:
        return anchor
    text = record.get(column)
    try:
        return parse_date(text, ("%Y%m%d", "%Y-%m-%d"))
    except ValueError:
        raise date_error(record.line, text) from None


_ADDITIVE: tuple[tuple[str, str, str, IndicatorKind], ...] = (
    # Sessions first: an audience indicator counts visits, not page views.
    ("Sessions", "sessions", "Sessions", IndicatorKind.AUDIENCE),
    ("Views", "views", _l("Vues"), IndicatorKind.AUDIENCE),
    (
        "Engaged sessions",
        "engaged_sessions",
        _l("Sessions avec engagement"),
        IndicatorKind.AUDIENCE,
    ),
    ("Event count", "event_count", _l("Nombre d'événements"), IndicatorKind.CUSTOM),
    ("Key events", "key_events", _l("Événements clés"), IndicatorKind.CUSTOM),
)
#: Users are de-duplicated: they add up across days, never across pages (only
#: an exploration's ``Grand total`` row gives them for a whole period).
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


def _cell(
    record: Record, position: int, header: list[str], *, quantize: bool = False
) -> Decimal:
    return number_cell(
        record.get(position),
        line=record.line,
        column=header[position],
        decimal=".",
        quantize=quantize,
    )


def _parse_table(
    doc: Document,
    block: Block,
    export: ParsedExport,
    stated: tuple[date, date] | None,
) -> ParsedExport:
    header = block.header
    columns = header_index(canonical(header))
    date_column = find_column(columns, "Date")
    if date_column is not None and date_column != 0:
        date_column = None
    rows, totals = block_records(doc, block, export.rejected)
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
    users: list[tuple[int, SeriesBuilder]] = []
    for name, key, label in _USERS:
        position = find_column(columns, name)
        if position is not None:
            users.append(
                (
                    position,
                    SeriesBuilder(key, label, IndicatorKind.AUDIENCE, "", granularity),
                )
            )
    if date_column is not None:
        builders.extend(users)
    engagement: tuple[int, int] | None = None
    for name, weight_name in _ENGAGEMENT:
        position = find_column(columns, name)
        weight_position = find_column(columns, weight_name)
        if position is not None and weight_position is not None:
            engagement = (position, weight_position)
            break
    time_builder = SeriesBuilder(
        "engagement_time",
        str(_l("Temps d'engagement moyen")),
        IndicatorKind.READING_TIME,
        "s",
        granularity,
        ratio=True,
    )
    for record in rows:
        try:
            when = _row_date(record, date_column, anchor)
            values = [_cell(record, position, header) for position, _ in builders]
            if engagement is not None:
                average = _cell(record, engagement[0], header, quantize=True)
                weight = _cell(record, engagement[1], header)
        except RowError as error:
            reject(export.rejected, record, error)
            continue
        for (_, builder), value in zip(builders, values, strict=True):
            builder.add(when, value, record.line)
        if engagement is not None:
            total = (average * weight).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
            time_builder.add_ratio(when, total, weight, record.line)
    all_builders = [builder for _, builder in builders]
    if totals is not None:
        if date_column is None:
            all_builders.extend(builder for _, builder in users)
            _use_totals(totals, header, anchor, [*builders, *users], export)
            if engagement is not None:
                _use_engagement_total(totals, header, anchor, engagement, time_builder)
        else:
            _check_totals(totals, header, builders, export)
    if engagement is not None:
        all_builders.append(time_builder)
    return finish_export(
        export, all_builders, stated_period=stated, single=date_column is None
    )


def _use_totals(
    totals: Record,
    header: list[str],
    anchor: date,
    builders: list[tuple[int, SeriesBuilder]],
    export: ParsedExport,
) -> None:
    """A single-period table: the ``Grand total`` row is the truth (explorations
    list a limited number of rows, and users are not additive across rows)."""
    for position, builder in builders:
        try:
            value = _cell(totals, position, header)
        except RowError:
            continue
        computed = builder.total()
        additive = builder.key not in {key for _, key, _ in _USERS}
        builder.set_total(anchor, value, totals.line)
        if additive and len(builder) and computed != value:
            export.warnings.append(
                str(
                    _l(
                        "« %(label)s » : le total du fichier (%(total)s, ligne "
                        "%(line)d) est retenu ; les lignes listées n'en font que "
                        "%(sum)s.",
                        label=builder.label,
                        total=fmt_decimal(value),
                        line=totals.line,
                        sum=fmt_decimal(computed),
                    )
                )
            )


def _use_engagement_total(
    totals: Record,
    header: list[str],
    anchor: date,
    engagement: tuple[int, int],
    builder: SeriesBuilder,
) -> None:
    try:
        average = _cell(totals, engagement[0], header, quantize=True)
        weight = _cell(totals, engagement[1], header)
    except RowError:
        return
    total = (average * weight).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
    builder.set_total(anchor, total, totals.line, weight)


def _check_totals(
    totals: Record,
    header: list[str],
    builders: list[tuple[int, SeriesBuilder]],
    export: ParsedExport,
) -> None:
    users = {key for _, key, _ in _USERS}
    for position, builder in builders:
        if builder.key in users:
            continue
        try:
            value = _cell(totals, position, header)
        except RowError:
            continue
        if value != builder.total():
            export.warnings.append(
                mismatch_warning(builder.label, value, builder.total())
            )


def _parse_events(
    doc: Document,
    block: Block,
    export: ParsedExport,
    stated: tuple[date, date] | None,
    *,
    only_visual: bool = False,
) -> ParsedExport:
    columns = header_index(canonical(block.header))
    name_column = find_column(columns, "Event name")
    count_column = find_column(columns, "Event count")
    date_column = find_column(columns, "Date")
    anchor, granularity = single_period(stated, export.warnings)
    if date_column is not None:
        granularity = "day"
    builders: dict[str, SeriesBuilder] = {}
    if name_column is None or count_column is None:
        return finish_export(export, [], stated_period=stated, single=True)
    visual = SeriesBuilder(
        "visual_clicks",
        str(
            _l(
                "Clics sur les visuels (Σ %(events)s)",
                events=" + ".join(sorted(VISUAL_EVENTS)),
            )
        ),
        IndicatorKind.CLICKS,
        "",
        granularity,
    )
    for record in _records(doc, block, export.rejected):
        name = record.get(name_column).strip()
        if only_visual and name not in VISUAL_EVENTS:
            continue
        try:
            when = _row_date(record, date_column, anchor)
            count = _cell(record, count_column, block.header)
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
        if name in VISUAL_EVENTS:
            visual.add(when, count, record.line)
    found = [name for name in builders if name in VISUAL_EVENTS]
    # The sum of the visual events comes first, so that a clicks indicator gets
    # all of them by default; each event stays available on its own.
    ordered = ([visual] if len(found) > 1 else []) + list(builders.values())
    return finish_export(
        export,
        ordered,
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
    used: set[int] = set()
    sessions_period: tuple[date, date] | None = None
    for block in blocks:
        names = [name.strip().casefold() for name in canonical(block.header)]
        if len(names) != 2 or block.period is None:
            continue
        if names[0] == "nth day" and names[1] in (
            "active users",
            "new users",
            "average engagement time per active user",
        ):
            used.add(block.header_line)
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
            used.add(block.header_line)
            sessions_period = block.period
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
    builders.extend(drop_unstorable([sessions], sessions_period, export.warnings))
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
        if [name.strip().casefold() for name in canonical(block.header)]
        == ["event name", "event count"]
    ]
    result = finish_export(export, builders, stated_period=stated, single=False)
    if events:
        used.add(events[0].header_line)
        visual = _parse_events(
            doc,
            events[0],
            ParsedExport(format="", format_label=""),
            events[0].period,
            only_visual=True,
        )
        result.series.extend(visual.series)
        result.rejected.extend(visual.rejected)
    _name_unused(blocks, used, result)
    return result


def _name_unused(blocks: list[Block], used: set[int], export: ParsedExport) -> None:
    """Say which tables of a snapshot were not imported (those with rows)."""
    unused = [
        "« " + " / ".join(cell.strip() for cell in block.header) + " »"
        for block in blocks
        if block.header_line not in used and block.last >= block.first
    ]
    if unused:
        export.warnings.append(
            str(
                _l(
                    "%(used)d tableau(x) du fichier lu(s) ; non importés : %(unused)s.",
                    used=len(used),
                    unused=", ".join(unused),
                )
            )
        )


def _nth_day(record: Record, start: date) -> date:
    text = record.get(0).strip()
    if not text.isdigit() or len(text) > 5:
        raise date_error(record.line, text)
    return start + timedelta(days=int(text))
