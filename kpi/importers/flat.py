"""Helpers for flat reports (one header, rows of metrics, maybe a summary row):
finding the header under a preamble, and reading a metric cell in the column's
own number format. Used by the Meta Ads, Clarity and YouTube Studio modules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from kpi.importers.base import RejectedRow
from kpi.importers.cells import number_cell
from kpi.importers.numbers import column_decimal
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, split_line


def find_header(
    doc: Document, accept: Callable[[list[str]], bool], *, limit: int = 40
) -> tuple[int, list[str]] | None:
    """The 1-based line and cells of the first of ``limit`` lines ``accept`` takes."""
    for number, line in enumerate(doc.head(limit), start=1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in split_line(line, doc.delimiter)]
        if accept(cells):
            return number, cells
    return None


def data_records(
    doc: Document, header_line: int, rejected: list[RejectedRow]
) -> list[Record]:
    """The rows under the header; unreadable ones go to ``rejected``."""
    rows: list[Record] = []
    for item in doc.records(doc.delimiter, start=header_line + 1):
        if isinstance(item, RejectedRow):
            rejected.append(item)
        else:
            rows.append(item)
    return rows


class Metric:
    """A metric column: where it is, its name and its decimal separator."""

    def __init__(self, header: Sequence[str], position: int, rows: list[Record]):
        self.position = position
        self.name = header[position]
        self.decimal = column_decimal(row.get(position) for row in rows)

    def value(self, row: Record, *, blank_is_zero: bool = True) -> Decimal:
        """The cell of ``row`` as a storable number.  :raises RowError:"""
        text = row.get(self.position)
        if blank_is_zero and not text.strip():
            return Decimal(0)
        value = number_cell(
            text, line=row.line, column=self.name, decimal=self.decimal, quantize=True
        )
        # Quantized to 4 decimals: shown as the file wrote it (39581, 33245.34).
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()
