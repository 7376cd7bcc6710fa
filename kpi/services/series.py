"""What the charts show: values grouped in SQL by month, quarter or year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, case, cast, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from kpi.calculations import (
    Bucket,
    finish_buckets,
    latest_value,
    progress,
    status_against_target,
    with_status,
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
    if bucket == "month":
        return func.strftime("%Y-%m", column)
    if bucket == "year":
        return func.strftime("%Y", column)
    quarter = (cast(func.strftime("%m", column), Integer) + 2) // 3
    return func.strftime("%Y", column).concat("-Q").concat(cast(quarter, String))


def bucket_sums(indicators: list[Indicator], bucket: Bucket) -> dict[int, pd.DataFrame]:
    """Per indicator, one row per bucket: count and sums (ONE grouped query)."""
    import pandas as pd

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
    frames: dict[int, list[dict[str, Any]]] = {i.id: [] for i in indicators}
    for indicator_id, name, n, value_sum, num_sum, den_sum in rows:
        frames[indicator_id].append(
            {
                "bucket": name,
                "n": n or 0,
                "value_sum": value_sum,
                "numerator_sum": num_sum,
                "denominator_sum": den_sum,
            }
        )
    return {
        key: pd.DataFrame(
            value,
            columns=["bucket", "n", "value_sum", "numerator_sum", "denominator_sum"],
        )
        for key, value in frames.items()
    }


@dataclass
class IndicatorSummary:
    indicator: Indicator
    table: pd.DataFrame  # bucket, n, value, numerator, denominator, status
    latest_bucket: str | None
    latest: Decimal | None
    status: str
    progress: Decimal | None


def summaries(indicators: list[Indicator], bucket: Bucket) -> list[IndicatorSummary]:
    """Each indicator's values per bucket with its status against target."""
    sums = bucket_sums(indicators, bucket)
    result = []
    for indicator in indicators:
        table = with_status(
            finish_buckets(
                sums[indicator.id],
                is_ratio=indicator.is_ratio,
                aggregation=indicator.aggregation.value,
            ),
            target=indicator.target_value,
            direction=indicator.direction.value,
        )
        latest_bucket, latest = latest_value(table)
        result.append(
            IndicatorSummary(
                indicator,
                table,
                latest_bucket,
                latest,
                status_against_target(
                    latest, indicator.target_value, indicator.direction.value
                ),
                progress(latest, indicator.baseline_value, indicator.target_value),
            )
        )
    return result
