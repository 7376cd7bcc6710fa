"""The margin of error of the NPS and the CSAT, and whether a trend is a change,
pure (no Flask, no database).

Both scores are shown with a 95 % confidence interval, clipped to their scale:

- **NPS: adjusted Wald** (Rocks, B. (2016). *Interval estimation for the "net
  promoter score"*. The American Statistician 70(4), 365–372; validated on real
  data by Lewis & Sauro, MeasuringU, "Evaluating NPS Confidence Intervals with
  Real-World Data", 2021). With ``n`` answers of which ``n_det`` detractors and
  ``n_pro`` promoters::

      n'     = n + 3
      p_pro' = (n_pro + 3/4) / n'
      p_det' = (n_det + 3/4) / n'
      NPS'   = p_pro' − p_det'
      Var'   = p_pro' + p_det' − NPS'²
      SE'    = sqrt(Var' / n')
      CI     = NPS' ± z · SE'          (×100, clipped to [−100, 100])

  (three pseudo-answers: ¾ detractor, ¾ promoter, 1½ passive). The interval is
  centred on the adjusted NPS', not on the NPS itself: with few answers it is
  pulled towards 0, which is what gives it its coverage.

- **CSAT: Wilson score interval** on the share ``p = k / n`` of satisfied
  answers (4–5)::

      centre = (p + z²/(2n)) / (1 + z²/n)
      half   = z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/(4n²))
      CI     = centre ± half           (×100, clipped to [0, 100])

``z = 1.959964`` (95 %). The plain standard error of the NPS,
``sqrt((p_pro + p_det − (p_pro − p_det)²) / n)``, is given by
:func:`nps_standard_error` (the variance of a −1/0/+1 score).

A change between two periods is called a change only when it is larger than the
margin of the difference: ``z · sqrt(SE₁² + SE₂²)`` with the adjusted-Wald
standard errors for the NPS (Rocks 2016, as MeasuringU compares two NPS) and
the Agresti–Caffo ones (one satisfied and one unsatisfied answer added to each
period) for the CSAT.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from satisfaction.scoring import Score

MIN_ANSWERS: Final = 5
"""The 5-answer rule (as :data:`satisfaction.scoring.MIN_ANSWERS`)."""

Z95: Final = 1.959963984540054
"""The two-sided 95 % quantile of the standard normal distribution."""

MARGIN_METRICS: Final = frozenset({"nps", "csat"})
"""The scores shown with an interval."""


@dataclass(frozen=True)
class Interval:
    """A confidence interval on a score's scale (NPS −100…100, CSAT 0…100)."""

    low: float
    high: float

    @property
    def margin(self) -> float:
        """Half the interval's width (the "± x points" shown beside a score)."""
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class Change:
    """A trend between two periods: the difference and its margin of error."""

    delta: float
    margin: float

    @property
    def is_change(self) -> bool:
        """True when the difference is outside the margin of error."""
        return abs(self.delta) > self.margin


def _check(*counts: int) -> int:
    if any(c < 0 for c in counts):
        raise ValueError(f"negative count in {counts}")
    return sum(counts)


def nps_groups(distribution: Mapping[int, int]) -> tuple[int, int, int]:
    """(detractors, passives, promoters) of an NPS distribution (value → count)."""
    detractors = sum(n for v, n in distribution.items() if 0 <= v <= 6)
    passives = sum(n for v, n in distribution.items() if 7 <= v <= 8)
    promoters = sum(n for v, n in distribution.items() if 9 <= v <= 10)
    return detractors, passives, promoters


def nps_variance(detractors: int, passives: int, promoters: int) -> float:
    """Variance of one answer scored −1/0/+1: p_pro + p_det − (p_pro − p_det)².

    :raises ValueError: a negative count, or no answer.
    """
    n = _check(detractors, passives, promoters)
    if n == 0:
        raise ValueError("no answer")
    p_pro, p_det = promoters / n, detractors / n
    return p_pro + p_det - (p_pro - p_det) ** 2


def nps_standard_error(detractors: int, passives: int, promoters: int) -> float:
    """The plain (unadjusted) standard error of the NPS on the −1…1 scale,
    ``sqrt(variance / n)``.

    :raises ValueError: a negative count, or no answer.
    """
    n = detractors + passives + promoters
    return math.sqrt(nps_variance(detractors, passives, promoters) / n)


def _nps_adjusted(
    detractors: int, passives: int, promoters: int
) -> tuple[float, float]:
    """The adjusted NPS' (−1…1) and its adjusted standard error (Rocks 2016)."""
    n = _check(detractors, passives, promoters) + 3
    p_pro = (promoters + 0.75) / n
    p_det = (detractors + 0.75) / n
    adjusted = p_pro - p_det
    return adjusted, math.sqrt((p_pro + p_det - adjusted**2) / n)


def nps_interval(
    detractors: int, passives: int, promoters: int, *, z: float = Z95
) -> Interval | None:
    """The adjusted-Wald interval of the NPS, in points (−100…100), or None
    without answers.

    :raises ValueError: a negative count.
    """
    if _check(detractors, passives, promoters) == 0:
        return None
    centre, error = _nps_adjusted(detractors, passives, promoters)
    return Interval(
        max(-100.0, 100 * (centre - z * error)), min(100.0, 100 * (centre + z * error))
    )


