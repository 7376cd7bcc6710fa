"""Pure tests of satisfaction.margins: the issue's reference cases, the
adjusted-Wald and Wilson intervals computed by hand, clipping, and trends."""

from __future__ import annotations

import math
from datetime import date

import pytest

from satisfaction import margins
from satisfaction.margins import (
    Z95,
    change,
    csat_interval,
    interval,
    nps_groups,
    nps_interval,
    nps_standard_error,
    nps_variance,
)


@pytest.mark.parametrize(
    ("counts", "variance", "error"),
    [
        # (detractors, passives, promoters): the reference cases.
        ((1, 2, 3), 5 / 9, 0.304),
        ((1, 0, 1), 1.0, 0.707),
        ((1, 1, 1), 2 / 3, 0.471),
    ],
)
def test_plain_standard_error_matches_the_reference_cases(
    counts: tuple[int, int, int], variance: float, error: float
) -> None:
    assert nps_variance(*counts) == pytest.approx(variance)
    assert nps_standard_error(*counts) == pytest.approx(error, abs=5e-4)


def test_reference_case_one_two_three_has_an_nps_of_33_3() -> None:
    detractors, passives, promoters = 1, 2, 3
    nps = 100 * (promoters - detractors) / (detractors + passives + promoters)
    assert round(nps, 1) == 33.3
    assert round(100 * nps_standard_error(1, 2, 3), 1) == 30.4


def test_adjusted_wald_interval_computed_by_hand() -> None:
    # n' = 9, p_pro' = 3.75/9, p_det' = 1.75/9, NPS' = 2/9,
    # Var' = 5.5/9 − (2/9)², SE' = sqrt(Var'/9).
    centre = 2 / 9
    error = math.sqrt((5.5 / 9 - centre**2) / 9)
    found = nps_interval(1, 2, 3)
    assert found is not None
    assert found.low == pytest.approx(100 * (centre - Z95 * error))
    assert found.high == pytest.approx(100 * (centre + Z95 * error))
    assert (round(found.low, 1), round(found.high, 1)) == (-26.7, 71.2)
    # Centred on the adjusted NPS (22.2), not on the NPS (33.3).
    assert (found.low + found.high) / 2 == pytest.approx(22.22, abs=0.01)


def test_nps_interval_is_clipped_to_the_scale() -> None:
    all_promoters = nps_interval(0, 0, 10)
    all_detractors = nps_interval(10, 0, 0)
    assert all_promoters is not None and all_detractors is not None
    assert all_promoters.high == 100.0
    assert all_promoters.low == pytest.approx(47.5, abs=0.05)
    assert all_detractors.low == -100.0
    assert all_detractors.high == pytest.approx(-47.5, abs=0.05)


def test_nps_interval_narrows_with_more_answers() -> None:
    six = nps_interval(1, 2, 3)
    sixty = nps_interval(10, 20, 30)
    assert six is not None and sixty is not None
    assert sixty.margin < six.margin / 2


def test_wilson_interval_of_four_satisfied_out_of_five() -> None:
    # The textbook case: 4/5 → 37.6 % to 96.4 %.
    found = csat_interval(4, 5)
    assert found is not None
    assert (round(found.low, 1), round(found.high, 1)) == (37.6, 96.4)


def test_wilson_interval_stays_within_zero_and_a_hundred() -> None:
    everyone = csat_interval(5, 5)
    nobody = csat_interval(0, 6)
    assert everyone is not None and nobody is not None
    assert everyone.high == 100.0
    assert everyone.low == pytest.approx(56.6, abs=0.05)
    assert nobody.low == 0.0
    assert nobody.high == pytest.approx(39.0, abs=0.05)


def test_no_answer_has_no_interval_and_bad_counts_are_refused() -> None:
    assert nps_interval(0, 0, 0) is None
    assert csat_interval(0, 0) is None
    with pytest.raises(ValueError):
        nps_interval(-1, 2, 3)
    with pytest.raises(ValueError):
        csat_interval(6, 5)
    with pytest.raises(ValueError):
        nps_variance(0, 0, 0)


def test_interval_from_a_distribution() -> None:
    distribution = {0: 1, 7: 1, 8: 1, 9: 2, 10: 1}
    assert nps_groups(distribution) == (1, 2, 3)
    assert interval("nps", distribution) == nps_interval(1, 2, 3)
    assert interval("csat", {1: 1, 4: 2, 5: 2}) == csat_interval(4, 5)
    assert interval("rating_1_5", {4: 5}) is None


