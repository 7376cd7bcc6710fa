"""Scheduler jobs (``flask scheduler run``): plain functions of ``now``."""

from __future__ import annotations

from datetime import datetime

from satisfaction.services import reminders, sending


def send_due_invitations(now: datetime) -> object:
    """Create and queue the invitations of the campaigns due at ``now``."""
    return sending.send_due_invitations(now)


def send_reminders(now: datetime) -> object:
    """Queue the reminders due at ``now``."""
    return reminders.send_reminders(now)
