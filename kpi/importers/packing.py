"""A series kept as columns when pickled (the background parse's result).

A million :class:`~kpi.importers.base.Point` objects pickled one by one took 4 s
to read back, twice per import (preview, then confirmation): kept as a few
columns — day numbers, value texts, line numbers — they are written and read in
C, and the points are built again in one pass. Exact: a ``Decimal`` is kept as
its ``str`` (what ``Decimal`` itself pickles), a period as its ordinal.
"""

from __future__ import annotations

from array import array
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kpi.importers.bulk import collector_paused

if TYPE_CHECKING:
    from kpi.importers.base import Point, Series
    from kpi.importers.columns import PointColumns

#: (ordinals, values, numerators, denominators, line counts, lines); a number
#: column of ``None`` only is ``None``; line counts are ``None`` when every point
#: has one line.
Columns = tuple[Any, ...]


def _texts(numbers: list[Decimal | None]) -> list[str | None] | None:
    if all(number is None for number in numbers):
        return None
    return [None if number is None else str(number) for number in numbers]


def _numbers(texts: list[str | None] | None, size: int) -> list[Decimal | None]:
    if texts is None:
        return [None] * size
    return [None if text is None else Decimal(text) for text in texts]


def pack_points(points: list[Point]) -> Columns | list[Point]:
    """The points as columns, or the list itself when one is not a plain date."""
    if not all(type(point.period_start) is date for point in points):
        return points
    counts = [len(point.lines) for point in points]
    return (
        array("l", [point.period_start.toordinal() for point in points]),
        _texts([point.value for point in points]),
        _texts([point.numerator for point in points]),
        _texts([point.denominator for point in points]),
        None if all(count == 1 for count in counts) else array("l", counts),
        array("l", [line for point in points for line in point.lines]),
    )


def unpack_points(packed: Columns | list[Point]) -> list[Point]:
    """The points :func:`pack_points` kept."""
    if isinstance(packed, list):
        return packed
    with collector_paused():
        return _unpacked(packed)


def _unpacked(packed: Columns) -> list[Point]:
    from kpi.importers.base import Point

    ordinals, values, numerators, denominators, counts, lines = packed
    size = len(ordinals)
    flat = lines.tolist()
    if counts is None:
        grouped = [(line,) for line in flat]
    else:
        grouped = []
        position = 0
        for count in counts.tolist():
            grouped.append(tuple(flat[position : position + count]))
            position += count
    day = date.fromordinal
    return [
        Point(day(ordinal), value, numerator, denominator, line_group)
        for ordinal, value, numerator, denominator, line_group in zip(
            ordinals.tolist(),
            _numbers(values, size),
            _numbers(numerators, size),
            _numbers(denominators, size),
            grouped,
            strict=True,
        )
    ]


def series_from_columns(
    fields: dict[str, Any], packed: Columns | list[Point] | PointColumns
) -> Series:
    """A pickled :class:`Series` read back (a series kept as arrays stays so)."""
    from kpi.importers.base import Series
    from kpi.importers.columns import PointColumns

    if isinstance(packed, PointColumns):
        return Series(columns=packed, **fields)
    return Series(points=unpack_points(packed), **fields)