def test_twelve_points_on_six_answers_is_within_the_margin() -> None:
    before = {10: 3, 7: 2, 3: 1}  # NPS 33.3
    after = {10: 4, 7: 1, 3: 1}  # NPS 50
    found = change("nps", before, after)
    assert found is not None
    assert found.delta == pytest.approx(16.7, abs=0.05)
    assert found.margin > 50
    assert not found.is_change


def test_a_large_change_on_many_answers_is_a_change() -> None:
    found = change("nps", {10: 20, 3: 40}, {10: 45, 3: 15})
    assert found is not None
    assert found.delta == pytest.approx(250 / 3)  # −33.3 → 50
    assert found.is_change
    csat_change = change("csat", {5: 10, 2: 30}, {5: 35, 2: 5})
    assert csat_change is not None and csat_change.is_change


def test_no_change_without_answers_or_margin() -> None:
    assert change("nps", {}, {10: 3}) is None
    assert change("rating_1_5", {4: 5}, {5: 5}) is None
    assert {"nps", "csat"} == margins.MARGIN_METRICS


def test_score_interval_keeps_the_five_answer_rule() -> None:
    from satisfaction.scoring import nps

    four = nps([10, 10, 9, 3])
    six = nps([10, 10, 9, 8, 7, 3])
    assert margins.score_interval("nps", four) is None
    assert margins.score_interval("nps", six) == nps_interval(1, 2, 3)
    assert margins.score_interval("rating_1_5", six) is None
    assert margins.score_interval("nps", None) is None


def test_trend_changes_pair_consecutive_reliable_periods() -> None:
    from satisfaction.scoring import nps

    points = {
        "2026-T1": nps([10, 10, 10, 8, 3, 3]),
        "2026-T2": nps([10, 10, 10, 10, 8, 3]),
        "2026-T3": nps([10, 3]),
        "2026-T4": nps([10] * 30 + [3] * 2),
    }
    found = margins.trend_changes("nps", points)
    assert list(found) == ["2026-T2"]
    assert found["2026-T2"].delta == pytest.approx(100 / 3)  # 16.7 → 50
    assert not found["2026-T2"].is_change


def test_months_between_lists_first_days_across_a_year_end() -> None:
    assert margins.months_between(date(2025, 11, 20), date(2026, 2, 3)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_rolling_score_appears_with_the_fifth_answer_of_the_window() -> None:
    # A small agency: one or two answers a quarter.
    answers = [
        (date(2025, 3, 10), 10),
        (date(2025, 6, 2), 9),
        (date(2025, 9, 15), 3),
        (date(2025, 12, 1), 8),
        (date(2026, 2, 20), 10),  # the fifth answer in twelve months
        (date(2026, 4, 5), 10),
    ]
    months = margins.months_between(date(2026, 1, 1), date(2026, 4, 1))
    points = margins.rolling_scores("nps", answers, months)
    assert [p.n for p in points] == [4, 5, 4, 5]
    assert points[0].value is None and points[0].interval is None
    # March 2026: March 2025 has left the window: four answers, no score.
    assert points[2].value is None
    # Feb 2026: March 2025 → Feb 2026 holds 10, 9, 3, 8, 10: 3 promoters, 1
    # detractor → NPS 40, with the adjusted-Wald interval of (1, 1, 3).
    assert points[1].value == pytest.approx(40.0)
    assert points[1].interval == nps_interval(1, 1, 3)
    # April 2026: 9, 3, 8, 10, 10 → NPS 40 again.
    assert points[3].value == pytest.approx(40.0)
    assert points[3].n == 5


def test_rolling_csat_and_refusals() -> None:
    answers = [
        (date(2026, 1, d), v) for d, v in [(1, 5), (2, 4), (3, 2), (4, 5), (5, 4)]
    ]
    (point,) = margins.rolling_scores("csat", answers, [date(2026, 1, 1)])
    assert point.value == pytest.approx(80.0)
    assert point.interval == csat_interval(4, 5)
    with pytest.raises(ValueError):
        margins.rolling_scores("rating_1_5", answers, [date(2026, 1, 1)])
    with pytest.raises(ValueError):
        margins.rolling_scores("nps", answers, [date(2026, 1, 1)], window=0)
