"""Measurements written through the API: batches, all or nothing, idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit
from core.database import utcnow
from core.extensions import db
from kpi.importers import Point
from kpi.models import Indicator, Source
from kpi.periods import period_start_for
from kpi.services.errors import KpiInputError
from kpi.services.measurements import apply_plan, check_point, plan_values
from kpi.signals import notify_measurements_changed

MAX_BATCH = 10_000


@dataclass(frozen=True)
class MeasurementInput:
    indicator_id: int
    period_start: date
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


class BatchRefused(KpiInputError):
    """Some items are wrong: nothing was written. ``errors`` lists them."""

    def __init__(self, message: object, errors: list[dict[str, object]]) -> None:
        super().__init__(message)
        self.errors = errors


def write_measurements(
    member_id: int,
    items: Sequence[MeasurementInput],
    *,
    now: datetime | None = None,
) -> dict[str, int]:
    """Store every item or none; the same item twice changes nothing.

    :raises BatchRefused: with one entry per wrong item.
    """
    now = now or utcnow()
    if len(items) > MAX_BATCH:
        raise BatchRefused(
            _l("Au plus %(max)d mesures par requête.", max=MAX_BATCH), []
        )
    indicators = _owned_indicators(member_id, items)
    points, errors = _points_by_indicator(items, indicators)
    if errors:
        db.session.rollback()
        raise BatchRefused(
            _l(
                "%(count)d mesure(s) refusée(s) : rien n'a été enregistré.",
                count=len(errors),
            ),
            errors,
        )
    counts, written = _store(points, indicators, now=now)
    audit.record(
        None,
        "measurement.api_write",
        object_type="member",
        object_id=member_id,
        member_id=member_id,
        detail=dict(counts),
    )
    notify_measurements_changed(written, now=now)
    db.session.commit()
    return counts


class _ItemRefused(Exception):
    """One item is wrong: the field it names and why."""

    def __init__(self, field: str, detail: object) -> None:
        super().__init__(field, detail)
        self.field = field
        self.detail = str(detail)


def _owned_indicators(
    member_id: int, items: Sequence[MeasurementInput]
) -> dict[int, Indicator]:
    """The member's indicators among those the items name, by id."""
    ids = {item.indicator_id for item in items}
    return {
        i.id: i
        for i in db.session.scalars(
            select(Indicator).where(
                Indicator.id.in_(ids), Indicator.member_id == member_id
            )
        )
    }


def _points_by_indicator(
    items: Sequence[MeasurementInput], indicators: dict[int, Indicator]
) -> tuple[dict[int, dict[date, Point]], list[dict[str, object]]]:
    """The checked points per indicator and period, and one error per wrong item."""
    errors: list[dict[str, object]] = []
    points: dict[int, dict[date, Point]] = {}
    for index, item in enumerate(items):
        try:
            indicator = indicators.get(item.indicator_id)
            if indicator is None:
                raise _ItemRefused("indicator_id", _l("Indicateur introuvable."))
            point = _checked_point(item, indicator)
            per_indicator = points.setdefault(indicator.id, {})
            if point.period_start in per_indicator:
                raise _ItemRefused(
                    "period_start",
                    _l("Cette période figure deux fois pour cet indicateur."),
                )
        except _ItemRefused as refusal:
            errors.append(
                {"index": index, "field": refusal.field, "detail": refusal.detail}
            )
            continue
        per_indicator[point.period_start] = point
    return points, errors


def _checked_point(item: MeasurementInput, indicator: Indicator) -> Point:
    """The item as a storable point of its indicator.  :raises _ItemRefused:"""
    start = period_start_for(item.period_start, indicator.frequency.value)
    if start != item.period_start:
        raise _ItemRefused(
            "period_start",
            _l(
                "Cet indicateur est suivi par période (%(frequency)s) : "
                "la période commence le %(start)s.",
                frequency=indicator.frequency.value,
                start=start.isoformat(),
            ),
        )
    try:
        return check_point(
            indicator, Point(start, item.value, item.numerator, item.denominator)
        )
    except KpiInputError as error:
        raise _ItemRefused(error.field or "value", error) from error


def _store(
    points: dict[int, dict[date, Point]],
    indicators: dict[int, Indicator],
    *,
    now: datetime,
) -> tuple[dict[str, int], list[int]]:
    """Plan and apply each indicator's points (no commit): the counts, and the
    indicators whose values changed."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    written: list[int] = []
    for indicator_id, by_period in points.items():
        plan = plan_values(indicators[indicator_id], list(by_period.values()))
        apply_plan(plan, source=Source.API, batch_id=None, now=now)
        counts["created"] += len(plan.new)
        counts["updated"] += len(plan.changed)
        counts["unchanged"] += len(plan.unchanged)
        if plan.new or plan.changed:
            written.append(indicator_id)
    return counts, written
