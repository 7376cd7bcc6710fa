"""The procedure's delays and the association's calendar: when a case is late."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from mediation.models import Complaint
from mediation.workflow import Status

PARIS = ZoneInfo("Europe/Paris")
ADMISSIBILITY_DAYS = 10
COMMISSION_DAYS = 60
REMIND_DAYS_BEFORE = 3


def paris_today(now: datetime) -> date:
    """The association's calendar date at ``now``."""
    return now.astimezone(PARIS).date()


def setting(name: str, default: int) -> int:
    """A number of days from the configuration (``MEDIATION_*``), or ``default``."""
    return int(current_app.config.get(name, default))


def late_clause(now: datetime) -> ColumnElement[bool]:
    """SQL condition: the case is past the deadline of its current stage."""
    today = paris_today(now)
    admissibility = timedelta(
        days=setting("MEDIATION_ADMISSIBILITY_DAYS", ADMISSIBILITY_DAYS)
    )
    commission = timedelta(days=setting("MEDIATION_COMMISSION_DAYS", COMMISSION_DAYS))
    return or_(
        and_(
            Complaint.status == Status.SUBMITTED,
            Complaint.verified_at < now - admissibility,
        ),
        and_(
            Complaint.status == Status.AWAITING_MEMBER,
            Complaint.member_reply_due_on < today,
        ),
        and_(
            Complaint.status == Status.AT_COMMISSION,
            Complaint.referred_at < now - commission,
        ),
    )
