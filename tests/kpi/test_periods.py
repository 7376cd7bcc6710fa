"""Period arithmetic: starts, ends, the last complete period, stated ranges."""

from __future__ import annotations

from datetime import date

from kpi.periods import (
    is_calendar_month,
    last_complete_period,
    period_end_for,
    period_start_for,
    range_granularity,
)


def test_periods_start_on_the_day_the_monday_and_the_first_of_the_month() -> None:
    day = date(2024, 3, 14)  # a Thursday
    assert period_start_for(day, "day") == day
    assert period_start_for(day, "week") == date(2024, 3, 11)
    assert period_start_for(day, "month") == date(2024, 3, 1)
    assert period_end_for(date(2024, 2, 1), "month") == date(2024, 2, 29)
    assert period_end_for(date(2024, 3, 11), "week") == date(2024, 3, 17)


def test_the_last_complete_period_is_the_one_before_today() -> None:
    today = date(2024, 3, 14)
    assert last_complete_period("day", today) == date(2024, 3, 13)
    assert last_complete_period("week", today) == date(2024, 3, 4)
    assert last_complete_period("month", today) == date(2024, 2, 1)
    assert last_complete_period("month", date(2024, 1, 1)) == date(2023, 12, 1)


def test_a_stated_range_is_named_by_the_period_it_covers() -> None:
    assert is_calendar_month(date(2024, 2, 1), date(2024, 2, 29))
    assert not is_calendar_month(date(2024, 2, 1), date(2024, 3, 31))
    assert range_granularity(date(2024, 2, 1), date(2024, 2, 29)) == "month"
    assert range_granularity(date(2024, 3, 11), date(2024, 3, 17)) == "week"
    assert range_granularity(date(2024, 3, 11), date(2024, 3, 13)) == "day"
