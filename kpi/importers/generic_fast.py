"""The generic importer's vectorised path: pandas reads the file in chunks and
only the rows it cannot take exactly are read again one by one."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd

from kpi.importers.base import MAX_DECIMALS, ColumnMapping, RejectedRow
from kpi.importers.cells import encoding_reason
from kpi.importers.generic_stream import Collector
from kpi.importers.sniff import Document
from kpi.importers.tables import split_line

#: Rows per pandas chunk: bounded memory whatever the file size.
CHUNK_ROWS = 250_000


def read_with_pandas(
    doc: Document,
    mapping: ColumnMapping,
    collector: Collector,
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
        attempt = Collector(mapping, collector.fmt)
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
    collector: Collector,
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
    collector: Collector,
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
        cells = split_line(raw, delimiter)
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
