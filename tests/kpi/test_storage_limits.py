"""The largest value we accept is stored and read back exactly, on SQLite (whose
numerics are binary floats) as on PostgreSQL; a larger one is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.extensions import db
from kpi import services
from kpi.models import Frequency, ImportBatch, Measurement, Source


@pytest.mark.parametrize(
    "typed", ["99 999 999 999,9999", "-99999999999.9999", "12345678901.2345", "0,0001"]
)
def test_the_largest_values_round_trip_exactly(agency, make_indicator, typed) -> None:
    project = agency().project
    indicator = make_indicator(project, "custom", name="Chiffre d'affaires", unit="€")
    services.record_measurement(None, indicator, day=date(2025, 3, 1), value=typed)
    db.session.expire_all()
    stored = db.session.scalar(select(Measurement.value))
    expected = Decimal(typed.replace(" ", "").replace(",", "."))
    assert Decimal(str(stored)) == expected


def test_a_value_beyond_the_limit_is_refused_and_nothing_is_stored(
    agency, make_indicator
) -> None:
    indicator = make_indicator(agency().project, "custom", name="Trop", unit="€")
    with pytest.raises(services.KpiInputError, match="100 milliards"):
        services.record_measurement(
            None, indicator, day=date(2025, 3, 1), value="100 000 000 000"
        )
    assert db.session.scalar(select(Measurement.id)) is None


def test_a_sum_of_parsed_values_beyond_the_limit_is_refused(
    agency, make_indicator
) -> None:
    """Daily values rolled up into a month are checked again: each fits, the sum not."""
    from kpi.importers import Point
    from kpi.services.measurements import check_point

    indicator = make_indicator(agency().project, "custom", name="Gros", unit="€")
    fine = Point(date(2025, 3, 1), Decimal("99999999999.9999"))
    assert check_point(indicator, fine, parsed=True) is fine
    with pytest.raises(services.KpiInputError, match="100 milliards"):
        check_point(
            indicator, Point(date(2025, 3, 1), Decimal("3100000000000")), parsed=True
        )


def test_a_big_import_stores_every_value_exactly(agency, make_indicator) -> None:
    """6,000 new values: PostgreSQL takes them through COPY, SQLite through
    executemany; both must store what the file says."""
    import hashlib
    from datetime import timedelta

    from sqlalchemy import func

    from kpi.importers import ColumnMapping, parse_export
    from kpi.services.bulk_insert import COPY_THRESHOLD

    rows = COPY_THRESHOLD + 1_000
    project = agency(starts_on=date(2000, 1, 1)).project
    indicator = make_indicator(
        project, "custom", name="Visites", unit="visites", frequency="day"
    )
    first = date(2005, 1, 1)
    values = [Decimal(f"{n * 7 % 1000}.{n % 10000:04d}") for n in range(rows)]
    body = "".join(f"{first + timedelta(days=n)},{v}\n" for n, v in enumerate(values))
    data = f"date,value\n{body}".encode()
    export = parse_export(
        data,
        "big.csv",
        mapping=ColumnMapping(
            date_column="date", value_columns=["value"], decimal_separator="."
        ),
    )
    now = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    batch, _preview = services.store_import(
        None,
        project,
        export,
        {export.series[0].key: indicator.id},
        file_name="big.csv",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        now=now,
    )
    assert batch is not None
    batch_id = batch.id
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == rows
    # What every row shares is written as the ORM writes it.
    shared = {
        (m.indicator_id, m.granularity, m.source, m.import_batch_id, m.updated_at)
        for m in db.session.scalars(select(Measurement))
    }
    assert shared == {(indicator.id, Frequency.DAY, Source.IMPORT, batch_id, now)}
    stored = {
        m.period_start: Decimal(str(m.value))
        for m in db.session.scalars(select(Measurement))
    }
    assert stored[first] == values[0]
    assert stored[first + timedelta(days=rows - 1)] == values[-1]
    assert sum(stored.values()) == sum(values)
    # Undone, the import leaves nothing behind.
    batch = db.session.get(ImportBatch, batch_id)
    assert services.undo_import(None, batch)["removed"] == rows
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0
