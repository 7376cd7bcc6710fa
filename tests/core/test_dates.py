"""core.dates: the one plausible-date rule every feature uses."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.dates import EARLIEST, date_problem, local_today, years_after

TODAY = date(2026, 12, 6)


def test_dates_before_2000_are_refused_with_the_year_to_check(app) -> None:
    with app.test_request_context():
        for day in (date(1, 1, 1), date(1899, 6, 1), date(1999, 12, 31)):
            problem = str(date_problem(day, latest=None, today=TODAY))
            assert problem == (
                f"Date peu plausible ({day.isoformat()}) : les dates antérieures "
                "au 2000-01-01 sont refusées, vérifiez l'année."
            )
        assert date_problem(EARLIEST, latest=TODAY, today=TODAY) is None


def test_what_has_happened_cannot_be_in_the_future(app) -> None:
    with app.test_request_context():
        assert date_problem(TODAY, latest=TODAY, today=TODAY) is None
        assert str(date_problem(date(2026, 12, 7), latest=TODAY, today=TODAY)) == (
            "La date ne peut pas être dans le futur."
        )


def test_what_is_planned_may_be_ahead_but_not_too_far(app) -> None:
    latest = years_after(TODAY, 10)
    with app.test_request_context():
        assert date_problem(date(2036, 12, 6), latest=latest, today=TODAY) is None
        assert str(date_problem(date(2090, 1, 1), latest=latest, today=TODAY)) == (
            "Date trop lointaine (2090-01-01) : au plus le 2036-12-06, vérifiez "
            "l'année."
        )


def test_years_after_a_29th_of_february_and_the_paris_calendar() -> None:
    assert years_after(date(2024, 2, 29), 1) == date(2025, 2, 28)
    # 23:30 UTC on 31 December is already 1 January in Paris.
    assert local_today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)
