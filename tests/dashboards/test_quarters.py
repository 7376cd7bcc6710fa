"""Quarter labels are computed by the database, the same way on both."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import literal, select

from core.extensions import db
from dashboards.queries.common import quarter_of


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 1, 1), "2026-Q1"),
        (date(2026, 3, 31), "2026-Q1"),
        (date(2026, 4, 1), "2026-Q2"),
        (date(2025, 11, 15), "2025-Q4"),
        (date(2025, 9, 30), "2025-Q3"),
    ],
)
def test_a_day_falls_in_its_calendar_quarter(app, day: date, label: str) -> None:
    assert db.session.scalar(select(quarter_of(literal(day)))) == label
