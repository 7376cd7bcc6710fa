"""Files for spreadsheets, in the reader's convention (PITFALLS 17).

French: CSV split on ``;`` with decimal commas (what French Excel opens in
columns), dates ``06/12/2026 14:13``; English: ``,`` and decimal points, dates
``2026-12-06 14:13``. Both in UTF-8 with a BOM (Excel then reads the accents),
times in Europe/Paris. A text cell that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``, tab, CR first) is neutralised: prefixed with ``'``
in CSV (OWASP), stored as text in XLSX. Numbers stay numbers, negative ones too.

Every export of the application goes through :func:`download`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import Response
from flask_babel import get_locale
from flask_babel import gettext as _

if TYPE_CHECKING:  # openpyxl loads with the first XLSX written, not at start-up
    from openpyxl.cell.cell import Cell as SheetCell

PARIS = ZoneInfo("Europe/Paris")
FORMATS = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Up to six decimals, no thousands separator (a grouped "1 234,5" is text to Excel).
NUMBER_PATTERN = "0.######"

Value = str | int | float | Decimal | date | datetime | bool | None


@dataclass(frozen=True)
class Dialect:
    """How one language's spreadsheets read a CSV file and show dates."""

    locale: str
    delimiter: str
    date_pattern: str  # Unicode (babel) patterns
    datetime_pattern: str
    xlsx_date_format: str  # Excel number formats
    xlsx_datetime_format: str


FRENCH = Dialect(
    "fr", ";", "dd/MM/yyyy", "dd/MM/yyyy HH:mm", "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
)
ENGLISH = Dialect(
    "en", ",", "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
)


def dialect_for(locale: object) -> Dialect:
    """The dialect of a locale (``fr``, ``fr_FR``…: French; anything else: English)."""
    return FRENCH if str(locale).lower().startswith("fr") else ENGLISH


@dataclass(frozen=True)
class Table:
    """What an export holds: headers and rows already in the reader's words."""

    name: str  # the file's name without extension, and the sheet's name
    headers: Sequence[str]
    rows: Sequence[Sequence[Value]]


def neutralise(text: str) -> str:
    """A text a spreadsheet would run as a formula, prefixed with ``'``."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    # pandas' missing markers (NaT, NA) are not equal to themselves.
    try:
        return bool(value != value)
    except TypeError:  # pandas.NA: its comparisons are NA, not a bool
        return True


def local_time(value: datetime) -> datetime:
    """An instant in Europe/Paris (a naive one is taken as UTC, as stored)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(PARIS)


def csv_text(value: object, dialect: Dialect) -> str:
    """One cell of a CSV file, as the reader's spreadsheet reads it."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    if isinstance(value, int | float | Decimal):
        return format_decimal(value, format=NUMBER_PATTERN, locale=dialect.locale)
    if isinstance(value, datetime):
        return format_datetime(
            local_time(value), dialect.datetime_pattern, locale=dialect.locale
        )
    if isinstance(value, date):
        return format_date(value, dialect.date_pattern, locale=dialect.locale)
    return neutralise(str(value))


def to_csv(table: Table, dialect: Dialect) -> bytes:
    """The table as CSV in ``dialect``, UTF-8 with a BOM, one header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(neutralise(str(h)) for h in table.headers)
    for row in table.rows:
        writer.writerow(csv_text(value, dialect) for value in row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(cell: SheetCell, value: object, dialect: Dialect) -> None:
    if _is_missing(value):
        return
    if isinstance(value, bool):
        cell.value = _("oui") if value else _("non")
    elif isinstance(value, int | float):
        cell.value = value
    elif isinstance(value, Decimal):
        cell.value = float(value)
    elif isinstance(value, datetime):
        cell.value = local_time(value).replace(tzinfo=None, microsecond=0)
        cell.number_format = dialect.xlsx_datetime_format
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = dialect.xlsx_date_format
    else:
        _text_cell(cell, str(value))


def _text_cell(cell: SheetCell, text: str) -> None:
    """A string stored as a string, even when it starts with ``=``."""
    cell.value = text
    # openpyxl takes a leading "=" for a formula: say it is a string, and tell
    # the spreadsheet to keep it so when the cell is edited.
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True


def to_xlsx(table: Table, dialect: Dialect) -> bytes:
    """The table as one XLSX sheet: numbers and dates typed, texts as texts."""
    return to_xlsx_book([table], dialect)


def to_xlsx_book(tables: Sequence[Table], dialect: Dialect) -> bytes:
    """The tables as one workbook, a sheet each (named after the table), in order."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None  # a new workbook has its sheet
    for index, table in enumerate(tables):
        sheet = first if index == 0 else book.create_sheet()
        _fill_sheet(sheet, table, dialect)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill_sheet(sheet: Any, table: Table, dialect: Dialect) -> None:
    sheet.title = sheet_name(table.name)
    widths = [len(str(h)) for h in table.headers]
    for column, header in enumerate(table.headers, start=1):
        _text_cell(sheet.cell(row=1, column=column), str(header))
    for row_number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            _xlsx_cell(sheet.cell(row=row_number, column=column), value, dialect)
            if column <= len(widths):
                shown = csv_text(value, dialect)
                widths[column - 1] = max(widths[column - 1], len(shown))
    for column, width in enumerate(widths, start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = min(60, width + 2)


def sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "data"


def file_name(name: str) -> str:
    """A name safe in a Content-Disposition header (ASCII, no quotes)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "export"


def download(table: Table, fmt: str, *, locale: object | None = None) -> Response:
    """The table as an attachment ``<name>.<fmt>`` in the reader's dialect.

    :raises ValueError: an unknown format (callers check it against FORMATS).
    """
    dialect = dialect_for(locale if locale is not None else get_locale())
    if fmt == "xlsx":
        body, content_type = to_xlsx(table, dialect), XLSX_TYPE
    elif fmt == "csv":
        body, content_type = to_csv(table, dialect), CSV_TYPE
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    # content_type, not mimetype: werkzeug would add a second charset.
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{file_name(table.name)}.{fmt}"'
    )
    return response
