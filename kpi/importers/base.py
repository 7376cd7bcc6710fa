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
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from kpi.kinds import IndicatorKind
from kpi.periods import Granularity

if TYPE_CHECKING:
    from kpi.importers.columns import PointColumns

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


class Series:
    """A sequence of points for one metric of the file.

    The generic importer keeps a plain series' points as arrays
    (:class:`~kpi.importers.columns.PointColumns`, in ``columns``): ``points``
    builds them on first use, after which the list is the series' truth (the
    arrays are dropped). Readers of a whole series that can work on the arrays
    look at ``columns`` first.
    """

    __slots__ = (
        "_points",
        "columns",
        "granularity",
        "is_ratio",
        "key",
        "label",
        "suggested_kind",
        "unit",
    )

    def __init__(
        self,
        key: str,
        label: str,
        suggested_kind: IndicatorKind,
        unit: str,
        granularity: Granularity,
        points: list[Point] | None = None,
        is_ratio: bool = False,
        *,
        columns: PointColumns | None = None,
    ) -> None:
        self.key = key
        self.label = label
        self.suggested_kind = suggested_kind
        self.unit = unit
        self.granularity = granularity
        self.is_ratio = is_ratio
        self.columns = columns
        self._points = (
            None if columns is not None else ([] if points is None else points)
        )

    @property
    def points(self) -> list[Point]:
        if self._points is None:
            assert self.columns is not None
            self._points = self.columns.to_points()
            self.columns = None
        return self._points

    @points.setter
    def points(self, points: list[Point]) -> None:
        self._points = points
        self.columns = None

    @property
    def point_count(self) -> int:
        """How many points, without building them."""
        if self.columns is not None:
            return len(self.columns)
        return len(self.points)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Series):
            return NotImplemented
        fields = ("key", "label", "suggested_kind", "unit", "granularity", "is_ratio")
        if any(getattr(self, name) != getattr(other, name) for name in fields):
            return False
        if self.columns is not None and other.columns is not None:
            return self.columns.same_as(other.columns)
        return self._listed() == other._listed()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Series(key={self.key!r}, label={self.label!r}, "
            f"granularity={self.granularity!r}, points={self.point_count})"
        )

    def _listed(self) -> list[Point]:
        """The points, built without replacing the arrays."""
        if self.columns is not None:
            return self.columns.to_points()
        return self.points

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
        if self.columns is not None:
            return (series_from_columns, (fields, self.columns))
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
