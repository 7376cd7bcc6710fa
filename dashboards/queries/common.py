"""What every query of the dashboards shares: the filters, the clock, whether
the rollups answer a period, the quarter label and the tenancy conditions.

Period buckets are calendar quarters (``2026-Q1``) in UTC, the label format of
:func:`kpi.calculations.bucket_label`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from flask import g, has_request_context
from sqlalchemy import Integer, String, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from core.database import utcnow
from core.extensions import db
from dashboards.models import BoardSnapshot, RollupState
from kpi.calculations import AT_RISK_MARGIN as AT_RISK_MARGIN  # one definition
from members.models import Member, Project
from satisfaction import scoring
from satisfaction.models import QuestionType

IndicatorStatus = Literal["on_track", "at_risk", "off_track", "no_data", "no_target"]
STATUSES: tuple[IndicatorStatus, ...] = (
    "on_track",
    "at_risk",
    "off_track",
    "no_data",
    "no_target",
)

SCORED = [QuestionType(kind) for kind in sorted(scoring.SCORED_TYPES)]


@dataclass(frozen=True)
class Filters:
    """What a dashboard is restricted to; ``member_id`` is the tenancy filter."""

    since: date
    until: date
    department: str | None = None
    service_type: str | None = None
    client_id: int | None = None
    member_id: int | None = None
    project_id: int | None = None

    def for_member(self, member_id: int) -> Filters:
        return replace(self, member_id=member_id)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min).replace(tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive end (the day after ``until``, at midnight UTC)."""
        return datetime.combine(self.until + timedelta(days=1), time.min).replace(
            tzinfo=UTC
        )


def utc_now() -> datetime:
    return utcnow()


def utc_today() -> date:
    return utc_now().date()


def _dialect() -> str:
    return str(db.engine.dialect.name)


def rollups_as_of() -> datetime | None:
    """When the rollups were last refreshed (None: never), once per request."""
    if has_request_context() and "dashboards_as_of" in g:
        return g.dashboards_as_of  # type: ignore[no-any-return]
    found = db.session.scalar(
        select(RollupState.refreshed_at).where(RollupState.name == "dashboards")
    )
    if has_request_context():
        g.dashboards_as_of = found
    return found


def indicator_rollup_usable(filters: Filters) -> bool:
    """The latest values are in the rollup when the period runs up to its refresh."""
    as_of = rollups_as_of()
    return as_of is not None and filters.until >= as_of.date()


def score_rollup_usable(filters: Filters) -> bool:
    """Answer counts per member and month answer whole months, member-wide."""
    as_of = rollups_as_of()
    if as_of is None or filters.since.day != 1:
        return False
    if filters.service_type or filters.client_id is not None:
        return False
    if filters.project_id is not None:
        return False
    month_end = (filters.until.replace(day=28) + timedelta(days=4)).replace(day=1)
    return filters.until >= as_of.date() or filters.until + timedelta(days=1) == (
        month_end
    )


def figures_version() -> datetime | None:
    """When the stored figures last changed: the latest review the rollup job
    stored (it stores one only when something changed, or every few minutes),
    else the rollups' refresh time. In-process caches key on it rather than on
    :func:`rollups_as_of`, which moves at every run of the job even when
    nothing changed. Once per request."""
    if has_request_context() and "dashboards_version" in g:
        return g.dashboards_version  # type: ignore[no-any-return]
    latest = aware(db.session.scalar(select(func.max(BoardSnapshot.computed_at))))
    version = latest or rollups_as_of()
    if has_request_context():
        g.dashboards_version = version
    return version


def figures_as_of(filters: Filters) -> datetime | None:
    """When the figures a page shows were computed, if they come from the rollups."""
    if indicator_rollup_usable(filters) or score_rollup_usable(filters):
        return rollups_as_of()
    return None


def quarter_of(column: Any) -> ColumnElement[str]:
    """``2026-Q1`` for a date or a UTC timestamp column, computed by the database."""
    if _dialect() == "postgresql":
        return func.to_char(column, 'YYYY-"Q"Q')
    # // : SQLAlchemy 2 makes / a true division (2026-Q1.666…).
    quarter = (cast(func.strftime("%m", column), Integer) + 2) // 3
    return func.strftime("%Y", column).concat("-Q").concat(cast(quarter, String))


def scope(filters: Filters) -> list[ColumnElement[bool]]:
    """Conditions on ``Project`` and ``Member`` (both must be joined)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.member_id is not None:
        conditions.append(Project.member_id == filters.member_id)
    if filters.project_id is not None:
        conditions.append(Project.id == filters.project_id)
    if filters.department:
        conditions.append(Member.department == filters.department)
    if filters.service_type:
        conditions.append(Project.service_type == filters.service_type)
    if filters.client_id is not None:
        conditions.append(Project.client_id == filters.client_id)
    return conditions


def aware(value: Any) -> datetime | None:
    """``max()`` of a timestamp comes back untyped (a string on SQLite)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.0001"))
