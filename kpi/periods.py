"""Period arithmetic, the one place for it: the start and end of a day, week or
month period, the last complete period, and the granularity of a stated range.

Pure: dates in, dates out. A period is named by its first day (``period_start``);
weeks start on Monday. Used by the calculations, the importers and the services.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

#: The periods a value can cover (the values of ``kpi.models.Frequency``).
Granularity = Literal["day", "week", "month"]


def period_start_for(day: date, frequency: str) -> date:
    """Start of the ``day``/``week``/``month`` period that contains ``day``."""
    if frequency == "month":
        return day.replace(day=1)
    if frequency == "week":
        return day - timedelta(days=day.weekday())
    return day


def period_end_for(start: date, frequency: str) -> date:
    """Last day of the period of ``frequency`` starting on ``start``."""
    if frequency == "month":
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    if frequency == "week":
        return start + timedelta(days=6)
    return start


def last_complete_period(frequency: str, today: date) -> date:
    """Start of the last period of ``frequency`` that ended before ``today``."""
    current = period_start_for(today, frequency)
    return period_start_for(current - timedelta(days=1), frequency)


def is_calendar_month(start: date, end: date) -> bool:
    """True when ``start``..``end`` is exactly one calendar month."""
    return (
        start.day == 1
        and (end + timedelta(days=1)).day == 1
        and (start.year, start.month) == (end.year, end.month)
    )


def range_granularity(start: date, end: date) -> Granularity:
    """The granularity that best names a stated range (month, week or day)."""
    if is_calendar_month(start, end):
        return "month"
    if (end - start).days == 6:
        return "week"
    return "day"
