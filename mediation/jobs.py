"""Scheduler jobs of the complaints feature: plain functions of ``now``, idempotent
(what was done is in our tables: ``mediation_reminder``, ``suspension_ended_at``)."""

from __future__ import annotations

from datetime import datetime

from mediation import services


def watch_deadlines(now: datetime) -> services.DeadlineReport:
    """Remind whoever must act, and flag late cases to the secretariat."""
    return services.watch_deadlines(now)


def end_suspensions(now: datetime) -> list[str]:
    """Give the mark back when a suspension reaches its end date."""
    return services.end_suspensions(now)


def purge_drafts(now: datetime) -> int:
    """Delete complaints whose e-mail was never confirmed, with their files."""
    return services.purge_expired_drafts(now)
