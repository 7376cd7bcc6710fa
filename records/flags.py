"""Pure rules that flag a record: dates and settings in, a verdict out (no Flask,
no database), so that the project page, the portal and the tests agree."""

from __future__ import annotations

from datetime import date, timedelta

#: A component whose end of support is this close (or past) is flagged.
END_OF_SUPPORT_WARNING_DAYS = 183  # about six months
#: Licence reminders go to the client this many days before the renewal.
LICENCE_REMINDER_DAYS = 30
#: Items the client must provide are reminded this many days before their due date.
ITEM_REMINDER_DAYS = 7


def item_is_late(due_on: date, received_on: date | None, *, today: date) -> bool:
    """A client-provided item not received by its due date (or received after it)."""
    if received_on is None:
        return due_on < today
    return received_on > due_on


def notice_days(announced_on: date, effective_on: date) -> int:
    """Days between the announcement of a change and its effect (negative: after)."""
    return (effective_on - announced_on).days


def is_short_notice(announced_on: date, effective_on: date, *, minimum: int) -> bool:
    """A change announced with less notice than the association asks."""
    return notice_days(announced_on, effective_on) < minimum


def support_status(end_of_support_on: date | None, *, today: date) -> str:
    """``ended``, ``ending`` (within about six months), ``supported`` or ``unknown``."""
    if end_of_support_on is None:
        return "unknown"
    if end_of_support_on <= today:
        return "ended"
    if end_of_support_on <= today + timedelta(days=END_OF_SUPPORT_WARNING_DAYS):
        return "ending"
    return "supported"


def licence_reminder_due(renews_on: date, *, today: date) -> bool:
    """The renewal is at most 30 days ahead (and not past): remind the client now."""
    return today <= renews_on <= today + timedelta(days=LICENCE_REMINDER_DAYS)
