"""Building series from rows summed per period, and finishing an export
(single-period reports, the period of the file)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers.base import (
    MAX_ABS_VALUE,
    MIN_YEAR,
    QUANTUM,
    ParsedExport,
    Point,
    Series,
)
from kpi.importers.cells import fmt_decimal, needs_period_warning
from kpi.kinds import IndicatorKind
from kpi.periods import Granularity, period_end_for, range_granularity

# --------------------------------------------------------------------------- #
# Building series
# --------------------------------------------------------------------------- #


@dataclass(slots=True)
class _PeriodTotal:
    """What a builder has summed for one period, and the lines behind it."""

    first: Decimal = Decimal(0)  # the value, or the numerator of a ratio
    second: Decimal = Decimal(0)  # the denominator of a ratio
    lines: list[int] = field(default_factory=list)


class SeriesBuilder:
    """Accumulate values per period, then build a sorted :class:`Series`."""

    def __init__(
        self,
        key: str,
        label: object,
        kind: IndicatorKind,
        unit: str,
        granularity: Granularity,
        *,
        ratio: bool = False,
    ) -> None:
        self.key = key
        self.label = str(label)
        self.kind: IndicatorKind = kind
        self.unit = unit
        self.granularity: Granularity = granularity
        self.ratio = ratio
        self._totals: dict[date, _PeriodTotal] = {}

    def add(self, period: date, value: Decimal, line: int | Iterable[int]) -> None:
        """Add ``value`` to the period's sum (a count or an amount)."""
        self._add(period, value, Decimal(0), line)

    def add_ratio(
        self,
        period: date,
        numerator: Decimal,
        denominator: Decimal,
        line: int | Iterable[int],
    ) -> None:
        """Add components to the period's numerator and denominator."""
        self._add(period, numerator, denominator, line)

    def _add(
        self, period: date, first: Decimal, second: Decimal, line: int | Iterable[int]
    ) -> None:
        total = self._totals.setdefault(period, _PeriodTotal())
        total.first += first
        total.second += second
        if isinstance(line, int):
            total.lines.append(line)
        else:
            total.lines.extend(line)

    def set_total(
        self,
        period: date,
        value: Decimal,
        line: int,
        denominator: Decimal = Decimal(0),
    ) -> None:
        """Replace the period's sum by a total the file states (its totals row).

        The lines of the summed rows stay listed beside the totals row's line.
        """
        total = self._totals.setdefault(period, _PeriodTotal())
        total.first, total.second = value, denominator
        total.lines.append(line)

    def total(self) -> Decimal:
        """Sum of all values (or of numerators for a ratio)."""
        return sum((t.first for t in self._totals.values()), Decimal(0))

    def __len__(self) -> int:
        return len(self._totals)

    def build(self, warnings: list[str]) -> Series:
        """The series, periods in ascending order; unstorable sums become warnings."""
        series = Series(
            key=self.key,
            label=self.label,
            suggested_kind=self.kind,
            unit=self.unit,
            granularity=self.granularity,
            is_ratio=self.ratio,
        )
        for period in sorted(self._totals):
            total = self._totals[period]
            first, second = total.first, total.second
            lines = tuple(sorted(set(total.lines)))
            if self.ratio:
                numerator = first.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
                denominator = second.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
                value = (
                    (numerator / denominator).quantize(
                        QUANTUM, rounding=ROUND_HALF_EVEN
                    )
                    if denominator
                    else None
                )
                checked = [numerator, denominator, *([value] if value else [])]
                point = Point(period, value, numerator, denominator, lines)
            else:
                checked = [first]
                point = Point(period, first, lines=lines)
            if any(abs(v) >= MAX_ABS_VALUE for v in checked):
                warnings.append(
                    str(
                        _l(
                            "« %(label)s », période du %(period)s : total trop grand "
                            "pour être enregistré, ignoré.",
                            label=self.label,
                            period=period.isoformat(),
                        )
                    )
                )
                continue
            series.points.append(point)
        return series


def build_all(builders: Iterable[SeriesBuilder], warnings: list[str]) -> list[Series]:
    """Build every non-empty builder."""
    return [builder.build(warnings) for builder in builders if len(builder)]


# --------------------------------------------------------------------------- #
# Single-period reports
# --------------------------------------------------------------------------- #

