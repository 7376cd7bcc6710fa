"""Scheduler jobs of the records feature: plain functions of ``now``, idempotent
(a reminder row per licence and renewal date, per item and due date, and the
outbox's unique keys, make a second run or a second process send nothing)."""

from __future__ import annotations

from datetime import datetime

from records import services


def remind_licences(now: datetime) -> services.ReminderReport:
    """E-mail the client's contacts 30 days before each licence renewal."""
    return services.remind_licences(now)


def remind_client_items(now: datetime) -> services.ReminderReport:
    """E-mail the client's contacts 7 days before an item they must provide is due."""
    return services.remind_client_items(now)
