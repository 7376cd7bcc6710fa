"""Microsoft Clarity exports (Recordings, Top pages…): a BOM, every cell quoted, a
``"Project name"`` / ``"Date range"`` preamble with US dates
(``02/01/2025 12:00 AM - 08/04/2025 11:59 PM``), two blank lines, then the table.

The *Recordings* export lists one row per session (``Date`` in ``MM/DD/YYYY``) after
a ``"Total sessions"`` line: sessions are counted per day and checked against that
total. The *Top pages* lists count the sessions of each page; a session sees
several pages, so they do not add up to sessions and are refused with the reason.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from kpi.errors import ImportRefused
from kpi.importers import vocabulary
from kpi.importers.base import ParsedExport
from kpi.importers.cells import date_error, mismatch_warning
from kpi.importers.dates import parse_date, slash_order
from kpi.importers.flat import data_records, find_header
from kpi.importers.series import SeriesBuilder, finish_export
from kpi.importers.sniff import Document, refuse_no_data
from kpi.importers.tables import reject, split_line
from kpi.kinds import IndicatorKind

LABELS = {"clarity_sessions": _l("Microsoft Clarity — Sessions (enregistrements)")}

_PROJECT = ("project name", "nom du projet", "nombre del proyecto", "nome do projeto")
_US_DATE = ("%m/%d/%Y",)
_EU_DATE = ("%d/%m/%Y",)
_TIME = r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?"
_RANGE_RE = re.compile(
    rf"(\d{{1,2}}/\d{{1,2}}/\d{{4}}){_TIME}\s*-\s*(\d{{1,2}}/\d{{1,2}}/\d{{4}}){_TIME}",
    re.IGNORECASE,
)
_ONE = Decimal(1)


def _preamble(doc: Document) -> dict[str, str]:
    """``"Key","Value"`` lines before the table, by folded key."""
    facts: dict[str, str] = {}
    for line in doc.head(12):
        cells = split_line(line, ",")
        if len(cells) == 2 and cells[0].strip():
            facts[vocabulary.fold(cells[0])] = cells[1].strip()
    return facts


def detect(doc: Document) -> str | None:
    """``clarity_sessions`` or None."""
    head = [line for line in doc.head(3) if line.strip()]
    if not head:
        return None
    first = split_line(head[0], ",")
    if len(first) != 2 or vocabulary.fold(first[0]) not in _PROJECT:
        return None
    facts = _preamble(doc)
    if not any(vocabulary.is_word(key, "date:date_range") for key in facts):
        return None
    return "clarity_sessions"


def _english(facts: dict[str, str]) -> bool:
    return "date range" in facts


def _range_text(facts: dict[str, str]) -> str:
    return next(
        (v for k, v in facts.items() if vocabulary.is_word(k, "date:date_range")), ""
    ).strip()


def _stated(
    facts: dict[str, str], formats: tuple[str, ...]
) -> tuple[date, date] | None:
    match = _RANGE_RE.fullmatch(_range_text(facts))
    if match is None:
        return None
    try:
        start = parse_date(match.group(1), formats)
        end = parse_date(match.group(2), formats)
    except ValueError:
        return None
    return (start, end) if start <= end else None


def _is_table(cells: list[str]) -> bool:
    return len(cells) > 2


def _is_sessions_table(cells: list[str]) -> bool:
    return vocabulary.find(cells, "date:date") is not None and len(cells) > 3


def parse(doc: Document, fmt: str, *, period: tuple[date, date] | None) -> ParsedExport:
    """Parse a Clarity Recordings export.  :raises ImportRefused: another list."""
    export = ParsedExport(format=fmt, format_label=str(LABELS[fmt]))
    facts = _preamble(doc)
    found = find_header(doc, _is_sessions_table, limit=20)
    if found is None and find_header(doc, _is_table, limit=20) is None:
        raise refuse_no_data()
    if found is None:
        raise ImportRefused(
            _l(
                "Cet export Microsoft Clarity classe des pages ou des éléments : "
                "leurs sessions se recoupent et ne donnent pas le nombre de sessions. "
                "Exportez plutôt la liste des enregistrements (Recordings)."
            )
        )
    header_line, header = found
    date_at = vocabulary.find(header, "date:date")
    assert date_at is not None
    sessions = SeriesBuilder(
        "sessions", _l("Sessions"), IndicatorKind.AUDIENCE, "", "day"
    )
    rows = data_records(doc, header_line, export.rejected)
    # Dates as the UI language prints them: month first in English, day first
    # in French, Spanish…; the values themselves decide when they can.
    shown = [row.get(date_at) for row in rows]
    range_match = _RANGE_RE.fullmatch(_range_text(facts))
    if range_match is not None:
        shown += [range_match.group(1), range_match.group(2)]
    order = slash_order(shown) or ("mdy" if _english(facts) else "dmy")
    formats = _US_DATE if order == "mdy" else _EU_DATE
    for row in rows:
        try:
            day = parse_date(row.get(date_at), formats)
        except ValueError:
            reject(export.rejected, row, date_error(row.line, row.get(date_at)))
            continue
        sessions.add(day, _ONE, row.line)
    _check_total(facts, sessions, export)
    export.period = _stated(facts, formats)
    return finish_export(export, [sessions], stated_period=None, single=False)


def _check_total(
    facts: dict[str, str], sessions: SeriesBuilder, export: ParsedExport
) -> None:
    stated = next(
        (v for k, v in facts.items() if vocabulary.is_word(k, "metric:sessions")),
        None,
    )
    if stated is None or export.rejected:
        return
    try:
        total = Decimal(stated.replace(",", "").replace(" ", ""))
    except ArithmeticError:
        return
    if total != sessions.total():
        export.warnings.append(
            mismatch_warning(sessions.label, total, sessions.total())
        )
