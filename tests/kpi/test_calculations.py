"""Pure calculations: buckets, exact ratios, status against target."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from kpi.calculations import (
    aggregate_rows,
    bucket_label,
    bucket_rows,
    bucket_start,
    finish_buckets,
    latest_row,
    missing_periods,
    progress,
    ratio,
    status_against_target,
    with_status,
)


def D(text: str) -> Decimal:
    return Decimal(text)


def test_bucket_labels_round_trip() -> None:
    day = date(2024, 8, 20)
    assert bucket_label(day, "month") == "2024-08"
    assert bucket_label(day, "quarter") == "2024-Q3"
    assert bucket_label(day, "year") == "2024"
    assert bucket_start("2024-Q3") == date(2024, 7, 1)
    assert bucket_start("2024-08") == date(2024, 8, 1)
    assert bucket_start("2024") == date(2024, 1, 1)


def _cpc_rows() -> pd.DataFrame:
    # January: 100 € for 1000 clicks (0.10); February: 90 € for 100 clicks (0.90);
    # March: no click at all.
    return pd.DataFrame(
        {
            "period_start": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)],
            "value": [D("0.1"), D("0.9"), None],
            "numerator": [D("100"), D("90"), D("0")],
            "denominator": [D("1000"), D("100"), D("0")],
        }
    )


def test_a_quarters_cost_per_click_is_the_sum_of_costs_over_the_sum_of_clicks() -> None:
    quarter = aggregate_rows(_cpc_rows(), "quarter", is_ratio=True)
    [row] = quarter.to_dict("records")
    assert row["bucket"] == "2024-Q1"
    assert row["numerator"] == D("190") and row["denominator"] == D("1100")
    assert row["value"] == D("0.1727")  # 190 / 1100, not (0.1 + 0.9) / 2 = 0.5


def test_a_period_without_clicks_has_no_cost_per_click() -> None:
    months = aggregate_rows(_cpc_rows(), "month", is_ratio=True)
    assert months["value"].tolist() == [D("0.1000"), D("0.9000"), None]
    assert ratio(D("12"), D("0")) is None
    assert ratio(None, D("3")) is None


def test_counts_are_summed_and_means_averaged() -> None:
    rows = pd.DataFrame(
        {
            "period_start": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 4, 1)],
            "value": [D("10"), D("20"), D("5")],
            "numerator": [None, None, None],
            "denominator": [None, None, None],
        }
    )
    summed = aggregate_rows(rows, "quarter", is_ratio=False)
    assert summed["value"].tolist() == [D("30"), D("5")]
    mean = aggregate_rows(rows, "year", is_ratio=False, aggregation="mean")
    assert mean["value"].tolist() == [D("11.6667")]


def test_status_follows_the_direction() -> None:
    assert status_against_target(D("12"), D("10"), "higher") == "met"
    assert status_against_target(D("8"), D("10"), "higher") == "missed"
    assert status_against_target(D("0.4"), D("0.5"), "lower") == "met"
    assert status_against_target(D("0.6"), D("0.5"), "lower") == "missed"
    assert status_against_target(None, D("0.5"), "lower") == "no_data"
    assert status_against_target(D("1"), None, "lower") == "no_target"


def test_progress_from_baseline_to_target() -> None:
    assert progress(D("150"), D("100"), D("200")) == D("0.50")
    assert progress(D("0.5"), D("0.8"), D("0.6")) == D("1.50")
    assert progress(D("1"), None, D("2")) is None


def test_missing_periods_lists_the_gaps() -> None:
    present = [date(2024, 1, 1), date(2024, 3, 1)]
    assert missing_periods(
        present, frequency="month", start=date(2024, 1, 15), end=date(2024, 4, 1)
    ) == [date(2024, 2, 1), date(2024, 4, 1)]


def test_the_rows_of_a_page_are_the_frames_values_and_statuses() -> None:
    """:func:`bucket_rows` (plain rows, for the pages) gives what the DataFrame
    steps give: same values, components and statuses, bucket by bucket."""
    sums = [
        ("2024-01", 4, D("0.4"), D("100"), D("1000")),
        ("2024-02", 4, D("3.6"), D("90"), D("100")),
        ("2024-03", 0, None, D("0"), D("0")),  # no click: no value
        ("2024-04", 2, D("1.1"), D("14"), D("10")),
    ]
    frame = pd.DataFrame(
        sums,
        columns=["bucket", "n", "value_sum", "numerator_sum", "denominator_sum"],
    )
    for is_ratio, aggregation in ((True, "sum"), (False, "sum"), (False, "mean")):
        expected = with_status(
            finish_buckets(frame, is_ratio=is_ratio, aggregation=aggregation),
            target=D("1.2"),
            direction="lower",
        ).to_dict("records")
        rows = bucket_rows(
            sums,
            is_ratio=is_ratio,
            aggregation=aggregation,
            target=D("1.2"),
            direction="lower",
        )
        assert [
            {
                "bucket": r.bucket,
                "n": r.n,
                "value": r.value,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "status": r.status,
            }
            for r in rows
        ] == expected
    rows = bucket_rows(
        sums, is_ratio=True, aggregation="sum", target=D("1.2"), direction="lower"
    )
    assert [r.value for r in rows] == [D("0.1000"), D("0.9000"), None, D("1.4000")]
    assert [r.status for r in rows] == ["met", "met", "no_data", "missed"]
    latest = latest_row(rows)
    assert latest is not None and (latest.bucket, latest.value) == ("2024-04", D("1.4"))
    assert latest_row(rows[2:3]) is None
