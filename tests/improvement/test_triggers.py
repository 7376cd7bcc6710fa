"""The pure rules of what opens an action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from improvement.triggers import (
    AT_RISK_MARGIN,
    is_off_track,
    measured_value,
    off_track_twice,
    previous_period,
)

D = Decimal


def test_off_track_means_missing_the_target_by_more_than_ten_percent() -> None:
    assert is_off_track(D("89"), D("100"), "higher")
    assert not is_off_track(D("90"), D("100"), "higher")  # at risk, not off track
    assert not is_off_track(D("120"), D("100"), "higher")
    assert is_off_track(D("111"), D("100"), "lower")
    assert not is_off_track(D("110"), D("100"), "lower")
    assert not is_off_track(None, D("100"), "higher")
    assert not is_off_track(D("5"), None, "higher")


def test_the_margin_is_the_dashboards_one() -> None:
    from dashboards.queries.common import AT_RISK_MARGIN as DASHBOARDS_MARGIN

    assert AT_RISK_MARGIN == DASHBOARDS_MARGIN


def test_a_ratio_is_its_components_quotient_and_nothing_when_dividing_by_zero() -> None:
    assert measured_value(None, D("30"), D("60"), is_ratio=True) == D("0.5")
    assert measured_value(None, D("30"), D("0"), is_ratio=True) is None
    assert measured_value(D("7"), None, None, is_ratio=False) == D("7")


def test_previous_periods_of_a_month_and_a_week() -> None:
    assert previous_period(date(2026, 3, 1), "month") == date(2026, 2, 1)
    assert previous_period(date(2026, 1, 1), "month") == date(2025, 12, 1)
    assert previous_period(date(2026, 6, 15), "week") == date(2026, 6, 8)


def test_two_periods_must_follow_each_other_and_both_be_off_track() -> None:
    rule = {"target": D("100"), "direction": "higher", "frequency": "month"}
    may, april, march = date(2026, 5, 1), date(2026, 4, 1), date(2026, 3, 1)
    assert off_track_twice((may, D("50")), (april, D("60")), **rule)
    assert not off_track_twice((may, D("50")), (march, D("60")), **rule)
    assert not off_track_twice((may, D("50")), (april, D("95")), **rule)
    assert not off_track_twice((may, D("50")), None, **rule)
