"""Complaint figures for the board's quality review, computed in SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Float, case, cast, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from mediation import workflow
from mediation.models import Complaint
from mediation.workflow import Decision, Status


def _days_between(start: Any, end: Any) -> ColumnElement[Any]:
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return cast(func.julianday(end) - func.julianday(start), Float)


def complaint_figures(
    *, since: date, until: date, member_id: int | None = None
) -> dict[str, Any]:
    """Complaint figures for the board's quality review, computed in SQL.

    The cohort is the complaints registered (e-mail verified) between ``since``
    and ``until`` inclusive (UTC days), optionally for one member; each figure
    counts what became of them. ``median_days_to_resolution`` is the median
    time from registration to closing, for the cases closed by an agreement or
    a decision (None when there is none).
    """
    cohort = _cohort(since, until, member_id)
    decisions = _decisions(cohort)
    median = _median_days_to_resolution(cohort)
    return {
        "since": since,
        "until": until,
        "member_id": member_id,
        **_outcomes(cohort),
        "decisions": decisions,
        "sanctions": sum(decisions[d.value] for d in workflow.SANCTIONS),
        "median_days_to_resolution": round(float(median), 1)
        if median is not None
        else None,
    }


def _cohort(
    since: date, until: date, member_id: int | None
) -> list[ColumnElement[bool]]:
    """SQL conditions: registered between ``since`` and ``until`` (UTC days)."""
    start = datetime.combine(since, time.min).replace(tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time.min).replace(tzinfo=UTC)
    cohort = [
        Complaint.verified_at.is_not(None),
        Complaint.verified_at >= start,
        Complaint.verified_at < end,
    ]
    if member_id is not None:
        cohort.append(Complaint.member_id == member_id)
    return cohort


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _outcomes(cohort: list[ColumnElement[bool]]) -> dict[str, int]:
    """How many complaints were received, and what became of them."""
    row = db.session.execute(
        select(
            func.count(Complaint.id),
            _count_if(Complaint.admitted_at.is_not(None)),
            _count_if(Complaint.status == Status.INADMISSIBLE),
            _count_if(Complaint.status == Status.RESOLVED),
            _count_if(Complaint.referred_at.is_not(None)),
            _count_if(Complaint.status == Status.WITHDRAWN),
            _count_if(Complaint.status.not_in(workflow.CLOSED_STATUSES)),
        ).where(*cohort)
    ).one()
    received, admissible, inadmissible, resolved, referred, withdrawn, open_ = row
    return {
        "received": int(received),
        "admissible": int(admissible),
        "inadmissible": int(inadmissible),
        "resolved_by_mediation": int(resolved),
        "sent_to_commission": int(referred),
        "withdrawn": int(withdrawn),
        "open": int(open_),
    }


def _decisions(cohort: list[ColumnElement[bool]]) -> dict[str, int]:
    """How many of each decision of the commission (every decision listed)."""
    counts = {decision.value: 0 for decision in Decision}
    for decision, n in db.session.execute(
        select(Complaint.decision, func.count(Complaint.id))
        .where(*cohort, Complaint.decision.is_not(None))
        .group_by(Complaint.decision)
    ):
        counts[Decision(str(decision)).value] = int(n)
    return counts


def _median_days_to_resolution(cohort: list[ColumnElement[bool]]) -> Any:
    """The median time from registration to closing, in days, of the cases
    closed by an agreement or a decision; None when there is none."""
    # The median, in SQL: number the durations, keep the middle one or two.
    days = _days_between(Complaint.verified_at, Complaint.closed_at).label("days")
    durations = (
        select(
            days,
            func.row_number().over(order_by=days).label("position"),
            func.count().over().label("total"),
        )
        .where(
            *cohort,
            Complaint.status.in_([Status.RESOLVED, Status.DECIDED]),
            Complaint.closed_at.is_not(None),
        )
        .subquery()
    )
    total = durations.c.total
    position = durations.c.position
    return db.session.scalar(
        select(func.avg(durations.c.days)).where(
            or_(position == (total + 1) // 2, position == (total + 2) // 2)
        )
    )
