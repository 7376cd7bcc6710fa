"""Universal Analytics workbooks: "Export › Excel (XLSX)" of a UA report.

The workbook holds a ``Summary`` sheet (the view, the report's name, the range
``YYYYMMDD-YYYYMMDD`` and links to the data) and one sheet per table
(``Dataset1``: the report's rows with an unlabelled totals row; ``Dataset2``: the
chart, ``Day Index`` by day). That is the CSV download spread over sheets: it is
read back as that CSV (``#`` preamble, tables separated by blank lines), so the
Universal Analytics importer reads both the same way. Sheet names are those of the
UI language, so the layout is recognised by content, not by name.
"""

from __future__ import annotations

import csv
import io
import re

from kpi.importers.sniff import Document, text_document

_RANGE_RE = re.compile(r"\d{8}\s*-\s*\d{8}")


def _summary_lines(summary: Document) -> list[str] | None:
    """The preamble lines of a summary sheet (one cell a row, a range among the
    first rows), or None when the sheet is a table."""
    lines: list[str] = []
    for record in summary.sheet or []:
        cells = [cell for cell in record.cells if cell.strip()]
        if len(cells) > 1:
            return None
        if cells and cells[0].startswith("="):  # the links to the data sheets
            break
        if cells:
            lines.append(cells[0].strip())
    if not any(_RANGE_RE.fullmatch(line) for line in lines[:4]):
        return None
    ranges = [i for i, line in enumerate(lines) if _RANGE_RE.fullmatch(line)]
    return lines[: ranges[0] + 1]


def is_summary_sheet(doc: Document) -> bool:
    """True when ``doc`` (a workbook's first sheet) is a UA summary sheet."""
    return doc.is_sheet and _summary_lines(doc) is not None


def summary_workbook_document(
    sheets: dict[str, Document], filename: str = ""
) -> Document | None:
    """The CSV the workbook's sheets stand for, or None when it is not laid out
    as a summary sheet followed by data sheets."""
    documents = list(sheets.values())
    if len(documents) < 2:
        return None
    preamble = _summary_lines(documents[0])
    if preamble is None:
        return None
    out = io.StringIO()
    rule = "# " + "-" * 40
    out.write("\n".join([rule, *(f"# {line}" for line in preamble), rule, ""]))
    writer = csv.writer(out, lineterminator="\n")
    for sheet in documents[1:]:
        rows = sheet.sheet or []
        if not rows:
            continue
        out.write("\n")
        for record in rows:
            writer.writerow(record.cells)
    return text_document(out.getvalue().encode(), filename)
