"""Pure calculations on measurements: buckets, ratio aggregation, status.

No Flask, no database: DataFrames with documented columns in, DataFrames out —
and, for the pages, the same per-bucket arithmetic on plain rows
(:func:`bucket_rows`): a page draws a few dozen buckets per indicator, and
building and walking a DataFrame per indicator cost more than the arithmetic.

A *bucket* is the period a chart shows (``month``, ``quarter`` or ``year``), labelled
``2024-03``, ``2024-Q1`` or ``2024``. Ratio indicators are aggregated from their
components — a quarter's cost per click is Σcost ÷ Σclicks, never a mean of the
monthly means — and a bucket whose denominator is 0 has no value (``None``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Literal

from kpi.periods import period_end_for, period_start_for

if TYPE_CHECKING:
    import pandas as pd

Bucket = Literal["month", "quarter", "year"]
BUCKETS: tuple[Bucket, ...] = ("month", "quarter", "year")
Status = Literal["met", "missed", "no_target", "no_data"]

#: Columns of an aggregated frame (one row per bucket, ascending).
AGGREGATED_COLUMNS = ["bucket", "n", "value", "numerator", "denominator"]

_QUANTUM = Decimal("0.0001")


def bucket_label(day: date, bucket: Bucket) -> str:
    """``2024-03`` (month), ``2024-Q1`` (quarter) or ``2024`` (year)."""
    if bucket == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if bucket == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}"


def bucket_start(label: str) -> date:
    """The first day of a bucket from its label (inverse of :func:`bucket_label`)."""
    if "-Q" in label:
        year, quarter = label.split("-Q")
        return date(int(year), (int(quarter) - 1) * 3 + 1, 1)
    if "-" in label:
        year, month = label.split("-")
        return date(int(year), int(month), 1)
    return date(int(label), 1, 1)


#: An indicator that misses its target by at most this share of the target is
#: "at risk"; by more, "off track" (the dashboards' statuses and the improvement
#: actions both read it from here).
AT_RISK_MARGIN = Decimal("0.10")


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """Σnumerator ÷ Σdenominator to 4 decimals; None when there is nothing to divide."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        _QUANTUM, rounding=ROUND_HALF_EVEN
    )


def _decimal(value: object) -> Decimal | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


@dataclass(frozen=True, slots=True)
class BucketRow:
    """One bucket of an indicator: the row of an aggregated frame, as a value."""

    bucket: str
    n: int
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    status: Status


def bucket_row(
    bucket: str,
    n: Any,
    value_sum: object,
    numerator_sum: object,
    denominator_sum: object,
    *,
    is_ratio: bool,
    aggregation: str = "sum",
    target: Decimal | None = None,
    direction: str = "higher",
) -> BucketRow:
    """One bucket's value from its sums (a ratio: Σnumerator ÷ Σdenominator) and
    its status against ``target``."""
    numerator = _decimal(numerator_sum)
    denominator = _decimal(denominator_sum)
    total = _decimal(value_sum)
    count = int(n or 0)
    value: Decimal | None
    if is_ratio:
        value = ratio(numerator, denominator)
    elif total is None or count == 0:
        value = None
    elif aggregation == "mean":
        value = (total / count).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    else:
        value = total
    return BucketRow(
        bucket,
        count,
        value,
        numerator if is_ratio else None,
        denominator if is_ratio else None,
        status_against_target(value, target, direction),
    )


def bucket_rows(
    sums: Iterable[tuple[Any, ...]],
    *,
    is_ratio: bool,
    aggregation: str = "sum",
    target: Decimal | None,
    direction: str,
) -> list[BucketRow]:
    """Per-bucket values with their status, from ``(bucket, n, value_sum,
    numerator_sum, denominator_sum)`` tuples in ascending bucket order — the
    rows of :func:`finish_buckets` then :func:`with_status`, without pandas."""
    return [
        bucket_row(
            str(bucket),
            n,
            value_sum,
            numerator_sum,
            denominator_sum,
            is_ratio=is_ratio,
            aggregation=aggregation,
            target=target,
            direction=direction,
        )
        for bucket, n, value_sum, numerator_sum, denominator_sum in sums
    ]


def latest_row(rows: Iterable[BucketRow]) -> BucketRow | None:
    """The last bucket that has a value (see :func:`latest_value`)."""
    found = None
    for row in rows:
        if row.value is not None:
            found = row
    return found


