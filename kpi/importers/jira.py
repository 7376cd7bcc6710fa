"""Jira › Filters › Export › "Export CSV (all fields)" or "(current fields)".

Multi-valued fields repeat their column name (``Watchers``, ``Log Work``,
``Sprint``: 56 to 379 columns), the file may start with a BOM; headers and dates
(``06/Mar/24 7:58 AM``, ``18/jul/26 9:10 AM``) follow the UI language. Issues are
counted per day of creation: all of them, each issue type apart, and incidents —
only the issues whose type is ``Incident`` (Jira Service Management), never bugs;
the preview says which types were found and what was counted.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import ParsedExport
from kpi.importers.cells import date_error
from kpi.importers.dates import check_date, month_number, parse_date
from kpi.importers.series import finish_export
from kpi.importers.sniff import Document
from kpi.importers.tables import Record
from kpi.importers.tickets import count_tickets, header_columns

LABELS = {"jira": _l("Jira — Tickets")}

_JIRA_DATE_RE = re.compile(r"(\d{1,2})/([^\W\d_]+\.?)/(\d{2}|\d{4})(?:\s.*)?")


def _header(doc: Document) -> list[str]:
    for item in doc.records(doc.delimiter, start=1, stop=1):
        if isinstance(item, Record):
            return item.cells
    return []


def detect(doc: Document) -> str | None:
    """``jira`` or None: a creation date and an issue key (or a type and a summary)."""
    if not doc.head(1):
        return None
    header = _header(doc)
    if vocabulary.find(header, "ticket:created") is None:
        return None
    if vocabulary.find(header, "ticket:key") is not None or (
        vocabulary.find(header, "ticket:type") is not None
        and vocabulary.find(header, "ticket:title") is not None
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
    columns = header_columns(_header(doc), "ticket:created")
    assert columns is not None  # checked by detect()
    builders = count_tickets(
        doc.records(doc.delimiter, start=2),
        columns,
        parse_opened=parse_jira_date,
        export=export,
        by_type=True,
    )
    return finish_export(export, builders, stated_period=None, single=False)
