"""Measurements written through the API: batches, all or nothing, idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit
from core.database import utcnow
from core.dates import local_today
from core.extensions import db
from kpi import rules
from kpi.importers import Point
from kpi.models import Indicator, Source
from kpi.periods import period_start_for
from kpi.services.common import outside_project_warning
from kpi.services.errors import KpiInputError
from kpi.services.measurements import (
    Plan,
    apply_plan,
    check_period,
    check_point,
    plan_values,
)
from kpi.signals import notify_measurements_changed

MAX_BATCH = 10_000
#: Measurements per page of the API's listing, at most.
MAX_PER_PAGE = 1000


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


class BatchConflict(BatchRefused):
    """Some items would replace a different stored value and the request did not
    say ``replace``: nothing was written. ``errors`` lists them."""


def write_measurements(
    member_id: int,
    items: Sequence[MeasurementInput],
    *,
    replace: bool = False,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Store every item or none; the same item twice changes nothing.

    Returns the counts (``created``, ``updated``, ``unchanged``) and the
    ``warnings`` of :mod:`kpi.rules` (values outside their project's dates are
    stored, and flagged).

    An item for a period that holds a different value replaces it only with
    ``replace`` (the old value goes to the history).

    :raises BatchConflict: values to replace without ``replace``, one entry each.
    :raises BatchRefused: with one entry per wrong item.
    """
    now = now or utcnow()
    if len(items) > MAX_BATCH:
        raise BatchRefused(
            _l("Au plus %(max)d mesures par requête.", max=MAX_BATCH), []
        )
    indicators = _owned_indicators(member_id, items)
    points, errors = _points_by_indicator(items, indicators, today=local_today(now))
    if errors:
        db.session.rollback()
        raise BatchRefused(
            _l(
                "%(count)d mesure(s) refusée(s) : rien n'a été enregistré.",
                count=len(errors),
            ),
            errors,
        )
    plans = [
        plan_values(indicators[indicator_id], list(by_period.values()))
        for indicator_id, by_period in points.items()
    ]
    if not replace:
        _refuse_replacements(items, plans)
    counts, written = _store(plans, now=now)
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
    return {**counts, "warnings": _warnings(plans)}


def _warnings(plans: list[Plan]) -> list[str]:
    """The rules' warnings, one per indicator with values outside its project."""
    warnings = []
    for plan in plans:
        starts = [p.period_start for p in plan.new] + [
            p.period_start for p, _found in plan.changed
        ]
        warning = outside_project_warning(plan.indicator, starts)
        if warning is not None:
            warnings.append(warning)
    return warnings


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
    items: Sequence[MeasurementInput], indicators: dict[int, Indicator], *, today: date
) -> tuple[dict[int, dict[date, Point]], list[dict[str, object]]]:
    """The checked points per indicator and period, and one error per wrong item."""
    errors: list[dict[str, object]] = []
    points: dict[int, dict[date, Point]] = {}
    for index, item in enumerate(items):
        try:
            indicator = indicators.get(item.indicator_id)
            if indicator is None:
                raise _ItemRefused("indicator_id", _l("Indicateur introuvable."))
            point = _checked_point(item, indicator, today=today)
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


def _checked_point(
    item: MeasurementInput, indicator: Indicator, *, today: date
) -> Point:
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
        check_period(indicator, start, today=today)
        return check_point(
            indicator, Point(start, item.value, item.numerator, item.denominator)
        )
    except KpiInputError as error:
        raise _ItemRefused(error.field or "value", error) from error


def _refuse_replacements(items: Sequence[MeasurementInput], plans: list[Plan]) -> None:
    """:raises BatchConflict: one entry per item that would replace a value."""
    index = {(item.indicator_id, item.period_start): n for n, item in enumerate(items)}
    errors: list[dict[str, object]] = []
    for plan in plans:
        indicator = plan.indicator
        for point, found in plan.changed:
            errors.append(
                {
                    "index": index[(indicator.id, point.period_start)],
                    "field": "period_start",
                    "detail": str(
                        rules.value_exists(
                            point.period_start,
                            indicator.frequency.value,
                            value=found.value,
                            numerator=found.numerator if indicator.is_ratio else None,
                            denominator=found.denominator
                            if indicator.is_ratio
                            else None,
                        )
                    ),
                }
            )
    if errors:
        db.session.rollback()
        errors.sort(key=lambda error: int(str(error["index"])))
        raise BatchConflict(
            _l(
                "%(count)d mesure(s) remplaceraient une valeur déjà enregistrée : "
                "rien n'a été enregistré. Pour remplacer, renvoyez la requête avec "
                "\"replace\": true (l'ancienne valeur reste dans l'historique).",
                count=len(errors),
            ),
            errors,
        )


def _store(plans: list[Plan], *, now: datetime) -> tuple[dict[str, int], list[int]]:
    """Apply each indicator's plan (no commit): the counts, and the indicators
    whose values changed."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    written: list[int] = []
    for plan in plans:
        apply_plan(plan, source=Source.API, batch_id=None, now=now)
        counts["created"] += len(plan.new)
        counts["updated"] += len(plan.changed)
        counts["unchanged"] += len(plan.unchanged)
        if plan.new or plan.changed:
            written.append(plan.indicator.id)
    return counts, written