def finish_buckets(
    sums: pd.DataFrame, *, is_ratio: bool, aggregation: str = "sum"
) -> pd.DataFrame:
    """From per-bucket sums to per-bucket values.

    ``sums`` has columns ``bucket``, ``n`` (periods with a value), ``value_sum``,
    ``numerator_sum``, ``denominator_sum`` — what one SQL ``GROUP BY`` returns.
    The result has :data:`AGGREGATED_COLUMNS`, values as ``Decimal`` or ``None``.
    """
    rows = [
        bucket_row(
            record.bucket,
            record.n,
            record.value_sum,
            record.numerator_sum,
            record.denominator_sum,
            is_ratio=is_ratio,
            aggregation=aggregation,
        )
        for record in sums.sort_values("bucket").itertuples(index=False)
    ]
    return rows_frame(rows, with_status=False)


def rows_frame(rows: Iterable[BucketRow], *, with_status: bool = True) -> pd.DataFrame:
    """An aggregated frame (:data:`AGGREGATED_COLUMNS`, and ``status``) from rows."""
    import pandas as pd

    columns = AGGREGATED_COLUMNS + (["status"] if with_status else [])
    return pd.DataFrame(
        [
            {
                "bucket": r.bucket,
                "n": r.n,
                "value": r.value,
                "numerator": r.numerator,
                "denominator": r.denominator,
                **({"status": r.status} if with_status else {}),
            }
            for r in rows
        ],
        columns=columns,
    )


def aggregate_rows(
    rows: pd.DataFrame, bucket: Bucket, *, is_ratio: bool, aggregation: str = "sum"
) -> pd.DataFrame:
    """Bucket raw measurements in pandas (the reference for the SQL aggregation).

    ``rows`` has columns ``period_start`` (date), ``value``, ``numerator``,
    ``denominator`` (Decimal or None).
    """
    import pandas as pd

    if rows.empty:
        return pd.DataFrame(columns=AGGREGATED_COLUMNS)
    frame = rows.copy()
    frame["bucket"] = [bucket_label(d, bucket) for d in frame["period_start"]]
    sums = []
    for label, group in frame.groupby("bucket", sort=True):
        values = [v for v in group["value"] if v is not None and not pd.isna(v)]
        nums = [v for v in group["numerator"] if v is not None and not pd.isna(v)]
        dens = [v for v in group["denominator"] if v is not None and not pd.isna(v)]
        sums.append(
            {
                "bucket": label,
                "n": len(dens) if is_ratio else len(values),
                "value_sum": sum(values, Decimal(0)) if values else None,
                "numerator_sum": sum(nums, Decimal(0)) if nums else None,
                "denominator_sum": sum(dens, Decimal(0)) if dens else None,
            }
        )
    return finish_buckets(
        pd.DataFrame(sums), is_ratio=is_ratio, aggregation=aggregation
    )


def status_against_target(
    value: Decimal | None, target: Decimal | None, direction: str
) -> Status:
    """Whether ``value`` meets ``target`` given the indicator's direction."""
    if target is None:
        return "no_target"
    if value is None:
        return "no_data"
    if direction == "lower":
        return "met" if value <= target else "missed"
    return "met" if value >= target else "missed"


def with_status(
    aggregated: pd.DataFrame, *, target: Decimal | None, direction: str
) -> pd.DataFrame:
    """Add a ``status`` column (see :func:`status_against_target`)."""
    frame = aggregated.copy()
    frame["status"] = [
        status_against_target(value, target, direction)
        for value in frame["value"].tolist()
    ]
    return frame


def latest_value(aggregated: pd.DataFrame) -> tuple[str | None, Decimal | None]:
    """The last bucket that has a value, and that value."""
    for record in reversed(list(aggregated.itertuples(index=False))):
        if record.value is not None:
            return str(record.bucket), record.value
    return None, None


def progress(
    value: Decimal | None, baseline: Decimal | None, target: Decimal | None
) -> Decimal | None:
    """Share of the way from baseline to target (1 = target reached), or None."""
    if value is None or baseline is None or target is None or target == baseline:
        return None
    return ((value - baseline) / (target - baseline)).quantize(Decimal("0.01"))


def missing_periods(
    present: Iterable[date], *, frequency: str, start: date, end: date
) -> list[date]:
    """Period starts of ``frequency`` between ``start`` and ``end`` with no value."""
    have = set(present)
    missing = []
    current = period_start_for(start, frequency)
    while current <= end:
        if current not in have:
            missing.append(current)
        current = period_end_for(current, frequency) + timedelta(days=1)
    return missing