def csat_interval(satisfied: int, n: int, *, z: float = Z95) -> Interval | None:
    """The Wilson interval of the share of satisfied answers, in % (0…100), or
    None without answers.

    :raises ValueError: negative counts, or more satisfied answers than answers.
    """
    if satisfied < 0 or n < 0 or satisfied > n:
        raise ValueError(f"{satisfied} satisfied answers out of {n}")
    if n == 0:
        return None
    p = satisfied / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return Interval(max(0.0, 100 * (centre - half)), min(100.0, 100 * (centre + half)))


def _csat_counts(distribution: Mapping[int, int]) -> tuple[int, int]:
    satisfied = sum(n for v, n in distribution.items() if v >= 4)
    return satisfied, sum(distribution.values())


def interval(metric: str, distribution: Mapping[int, int]) -> Interval | None:
    """The 95 % interval of a score from its distribution (answer value →
    count); None for a metric shown without one, or without answers."""
    if metric == "nps":
        return nps_interval(*nps_groups(distribution))
    if metric == "csat":
        return csat_interval(*_csat_counts(distribution))
    return None


def _error(metric: str, distribution: Mapping[int, int]) -> float:
    """The adjusted standard error of a score, in points."""
    if metric == "nps":
        return 100 * _nps_adjusted(*nps_groups(distribution))[1]
    satisfied, n = _csat_counts(distribution)
    # Agresti–Caffo: one satisfied and one unsatisfied answer added.
    p = (satisfied + 1) / (n + 2)
    return 100 * math.sqrt(p * (1 - p) / (n + 2))


def change(
    metric: str,
    before: Mapping[int, int],
    after: Mapping[int, int],
    *,
    z: float = Z95,
) -> Change | None:
    """The difference of a score between two periods and its margin of error
    (``z · sqrt(SE₁² + SE₂²)``); None for a metric without a margin or a period
    without answers. The difference is that of the plain scores."""
    if metric not in MARGIN_METRICS:
        return None
    if not sum(before.values()) or not sum(after.values()):
        return None
    margin = z * math.hypot(_error(metric, before), _error(metric, after))
    return Change(_score(metric, after) - _score(metric, before), margin)


def _score(metric: str, distribution: Mapping[int, int]) -> float:
    if metric == "nps":
        detractors, _passives, promoters = nps_groups(distribution)
        return 100 * (promoters - detractors) / sum(distribution.values())
    satisfied, n = _csat_counts(distribution)
    return 100 * satisfied / n


def score_interval(metric: str, score: Score | None) -> Interval | None:
    """The interval shown beside a score: only for a score shown as a number
    (``is_reliable``: the 5-answer rule stays) of a metric with a margin."""
    if score is None or not score.is_reliable or metric not in MARGIN_METRICS:
        return None
    return interval(metric, score.distribution)


def trend_changes(
    metric: str, points: Mapping[str, Score], *, z: float = Z95
) -> dict[str, Change]:
    """Per period, the change from the period before it (in sorted order), when
    both are shown as numbers (5 answers or more)."""
    result: dict[str, Change] = {}
    periods = sorted(points)
    for before, after in itertools.pairwise(periods):
        if not (points[before].is_reliable and points[after].is_reliable):
            continue
        found = change(
            metric, points[before].distribution, points[after].distribution, z=z
        )
        if found is not None:
            result[after] = found
    return result


@dataclass(frozen=True)
class RollingPoint:
    """The score of the ``window`` months ending with ``month`` (its first day).

    ``value`` and ``interval`` are None below :data:`MIN_ANSWERS` answers."""

    month: date
    n: int
    value: float | None
    interval: Interval | None


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def months_between(since: date, until: date) -> list[date]:
    """The first day of every month from ``since``'s to ``until``'s, inclusive."""
    first, last = _month_index(since), _month_index(until)
    return [date(i // 12, i % 12 + 1, 1) for i in range(first, last + 1)]


def rolling_scores(
    metric: str,
    answers: Iterable[tuple[date, int]],
    months: Iterable[date],
    *,
    window: int = 12,
) -> list[RollingPoint]:
    """For each of ``months``, the score of the answers (day, value) of that
    month and the ``window − 1`` months before it, with its 95 % interval once
    it rests on :data:`MIN_ANSWERS` answers.

    :raises ValueError: a metric without a margin, or a window under 1 month.
    """
    if metric not in MARGIN_METRICS:
        raise ValueError(f"no rolling score for {metric!r}")
    if window < 1:
        raise ValueError("the window is at least one month")
    per_month: dict[int, Counter[int]] = {}
    for day, value in answers:
        per_month.setdefault(_month_index(day), Counter())[value] += 1
    points = []
    for month in months:
        end = _month_index(month)
        counts: Counter[int] = Counter()
        for index in range(end - window + 1, end + 1):
            counts.update(per_month.get(index, {}))
        n = sum(counts.values())
        if n < MIN_ANSWERS:
            points.append(RollingPoint(month, n, None, None))
            continue
        points.append(
            RollingPoint(month, n, _score(metric, counts), interval(metric, counts))
        )
    return points
