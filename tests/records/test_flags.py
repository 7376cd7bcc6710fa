"""The pure rules behind the flags."""

from __future__ import annotations

from datetime import date

from records import flags

TODAY = date(2026, 6, 15)


def test_an_item_not_received_is_late_only_after_its_due_date() -> None:
    assert flags.item_is_late(date(2026, 6, 14), None, today=TODAY)
    assert not flags.item_is_late(date(2026, 6, 15), None, today=TODAY)
    assert not flags.item_is_late(date(2026, 6, 1), date(2026, 6, 1), today=TODAY)
    assert flags.item_is_late(date(2026, 6, 1), date(2026, 6, 2), today=TODAY)


def test_notice_is_counted_in_days_and_short_below_the_minimum() -> None:
    assert flags.notice_days(date(2026, 6, 1), date(2026, 7, 1)) == 30
    assert not flags.is_short_notice(date(2026, 6, 1), date(2026, 7, 1), minimum=30)
    assert flags.is_short_notice(date(2026, 6, 1), date(2026, 6, 30), minimum=30)
    # applied before it was announced: negative notice, flagged
    assert flags.notice_days(date(2026, 6, 10), date(2026, 6, 1)) == -9
    assert flags.is_short_notice(date(2026, 6, 10), date(2026, 6, 1), minimum=0)


def test_support_status_flags_past_and_within_six_months() -> None:
    assert flags.support_status(None, today=TODAY) == "unknown"
    assert flags.support_status(date(2023, 10, 10), today=TODAY) == "ended"
    assert flags.support_status(TODAY, today=TODAY) == "ended"
    assert flags.support_status(date(2026, 12, 1), today=TODAY) == "ending"
    assert flags.support_status(date(2027, 6, 1), today=TODAY) == "supported"


def test_a_licence_reminder_is_due_in_the_30_days_before_renewal() -> None:
    assert flags.licence_reminder_due(date(2026, 7, 15), today=TODAY)
    assert flags.licence_reminder_due(TODAY, today=TODAY)
    assert not flags.licence_reminder_due(date(2026, 7, 16), today=TODAY)
    assert not flags.licence_reminder_due(date(2026, 6, 14), today=TODAY)
