"""A generic series kept as arrays (``PointColumns``) gives the same points,
preview, plan and stored values as the same series kept as points."""

from __future__ import annotations

import hashlib
import pickle
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from kpi import services
from kpi.importers import ColumnMapping, Series, parse_export
from kpi.models import ImportChange, Measurement, MeasurementRevision
from kpi.services.bulk_insert import COPY_THRESHOLD

DAILY = ColumnMapping(
    date_column="date", value_columns=["a", "b"], decimal_separator="."
)


def _parsed(text: str, mapping: ColumnMapping = DAILY):
    return parse_export(text.encode(), "x.csv", mapping=mapping)


def test_arrays_give_the_points_the_importer_read_with_their_lines() -> None:
    monthly = ColumnMapping(
        date_column="date",
        value_columns=["a", "b"],
        decimal_separator=".",
        granularity="month",
    )
    export = _parsed(
        "date,a,b\n2024-01-05,1.5,2\n2024-01-20,0.25,3\n2024-02-01,7,1\n"
        "2024-03-09,x,1\n",
        monthly,
    )
    first = export.series[0]
    assert first.columns is not None
    assert first.point_count == 2
    assert [(p.period_start, p.value, p.lines) for p in first.columns.to_points()] == [
        (date(2024, 1, 1), Decimal("1.75"), (2, 3)),
        (date(2024, 2, 1), Decimal("7"), (4,)),
    ]
    # Reading the points builds them once; the list is then the series' truth.
    assert first.points[0].value == Decimal("1.7500")
    assert first.columns is None
    # The row refused for one column is refused for the whole line.
    assert [r.line for r in export.rejected] == [5]


def test_a_subset_keeps_each_point_with_its_own_lines() -> None:
    export = _parsed(
        "date,a,b\n2024-01-01,1,1\n2024-01-01,2,1\n2024-01-02,3,1\n2024-01-03,4,1\n"
    )
    columns = export.series[0].columns
    assert columns is not None
    import numpy as np

    kept = columns.subset(np.array([True, False, True]))
    assert [(p.period_start, p.value, p.lines) for p in kept.to_points()] == [
        (date(2024, 1, 1), Decimal(3), (2, 3)),
        (date(2024, 1, 3), Decimal(4), (5,)),
    ]
    rest, found = columns.split([date(2024, 1, 2), date(2023, 5, 5)])
    assert [p.period_start for p in found] == [date(2024, 1, 2)]
    assert [p.lines for p in rest.to_points()] == [(2, 3), (5,)]


def test_a_series_kept_as_arrays_is_pickled_as_arrays() -> None:
    export = _parsed("date,a,b\n2024-01-01,1.25,1\n2024-01-02,3,1\n")
    back = pickle.loads(pickle.dumps(export, protocol=pickle.HIGHEST_PROTOCOL))
    assert back.series[0].columns is not None
    assert back.series == export.series
    listed = Series(
        key="a",
        label="a",
        suggested_kind=export.series[0].suggested_kind,
        unit="",
        granularity="day",
        points=export.series[0].columns.to_points(),  # type: ignore[union-attr]
    )
    assert listed == export.series[0]


def test_a_big_import_from_arrays_refuses_compares_and_stores_like_points(
    agency, make_indicator
) -> None:
    """Past the bulk threshold: a value before 2000 and one in the future are
    refused with their line, a stored value that differs is replaced (and kept
    for undo and the history), an equal one is left, the rest is new."""
    project = agency(starts_on=date(2000, 1, 1)).project
    indicator = make_indicator(project, "custom", name="Visites", frequency="day")
    first = date(2001, 1, 1)
    rows = COPY_THRESHOLD + 500
    days = [first + timedelta(days=n) for n in range(rows)]
    values = [Decimal(n % 977) + Decimal(n % 10_000).scaleb(-4) for n in range(rows)]
    body = "".join(f"{d},{v}\n" for d, v in zip(days, values, strict=True))
    data = f"date,value\n1999-12-31,5\n{body}2099-01-01,5\n".encode()
    services.record_measurement(None, indicator, day=days[10], value="123,5")
    services.record_measurement(None, indicator, day=days[11], value=str(values[11]))
    mapping = ColumnMapping(
        date_column="date", value_columns=["value"], decimal_separator="."
    )
    export = parse_export(data, "big.csv", mapping=mapping)
    assert export.series[0].columns is not None
    now = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    batch, preview = services.store_import(
        None,
        project,
        export,
        {"value": indicator.id},
        file_name="big.csv",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        now=now,
    )
    assert batch is not None
    assert preview.counts == {
        "new": rows - 2,
        "changed": 1,
        "unchanged": 1,
        "rejected": 2,
    }
    assert [r.line for r in preview.rejected] == [2, rows + 3]
    assert "2000" in preview.rejected[0].reason
    sample = preview.targets[0].sample
    assert [(row.state, row.old) for row in sample[10:12]] == [
        ("changed", Decimal("123.5")),
        ("unchanged", values[11]),
    ]
    assert sample[0].lines == (3,)
    assert (batch.rows_read, batch.rows_stored, batch.rows_updated) == (
        rows + 2,
        rows - 2,
        1,
    )
    db.session.expire_all()
    stored = {
        m.period_start: Decimal(str(m.value))
        for m in db.session.scalars(select(Measurement))
    }
    assert len(stored) == rows
    assert all(stored[d] == v for d, v in zip(days, values, strict=True))
    assert db.session.scalar(select(ImportChange.previous_value)) == Decimal("123.5")
    assert db.session.scalar(select(MeasurementRevision.value)) == Decimal("123.5")
    result = services.undo_import(None, batch)
    assert result == {"removed": rows - 2, "restored": 1, "kept": 0}
    assert {
        m.period_start: m.value for m in db.session.scalars(select(Measurement))
    } == {days[10]: Decimal("123.5"), days[11]: values[11]}
