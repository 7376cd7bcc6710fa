"""What the charts show: values grouped in SQL by month, quarter or year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, case, cast, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from kpi.calculations import (
    Bucket,
    BucketRow,
    bucket_rows,
    latest_row,
    progress,
    rows_frame,
    status_against_target,
)
from kpi.models import Indicator, Measurement

if TYPE_CHECKING:
    import pandas as pd


def bucket_expression(bucket: Bucket) -> ColumnElement[str]:
    """``2024-03`` / ``2024-Q1`` / ``2024`` computed by the database itself."""
    column = Measurement.period_start
    if db.engine.dialect.name == "postgresql":
        pattern = {"month": "YYYY-MM", "quarter": 'YYYY-"Q"Q', "year": "YYYY"}[bucket]
        return func.to_char(column, pattern)
    # SQLite stores a date as ``YYYY-MM-DD`` text: its prefixes are the labels
    # (half the cost of ``strftime`` on the large demo's weekly rows).
    year = func.substr(column, 1, 4)
    if bucket == "month":
        return func.substr(column, 1, 7)
    if bucket == "year":
        return year
    quarter = (cast(func.substr(column, 6, 2), Integer) + 2) // 3
    return year.concat("-Q").concat(cast(quarter, String))


def bucket_sums(
    indicators: list[Indicator], bucket: Bucket
) -> dict[int, list[tuple[Any, ...]]]:
    """Per indicator, one ``(bucket, n, value_sum, numerator_sum,
    denominator_sum)`` tuple per bucket, ascending (ONE grouped query)."""
    if not indicators:
        return {}
    label = bucket_expression(bucket).label("bucket")
    counted = case(
        (Measurement.denominator.is_not(None), 1),
        (Measurement.value.is_not(None), 1),
        else_=0,
    )
    conditions = [
        (Measurement.indicator_id == i.id) & (Measurement.granularity == i.frequency)
        for i in indicators
    ]
    rows = db.session.execute(
        select(
            Measurement.indicator_id,
            label,
            func.sum(counted).label("n"),
            func.sum(Measurement.value).label("value_sum"),
            func.sum(Measurement.numerator).label("numerator_sum"),
            func.sum(Measurement.denominator).label("denominator_sum"),
        )
        .where(or_(*conditions))
        .group_by(Measurement.indicator_id, label)
        .order_by(Measurement.indicator_id, label)
    ).all()
    sums: dict[int, list[tuple[Any, ...]]] = {i.id: [] for i in indicators}
    for indicator_id, name, n, value_sum, num_sum, den_sum in rows:
        sums[indicator_id].append((name, n or 0, value_sum, num_sum, den_sum))
    for buckets in sums.values():
        # The labels' order, whatever the database's collation.
        buckets.sort(key=lambda row: str(row[0]))
    return sums


@dataclass
class IndicatorSummary:
    indicator: Indicator
    #: One row per bucket, ascending: value, its components and its status.
    rows: list[BucketRow]
    latest_bucket: str | None
    latest: Decimal | None
    status: str
    progress: Decimal | None

    @cached_property
    def table(self) -> pd.DataFrame:
        """The rows as a frame: bucket, n, value, numerator, denominator, status."""
        return rows_frame(self.rows)


def summaries(indicators: list[Indicator], bucket: Bucket) -> list[IndicatorSummary]:
    """Each indicator's values per bucket with its status against target."""
    sums = bucket_sums(indicators, bucket)
    result = []
    for indicator in indicators:
        rows = bucket_rows(
            sums[indicator.id],
            is_ratio=indicator.is_ratio,
            aggregation=indicator.aggregation.value,
            target=indicator.target_value,
            direction=indicator.direction.value,
        )
        latest = latest_row(rows)
        value = None if latest is None else latest.value
        result.append(
            IndicatorSummary(
                indicator,
                rows,
                None if latest is None else latest.bucket,
                value,
                status_against_target(
                    value, indicator.target_value, indicator.direction.value
                ),
                progress(value, indicator.baseline_value, indicator.target_value),
            )
        )
    return result
