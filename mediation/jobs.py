"""Scheduler jobs of the complaints feature: plain functions of ``now``, idempotent
(what was done is in our tables: ``mediation_reminder``, ``suspension_ended_at``).

A job that works case by case lets each case commit on its own (one service call
per case), so that one case that fails does not lose the others' work."""

from __future__ import annotations

from datetime import datetime

from mediation import services


def watch_deadlines(now: datetime) -> services.DeadlineReport:
    """Remind whoever must act, and flag late cases to the secretariat."""
    report = services.DeadlineReport()
    for complaint in services.cases_with_deadlines():
        report.add(services.give_deadline_notice(complaint, now=now))
    return report


def end_suspensions(now: datetime) -> list[str]:
    """Give the mark back when a suspension reaches its end date; the references
    of the cases whose suspension ended."""
    ended: list[str] = []
    for complaint in services.suspensions_due(now):
        if services.end_suspension(complaint, now=now):
            ended.append(str(complaint.reference))
    return ended


def purge_drafts(now: datetime) -> int:
    """Delete complaints whose e-mail was never confirmed, with their files."""
    return services.purge_expired_drafts(now)


def purge_attachments(now: datetime) -> int:
    """Delete the files of cases closed longer ago than the retention setting."""
    return services.purge_old_attachments(now)
