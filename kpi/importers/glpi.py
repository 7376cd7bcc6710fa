"""GLPI ticket search-result exports (CSV of GLPI 10 and 11, XLSX of GLPI 11).

GLPI 10 writes a BOM and ends every line with ``;``; GLPI 11 writes CRLF and no
trailing separator; descriptions keep line breaks inside quotes. Incidents are
the rows whose ``Type`` is ``Incident``, counted per day of ``Date d'ouverture``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers.base import ParsedExport, RejectedRow
from kpi.importers.cells import RowError, date_error, missing_cells_error
from kpi.importers.dates import parse_date
from kpi.importers.series import SeriesBuilder, finish_export
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, find_column, header_index, reject
from kpi.kinds import IndicatorKind

LABELS = {"glpi": _l("GLPI — Tickets")}

_ONE = Decimal(1)

TYPE_COLUMNS = ("Type",)
OPENED_COLUMNS = ("Date d'ouverture", "Opening date", "Date de création")
INCIDENT_TYPES = frozenset({"incident"})
DATE_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
)


def _header(doc: Document) -> list[str]:
    for item in doc.records(";", start=1, stop=1):
        if isinstance(item, Record):
            return item.cells
    return []


def detect(doc: Document) -> str | None:
    """``glpi`` or None."""
    head = doc.head(1)
    if not head or (";" not in head[0] and not doc.is_sheet):
        return None
    columns = header_index(_header(doc))
    if (
        find_column(columns, *TYPE_COLUMNS) is not None
        and find_column(columns, *OPENED_COLUMNS) is not None
        and find_column(columns, "ID") is not None
    ):
        return "glpi"
    return None


def count_tickets(
    rows: Iterable[Record | RejectedRow],
    header: list[str],
    *,
    type_at: int,
    opened_at: int,
    incident_types: frozenset[str],
    parse_opened: Callable[[str, int], date],
    export: ParsedExport,
) -> list[SeriesBuilder]:
    """Count tickets and incidents per opening day (shared with Jira)."""
    incidents = SeriesBuilder(
        "incidents", str(_l("Incidents")), IndicatorKind.INCIDENTS, "", "day"
    )
    tickets = SeriesBuilder(
        "tickets", str(_l("Tickets (tous types)")), IndicatorKind.CUSTOM, "", "day"
    )
    needed = max(type_at, opened_at) + 1
    for item in rows:
        if isinstance(item, RejectedRow):
            export.rejected.append(item)
            continue
        try:
            if len(item.cells) < needed:
                raise missing_cells_error(item.line, len(item.cells), needed)
            day = parse_opened(item.get(opened_at), item.line)
        except RowError as error:
            reject(export.rejected, item, error)
            continue
        tickets.add(day, _ONE, item.line)
        if item.get(type_at).strip().casefold() in incident_types:
            incidents.add(day, _ONE, item.line)
    return [incidents, tickets]


def _opened(text: str, line: int) -> date:
    try:
        return parse_date(text, DATE_FORMATS)
    except ValueError:
        raise date_error(line, text) from None


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a GLPI ticket export."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    header = _header(doc)
    columns = header_index(header)
    type_at = find_column(columns, *TYPE_COLUMNS)
    opened_at = find_column(columns, *OPENED_COLUMNS)
    assert type_at is not None and opened_at is not None  # checked by detect()
    builders = count_tickets(
        doc.records(";", start=2),
        header,
        type_at=type_at,
        opened_at=opened_at,
        incident_types=INCIDENT_TYPES,
        parse_opened=_opened,
        export=export,
    )
    return finish_export(export, builders, stated_period=None, single=False)