#: Where the values of a single-period report are kept until a period is known.
UNKNOWN_PERIOD = date(MIN_YEAR, 1, 1)


def single_period(
    period: tuple[date, date] | None, warnings: list[str]
) -> tuple[date, Granularity]:
    """Anchor date and granularity of a report that covers one stated range.

    A range that is not a day, a week or a calendar month is anchored on its
    first day here; :func:`finish_export` then keeps none of its values (see
    :func:`is_storable_period`).
    """
    if period is None:
        return UNKNOWN_PERIOD, "month"
    start, end = period
    return start, range_granularity(start, end)


def is_storable_period(period: tuple[date, date]) -> bool:
    """True when one value can honestly stand for ``period``: a day, a calendar
    week (Monday to Sunday) or a calendar month."""
    start, end = period
    granularity = range_granularity(start, end)
    if granularity == "week":
        return start.weekday() == 0
    return start == end or granularity == "month"


def unstorable_warning(
    period: tuple[date, date], totals: list[tuple[str, Decimal]]
) -> str:
    """Why the totals of a range that is no indicator period are not imported."""
    start, end = period
    shown = "; ".join(f"{label} : {fmt_decimal(value)}" for label, value in totals[:6])
    return str(
        _l(
            "Le fichier couvre du %(start)s au %(end)s (%(days)d jours) : ni un jour, "
            "ni une semaine, ni un mois calendaire. Ses totaux (%(totals)s) ne sont "
            "pas importés, pour ne pas les attribuer à une seule période : exportez "
            "le rapport pour un mois calendaire, ou avec la dimension Date.",
            start=start.isoformat(),
            end=end.isoformat(),
            days=(end - start).days + 1,
            totals=shown or "—",
        )
    )


def unstorable_refusal(
    period: tuple[date, date], totals: list[tuple[str, Decimal]]
) -> str:
    """One sentence: the file holds only the totals of a range that is no
    indicator period (a rolling 28 or 30 days, six months…), and what to do."""
    start, end = period
    shown = "; ".join(f"{label} : {fmt_decimal(value)}" for label, value in totals[:6])
    return str(
        _l(
            "Le fichier ne donne que les totaux du %(start)s au %(end)s "
            "(%(days)d jours%(totals)s), ni un jour, ni une semaine, ni un mois "
            "calendaire, qu'aucun indicateur ne peut recevoir : exportez le rapport "
            "par jour (avec la dimension Date) ou pour un mois calendaire.",
            start=start.isoformat(),
            end=end.isoformat(),
            days=(end - start).days + 1,
            totals=f" ; {shown}" if shown else "",
        )
    )


def drop_unstorable(
    builders: list[SeriesBuilder],
    period: tuple[date, date] | None,
    warnings: list[str],
) -> list[SeriesBuilder]:
    """The single-period ``builders``, or none (with the reason) when ``period``
    is not one indicator period (for reports mixing daily and whole-range tables).
    """
    if period is None or is_storable_period(period):
        return builders
    totals = [(b.label, b.total()) for b in builders if len(b) and not b.ratio]
    warnings.append(unstorable_warning(period, totals))
    return []


def finish_export(
    export: ParsedExport,
    builders: Iterable[SeriesBuilder],
    *,
    stated_period: tuple[date, date] | None,
    single: bool,
) -> ParsedExport:
    """Build the series; a single-period report without a period keeps no points."""
    export.series = build_all(builders, export.warnings)
    if single and stated_period is not None and not is_storable_period(stated_period):
        totals = [
            (series.label, series.points[0].value)
            for series in export.series
            if series.points and series.points[0].value is not None
        ]
        export.warnings.append(unstorable_warning(stated_period, totals))
        export.unstored_totals = totals
        for series in export.series:
            series.points = []
    if single and stated_period is None:
        export.needs_period = True
        export.warnings.append(needs_period_warning())
        for series in export.series:
            series.points = []
    if export.period is None:
        export.period = stated_period
        if export.period is None and not single:
            ends = [
                (p.period_start, period_end_for(p.period_start, s.granularity))
                for s in export.series
                for p in s.points
            ]
            if ends:
                export.period = (min(e[0] for e in ends), max(e[1] for e in ends))
    return export
