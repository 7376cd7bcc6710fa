"""GLPI ticket search-result exports, in any UI language (CSV of GLPI 10 and 11,
XLSX of GLPI 11, and their spreadsheet re-saves).

GLPI 10 writes a BOM and ends every line with ``;``; GLPI 11 writes CRLF and no
trailing separator; descriptions keep line breaks inside quotes; some exports
quote nothing, and IDs may read ``52 267``. The columns are the user's view, named
in the UI language (``Date d'ouverture``, ``Fecha de apertura``, ``Data de
abertura``…): they are found through :mod:`kpi.importers.vocabulary`. Incidents are
the rows whose type is an incident; without a type column only tickets are
counted, and the preview says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import ParsedExport
from kpi.importers.cells import date_error
from kpi.importers.dates import month_first, parse_date
from kpi.importers.series import finish_export
from kpi.importers.sniff import Document
from kpi.importers.tables import Record
from kpi.importers.tickets import count_tickets, header_columns

LABELS = {"glpi": _l("GLPI — Tickets")}

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
    for item in doc.records(doc.delimiter, start=1, stop=1):
        if isinstance(item, Record):
            return item.cells
    return []


def detect(doc: Document) -> str | None:
    """``glpi`` or None: an ID, an opening date and a title or a status."""
    if not doc.head(1):
        return None
    header = _header(doc)
    if (
        vocabulary.find(header, "ticket:id") is not None
        and vocabulary.find(header, "ticket:opened") is not None
        and (
            vocabulary.find(header, "ticket:title") is not None
            or vocabulary.find(header, "ticket:status") is not None
        )
    ):
        return "glpi"
    return None


#: GLPI's "MM-DD-YYYY" date preference, used when the column shows it.
US_DATE_FORMATS = tuple(
    f.replace("%d-%m", "%m-%d").replace("%d/%m", "%m/%d") for f in DATE_FORMATS
)


def _opened_parser(values: list[str]) -> Callable[[str, int], date]:
    formats = US_DATE_FORMATS if month_first(values) else DATE_FORMATS

    def opened(text: str, line: int) -> date:
        try:
            return parse_date(text, formats)
        except ValueError:
            raise date_error(line, text) from None

    return opened


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a GLPI ticket export."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    columns = header_columns(_header(doc), "ticket:opened")
    assert columns is not None  # checked by detect()
    rows = list(doc.records(doc.delimiter, start=2))
    dates = [r.get(columns.opened_at) for r in rows if isinstance(r, Record)]
    builders = count_tickets(
        rows,
        columns,
        parse_opened=_opened_parser(dates),
        export=export,
    )
    return finish_export(export, builders, stated_period=None, single=False)
