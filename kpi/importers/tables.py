"""Rows of a table: records read from CSV text with their line numbers, and
columns found by name."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kpi.importers.base import RejectedRow
from kpi.importers.cells import RowError, encoding_reason, malformed_reason


@dataclass(frozen=True, slots=True)
class Record:
    """One source row: its first physical line number, its cells, its raw text."""

    line: int
    cells: list[str]
    raw: str

    def get(self, index: int | None) -> str:
        """Cell ``index`` or ``""`` when absent."""
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]


def read_records(
    lines: Sequence[str],
    delimiter: str,
    *,
    start: int = 1,
    stop: int | None = None,
    bad_lines: frozenset[int] = frozenset(),
) -> Iterator[Record | RejectedRow]:
    """Split physical ``lines[start-1:stop]`` (1-based, inclusive) into records.

    Quoted fields may span lines. Blank lines are skipped. A record that touches
    an undecodable line, or that the ``csv`` module cannot split, is yielded as a
    :class:`RejectedRow` and reading resumes on the next line.
    """
    last = len(lines) if stop is None else min(stop, len(lines))
    position = start
    while position <= last:
        begin = position

        def feed(first: int = begin) -> Iterator[str]:
            for index in range(first, last + 1):
                yield lines[index - 1] + "\n"

        reader = csv.reader(feed(), delimiter=delimiter)
        consumed = 0
        try:
            for cells in reader:
                first_line = begin + consumed
                consumed = reader.line_num
                last_line = begin + consumed - 1
                raw = "\n".join(lines[first_line - 1 : last_line])
                touched = range(first_line, last_line + 1)
                if bad_lines and any(n in bad_lines for n in touched):
                    bad = next(n for n in touched if n in bad_lines)
                    yield RejectedRow(bad, encoding_reason(bad), raw)
                    continue
                if not cells or all(not c.strip() for c in cells):
                    continue
                yield Record(first_line, cells, raw)
            position = last + 1
        except csv.Error:
            failed = begin + max(reader.line_num, consumed + 1) - 1
            failed = min(max(failed, begin + consumed), last)
            yield RejectedRow(
                begin + consumed,
                malformed_reason(begin + consumed),
                "\n".join(lines[begin + consumed - 1 : failed]),
            )
            position = failed + 1


def header_index(header: Sequence[str]) -> dict[str, int]:
    """Map normalised column names to their first index."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(normalise_name(name), position)
    return index


def normalise_name(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().strip('"').split()).casefold()


def find_column(index: dict[str, int], *names: str) -> int | None:
    """Index of the first of ``names`` present in ``index`` (normalised names)."""
    for name in names:
        position = index.get(normalise_name(name))
        if position is not None:
            return position
    return None


def reject(rejected: list[RejectedRow], record: Record, error: RowError) -> None:
    rejected.append(RejectedRow(record.line, str(error), record.raw))


def split_line(line: str, delimiter: str) -> list[str]:
    """One CSV line as cells (split on the delimiter if it is not valid CSV)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)
