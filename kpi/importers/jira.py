"""Jira › Filters › Export › "Export CSV (all fields)".

Multi-valued fields repeat their column name; dates read ``06/Mar/24 7:58 AM``
with a month name in the UI language. Incidents are rows whose issue type is
``Incident``, counted per day of creation.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from kpi.importers.base import ParsedExport
from kpi.importers.cells import date_error
from kpi.importers.dates import check_date, month_number, parse_date
from kpi.importers.glpi import count_tickets
from kpi.importers.series import finish_export
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, find_column, header_index

LABELS = {"jira": _l("Jira — Tickets")}

TYPE_COLUMNS = ("Issue Type", "Tipo de Incidencia", "Type de ticket", "Vorgangstyp")
CREATED_COLUMNS = ("Created", "Creada", "Création", "Créé", "Erstellt")
INCIDENT_TYPES = frozenset({"incident", "incidente", "incidencia", "vorfall"})
_JIRA_DATE_RE = re.compile(r"(\d{1,2})/([^\W\d_]+\.?)/(\d{2}|\d{4})(?:\s.*)?")


def _header(doc: Document) -> list[str]:
    for item in doc.records(",", start=1, stop=1):
        if isinstance(item, Record):
            return item.cells
    return []


def detect(doc: Document) -> str | None:
    """``jira`` or None."""
    head = doc.head(1)
    if not head or "," not in head[0]:
        return None
    columns = header_index(_header(doc))
    if (
        find_column(columns, *TYPE_COLUMNS) is not None
        and find_column(columns, *CREATED_COLUMNS) is not None
    ):
        return "jira"
    return None


def parse_jira_date(text: str, line: int) -> date:
    """``06/Mar/24 7:58 AM`` (any UI language) or ISO.  :raises RowError:"""
    match = _JIRA_DATE_RE.fullmatch(text.strip())
    if match is not None:
        month = month_number(match.group(2))
        year = int(match.group(3))
        year = year + 2000 if year < 100 else year
        if month is not None:
            try:
                return check_date(date(year, month, int(match.group(1))))
            except ValueError:
                pass
        raise date_error(line, text)
    try:
        return parse_date(
            text,
            (
                "%Y-%m-%d %H:%M",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d",
                "%d/%m/%Y %H:%M",
                "%d/%m/%Y",
            ),
        )
    except ValueError:
        raise date_error(line, text) from None


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a Jira CSV export."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    header = _header(doc)
    columns = header_index(header)
    type_at = find_column(columns, *TYPE_COLUMNS)
    created_at = find_column(columns, *CREATED_COLUMNS)
    assert type_at is not None and created_at is not None  # checked by detect()
    builders = count_tickets(
        doc.records(",", start=2),
        header,
        type_at=type_at,
        opened_at=created_at,
        incident_types=INCIDENT_TYPES,
        parse_opened=parse_jira_date,
        export=export,
    )
    return finish_export(export, builders, stated_period=None, single=False)
