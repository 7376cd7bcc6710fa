"""Opening actions from their triggers: the scheduler's scan (idempotent).

Each trigger opens one action, once: the ``(source_type, source_id)`` key is
unique, so a second scan, or a second scheduler process, adds nothing. Only
triggers of the last :data:`HORIZON_DAYS` days are opened, so that a database
that existed before the register does not flood its members with old ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from core import audit
from core.dates import local_today
from core.extensions import db
from improvement.models import ActionState, ImprovementAction, SourceType
from improvement.triggers import measured_value, off_track_twice, previous_period
from kpi.models import Indicator, Measurement
from mediation.models import Complaint
from members.models import Project, ProjectStatus
from satisfaction.models import Alert, AlertItem, AlertReason, Campaign, Invitation
from satisfaction.models import Response as SurveyResponse

HORIZON_DAYS = 365
#: Indicators read per statement (two bound values per pair: far below the
#: drivers' limits, PITFALLS.md §11).
BATCH = 500


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


def _indicators_with_latest(since: date) -> Sequence[Any]:
    """Active indicators with a target, on active projects, and the start of
    their latest measured period (answered per indicator by its index)."""
    earlier = aliased(Measurement)
    latest = (
        select(func.max(earlier.period_start))
        .where(
            earlier.indicator_id == Indicator.id,
            earlier.granularity == Indicator.frequency,
            or_(earlier.value.is_not(None), earlier.denominator.is_not(None)),
        )
        .correlate(Indicator)
        .scalar_subquery()
    )
    return db.session.execute(
        select(Indicator, Project.title, latest.label("latest"))
        .join(Project, Project.id == Indicator.project_id)
        .where(
            Indicator.is_active.is_(True),
            Indicator.target_value.is_not(None),
            Project.status == ProjectStatus.ACTIVE,
            latest >= since,
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


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def indicator_triggers(since: date) -> list[dict[str, Any]]:
    """Indicators whose two latest periods are consecutive and both off track,
    without an action for that second period, nor one still open."""
    busy = _open_indicator_ids()
    candidates = [r for r in _indicators_with_latest(since) if r[0].id not in busy]
    found: list[dict[str, Any]] = []
    for chunk in _chunks(candidates, BATCH):
        pairs = []
        for indicator, _title, latest in chunk:
            frequency = indicator.frequency.value
            pairs += [
                (indicator.id, latest),
                (indicator.id, previous_period(latest, frequency)),
            ]
        measured = {
            (m.indicator_id, m.period_start): m
            for m in db.session.scalars(
                select(Measurement).where(
                    tuple_(Measurement.indicator_id, Measurement.period_start).in_(
                        pairs
                    )
                )
            )
        }
        for indicator, title, latest in chunk:
            trigger = _indicator_trigger(indicator, title, latest, measured)
            if trigger is not None:
                found.append(trigger)
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


def _indicator_trigger(
    indicator: Indicator,
    title: str,
    latest: date,
    measured: dict[tuple[int, date], Measurement],
) -> dict[str, Any] | None:
    frequency = indicator.frequency.value
    last = measured.get((indicator.id, latest))
    before = measured.get((indicator.id, previous_period(latest, frequency)))
    if last is None or before is None or last.granularity != indicator.frequency:
        return None
    if before.granularity != indicator.frequency:
        return None
    values = [
        measured_value(m.value, m.numerator, m.denominator, is_ratio=indicator.is_ratio)
        for m in (before, last)
    ]
    if not off_track_twice(
        (last.period_start, values[1]),
        (before.period_start, values[0]),
        target=indicator.target_value,
        direction=indicator.direction.value,
        frequency=frequency,
    ):
        return None
    return {
        "source_type": SourceType.INDICATOR,
        "source_id": last.id,
        "member_id": indicator.member_id,
        "project_id": indicator.project_id,
        "source_detail": {
            "indicator_id": indicator.id,
            "indicator": indicator.name,
            "project": title,
            "unit": indicator.unit,
            "periods": [before.period_start.isoformat(), last.period_start.isoformat()],
            "values": [_number(v) for v in values],
            "target": _number(indicator.target_value),
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
    triggers = [
        *detractor_triggers(since),
        *indicator_triggers(local_today(now) - timedelta(days=HORIZON_DAYS)),
        *complaint_triggers(since),
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
