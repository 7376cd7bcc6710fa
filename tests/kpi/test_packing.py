"""A parsed series pickled as columns comes back exactly as it was."""

from __future__ import annotations

import pickle
from datetime import date, datetime
from decimal import Decimal

from kpi.importers import Point, Series
from kpi.kinds import IndicatorKind


def _series(points: list[Point], *, is_ratio: bool = False) -> Series:
    return Series(
        key="cpc",
        label="Coût par clic",
        suggested_kind=IndicatorKind.CUSTOM,
        unit="€",
        granularity="month",
        points=points,
        is_ratio=is_ratio,
    )


def _exact(series: Series) -> list[tuple[object, ...]]:
    return [
        (p.period_start, str(p.value), str(p.numerator), str(p.denominator), p.lines)
        for p in series.points
    ]


def test_values_ratios_and_grouped_lines_come_back_exact() -> None:
    series = _series(
        [
            Point(
                date(2024, 1, 1), Decimal("0.50"), Decimal("12.5"), Decimal(25), (3,)
            ),
            Point(date(2024, 2, 1), None, Decimal("0"), Decimal("0E-4"), (4, 5, 9)),
            Point(date(2024, 3, 1), Decimal("-1.2345"), None, None, ()),
            Point(date(2024, 4, 1), Decimal("1E+3"), None, None, (10,)),
        ],
        is_ratio=True,
    )
    back = pickle.loads(pickle.dumps(series, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == series
    assert _exact(back) == _exact(series)
    assert (back.key, back.unit, back.granularity, back.is_ratio) == (
        "cpc",
        "€",
        "month",
        True,
    )


def test_single_lines_and_no_components_come_back_exact() -> None:
    series = _series(
        [Point(date(2000, 1, n), Decimal(n).scaleb(-4), lines=(n + 1,)) for n in (1, 2)]
    )
    back = pickle.loads(pickle.dumps(series))
    assert _exact(back) == [
        (date(2000, 1, 1), "0.0001", "None", "None", (2,)),
        (date(2000, 1, 2), "0.0002", "None", "None", (3,)),
    ]


def test_a_point_dated_with_a_time_is_kept_as_it_is() -> None:
    moment = datetime(2024, 1, 1, 13, 30)
    series = _series([Point(moment, Decimal(1), lines=(2,))])
    back = pickle.loads(pickle.dumps(series))
    assert back.points[0].period_start == moment
    assert type(back.points[0].period_start) is datetime


def test_an_empty_series_comes_back_empty() -> None:
    back = pickle.loads(pickle.dumps(_series([])))
    assert back.points == []
