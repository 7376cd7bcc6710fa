"""What an importer returns: points, series, rejected rows, the parsed export,
the column mapping of an unknown layout, and the limits of a storable value.

Nothing in ``kpi.importers`` knows Flask or the database: values are
:class:`~decimal.Decimal`, periods are :class:`~datetime.date`, messages are French
source strings translated through ``lazy_gettext`` (the French source is returned
outside an app context). The helpers live beside this module: ``numbers``,
``dates``, ``cells`` (row errors and messages), ``tables`` (rows of a table) and
``series`` (building series and finishing an export).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from kpi.kinds import IndicatorKind
from kpi.periods import Granularity

DecimalSeparator = Literal[",", "."]

#: The largest magnitude we store: ``abs(value) < 10**11``. The column is
#: ``Numeric(18, 4)``, but SQLite keeps numerics as binary floats, exact only to 15
#: significant digits: 11 integer digits + 4 decimals is what both databases hold
#: exactly, so a larger value is refused rather than silently rounded on SQLite.
MAX_ABS_VALUE = Decimal(10) ** 11
#: At most this many decimals are stored.
MAX_DECIMALS = 4
QUANTUM = Decimal(1).scaleb(-MAX_DECIMALS)

#: Dates outside this range are refused as implausible for a KPI.
MIN_YEAR = 1900
MAX_YEAR = 2200


@dataclass(frozen=True, slots=True)
class Point:
    """One measurement-to-be: a value for the period starting on ``period_start``.

    For ratio series ``numerator`` and ``denominator`` carry the components
    (cost and clicks, total seconds and views or visits) and ``value`` is their
    quotient, or ``None`` when the denominator is 0. ``lines`` are the 1-based
    line numbers (or spreadsheet row numbers) of the source rows behind the point.
    """

    period_start: date
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    lines: tuple[int, ...] = ()


class ColumnPoint(NamedTuple):
    """A point of the generic importer's stream, with the value column it is of."""

    column: str
    point: Point


@dataclass(slots=True)
class Series:
    """A sequence of points for one metric of the file."""

    key: str
    label: str
    suggested_kind: IndicatorKind
    unit: str
    granularity: Granularity
    points: list[Point] = field(default_factory=list)
    is_ratio: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as columns (see :mod:`kpi.importers.packing`)."""
        from kpi.importers.packing import pack_points, series_from_columns

        fields = {
            "key": self.key,
            "label": self.label,
            "suggested_kind": self.suggested_kind,
            "unit": self.unit,
            "granularity": self.granularity,
            "is_ratio": self.is_ratio,
        }
        return (series_from_columns, (fields, pack_points(self.points)))


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A source row that was not kept, with a translated reason naming its line."""

    line: int
    reason: str
    raw: str


@dataclass(slots=True)
class ParsedExport:
    """What a file would store, what it rejects and why."""

    format: str
    format_label: str
    period: tuple[date, date] | None = None
    series: list[Series] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: True when the file states no period and none was given to ``parse_export``:
    #: the single-period series then have no points until a period is supplied.
    needs_period: bool = False
    #: The totals of a stated range that is no indicator period (a rolling 28 or
    #: 30 days, six months…), named in the refusal when nothing else is left.
    unstored_totals: list[tuple[str, Decimal]] = field(default_factory=list)

    def series_by_key(self, key: str) -> Series:
        """Return the series named ``key``.  :raises KeyError:"""
        for series in self.series:
            if series.key == key:
                return series
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """How to read a file of unknown layout (the generic importer).

    ``date_format`` is a ``strftime`` pattern or ``None`` for automatic detection
    (ISO, DD/MM/YYYY, YYYYMMDD…). Rows sharing the same period are summed.
    """

    date_column: str
    value_columns: list[str]
    date_format: str | None = None
    decimal_separator: DecimalSeparator = ","
    granularity: Granularity = "day"
    allow_negative: bool = False
