"""Google Analytics 4 reports and explorations (CSV, TSV, or XLSX even renamed).

Layout: a ``#`` preamble ending in ``# Start date: YYYYMMDD`` / ``# End date:``
(translated in other UI languages), then the header and raw numbers
(full-precision floats). Explorations add a ``Grand total`` row; the reports
snapshot holds several tables separated by blank lines (see ``ga4_layout``).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN

from flask_babel import lazy_gettext as _l

from kpi.importers.base import QUANTUM, ParsedExport
from kpi.importers.cells import (
    RowError,
    fmt_decimal,
    mismatch_warning,
)
from kpi.importers.ga4_events import VISUAL_EVENTS, parse_events
from kpi.importers.ga4_layout import (
    Block,
    block_records,
    canonical,
    has_start_date,
    is_exploration,
    metric,
    row_date,
    split_blocks,
)
from kpi.importers.ga4_snapshot import is_snapshot, name_unused, parse_snapshot
from kpi.importers.series import (
    SeriesBuilder,
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


def detect(doc: Document) -> str | None:
    """The GA4 format id of ``doc``, or None."""
    head = [line.strip().strip("\t") for line in doc.head(20)]
    if not head or not head[0].startswith("# ---"):
        return None
    if not has_start_date(head) and not is_exploration(doc):
        return None
    if len(head) > 1 and "reports snapshot" in head[1].casefold():
        return "ga4_snapshot"
    blocks = split_blocks(doc)
    if not blocks:
        return "ga4_report"
    if is_snapshot(blocks):
        return "ga4_snapshot"
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
        return parse_snapshot(doc, blocks, export)
    if not blocks:
        return finish_export(export, [], stated_period=stated, single=False)
    block = blocks[0]
    if fmt == "ga4_events":
        result = parse_events(doc, block, export, stated or period)
    else:
        result = _parse_table(doc, block, export, stated or period)
    name_unused(blocks, {block.header_line}, result)
    return result


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


def _parse_table(
    doc: Document,
    block: Block,
    export: ParsedExport,
    stated: tuple[date, date] | None,
) -> ParsedExport:
    header = block.header
    columns = header_index(canonical(header))
    date_column = find_column(columns, "Date", "Year month")
    if date_column is not None and date_column != 0:
        date_column = None
    rows, totals = block_records(doc, block, export.rejected)
    anchor, granularity = single_period(stated, export.warnings)
    if date_column is not None:
        monthly = canonical(header)[0] == "Year month"
        granularity = "month" if monthly else "day"
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
            when = row_date(record, date_column, anchor)
            values = [metric(record, position, header) for position, _ in builders]
            if engagement is not None:
                average = metric(record, engagement[0], header, quantize=True)
                weight = metric(record, engagement[1], header)
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
            value = metric(totals, position, header)
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
                        "%(line)d) est retenu ; les lignes listées donnent %(sum)s "
                        "(une session ou un utilisateur compte sur plusieurs lignes, "
                        "des lignes ne sont pas listées).",
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
        average = metric(totals, engagement[0], header, quantize=True)
        weight = metric(totals, engagement[1], header)
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
            value = metric(totals, position, header)
        except RowError:
            continue
        if value != builder.total():
            export.warnings.append(
                mismatch_warning(builder.label, value, builder.total())
            )
