"""The generic importer's rows gathered and summed: a :class:`Collector` keeps
the accepted rows as arrays (chunk by chunk, or one row at a time) and builds a
lazy :class:`GenericStream` of points, one per period."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from flask_babel import lazy_gettext as _l

from kpi.importers.base import (
    MAX_ABS_VALUE,
    MAX_DECIMALS,
    MAX_YEAR,
    MIN_YEAR,
    ColumnMapping,
    ColumnPoint,
    Point,
    RejectedRow,
)
from kpi.importers.bulk import collector_paused
from kpi.importers.cells import RowError, date_error, missing_cells_error, number_cell
from kpi.importers.dates import check_date
from kpi.importers.progress import rows_read
from kpi.periods import period_start_for

if TYPE_CHECKING:
    from kpi.importers.columns import PointColumns

#: Below this magnitude a float64 holds any 4-decimal value exactly once scaled.
_EXACT_FLOAT_LIMIT = 1e11
_SCALE = 10**MAX_DECIMALS
_EPOCH = date(1970, 1, 1)
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
    line_array: Any = None  # ``lines`` as an int64 array

    def __len__(self) -> int:
        return 0 if self.days is None else len(self.days)

    def periods(self, *, ends_only: bool = False) -> list[date]:
        """The period starts, ascending (``ends_only``: the first and the last)."""
        if self.days is None:
            return []
        epoch = _EPOCH.toordinal()
        days = self.days[[0, -1]] if ends_only else self.days
        return [date.fromordinal(epoch + day) for day in days.tolist()]

    def columns_of(self, column: int) -> PointColumns | None:
        """The points of value column ``column`` as arrays (None: no point)."""
        if self.days is None:
            return None
        from kpi.importers.columns import PointColumns

        return PointColumns(
            days=self.days,
            scaled=self.sums[column],
            bounds=np.asarray(self.bounds, dtype=np.int64),
            lines=self.line_array,
        )

    def iter_points(self, column: int) -> Iterator[Point]:
        """Points of value column ``column`` (0-based among the mapped values)."""
        yield from self.points(column)

    def points(self, column: int, periods: list[date] | None = None) -> list[Point]:
        """The points of value column ``column``, in one list (``periods``: those
        of :meth:`periods`, when the caller already has them)."""
        if self.days is None:
            return []
        bounds = self.bounds.tolist()
        lines = self.lines
        scale = -MAX_DECIMALS
        decimal = Decimal
        with collector_paused():
            return [
                Point(
                    start,
                    decimal(total).scaleb(scale),
                    None,
                    None,
                    (lines[first],) if end == first + 1 else tuple(lines[first:end]),
                )
                for start, total, first, end in zip(
                    self.periods() if periods is None else periods,
                    self.sums[column].tolist(),
                    bounds[:-1],
                    bounds[1:],
                    strict=True,
                )
            ]

    def __iter__(self) -> Iterator[ColumnPoint]:
        for position, name in enumerate(self.columns):
            for point in self.iter_points(position):
                yield ColumnPoint(name, point)


# --------------------------------------------------------------------------- #
# Parsing
# --------------------------------------------------------------------------- #


class Collector:
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
        rows_read(len(lines))
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
        rows_read(1)
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
        """The accepted rows summed per period, in a lazy stream of points."""
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
        order = self._order(days, lines)
        days, lines = days[order], lines[order]
        values = [np.concatenate(store)[order] for store in self.values]
        starts = np.concatenate(([0], np.flatnonzero(np.diff(days)) + 1))
        unique_days = days[starts]
        if len(unique_days) < len(days):
            warnings.append(_summed_rows_warning(len(days) - len(unique_days)))
        bounds = np.append(starts, len(days))
        sums, keep = _period_sums(values, starts, bounds)
        line_list = lines.tolist()
        if not keep.all():
            warnings.append(_too_large_warning(unique_days[~keep]))
            line_list, bounds = _kept_lines(line_list, bounds, keep)
            lines = np.array(line_list, dtype=np.int64)
            unique_days = unique_days[keep]
            sums = [column[keep] for column in sums]
        result.days, result.sums, result.bounds = unique_days, sums, bounds
        result.lines = line_list
        result.line_array = lines.astype(np.int64, copy=False)
        return result

    def _order(self, days: Any, lines: Any) -> Any:
        """Rows by period, then (when rows were re-read one by one) by line."""
        if self.slow_accepted:
            return np.lexsort((lines, days))
        if int(days.max()) - int(days.min()) < 2**16:
            # A stable sort of 16-bit keys is a radix sort: linear time.
            return np.argsort((days - days.min()).astype(np.uint16), kind="stable")
        return np.argsort(days, kind="stable")


def _period_sums(values: list[Any], starts: Any, bounds: Any) -> tuple[list[Any], Any]:
    """Each column summed per period, exactly, and which periods can be stored."""
    sums = []
    keep = np.ones(len(starts), dtype=bool)
    for column in values:
        totals = np.add.reduceat(column.astype(np.float64), starts)
        risky = np.abs(totals) >= 9e17
        exact = np.add.reduceat(column, starts)
        for index in np.flatnonzero(risky).tolist():
            # Near the int64 limit: sum as Python integers.
            begin, end = int(bounds[index]), int(bounds[index + 1])
            total = sum(int(x) for x in column[begin:end].tolist())
            if abs(total) >= int(MAX_ABS_VALUE) * _SCALE:
                keep[index] = False
            else:
                exact[index] = total
        sums.append(exact)
    return sums, keep


def _kept_lines(line_list: list[int], bounds: Any, keep: Any) -> tuple[list[int], Any]:
    """The lines of the periods kept, and their new group boundaries."""
    kept_lines: list[int] = []
    new_bounds = [0]
    for index in np.flatnonzero(keep).tolist():
        kept_lines.extend(line_list[bounds[index] : bounds[index + 1]])
        new_bounds.append(len(kept_lines))
    return kept_lines, np.array(new_bounds)


def _summed_rows_warning(count: int) -> str:
    return str(
        _l(
            "%(count)d ligne(s) partagent une période avec une autre : "
            "leurs valeurs ont été additionnées.",
            count=int(count),
        )
    )


def _too_large_warning(days: Any) -> str:
    dropped = [(_EPOCH + timedelta(days=int(day))).isoformat() for day in days.tolist()]
    return str(
        _l(
            "Périodes ignorées, total trop grand pour être enregistré : %(periods)s.",
            periods=", ".join(dropped[:10]),
        )
    )


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
