"""A plain series' points kept as arrays (what the generic importer reads).

A million :class:`~kpi.importers.base.Point` objects cost more to build, check,
pickle and write than the database takes to store them. A series read by the
generic importer keeps its points as four arrays instead; the preview, the plan
and the bulk insert read those arrays, and the points are built only where one
is looked at (the first rows of the preview, a row a rule refuses, a value
already stored). Exact: values are integers of 1/10 000 (``MAX_DECIMALS``),
turned into the same ``Decimal`` the generic importer built before.

numpy is imported here only: this module loads with the importers' parsing, not
when the app starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from kpi.importers.base import MAX_ABS_VALUE, MAX_DECIMALS, Point
from kpi.importers.bulk import collector_paused

if TYPE_CHECKING:
    from kpi.importers.base import Series

#: ``date.toordinal()`` of day 0 of the ``days`` column.
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
SCALE = 10**MAX_DECIMALS


def day_number(day: date) -> int:
    """``day`` as a number of the ``days`` column."""
    return day.toordinal() - EPOCH_ORDINAL


@dataclass(frozen=True, slots=True, eq=False)
class PointColumns:
    """Points of a plain series (no ratio components), periods ascending.

    Point ``i`` starts on day ``days[i]`` (since 1970-01-01), is worth
    ``scaled[i] / 10**MAX_DECIMALS`` and comes from the source lines
    ``lines[bounds[i]:bounds[i + 1]]``.
    """

    days: Any
    scaled: Any
    bounds: Any
    lines: Any

    def __len__(self) -> int:
        return len(self.days)

    def periods(self, start: int = 0, stop: int | None = None) -> list[date]:
        """The period starts of points ``start:stop``."""
        day = date.fromordinal
        return [day(EPOCH_ORDINAL + n) for n in self.days[start:stop].tolist()]

    def to_points(self, start: int = 0, stop: int | None = None) -> list[Point]:
        """Points ``start:stop`` as :class:`Point` objects (what the generic
        importer built: ``Decimal(scaled).scaleb(-MAX_DECIMALS)``)."""
        stop = len(self) if stop is None else min(stop, len(self))
        if start >= stop:
            return []
        base = int(self.bounds[start])
        bounds = (self.bounds[start : stop + 1] - base).tolist()
        lines = self.lines[base : base + bounds[-1]].tolist()
        scale = -MAX_DECIMALS
        decimal = Decimal
        with collector_paused():
            return [
                Point(
                    day,
                    decimal(total).scaleb(scale),
                    None,
                    None,
                    (lines[first],) if end == first + 1 else tuple(lines[first:end]),
                )
                for day, total, first, end in zip(
                    self.periods(start, stop),
                    self.scaled[start:stop].tolist(),
                    bounds[:-1],
                    bounds[1:],
                    strict=True,
                )
            ]

    def subset(self, keep: Any) -> PointColumns:
        """The points where the boolean array ``keep`` is true."""
        if bool(keep.all()):
            return self
        sizes = np.diff(self.bounds)
        kept_sizes = sizes[keep]
        return PointColumns(
            days=self.days[keep],
            scaled=self.scaled[keep],
            bounds=np.concatenate(([0], np.cumsum(kept_sizes))).astype(np.int64),
            lines=self.lines[np.repeat(keep, sizes)],
        )

    def plain_values(self, *, first: date, last: date, negative: bool) -> Any:
        """Which points a rule of :mod:`kpi.rules` accepts unchanged: a period
        from ``first`` to ``last``, a magnitude below ``MAX_ABS_VALUE`` and, unless
        ``negative``, no sign (a boolean array)."""
        limit = int(MAX_ABS_VALUE) * SCALE
        scaled = self.scaled
        ok = (self.days >= day_number(first)) & (self.days <= day_number(last))
        ok &= (scaled > -limit) & (scaled < limit)
        if not negative:
            ok &= scaled >= 0
        return ok

    def outside(self, starts_on: date, ends_on: date | None) -> list[date]:
        """The period starts before ``starts_on`` or after ``ends_on``."""
        out = self.days < day_number(starts_on)
        if ends_on is not None:
            out |= self.days > day_number(ends_on)
        day = date.fromordinal
        return [day(EPOCH_ORDINAL + n) for n in self.days[out].tolist()]

    def split(self, days: Iterable[date]) -> tuple[PointColumns, list[Point]]:
        """The points on none of ``days`` (as arrays), and those on one of them
        (as points, periods ascending)."""
        wanted = np.array(sorted({day_number(day) for day in days}), dtype=np.int64)
        positions = np.searchsorted(self.days, wanted)
        inside = positions < len(self.days)
        positions = positions[inside]
        positions = positions[self.days[positions] == wanted[inside]]
        if not len(positions):
            return self, []
        rest = np.ones(len(self), dtype=bool)
        rest[positions] = False
        return self.subset(rest), self.subset(~rest).to_points()

    def same_as(self, other: PointColumns) -> bool:
        return all(
            np.array_equal(mine, theirs)
            for mine, theirs in (
                (self.days, other.days),
                (self.scaled, other.scaled),
                (self.bounds, other.bounds),
                (self.lines, other.lines),
            )
        )

    def day_texts(self) -> list[str]:
        """The period starts as ISO texts (``2024-01-31``)."""
        as_dates = self.days.astype("datetime64[D]")
        return list(np.datetime_as_string(as_dates, unit="D").tolist())

    def floats(self) -> list[float]:
        """The values as floats: the nearest double to each exact value (an
        integer of 1/10 000 below 10**15 divided once, correctly rounded), which
        is what ``float(Decimal)`` gives."""
        return list((self.scaled / SCALE).tolist())

    def value_texts(self) -> list[str]:
        """The values as exact decimal texts: the shortest ``repr`` of their
        float, exact for the 15 significant digits a value has at most."""
        return [repr(value) for value in self.floats()]


def line_numbers(series: Iterable[Series]) -> set[int]:
    """Every source line behind the points of ``series``."""
    arrays = []
    found: set[int] = set()
    for one in series:
        if one.columns is not None:
            arrays.append(one.columns.lines)
        else:
            found.update(n for point in one.points for n in point.lines)
    if arrays:
        found.update(np.unique(np.concatenate(arrays)).tolist())
    return found


__all__ = ["EPOCH_ORDINAL", "PointColumns", "day_number", "line_numbers"]
