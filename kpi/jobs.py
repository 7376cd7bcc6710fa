"""Scheduler jobs of the KPI feature (plain functions of ``now``, idempotent)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.mail import queue_email
from core.security import Role
from core.urls import external_url
from kpi.models import Indicator, Measurement, Reminder
from kpi.periods import last_complete_period
from kpi.services.common import in_project_span
from kpi.services.parsing import parse_waiting_uploads
from members.models import Project, ProjectStatus, User

PARIS = ZoneInfo("Europe/Paris")


def send_reminders(now: datetime) -> int:
    """E-mail each member whose active indicators lack their last period's value.

    Once per gap: a ``kpi_reminder`` row per indicator and period records that it
    was sent. Returns the number of e-mails queued.
    """
    today = now.astimezone(PARIS).date()
    rows = db.session.execute(
        select(Indicator, Project)
        .join(Project, Project.id == Indicator.project_id)
        .where(Indicator.is_active.is_(True), Project.status == ProjectStatus.ACTIVE)
        .order_by(Indicator.member_id, Indicator.id)
    ).all()
    candidates = {}
    for indicator, project in rows:
        period = last_complete_period(indicator.frequency.value, today)
        if in_project_span(project, period, indicator.frequency.value):
            candidates[indicator.id] = (indicator, project, period)
    if not candidates:
        return 0
    periods = {period for _i, _p, period in candidates.values()}
    present = {
        (row[0], row[1])
        for row in db.session.execute(
            select(Measurement.indicator_id, Measurement.period_start).where(
                Measurement.indicator_id.in_(candidates),
                Measurement.period_start.in_(periods),
            )
        )
    }
    reminded = {
        (row[0], row[1])
        for row in db.session.execute(
            select(Reminder.indicator_id, Reminder.period_start).where(
                Reminder.indicator_id.in_(candidates),
                Reminder.period_start.in_(periods),
            )
        )
    }
    gaps: dict[int, list[tuple[Indicator, Project, date]]] = defaultdict(list)
    for indicator_id, (indicator, project, period) in candidates.items():
        key = (indicator_id, period)
        if key in present or key in reminded:
            continue
        gaps[indicator.member_id].append((indicator, project, period))
    if not gaps:
        db.session.rollback()
        return 0
    users = db.session.scalars(
        select(User).where(
            User.member_id.in_(gaps),
            User.is_active.is_(True),
            User.role.in_([Role.MEMBER_ADMIN, Role.MEMBER_USER]),
        )
    ).all()
    by_member: dict[int, list[User]] = defaultdict(list)
    for user in users:
        by_member[user.member_id or 0].append(user)
    queued = 0
    for member_id, items in gaps.items():
        staff = by_member.get(member_id, [])
        recipients = [u for u in staff if u.role == Role.MEMBER_ADMIN] or staff
        signature = hashlib.sha256(
            ";".join(f"{i.id}:{p}" for i, _project, p in items).encode()
        ).hexdigest()[:32]
        for user in recipients:
            queue_email(
                to=user.email,
                template="kpi/email/reminder",
                context={
                    "gaps": [
                        {
                            "name": indicator.name,
                            "project_title": project.title,
                            "period": str(period),
                            "link": external_url(
                                "kpi.indicator", indicator_id=indicator.id
                            ),
                        }
                        for indicator, project, period in items
                    ]
                },
                locale=user.locale or "fr",
                key=f"kpi.reminder:{user.id}:{signature}",
                now=now,
            )
            queued += 1
        for indicator, _project, period in items:
            db.session.add(
                Reminder(indicator_id=indicator.id, period_start=period, sent_at=now)
            )
    try:
        db.session.commit()
    except IntegrityError:
        # Another scheduler process reminded of the same gaps first.
        db.session.rollback()
        return 0
    return queued


def parse_uploads(now: datetime) -> int:
    """Parse the big uploads no web worker took (or took and died on)."""
    return parse_waiting_uploads(now)
