"""Scheduler jobs of the records feature: plain functions of ``now``, idempotent
(a ``records_licence_reminder`` row per licence and renewal date, and the outbox's
unique keys, make a second run or a second process send nothing)."""

from __future__ import annotations

from datetime import datetime

from records import services


def remind_licences(now: datetime) -> services.ReminderReport:
    """E-mail the client's contacts 30 days before each licence renewal."""
    return services.remind_licences(now)
