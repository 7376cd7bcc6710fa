"""Scheduler jobs of the improvement register (plain functions of ``now``,
idempotent: the register's unique key and the reminder's claim decide)."""

from __future__ import annotations

from datetime import datetime

from improvement import services


def open_actions(now: datetime) -> int:
    """Open an action for each new detractor response, indicator off track two
    periods running, admissible complaint and record a charter rule flags."""
    return services.open_actions(now)


def remind_overdue(now: datetime) -> int:
    """E-mail the owner of each action past its due date, once per due date."""
    return services.remind_overdue(now)
