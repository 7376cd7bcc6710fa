"""Opening actions from their triggers: the scheduler's scan (idempotent).

Each trigger opens one action, once: the ``(source_type, source_id)`` key is
unique, so a second scan, or a second scheduler process, adds nothing. Only
triggers of the last :data:`HORIZON_DAYS` days are opened, so that a database
that existed before the register does not flood its members with old ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from core import audit
from core.dates import local_today
from core.extensions import db
from improvement.models import ActionState, ImprovementAction, SourceType
from improvement.services.record_triggers import record_triggers
from improvement.triggers import measured_value, off_track_twice
from kpi.models import Indicator, Measurement
from mediation.models import Complaint
from members.models import Project, ProjectStatus
from satisfaction.models import Alert, AlertItem, AlertReason, Campaign, Invitation
from satisfaction.models import Response as SurveyResponse

HORIZON_DAYS = 365


def _not_opened(source: SourceType, column: Any) -> Any:
    return ~exists().where(
        ImprovementAction.source_type == source,
        ImprovementAction.source_id == column,
    )


def detractor_triggers(since: datetime) -> list[dict[str, Any]]:
    """Detractor alerts (one per response) without an action yet."""
    lowest = (
        select(func.min(AlertItem.value))
        .where(
            AlertItem.alert_id == Alert.id,
            AlertItem.reason == AlertReason.DETRACTOR,
        )
        .correlate(Alert)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Alert.id, Alert.member_id, Alert.response_id, Project.id, Project.title)
        .add_columns(lowest)
        .join(SurveyResponse, SurveyResponse.id == Alert.response_id)
        .join(Invitation, Invitation.id == SurveyResponse.invitation_id)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .join(Project, Project.id == Campaign.project_id)
        .where(
            Alert.reason == AlertReason.DETRACTOR,
            Alert.created_at >= since,
            _not_opened(SourceType.DETRACTOR, Alert.id),
        )
        .order_by(Alert.id)
    ).all()
    return [
        {
            "source_type": SourceType.DETRACTOR,
            "source_id": r[0],
            "member_id": r[1],
            "project_id": r[3],
            "source_detail": {
                "response_id": r[2],
                "project": r[4],
                "score": r[5],
            },
        }
        for r in rows
    ]


def complaint_triggers(since: datetime) -> list[dict[str, Any]]:
    """Complaints declared admissible without an action yet."""
    rows = db.session.execute(
        select(
            Complaint.id,
            Complaint.member_id,
            Complaint.reference,
            Complaint.project_id,
            Complaint.project_label,
            Project.title,
        )
        .outerjoin(Project, Project.id == Complaint.project_id)
        .where(
            Complaint.verified_at.is_not(None),
            Complaint.admitted_at.is_not(None),
            Complaint.admitted_at >= since,
            _not_opened(SourceType.COMPLAINT, Complaint.id),
        )
        .order_by(Complaint.id)
    ).all()
    return [
        {
            "source_type": SourceType.COMPLAINT,
            "source_id": r[0],
            "member_id": r[1],
            "project_id": r[3],
            "source_detail": {
                "complaint_id": r[0],
                "reference": r[2] or "",
                "project": r[5] or r[4] or "",
            },
        }
        for r in rows
    ]


def _measured(earlier: Any) -> Any:
    """A measurement that holds a value (a ratio: its denominator)."""
    return or_(earlier.value.is_not(None), earlier.denominator.is_not(None))


def _last_two_periods(since: date) -> Sequence[Any]:
    """Active indicators with a target, on active projects, measured since
    ``since``, with their latest two measured periods (one statement; each
    period found per indicator by the ``(indicator_id, period_start,
    granularity)`` index, so the cost follows the indicators, not the values)."""
    last, before = aliased(Measurement), aliased(Measurement)
    earlier, earliest = aliased(Measurement), aliased(Measurement)
    latest_start = (
        select(func.max(earlier.period_start))
        .where(
            earlier.indicator_id == Indicator.id,
            earlier.granularity == Indicator.frequency,
            _measured(earlier),
        )
        .correlate(Indicator)
        .scalar_subquery()
    )
    before_start = (
        select(func.max(earliest.period_start))
        .where(
            earliest.indicator_id == Indicator.id,
            earliest.granularity == Indicator.frequency,
            earliest.period_start < last.period_start,
            _measured(earliest),
        )
        .correlate(Indicator, last)
        .scalar_subquery()
    )
    return db.session.execute(
        select(
            Indicator.id,
            Indicator.member_id,
            Indicator.project_id,
            Indicator.name,
            Indicator.unit,
            Indicator.direction,
            Indicator.frequency,
            Indicator.is_ratio,
            Indicator.target_value,
            Project.title,
            last.id,
            last.period_start,
            last.value,
            last.numerator,
            last.denominator,
            before.period_start,
            before.value,
            before.numerator,
            before.denominator,
        )
        .join(Project, Project.id == Indicator.project_id)
        .join(
            last,
            and_(
                last.indicator_id == Indicator.id,
                last.granularity == Indicator.frequency,
                last.period_start == latest_start,
            ),
        )
        .join(
            before,
            and_(
                before.indicator_id == Indicator.id,
                before.granularity == Indicator.frequency,
                before.period_start == before_start,
            ),
        )
        .where(
            Indicator.is_active.is_(True),
            Indicator.target_value.is_not(None),
            Project.status == ProjectStatus.ACTIVE,
            last.period_start >= since,
        )
        .order_by(Indicator.id)
    ).all()


def _open_indicator_ids() -> set[int]:
    """Indicators that already have an action not closed (one at a time)."""
    return set(
        db.session.scalars(
            select(Measurement.indicator_id)
            .join(
                ImprovementAction,
                and_(
                    ImprovementAction.source_type == SourceType.INDICATOR,
                    ImprovementAction.source_id == Measurement.id,
                ),
            )
            .where(ImprovementAction.state != ActionState.CLOSED)
        )
    )


def indicator_triggers(since: date) -> list[dict[str, Any]]:
    """Indicators whose two latest periods are consecutive and both off track,
    without an action for that second period, nor one still open."""
    busy = _open_indicator_ids()
    found = [
        trigger
        for row in _last_two_periods(since)
        if row[0] not in busy and (trigger := _indicator_trigger(row)) is not None
    ]
    if not found:
        return []
    opened = set(
        db.session.scalars(
            select(ImprovementAction.source_id).where(
                ImprovementAction.source_type == SourceType.INDICATOR,
                ImprovementAction.source_id.in_([t["source_id"] for t in found]),
            )
        )
    )
    return [t for t in found if t["source_id"] not in opened]


def _indicator_trigger(row: Any) -> dict[str, Any] | None:
    """The trigger of one row of :func:`_last_two_periods`, if off track twice."""
    (indicator_id, member_id, project_id, name, unit, direction, frequency) = row[:7]
    is_ratio, target, title, last_id = row[7:11]
    last_start, before_start = row[11], row[15]
    values = [
        measured_value(row[16], row[17], row[18], is_ratio=is_ratio),
        measured_value(row[12], row[13], row[14], is_ratio=is_ratio),
    ]
    if not off_track_twice(
        (last_start, values[1]),
        (before_start, values[0]),
        target=target,
        direction=direction.value,
        frequency=frequency.value,
    ):
        return None
    return {
        "source_type": SourceType.INDICATOR,
        "source_id": last_id,
        "member_id": member_id,
        "project_id": project_id,
        "source_detail": {
            "indicator_id": indicator_id,
            "indicator": name,
            "project": title,
            "unit": unit,
            "periods": [before_start.isoformat(), last_start.isoformat()],
            "values": [_number(v) for v in values],
            "target": _number(target),
        },
    }


def _number(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


def open_actions(now: datetime) -> int:
    """Open an action for every new trigger; returns how many were opened.

    One transaction; if another process opened some of them first, nothing is
    written now and the next scan opens the rest.
    """
    since = now - timedelta(days=HORIZON_DAYS)
    today = local_today(now)
    triggers = [
        *detractor_triggers(since),
        *indicator_triggers(today - timedelta(days=HORIZON_DAYS)),
        *complaint_triggers(since),
        *record_triggers(today, since=today - timedelta(days=HORIZON_DAYS)),
    ]
    if not triggers:
        db.session.rollback()
        return 0
    try:
        for trigger in triggers:
            _open(trigger, now=now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return 0
    return len(triggers)


def _open(trigger: dict[str, Any], *, now: datetime) -> None:
    action = ImprovementAction(
        **trigger, state=ActionState.TO_DECIDE, opened_at=now, updated_at=now
    )
    db.session.add(action)
    db.session.flush()
    audit.record(
        None,
        "improvement.opened",
        object_type="improvement_action",
        object_id=action.id,
        member_id=action.member_id,
        detail={"source": action.source_type.value, "source_id": action.source_id},
    )
