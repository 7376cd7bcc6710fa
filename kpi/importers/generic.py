"""Any other CSV/TSV/XLSX, read through an explicit :class:`ColumnMapping`.

Large files take a vectorised path (``generic_fast``): pandas' C parser reads the
file in chunks (the date column as a category, so each distinct date is parsed
once; the value columns straight to float64), dates are parsed once per distinct
text with an explicit format, values are scaled to integers of 1/10 000. Only the
rows that fail there (a bad date, ``1 234,5 €``, garbage, a huge value…) are
re-read one by one from their line, to be accepted exactly or rejected with their
line number. Rows that share a period are summed (``generic_stream``).

Streaming: :func:`open_generic` returns a :class:`GenericStream` whose points are
built lazily, period by period, so a caller can insert them in batches without
holding a million :class:`Point` objects; ``parse_export`` keeps each column's
points as arrays (:mod:`kpi.importers.columns`), which the preview, the plan and
the bulk insert read without building them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from kpi.errors import ImportRefused
from kpi.importers.base import ColumnMapping, ParsedExport, RejectedRow, Series
from kpi.importers.sniff import Document
from kpi.importers.tables import Record, normalise_name, split_line
from kpi.kinds import IndicatorKind
from kpi.periods import period_end_for

if TYPE_CHECKING:
    from kpi.importers.generic_stream import GenericStream

LABEL = _l("Fichier CSV ou Excel (colonnes associées)")
_DELIMITERS = (",", ";", "\t", "|")


# --------------------------------------------------------------------------- #
# Header and columns
# --------------------------------------------------------------------------- #


def guess_delimiter(lines: Sequence[str]) -> str:
    """The delimiter that splits the first lines into the most regular columns."""
    candidates = [line for line in lines if line.strip() and not line.startswith("#")]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        counts = [len(split_line(line, delimiter)) for line in candidates[:30]]
        counts = [count for count in counts if count > 1]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _table_head(doc: Document) -> tuple[list[list[str]], list[int], str]:
    """First rows as cells, their line numbers, and the delimiter."""
    if doc.sheet is not None:
        rows = doc.sheet[:50]
        return [r.cells for r in rows], [r.line for r in rows], "\t"
    head = doc.head(50)
    delimiter = guess_delimiter(head)
    cells, numbers = [], []
    for number, line in enumerate(head, start=1):
        if line.strip() and not line.startswith("#") and number not in doc.bad_lines:
            cells.append([cell.strip() for cell in split_line(line, delimiter)])
            numbers.append(number)
    return cells, numbers, delimiter


def read_header(doc: Document) -> list[str]:
    """The most likely header: first row with the usual number of columns."""
    rows, _, _ = _table_head(doc)
    widths = [len([c for c in row if c]) for row in rows]
    if not widths:
        return []
    usual = max(widths)
    if usual > 1:
        common = [w for w in widths if w > 1]
        usual = max(set(common), key=common.count)
    for row, width in zip(rows, widths, strict=True):
        if width >= usual:
            while row and not row[-1]:
                row.pop()
            return row
    return rows[0]


def _locate(doc: Document, mapping: ColumnMapping) -> tuple[int, list[int], str]:
    """Header line, [date, *value] column indices, delimiter.  :raises ImportRefused:"""
    wanted = [mapping.date_column, *mapping.value_columns]
    rows, numbers, delimiter = _table_head(doc)
    for row, number in zip(rows, numbers, strict=True):
        names = [normalise_name(cell) for cell in row]
        if all(normalise_name(name) in names for name in wanted):
            return number, [names.index(normalise_name(n)) for n in wanted], delimiter
    columns = read_header(doc)
    missing = [
        name
        for name in wanted
        if normalise_name(name) not in {normalise_name(c) for c in columns}
    ]
    raise ImportRefused(
        _l(
            "Colonnes introuvables : %(missing)s. Colonnes trouvées : %(columns)s.",
            missing=", ".join(missing) or ", ".join(wanted),
            columns=", ".join(columns) or "—",
        ),
        columns=columns,
    )


def open_generic(doc: Document, mapping: ColumnMapping) -> GenericStream:
    """Read ``doc`` through ``mapping``.  :raises ImportRefused:"""
    # pandas and numpy load on the first import, not when the app starts.
    from kpi.importers.generic_fast import read_with_pandas
    from kpi.importers.generic_stream import Collector, detect_date_format

    if not mapping.value_columns:
        raise ImportRefused(_l("Choisissez au moins une colonne de valeurs."))
    header_line, indices, delimiter = _locate(doc, mapping)
    collector = Collector(mapping, mapping.date_format)
    warnings: list[str] = []
    if doc.sheet is not None or not read_with_pandas(
        doc, mapping, collector, header_line, indices, delimiter
    ):
        collector = Collector(mapping, collector.fmt)
        items = (
            [record for record in doc.sheet if record.line > header_line]
            if doc.sheet is not None
            else list(doc.records(delimiter, start=header_line + 1))
        )
        if collector.fmt is None:
            samples = [
                item.get(indices[0])
                for item in items[:2000]
                if isinstance(item, Record)
            ]
            collector.fmt = detect_date_format(samples)
        for item in items:
            if isinstance(item, RejectedRow):
                collector.rejected.append(item)
            else:
                collector.add_row(item.line, item.cells, item.raw, indices)
    return collector.stream(list(mapping.value_columns), warnings)


def parse_generic(doc: Document, mapping: ColumnMapping) -> ParsedExport:
    """Parse ``doc`` through ``mapping`` into a :class:`ParsedExport`."""
    stream = open_generic(doc, mapping)
    export = ParsedExport(
        format="generic",
        format_label=str(LABEL),
        rejected=stream.rejected,
        warnings=stream.warnings,
    )
    for position, name in enumerate(stream.columns):
        export.series.append(
            Series(
                key=name,
                label=name,
                suggested_kind=IndicatorKind.CUSTOM,
                unit="",
                granularity=mapping.granularity,
                columns=stream.columns_of(position),
            )
        )
    periods = stream.periods(ends_only=True)
    if periods:
        export.period = (periods[0], period_end_for(periods[-1], mapping.granularity))
    return export


def columns_of(doc: Document) -> list[str]:
    """Column names for the mapping form."""
    return [cell for cell in read_header(doc) if cell]
