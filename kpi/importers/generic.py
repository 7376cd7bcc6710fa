"""Any other CSV/TSV/XLSX, read through an explicit :class:`ColumnMapping`.

Large files take a vectorised path: pandas' C parser reads the file in chunks
(the date column as a category, so each distinct date is parsed once; the value
columns straight to float64), dates are parsed once per distinct text with an
explicit format, values are scaled to integers of 1/10 000. Only the rows that
fail there (a bad date, ``1 234,5 €``, garbage, a huge value…) are re-read one by
one from their line, to be accepted exactly or rejected with their line number.
Rows that share a period are summed.

Streaming: :func:`open_generic` returns a :class:`GenericStream` whose points are
built lazily, period by period, so a caller can insert them in batches without
holding a million :class:`Point` objects; ``parse_export`` simply lists them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from flask_babel import lazy_gettext as _l

from kpi.errors import ImportRefused
from kpi.importers.base import (
    MAX_ABS_VALUE,
    MAX_DECIMALS,
    MAX_YEAR,
    MIN_YEAR,
    ColumnMapping,
    ColumnPoint,
    ParsedExport,
    Point,
    RejectedRow,
    Series,
)
from kpi.importers.cells import (
    RowError,
    date_error,
    encoding_reason,
    missing_cells_error,
    number_cell,
)
from kpi.importers.dates import (
    check_date,
)
from kpi.importers.sniff import Document
from kpi.importers.tables import (
    Record,
    normalise_name,
)
from kpi.kinds import IndicatorKind
from kpi.periods import period_end_for, period_start_for

LABEL = _l("Fichier CSV ou Excel (colonnes associées)")

#: Rows per pandas chunk: bounded memory whatever the file size.
CHUNK_ROWS = 250_000
#: Below this magnitude a float64 holds any 4-decimal value exactly once scaled.
_EXACT_FLOAT_LIMIT = 1e11
_SCALE = 10**MAX_DECIMALS
_EPOCH = date(1970, 1, 1)
_DELIMITERS = (",", ";", "\t", "|")
#: Tried in order on the distinct date texts; the first that reads most wins, so
#: day-first (French) beats month-first when both fit.
DATE_FORMATS = (
    "ISO8601",
    "%d/%m/%Y",
    "%Y%m%d",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m",
)


# --------------------------------------------------------------------------- #
# Header and columns
# --------------------------------------------------------------------------- #


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def guess_delimiter(lines: Sequence[str]) -> str:
    """The delimiter that splits the first lines into the most regular columns."""
    candidates = [line for line in lines if line.strip() and not line.startswith("#")]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        counts = [len(_split(line, delimiter)) for line in candidates[:30]]
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
            cells.append([cell.strip() for cell in _split(line, delimiter)])
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


# --------------------------------------------------------------------------- #
# The stream
# --------------------------------------------------------------------------- #


@dataclass
class GenericStream:
    """Aggregated values of a generic file; points are built on iteration."""

    columns: list[str]
    granularity: str
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    days: Any = None  # int64 days since 1970-01-01, one per period, ascending
    sums: list[Any] = field(default_factory=list)  # int64 (value × 10 000) per column
    bounds: Any = None  # group boundaries into ``lines``
    lines: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return 0 if self.days is None else len(self.days)

    def periods(self) -> list[date]:
        """The period starts, ascending."""
        if self.days is None:
            return []
        return [_EPOCH + timedelta(days=int(day)) for day in self.days.tolist()]

    def iter_points(self, column: int) -> Iterator[Point]:
        """Points of value column ``column`` (0-based among the mapped values)."""
        if self.days is None:
            return
        sums = self.sums[column].tolist()
        bounds = self.bounds.tolist()
        lines = self.lines
        scale = -MAX_DECIMALS
        for index, start in enumerate(self.periods()):
            yield Point(
                start,
                Decimal(sums[index]).scaleb(scale),
                lines=tuple(lines[bounds[index] : bounds[index + 1]]),
            )

    def __iter__(self) -> Iterator[ColumnPoint]:
        for position, name in enumerate(self.columns):
            for point in self.iter_points(position):
                yield ColumnPoint(name, point)


# --------------------------------------------------------------------------- #
# Parsing
# --------------------------------------------------------------------------- #


class _Collector:
    """Accepted rows, as arrays per chunk, plus rejections."""

    def __init__(self, mapping: ColumnMapping, fmt: str | None) -> None:
        self.mapping = mapping
        self.fmt = fmt
        self.days: list[Any] = []
        self.lines: list[Any] = []
        self.values: list[list[Any]] = [[] for _ in mapping.value_columns]
        self.rejected: list[RejectedRow] = []
        self.slow_accepted = 0

    # -- vectorised -----------------------------------------------------------

    def add_chunk(self, dates: Any, values: list[Any], lines: Any) -> Any:
        """Keep the rows that parse cleanly; return the positions of the others."""
        days, date_ok = self._days(dates)
        ok = date_ok.copy()
        scaled_columns = []
        for column in values:
            numbers, column_ok = self._numbers(column)
            ok &= column_ok
            scaled_columns.append(numbers)
        self.days.append(days[ok])
        self.lines.append(lines[ok])
        for store, scaled in zip(self.values, scaled_columns, strict=True):
            store.append(scaled[ok])
        return np.flatnonzero(~ok)

    def _days(self, dates: Any) -> tuple[Any, Any]:
        if not isinstance(dates.dtype, pd.CategoricalDtype):
            return self._days_of_texts(dates)
        categories = pd.Index(dates.cat.categories.astype(str)).str.strip()
        if self.fmt is None:
            self.fmt = detect_date_format(list(categories[:2000]))
        parsed = _to_datetime(categories, self.fmt)
        codes = dates.cat.codes.to_numpy()
        category_days = parsed.to_numpy().astype("datetime64[D]")
        valid_category = ~np.isnat(category_days)
        years = category_days.astype("datetime64[Y]").astype(np.int64) + 1970
        valid_category &= (years >= MIN_YEAR) & (years <= MAX_YEAR)
        if not len(category_days):
            return np.zeros(len(codes), dtype=np.int64), np.zeros(len(codes), bool)
        category_days = _normalise(category_days, self.mapping.granularity)
        day_numbers = np.where(valid_category, category_days.astype(np.int64), 0)
        safe_codes = np.where(codes >= 0, codes, 0)
        return day_numbers[safe_codes], (codes >= 0) & valid_category[safe_codes]

    def _days_of_texts(self, dates: Any) -> tuple[Any, Any]:
        """Many distinct dates (timestamps): parse the texts directly."""
        if self.fmt is None:
            self.fmt = detect_date_format(list(dates[:2000].dropna()))
        days = _to_datetime(dates, self.fmt).to_numpy().astype("datetime64[D]")
        valid = ~np.isnat(days)
        years = days.astype("datetime64[Y]").astype(np.int64) + 1970
        valid &= (years >= MIN_YEAR) & (years <= MAX_YEAR)
        days = _normalise(days, self.mapping.granularity)
        return np.where(valid, days.astype(np.int64), 0), valid

    def _numbers(self, column: Any) -> tuple[Any, Any]:
        if column.dtype.kind == "f":
            floats = column.to_numpy(dtype=np.float64, na_value=np.nan)
            ok = np.ones(len(floats), dtype=bool)
        else:
            text = column.astype(str).str.strip()
            if self.mapping.decimal_separator == ",":
                pattern = r"-?\d{1,14}(?:,\d{1,4})?"
                matched = text.str.fullmatch(pattern).fillna(False).to_numpy(bool)
                text = text.str.replace(",", ".", regex=False)
            else:
                pattern = r"-?\d{1,14}(?:\.\d{1,4})?"
                matched = text.str.fullmatch(pattern).fillna(False).to_numpy(bool)
            floats = pd.to_numeric(text.where(matched, "nan"), errors="coerce")
            floats = np.asarray(floats, dtype=np.float64)
            ok = matched
        with np.errstate(invalid="ignore"):
            ok = ok & np.isfinite(floats) & (np.abs(floats) < _EXACT_FLOAT_LIMIT)
            if not self.mapping.allow_negative:
                ok &= ~(floats < 0)
            scaled = np.rint(np.where(ok, floats, 0.0) * _SCALE).astype(np.int64)
        return scaled, ok

    # -- one row at a time ----------------------------------------------------

    def add_row(
        self, line: int, cells: list[str], raw: str, indices: list[int]
    ) -> None:
        """Accept one row exactly, or reject it with its line number."""
        if not any(cell.strip() for cell in cells):
            return
        try:
            if len(cells) <= max(indices):
                raise missing_cells_error(line, len(cells), max(indices) + 1)
            day = self._row_day(cells[indices[0]], line)
            scaled = []
            for name, position in zip(
                self.mapping.value_columns, indices[1:], strict=True
            ):
                value = number_cell(
                    cells[position],
                    line=line,
                    column=name,
                    decimal=self.mapping.decimal_separator,
                    allow_negative=self.mapping.allow_negative,
                )
                scaled.append(int(value.scaleb(MAX_DECIMALS)))
        except RowError as error:
            self.rejected.append(RejectedRow(line, str(error), raw))
            return
        self.slow_accepted += 1
        self.days.append(np.array([day], dtype=np.int64))
        self.lines.append(np.array([line], dtype=np.int64))
        for store, value_scaled in zip(self.values, scaled, strict=True):
            store.append(np.array([value_scaled], dtype=np.int64))

    def _row_day(self, text: str, line: int) -> int:
        value = text.strip()
        try:
            if self.fmt in (None, "ISO8601"):
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            else:
                assert self.fmt is not None
                parsed = datetime.strptime(value, self.fmt).date()
            day = period_start_for(check_date(parsed), self.mapping.granularity)
        except (ValueError, AssertionError):
            raise date_error(line, text) from None
        return (day - _EPOCH).days

    # -- result ---------------------------------------------------------------

    def stream(self, columns: list[str], warnings: list[str]) -> GenericStream:
        result = GenericStream(
            columns=columns,
            granularity=self.mapping.granularity,
            rejected=sorted(self.rejected, key=lambda row: row.line),
            warnings=warnings,
        )
        if not self.days:
            return result
        days = np.concatenate(self.days)
        if not len(days):
            return result
        lines = np.concatenate(self.lines)
        values = [np.concatenate(store) for store in self.values]
        if self.slow_accepted:
            order = np.lexsort((lines, days))
        elif int(days.max()) - int(days.min()) < 2**16:
            # A stable sort of 16-bit keys is a radix sort: linear time.
            order = np.argsort((days - days.min()).astype(np.uint16), kind="stable")
        else:
            order = np.argsort(days, kind="stable")
        days, lines = days[order], lines[order]
        values = [column[order] for column in values]
        starts = np.concatenate(([0], np.flatnonzero(np.diff(days)) + 1))
        unique_days = days[starts]
        if len(unique_days) < len(days):
            warnings.append(
                str(
                    _l(
                        "%(count)d ligne(s) partagent une période avec une autre : "
                        "leurs valeurs ont été additionnées.",
                        count=int(len(days) - len(unique_days)),
                    )
                )
            )
        bounds = np.append(starts, len(days))
        sums = []
        keep = np.ones(len(unique_days), dtype=bool)
        for column in values:
            totals = np.add.reduceat(column.astype(np.float64), starts)
            risky = np.abs(totals) >= 9e17
            exact = np.add.reduceat(column, starts)
            for index in np.flatnonzero(risky).tolist():
                begin, end = int(bounds[index]), int(bounds[index + 1])
                total = sum(int(x) for x in column[begin:end].tolist())
                if abs(total) >= int(MAX_ABS_VALUE) * _SCALE:
                    keep[index] = False
                else:
                    exact[index] = total
            sums.append(exact)
        if not keep.all():
            dropped = [
                (_EPOCH + timedelta(days=int(day))).isoformat()
                for day in unique_days[~keep].tolist()
            ]
            warnings.append(
                str(
                    _l(
                        "Périodes ignorées, total trop grand pour être enregistré : "
                        "%(periods)s.",
                        periods=", ".join(dropped[:10]),
                    )
                )
            )
        line_list = lines.tolist()
        if not keep.all():
            kept_lines: list[int] = []
            new_bounds = [0]
            for index in np.flatnonzero(keep).tolist():
                kept_lines.extend(line_list[bounds[index] : bounds[index + 1]])
                new_bounds.append(len(kept_lines))
            line_list, bounds = kept_lines, np.array(new_bounds)
            unique_days = unique_days[keep]
            sums = [column[keep] for column in sums]
        result.days, result.sums, result.bounds = unique_days, sums, bounds
        result.lines = line_list
        return result


def detect_date_format(samples: Sequence[str]) -> str:
    """The format that reads the most ``samples`` (the first listed on a tie)."""
    texts = [text.strip() for text in samples if text and text.strip()]
    if not texts:
        return "ISO8601"
    index = pd.Index(texts)
    best, best_count = "ISO8601", -1
    for fmt in DATE_FORMATS:
        count = int(_to_datetime(index, fmt).notna().sum())
        if count > best_count:
            best, best_count = fmt, count
        if count == len(texts):
            break
    return best


def _to_datetime(values: Any, fmt: str) -> Any:
    parsed = pd.to_datetime(values, format=fmt, errors="coerce")
    if getattr(parsed, "tz", None) is not None:
        parsed = parsed.tz_localize(None)
    return pd.DatetimeIndex(parsed)


def _normalise(days: Any, granularity: str) -> Any:
    if granularity == "month":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    if granularity == "week":
        numbers = days.astype(np.int64)
        return (numbers - (numbers + 3) % 7).astype("datetime64[D]")
    return days


def open_generic(doc: Document, mapping: ColumnMapping) -> GenericStream:
    """Read ``doc`` through ``mapping``.  :raises ImportRefused:"""
    if not mapping.value_columns:
        raise ImportRefused(_l("Choisissez au moins une colonne de valeurs."))
    header_line, indices, delimiter = _locate(doc, mapping)
    collector = _Collector(mapping, mapping.date_format)
    warnings: list[str] = []
    if doc.sheet is not None or not _read_with_pandas(
        doc, mapping, collector, header_line, indices, delimiter
    ):
        collector = _Collector(mapping, collector.fmt)
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


def _read_with_pandas(
    doc: Document,
    mapping: ColumnMapping,
    collector: _Collector,
    header_line: int,
    indices: list[int],
    delimiter: str,
) -> bool:
    """The vectorised path; False when the file needs the row-by-row reader."""
    text = doc.text
    expected_rows = (
        text.count("\n") + 1 - header_line - (1 if text.endswith("\n") else 0)
    )
    if expected_rows <= 0:
        return True
    data = _utf8_bytes(doc)
    floats = mapping.decimal_separator != delimiter and not _needs_text_path(
        data, mapping.decimal_separator
    )
    for use_floats in (True, False) if floats else (False,):
        attempt = _Collector(mapping, collector.fmt)
        try:
            done = _pandas_pass(
                doc, attempt, data, header_line, indices, delimiter, use_floats
            )
        except (ValueError, pd.errors.ParserError, OverflowError):
            continue
        if done != expected_rows:
            return False
        collector.__dict__.update(attempt.__dict__)
        return True
    return False


def _pandas_pass(
    doc: Document,
    collector: _Collector,
    data: bytes,
    header_line: int,
    indices: list[int],
    delimiter: str,
    use_floats: bool,
) -> int:
    value_dtype = "float64" if use_floats else str
    dtypes: dict[int, Any] = {
        indices[0]: _date_dtype(data, header_line, indices[0], delimiter)
    }
    for position in indices[1:]:
        dtypes[position] = value_dtype
    reader = pd.read_csv(
        io.BytesIO(data),
        sep=delimiter,
        header=None,
        skiprows=header_line,
        usecols=sorted(set(indices)),
        dtype=dtypes,
        decimal=collector.mapping.decimal_separator,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
        chunksize=CHUNK_ROWS,
        engine="c",
        encoding="utf-8",
    )
    first_line = header_line + 1
    done = 0
    bad = np.array(sorted(doc.bad_lines), dtype=np.int64)
    lines_text: list[str] | None = None
    with reader:
        for chunk in reader:
            count = len(chunk)
            lines = np.arange(
                first_line + done, first_line + done + count, dtype=np.int64
            )
            lines_ok = ~np.isin(lines, bad) if len(bad) else None
            values = [chunk[position] for position in indices[1:]]
            failed = collector.add_chunk(chunk[indices[0]], values, lines)
            if lines_ok is not None:
                failed = np.union1d(failed, np.flatnonzero(~lines_ok))
            if len(failed):
                if lines_text is None:
                    lines_text = doc.lines
                _redo_rows(
                    collector,
                    lines_text,
                    lines[failed],
                    lines_ok,
                    failed,
                    indices,
                    delimiter,
                    doc.bad_lines,
                )
            done += count
    return done


def _date_dtype(data: bytes, header_line: int, position: int, delimiter: str) -> str:
    """``category`` when dates repeat (each distinct text parsed once), else str."""
    try:
        sample = pd.read_csv(
            io.BytesIO(data[: 1 << 20]),
            sep=delimiter,
            header=None,
            skiprows=header_line,
            usecols=[position],
            dtype=str,
            nrows=20_000,
            engine="c",
            encoding="utf-8",
            encoding_errors="replace",
            on_bad_lines="skip",
        )
    except (ValueError, pd.errors.ParserError):
        return "category"
    column = sample[position]
    return "category" if column.nunique() * 5 < max(len(column), 1) else "str"


def _redo_rows(
    collector: _Collector,
    lines_text: list[str],
    numbers: Any,
    lines_ok: Any,
    failed: Any,
    indices: list[int],
    delimiter: str,
    bad_lines: frozenset[int],
) -> None:
    # Rows that were accepted by the vectorised pass but sit on an undecodable
    # line must be withdrawn: rebuild the last chunk's arrays without them.
    if lines_ok is not None:
        bad_numbers = set(np.asarray(numbers)[~lines_ok[failed]].tolist())
        if bad_numbers:
            keep = ~np.isin(collector.lines[-1], list(bad_numbers))
            collector.lines[-1] = collector.lines[-1][keep]
            collector.days[-1] = collector.days[-1][keep]
            for store in collector.values:
                store[-1] = store[-1][keep]
    for number in np.asarray(numbers).tolist():
        raw = lines_text[number - 1] if number - 1 < len(lines_text) else ""
        if number in bad_lines:
            collector.rejected.append(RejectedRow(number, encoding_reason(number), raw))
            continue
        cells = _split(raw, delimiter)
        collector.add_row(number, cells, raw, indices)


def _utf8_bytes(doc: Document) -> bytes:
    source = doc.source
    if (
        doc.decoded is not None
        and doc.decoded.encoding == "utf-8"
        and not doc.bad_lines
        and not source.startswith(b"\xef\xbb\xbf")
        and b"\r" not in source
    ):
        return source
    return doc.text.encode("utf-8", errors="replace")


def _needs_text_path(data: bytes, decimal: str) -> bool:
    """True when floats could hide too many decimals or scientific notation.

    Vectorised over the bytes (a regular expression takes ten times longer): a
    decimal mark followed by five digits, or a digit, ``e``/``E`` and a digit.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    size = len(raw)

    def digits_at(positions: Any) -> Any:
        values = raw[positions]
        return (values >= 48) & (values <= 57)

    marks = np.flatnonzero(raw == ord(decimal))
    marks = marks[marks + MAX_DECIMALS + 1 < size]
    precise = np.ones(len(marks), dtype=bool)
    for offset in range(1, MAX_DECIMALS + 2):
        precise &= digits_at(marks + offset)
    if precise.any():
        return True
    exponents = np.flatnonzero((raw | 0x20) == ord("e"))
    exponents = exponents[(exponents > 0) & (exponents + 2 < size)]
    after = raw[exponents + 1]
    signed = (after == ord("+")) | (after == ord("-"))
    following = np.where(signed, digits_at(exponents + 2), digits_at(exponents + 1))
    return bool((digits_at(exponents - 1) & following).any())


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
                points=list(stream.iter_points(position)),
            )
        )
    periods = stream.periods()
    if periods:
        export.period = (periods[0], period_end_for(periods[-1], mapping.granularity))
    return export


def columns_of(doc: Document) -> list[str]:
    """Column names for the mapping form."""
    return [cell for cell in read_header(doc) if cell]
