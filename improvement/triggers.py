"""Pure rules of what opens an improvement action (no Flask, no database).

An indicator is *off track* when its value misses the target by more than
:data:`kpi.calculations.AT_RISK_MARGIN` of the target, the margin the dashboards'
statuses use too (``status_expression`` in ``dashboards/queries/indicators.py``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from kpi.calculations import AT_RISK_MARGIN, ratio
from kpi.periods import period_start_for

__all__ = ["AT_RISK_MARGIN", "is_off_track", "measured_value", "off_track_twice"]


def measured_value(
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    *,
    is_ratio: bool,
) -> Decimal | None:
    """A period's value: numerator ÷ denominator for a ratio (None when ÷ 0)."""
    return ratio(numerator, denominator) if is_ratio else value


def is_off_track(value: Decimal | None, target: Decimal | None, direction: str) -> bool:
    """True when ``value`` misses ``target`` by more than the at-risk margin."""
    if value is None or target is None:
        return False
    margin = abs(target) * AT_RISK_MARGIN
    if direction == "lower":
        return value > target + margin
    return value < target - margin


def previous_period(start: date, frequency: str) -> date:
    """The start of the period just before the one starting on ``start``."""
    return period_start_for(start - timedelta(days=1), frequency)


def off_track_twice(
    latest: tuple[date, Decimal | None],
    before: tuple[date, Decimal | None] | None,
    *,
    target: Decimal | None,
    direction: str,
    frequency: str,
) -> bool:
    """The two latest periods are consecutive and both off track."""
    if before is None or before[0] != previous_period(latest[0], frequency):
        return False
    return is_off_track(latest[1], target, direction) and is_off_track(
        before[1], target, direction
    )
