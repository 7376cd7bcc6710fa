"""Indicator figures: each active indicator's latest value in the period and its
status against its target (from the measurements or the
:class:`IndicatorLatest` rollup), status counts and the measurements behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from dashboards.models import IndicatorLatest

#: An indicator that misses its target by at most this share of the target is
from dashboards.queries.common import (
    AT_RISK_MARGIN,
    Filters,
    as_date,
    as_decimal,
    indicator_rollup_usable,
    scope,
)
from kpi.models import Direction, Indicator, Measurement
from members.models import Client, Member, Project, ProjectStatus

# ---------------------------------------------------------------- indicators


def _latest_period(filters: Filters) -> Any:
    """The start of the indicator's latest measured period in the window: a
    subquery correlated to :class:`Indicator`, answered per indicator by the
    ``(indicator_id, period_start, granularity)`` index (read backwards), so
    that its cost follows the indicators listed, not the measurements stored.
    (A grouped subquery over the window made PostgreSQL hash-join every
    measurement of the table: 2.6 s for a past year of the large demo, 0.5 s
    this way.)"""
    earlier = aliased(Measurement)
    return (
        select(func.max(earlier.period_start))
        .where(
            earlier.indicator_id == Indicator.id,
            earlier.granularity == Indicator.frequency,
            earlier.period_start >= filters.since,
            earlier.period_start <= filters.until,
            or_(earlier.value.is_not(None), earlier.denominator.is_not(None)),
        )
        .correlate(Indicator)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class _Latest:
    """Where an indicator's latest value in the period comes from: the raw
    measurements (a grouped subquery) or the :class:`IndicatorLatest` rollup."""

    rollup: bool
    period: Any = None

    @property
    def period_start(self) -> Any:
        if self.rollup:
            return IndicatorLatest.period_start
        return Measurement.period_start

    @property
    def value(self) -> ColumnElement[Any]:
        if self.rollup:
            return IndicatorLatest.__table__.c.value
        return _latest_value()


def _latest(filters: Filters) -> _Latest:
    if indicator_rollup_usable(filters):
        return _Latest(rollup=True)
    return _Latest(rollup=False, period=_latest_period(filters))


def _latest_value() -> ColumnElement[Any]:
    """A ratio's value is its numerator ÷ denominator (None when dividing by 0)."""
    return case(
        (
            Indicator.is_ratio.is_(True),
            Measurement.numerator / func.nullif(Measurement.denominator, 0),
        ),
        else_=Measurement.value,
    )


def status_expression(value: ColumnElement[Any] | None = None) -> ColumnElement[str]:
    """The indicator's status against its target (the one definition, in SQL).

    on track: the target is met; at risk: missed by at most 10 % of the target;
    off track: missed by more; no data: nothing measured in the period.
    """
    value = _latest_value() if value is None else value
    target = Indicator.target_value
    margin = func.abs(target) * float(AT_RISK_MARGIN)
    higher = Indicator.direction == Direction.HIGHER
    return case(
        (target.is_(None), "no_target"),
        (value.is_(None), "no_data"),
        (and_(higher, value >= target), "on_track"),
        (and_(~higher, value <= target), "on_track"),
        (and_(higher, value >= target - margin), "at_risk"),
        (and_(~higher, value <= target + margin), "at_risk"),
        else_="off_track",
    )


def _indicators_joined(
    columns: Sequence[Any], filters: Filters, source: _Latest
) -> Any:
    query = (
        select(*columns)
        .select_from(Indicator)
        .join(Project, Project.id == Indicator.project_id)
        .join(Member, Member.id == Project.member_id)
    )
    active = [
        Indicator.is_active.is_(True),
        Project.status == ProjectStatus.ACTIVE,
        *scope(filters),
    ]
    if source.rollup:
        # A latest value before the period is no value in the period.
        return query.outerjoin(
            IndicatorLatest,
            and_(
                IndicatorLatest.indicator_id == Indicator.id,
                IndicatorLatest.period_start >= filters.since,
            ),
        ).where(*active)
    return query.outerjoin(
        Measurement,
        and_(
            Measurement.indicator_id == Indicator.id,
            Measurement.period_start == source.period,
            Measurement.granularity == Indicator.frequency,
        ),
    ).where(*active)


