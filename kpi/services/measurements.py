"""Values of indicators: normalising periods, planning what changes, applying it
(new rows through :mod:`kpi.services.bulk_insert`).

Every way in (manual entry, file import, API) goes through :func:`plan_values`
then :func:`apply_plan`, so that they agree on what is new, changed or unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update

from core import audit
from core.database import utcnow
from core.dates import local_today
from core.extensions import db
from kpi import rules
from kpi.calculations import ratio
from kpi.importers import MAX_ABS_VALUE, Point
from kpi.models import (
    FREQUENCY_LABELS,
    Aggregation,
    Frequency,
    ImportChange,
    Indicator,
    Measurement,
    Source,
)
from kpi.periods import period_start_for
from kpi.services.bulk_insert import CHUNK, insert_points
from kpi.services.common import check_amount, finer_or_equal, parse_amount
from kpi.services.errors import KpiInputError
from kpi.services.history import keep_history
from kpi.signals import notify_measurements_changed
from members.models import User

if TYPE_CHECKING:
    from kpi.importers.columns import PointColumns


@dataclass(frozen=True, slots=True)
class Existing:
    id: int
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    source: Source
    import_batch_id: int | None
    updated_at: datetime


class Plan:
    """What writing ``points`` into ``indicator`` would do.

    The new points of a series kept as arrays stay so (``new_columns``) until
    someone reads ``new``; counts and the bulk insert read the arrays.
    """

    def __init__(
        self,
        indicator: Indicator,
        new: list[Point] | None = None,
        changed: list[tuple[Point, Existing]] | None = None,
        unchanged: list[tuple[Point, Existing]] | None = None,
        *,
        new_columns: PointColumns | None = None,
    ) -> None:
        self.indicator = indicator
        self.new_columns = new_columns
        self._new = None if new_columns is not None else ([] if new is None else new)
        self.changed = changed or []
        self.unchanged = unchanged or []

    @property
    def new(self) -> list[Point]:
        if self._new is None:
            assert self.new_columns is not None
            self._new = self.new_columns.to_points()
            self.new_columns = None
        return self._new

    @property
    def new_count(self) -> int:
        if self.new_columns is not None:
            return len(self.new_columns)
        return len(self.new)

    @property
    def total(self) -> int:
        return self.new_count + len(self.changed) + len(self.unchanged)


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)


def to_frequency(
    points: Sequence[Point],
    *,
    source_granularity: str,
    indicator: Indicator,
    label: str,
) -> tuple[list[Point], list[str]]:
    """Points at the indicator's frequency (finer periods are combined).

    Counts are summed, ratio components are summed and divided again; a "mean"
    indicator averages its periods. :raises KpiInputError: the file is coarser.
    """
    target = indicator.frequency.value
    if not finer_or_equal(source_granularity, target):
        raise KpiInputError(
            _l(
                "« %(label)s » donne des valeurs %(source)s, mais l'indicateur "
                "« %(name)s » est suivi %(target)s : choisissez un indicateur suivi "
                "au moins aussi largement.",
                label=label,
                source=str(FREQUENCY_LABELS[Frequency(source_granularity)]).lower(),
                name=indicator.name,
                target=str(FREQUENCY_LABELS[indicator.frequency]).lower(),
            )
        )
    warnings: list[str] = []
    if source_granularity == target:
        return list(points), warnings
    if source_granularity == "week" and target == "month":
        warnings.append(
            str(
                _l(
                    "« %(label)s » : des semaines sont rattachées au mois de leur "
                    "lundi ; celles qui chevauchent deux mois comptent entièrement "
                    "dans le premier.",
                    label=label,
                )
            )
        )
    groups: dict[date, list[Point]] = {}
    for point in points:
        groups.setdefault(period_start_for(point.period_start, target), []).append(
            point
        )
    combined = []
    for start in sorted(groups):
        members = groups[start]
        lines = tuple(sorted({n for p in members for n in p.lines}))
        if indicator.is_ratio:
            numerator = sum((p.numerator or Decimal(0) for p in members), Decimal(0))
            denominator = sum(
                (p.denominator or Decimal(0) for p in members), Decimal(0)
            )
            combined.append(
                Point(
                    start, ratio(numerator, denominator), numerator, denominator, lines
                )
            )
            continue
        values = [p.value for p in members if p.value is not None]
        if not values:
            continue
        total = sum(values, Decimal(0))
        if indicator.aggregation == Aggregation.MEAN:
            total = ratio(total, Decimal(len(values))) or Decimal(0)
        combined.append(Point(start, total, lines=lines))
    return combined, warnings


def check_period(indicator: Indicator, start: date, *, today: date) -> None:
    """The period rules of :mod:`kpi.rules`.  :raises KpiInputError:"""
    problem = rules.period_problem(start, indicator.frequency.value, today=today)
    if problem is not None:
        raise KpiInputError(problem, field="period_start")


def check_point(indicator: Indicator, point: Point, *, parsed: bool = False) -> Point:
    """The point, with its ratio value computed, if the indicator can store it
    (the sign rules of :mod:`kpi.rules`; the period is :func:`check_period`'s).

    ``parsed``: the values come from :mod:`kpi.importers`, which already refused
    unreadable numbers and more than 4 decimals; sums made by :func:`to_frequency` keep
    that, so only their magnitude is checked again (the hot path of a big import).

    :raises KpiInputError:
    """
    check = _check_magnitude if parsed else check_amount
    if indicator.is_ratio:
        if point.numerator is None or point.denominator is None:
            raise KpiInputError(
                _l(
                    "« %(name)s » est un ratio : il faut ses deux composantes "
                    "(%(num)s et %(den)s).",
                    name=indicator.name,
                    num=indicator.numerator_label or "—",
                    den=indicator.denominator_label or "—",
                ),
                field="numerator",
            )
        check(point.numerator, field="numerator", allow_negative=False)
        check(point.denominator, field="denominator", allow_negative=False)
        return Point(
            point.period_start,
            ratio(point.numerator, point.denominator),
            point.numerator,
            point.denominator,
            point.lines,
        )
    if point.value is None:
        raise KpiInputError(_l("Indiquez une valeur."), field="value")
    check(
        point.value,
        field="value",
        allow_negative=rules.may_be_negative(indicator.kind, is_ratio=False),
    )
    if point.numerator is None and point.denominator is None:
        return point
    return Point(point.period_start, point.value, lines=point.lines)


def _check_magnitude(
    value: Decimal, *, field: str | None = None, allow_negative: bool = True
) -> Decimal:
    """:func:`check_amount` for values a parser already read (fast when fine)."""
    if (
        value.is_finite()
        and -MAX_ABS_VALUE < value < MAX_ABS_VALUE
        and (allow_negative or value >= 0)
    ):
        return value
    return check_amount(value, field=field, allow_negative=allow_negative)


def existing_values(
    indicator: Indicator, starts: Iterable[date]
) -> dict[date, Existing]:
    """Stored values of ``indicator`` for the periods between the first and last."""
    days = list(starts)
    if not days:
        return {}
    rows = db.session.execute(
        select(
            Measurement.period_start,
            Measurement.id,
            Measurement.value,
            Measurement.numerator,
            Measurement.denominator,
            Measurement.source,
            Measurement.import_batch_id,
            Measurement.updated_at,
        ).where(
            Measurement.indicator_id == indicator.id,
            Measurement.granularity == indicator.frequency,
            Measurement.period_start >= min(days),
            Measurement.period_start <= max(days),
        )
    )
    return {row[0]: Existing(*row[1:]) for row in rows}


def plan_values(indicator: Indicator, points: Sequence[Point]) -> Plan:
    """Compare ``points`` (at the indicator's frequency) with what is stored."""
    plan = Plan(indicator)
    stored = existing_values(indicator, (p.period_start for p in points))
    _compare(plan, points, stored)
    return plan


def plan_columns(indicator: Indicator, columns: PointColumns) -> Plan:
    """:func:`plan_values` of points kept as arrays: only the points whose
    period is already stored are built, the new ones stay arrays."""
    if not len(columns):
        return Plan(indicator)
    first, last = columns.periods(0, 1)[0], columns.periods(len(columns) - 1)[0]
    stored = existing_values(indicator, (first, last))
    new, found = columns.split(stored)
    plan = Plan(indicator, new_columns=new)
    _compare(plan, found, stored)
    return plan


def _compare(plan: Plan, points: Sequence[Point], stored: dict[date, Existing]) -> None:
    for point in points:
        found = stored.get(point.period_start)
        if found is None:
            plan.new.append(point)
        elif (
            _same(found.value, point.value)
            and _same(found.numerator, point.numerator)
            and _same(found.denominator, point.denominator)
        ):
            plan.unchanged.append((point, found))
        else:
            plan.changed.append((point, found))


def apply_plan(
    plan: Plan,
    *,
    source: Source,
    batch_id: int | None,
    now: datetime,
    actor_id: int | None = None,
) -> None:
    """Write a plan (no commit: the caller's transaction owns it); every value
    it replaces is kept in the history (:class:`MeasurementRevision`)."""
    insert_points(
        plan.indicator,
        plan.new if plan.new_columns is None else plan.new_columns,
        source=source,
        batch_id=batch_id,
        now=now,
    )
    if not plan.changed:
        return
    keep_history(
        plan.indicator, plan.changed, source=source, actor_id=actor_id, now=now
    )
    if batch_id is not None:
        changes = [
            {
                "batch_id": batch_id,
                "measurement_id": found.id,
                "previous_value": found.value,
                "previous_numerator": found.numerator,
                "previous_denominator": found.denominator,
                "previous_source": found.source,
                "previous_batch_id": found.import_batch_id,
                "previous_updated_at": found.updated_at,
            }
            for _point, found in plan.changed
        ]
        for start in range(0, len(changes), CHUNK):
            db.session.execute(insert(ImportChange), changes[start : start + CHUNK])
    updates = [
        {
            "id": found.id,
            "value": point.value,
            "numerator": point.numerator,
            "denominator": point.denominator,
            "source": source,
            "import_batch_id": batch_id,
            "updated_at": now,
        }
        for point, found in plan.changed
    ]
    for start in range(0, len(updates), CHUNK):
        db.session.execute(update(Measurement), updates[start : start + CHUNK])


# ---------------------------------------------------------------- manual entry


class ValueExists(KpiInputError):
    """The period has another value: replacing it needs an explicit yes."""


def record_measurement(
    actor: User | None,
    indicator: Indicator,
    *,
    day: date,
    value: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    replace: bool = False,
    now: datetime | None = None,
) -> tuple[Measurement, bool]:
    """Record one value typed by a person (``1 234,5`` or ``1,234.5``).

    ``day`` is any day of the period. A different value already stored for the
    period is replaced only with ``replace`` (the old one goes to the history).
    Returns the measurement and whether it changed anything.

    :raises ValueExists: the period has another value and ``replace`` is False.
    :raises KpiInputError: a rule of :mod:`kpi.rules` refuses the value.
    """
    now = now or utcnow()
    start = period_start_for(day, indicator.frequency.value)
    check_period(indicator, start, today=local_today(now))
    if indicator.is_ratio:
        point = Point(
            start,
            None,
            parse_amount(numerator, field="numerator", allow_negative=False),
            parse_amount(denominator, field="denominator", allow_negative=False),
        )
    else:
        point = Point(start, parse_amount(value, field="value"))
    point = check_point(indicator, point)
    plan = plan_values(indicator, [point])
    if plan.changed and not replace:
        _point, found = plan.changed[0]
        raise ValueExists(
            rules.value_exists(
                start,
                indicator.frequency.value,
                value=found.value,
                numerator=found.numerator if indicator.is_ratio else None,
                denominator=found.denominator if indicator.is_ratio else None,
            )
        )
    apply_plan(
        plan,
        source=Source.MANUAL,
        batch_id=None,
        now=now,
        actor_id=actor.id if actor is not None else None,
    )
    measurement = db.session.scalar(
        select(Measurement).where(
            Measurement.indicator_id == indicator.id,
            Measurement.granularity == indicator.frequency,
            Measurement.period_start == start,
        )
    )
    assert measurement is not None
    audit.record(
        actor,
        "measurement.record",
        object_type="measurement",
        object_id=measurement.id,
        member_id=indicator.member_id,
        detail={
            "indicator_id": indicator.id,
            "period_start": start.isoformat(),
            "value": None if point.value is None else str(point.value),
        },
    )
    changed = bool(plan.new or plan.changed)
    if changed:
        notify_measurements_changed([indicator.id], now=now)
    db.session.commit()
    return measurement, changed


def get_measurement(member_id: int | None, measurement_id: int) -> Measurement | None:
    """The member's measurement, or None."""
    if member_id is None:
        return None
    return db.session.scalar(
        select(Measurement)
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .where(Measurement.id == measurement_id, Indicator.member_id == member_id)
    )


def delete_measurement(
    actor: User | None,
    indicator: Indicator,
    measurement: Measurement,
    *,
    now: datetime | None = None,
) -> None:
    """Remove one value."""
    now = now or utcnow()
    db.session.execute(
        delete(ImportChange).where(ImportChange.measurement_id == measurement.id)
    )
    db.session.delete(measurement)
    audit.record(
        actor,
        "measurement.delete",
        object_type="measurement",
        object_id=measurement.id,
        member_id=indicator.member_id,
        detail={
            "indicator_id": indicator.id,
            "period_start": measurement.period_start.isoformat(),
        },
    )
    # A deleted row leaves no timestamp behind: the indicator carries the change
    # for whoever looks for changes since a time (the dashboards' rollup job).
    indicator.updated_at = now
    notify_measurements_changed([indicator.id], now=now)
    db.session.commit()


def recent_measurements(indicator: Indicator, *, limit: int = 24) -> list[Measurement]:
    """The latest values, newest first."""
    return list(
        db.session.scalars(
            select(Measurement)
            .where(
                Measurement.indicator_id == indicator.id,
                Measurement.granularity == indicator.frequency,
            )
            .order_by(Measurement.period_start.desc())
            .limit(limit)
        )
    )


def list_measurements(
    indicator: Indicator,
    *,
    start: date | None,
    end: date | None,
    offset: int,
    limit: int,
) -> tuple[list[Measurement], int]:
    """A page of values (ascending) between ``start`` and ``end``, and the total."""
    from sqlalchemy import func

    query = select(Measurement).where(Measurement.indicator_id == indicator.id)
    if start is not None:
        query = query.where(Measurement.period_start >= start)
    if end is not None:
        query = query.where(Measurement.period_start <= end)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = db.session.scalars(
        query.order_by(Measurement.period_start, Measurement.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return list(page), int(total)


__all__ = [
    "Plan",
    "ValueExists",
    "apply_plan",
    "check_period",
    "check_point",
    "delete_measurement",
    "get_measurement",
    "list_measurements",
    "plan_columns",
    "plan_values",
    "recent_measurements",
    "record_measurement",
    "to_frequency",
]
