"""The layout of Google Analytics downloads: ``#`` preambles, blocks, the column
vocabulary in the UI languages, and the ``Grand total`` row of explorations.

The same report comes as CSV, TSV (explorations) or XLSX (a spreadsheet download,
sometimes renamed ``.csv``): blocks are cut from the document's lines whatever the
delimiter, and a sheet's rows are read as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kpi.importers import vocabulary
from kpi.importers.base import RejectedRow
from kpi.importers.cells import date_error, number_cell
from kpi.importers.dates import compact_range, parse_date
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, split_line


def _preamble_re(concept: str) -> re.Pattern[str]:
    """``<a name of concept> : YYYYMMDD`` in a ``#`` line, any UI language."""
    words = "|".join(re.escape(word) for word in vocabulary.words(concept))
    return re.compile(rf"(?:{words})\s*:\s*(\d{{8}})", re.IGNORECASE)


_START_RE = _preamble_re("date:preamble_start")
_END_RE = _preamble_re("date:preamble_end")
_RANGE_RE = re.compile(r"(\d{8})\s*-\s*(\d{8})")

#: The English names the GA4 importers look for → their vocabulary concepts
#: (every UI language's names are words of these concepts).
CONCEPTS: dict[str, str] = {
    "Date": "date:date",
    "Year month": "date:year_month",
    "Views": "metric:views",
    "Sessions": "metric:sessions",
    "Engaged sessions": "metric:engaged_sessions",
    "Event count": "metric:event_count",
    "Event name": "dim:event_name",
    "Key events": "metric:key_events",
    "Active users": "metric:active_users",
    "Total users": "metric:total_users",
    "New users": "metric:new_users",
    "Average engagement time per active user": "metric:engagement_per_active_user",
    "Average engagement time": "metric:engagement_time",
    "Average engagement time per session": "metric:engagement_per_session",
    "Page path and screen class": "dim:page_path_screen_class",
    "Page title and screen class": "dim:page_title_screen_class",
}
_ENGLISH = {concept: english for english, concept in CONCEPTS.items()}


def canonical(header: list[str]) -> list[str]:
    """Header cells with localised names replaced by the English ones."""
    return [
        _ENGLISH.get(vocabulary.concept_of(name, _ENGLISH) or "", name)
        for name in header
    ]


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
    delimiter: str = ","


def delimiter_of(doc: Document, line: str) -> str:
    """The delimiter of a header line (a sheet's cells are joined by tabs)."""
    if doc.is_sheet or line.count("\t") > line.count(","):
        return "\t"
    return ","


def split_blocks(doc: Document) -> list[Block]:
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
            body = line.lstrip("#").strip().strip("\t")
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
        delimiter = delimiter_of(doc, lines[index])
        header = split_line(lines[index], delimiter)
        end = index + 1
        while (
            end < len(lines)
            and lines[end].strip()
            and not lines[end].lstrip().startswith("#")
        ):
            end += 1
        blocks.append(
            Block(
                comments,
                period,
                index + 1,
                header,
                index + 2,
                end,
                delimiter=delimiter,
            )
        )
        comments, start_text, end_text = [], "", ""
        index = end
    return blocks


def has_start_date(lines: list[str]) -> bool:
    return any(_START_RE.search(line) for line in lines if line.startswith("#"))


def is_exploration(doc: Document) -> bool:
    """An exploration's download: its preamble has no ``Start date`` line (``#
    <property>``, ``# <exploration>-<tab>``, ``# YYYYMMDD-YYYYMMDD``), and its
    first row is the ``Grand total`` with the label in an extra cell. (Universal
    Analytics has the same preamble, but an unlabelled totals row at the end.)"""
    blocks = split_blocks(doc)
    if not blocks or blocks[0].period is None or blocks[0].first > blocks[0].last:
        return False
    block = blocks[0]
    first = next(doc.records(block.delimiter, start=block.first, stop=block.first))
    if isinstance(first, RejectedRow):
        return False
    width = len(block.header)
    return is_totals(first, width) and any(
        vocabulary.is_word(cell, "total") for cell in first.cells[width:]
    )


def block_records(
    doc: Document, block: Block, rejected: list[RejectedRow]
) -> tuple[list[Record], Record | None]:
    """The data rows of ``block`` and its totals row (``Grand total``), if any."""
    rows: list[Record] = []
    totals: Record | None = None
    for item in doc.records(block.delimiter, start=block.first, stop=block.last):
        if isinstance(item, RejectedRow):
            rejected.append(item)
        elif is_totals(item, len(block.header)):
            totals = item
        else:
            rows.append(item)
    return rows, totals


def is_totals(record: Record, width: int) -> bool:
    """A ``Grand total`` row: the label in a dimension cell or in an extra cell."""
    labels = [
        position
        for position, cell in enumerate(record.cells)
        if vocabulary.is_word(cell, "total")
    ]
    if not labels:
        return False
    label = labels[0]
    return label == 0 or label >= width or not record.get(0).strip()


def row_date(record: Record, column: int | None, anchor: date) -> date:
    """The day of a row (``Date`` is ``YYYYMMDD``), or ``anchor`` without one.

    :raises RowError:
    """
    if column is None:
        return anchor
    text = record.get(column)
    try:
        # ``Date`` is YYYYMMDD; ``Year month`` is YYYYMM (the month's first day).
        return parse_date(text, ("%Y%m%d", "%Y-%m-%d", "%Y%m"))
    except ValueError:
        raise date_error(record.line, text) from None


def metric(
    record: Record, position: int, header: list[str], *, quantize: bool = False
) -> Decimal:
    """A metric cell (raw numbers, dot decimals).  :raises RowError:"""
    return number_cell(
        record.get(position),
        line=record.line,
        column=header[position],
        decimal=".",
        quantize=quantize,
    )