def indicator_rows(filters: Filters) -> list[dict[str, Any]]:
    """Each active indicator of the active projects with its latest value in the
    period and its status (one statement)."""
    latest = _latest(filters)
    status = status_expression(latest.value).label("status")
    query = _indicators_joined(
        [
            Indicator.id,
            Indicator.name,
            Indicator.unit,
            Indicator.frequency,
            Indicator.direction,
            Indicator.is_ratio,
            Indicator.target_value,
            Project.id,
            Project.title,
            Project.service_type,
            Client.name,
            latest.period_start,
            latest.value.label("value"),
            status,
        ],
        filters,
        latest,
    )
    rows = db.session.execute(
        query.join(Client, Client.id == Project.client_id).order_by(
            Project.title, Project.id, Indicator.name, Indicator.id
        )
    ).all()
    return [_indicator_row(r) for r in rows]


def _indicator_row(r: Any) -> dict[str, Any]:
    return {
        "id": r[0],
        "name": r[1],
        "unit": r[2],
        "frequency": r[3].value,
        "direction": r[4].value,
        "is_ratio": bool(r[5]),
        "target": r[6],
        "project_id": r[7],
        "project": r[8],
        "service_type": r[9].value,
        "client": r[10],
        "period_start": as_date(r[11]),
        "value": as_decimal(r[12]),
        "status": r[13],
    }


def status_counts(
    filters: Filters, *, by: Literal["service_type", "member", "all"]
) -> list[tuple[Any, str, int]]:
    """(key, status, number of indicators) — grouped in SQL (one statement)."""
    latest = _latest(filters)
    status = status_expression(latest.value).label("status")
    keys: dict[str, Any] = {
        "service_type": Project.service_type,
        "member": Project.member_id,
        "all": literal("all"),
    }
    key = keys[by].label("key")
    query = _indicators_joined([key, status, func.count()], filters, latest)
    rows = db.session.execute(query.group_by(key, status)).all()
    return [(k.value if hasattr(k, "value") else k, str(s), int(n)) for k, s, n in rows]


def measurement_rows(
    member_id: int, indicator_id: int, filters: Filters, *, limit: int = 5000
) -> list[dict[str, Any]]:
    """The measurements of one of the member's indicators in the period."""
    rows = db.session.execute(
        select(
            Measurement.id,
            Measurement.period_start,
            Measurement.granularity,
            Measurement.value,
            Measurement.numerator,
            Measurement.denominator,
            Measurement.source,
            Measurement.import_batch_id,
            Measurement.updated_at,
        )
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .where(
            Indicator.id == indicator_id,
            Indicator.member_id == member_id,
            Measurement.period_start >= filters.since,
            Measurement.period_start <= filters.until,
        )
        .order_by(Measurement.period_start, Measurement.granularity)
        .limit(limit)
    ).all()
    return [
        {
            "id": r[0],
            "period_start": r[1],
            "granularity": r[2].value,
            "value": r[3],
            "numerator": r[4],
            "denominator": r[5],
            "source": r[6].value,
            "import_batch_id": r[7],
            "updated_at": r[8],
        }
        for r in rows
    ]


def get_indicator(member_id: int, indicator_id: int) -> Indicator | None:
    return db.session.scalar(
        select(Indicator).where(
            Indicator.id == indicator_id, Indicator.member_id == member_id
        )
    )


def project_indicators(project_id: int) -> list[Indicator]:
    """The active indicators of a project (the caller checked the project's owner)."""
    return list(
        db.session.scalars(
            select(Indicator)
            .where(Indicator.project_id == project_id, Indicator.is_active.is_(True))
            .order_by(Indicator.name, Indicator.id)
        )
    )
