"""Refreshing the rollups the dashboards read (PITFALLS §4).

Two tables, written only here: :class:`IndicatorLatest` (each indicator's latest
measured period and value) and :class:`ScoreMonth` (scored answers counted per
member, month, question, commitment and value). Each refresh is one
``DELETE`` + one ``INSERT … SELECT`` computed by the database.

* :func:`refresh_all` rebuilds both (the large demo loader, an empty state);
* :func:`refresh_changed` — the ``dashboards.rollups`` job — rebuilds only what
  changed since the watermark: indicators with a measurement (or a definition)
  updated after it, and the (member, month ≥ earliest changed month) buckets of
  responses submitted after it. The watermark is taken back by
  :data:`OVERLAP` so that a transaction that committed late is not missed
  (recomputing twice is harmless: the rebuild is idempotent).

After each refresh the job also stores the board's quality review of the default
period (:func:`refresh_board`: the association's figures per quarter, per service
type, the members' quartiles and one row per member of the compliance table, in
the ``dashboards_board_*`` tables), so that neither the board's page nor a
member's comparison reads every member's rows on a request.

KPI and satisfaction could call :func:`refresh_indicators` and
:func:`refresh_scores` in their own write transactions; until they do, the
figures the pages show are at most one job period old, and the pages say as of
when (:func:`as_of`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, delete, func, insert, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from dashboards.models import IndicatorLatest, RollupState, ScoreMonth
from kpi.models import Indicator, Measurement
from members.models import Project
from satisfaction import scoring
from satisfaction.models import Answer, Campaign, Question, QuestionType, Response

STATE = "dashboards"
JOB_MINUTES = 10
OVERLAP = timedelta(minutes=5)
SCORED = [QuestionType(kind) for kind in sorted(scoring.SCORED_TYPES)]


def _month_of(column: Any) -> ColumnElement[Any]:
    """The first day of the UTC month of a timestamp column."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.date_trunc("month", func.timezone("UTC", column)), db.Date)
    return func.date(column, "start of month")


def as_of() -> datetime | None:
    """When the rollups were last refreshed (None: never — read the raw rows)."""
    return db.session.scalar(
        select(RollupState.refreshed_at).where(RollupState.name == STATE)
    )


# ---------------------------------------------------------------- indicators


def refresh_indicators(
    *, today: date, indicator_ids: Collection[int] | None = None
) -> None:
    """Rebuild the latest value of the given indicators (all when None)."""
    only = (
        [] if indicator_ids is None else [Measurement.indicator_id.in_(indicator_ids)]
    )
    latest = (
        select(
            Measurement.indicator_id.label("indicator_id"),
            func.max(Measurement.period_start).label("period_start"),
        )
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .where(
            Measurement.granularity == Indicator.frequency,
            Measurement.period_start <= today,
            or_(Measurement.value.is_not(None), Measurement.denominator.is_not(None)),
            *only,
        )
        .group_by(Measurement.indicator_id)
        .subquery("latest")
    )
    value = case(
        (
            Indicator.is_ratio.is_(True),
            Measurement.numerator / func.nullif(Measurement.denominator, 0),
        ),
        else_=Measurement.value,
    )
    rows = (
        select(Indicator.id, Indicator.member_id, latest.c.period_start, value)
        .select_from(latest)
        .join(Indicator, Indicator.id == latest.c.indicator_id)
        .join(
            Measurement,
            and_(
                Measurement.indicator_id == latest.c.indicator_id,
                Measurement.period_start == latest.c.period_start,
                Measurement.granularity == Indicator.frequency,
            ),
        )
    )
    clear = delete(IndicatorLatest)
    if indicator_ids is not None:
        clear = clear.where(IndicatorLatest.indicator_id.in_(indicator_ids))
    db.session.execute(clear)
    db.session.execute(
        insert(IndicatorLatest).from_select(
            ["indicator_id", "member_id", "period_start", "value"], rows
        )
    )


# ---------------------------------------------------------------- scores


def refresh_scores(
    *, member_ids: Collection[int] | None = None, since_month: date | None = None
) -> None:
    """Rebuild the answer counts of the given members from ``since_month`` on
    (everything when both are None)."""
    month = _month_of(Response.submitted_at)
    conditions: list[ColumnElement[bool]] = [
        Response.submitted_at.is_not(None),
        Question.type.in_(SCORED),
        Answer.value.is_not(None),
    ]
    clear = delete(ScoreMonth)
    if member_ids is not None:
        conditions.append(Project.member_id.in_(member_ids))
        clear = clear.where(ScoreMonth.member_id.in_(member_ids))
    if since_month is not None:
        conditions.append(month >= since_month)
        clear = clear.where(ScoreMonth.month >= since_month)
    commitment = func.coalesce(cast(Question.commitment, String), "")
    rows = (
        select(
            Project.member_id,
            month,
            cast(Question.type, String),
            commitment,
            Answer.value,
            func.count(),
        )
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(Project, Project.id == Campaign.project_id)
        .join(Question, Question.id == Answer.question_id)
        .where(*conditions)
        .group_by(Project.member_id, month, Question.type, commitment, Answer.value)
    )
    db.session.execute(clear)
    db.session.execute(
        insert(ScoreMonth).from_select(
            ["member_id", "month", "question_type", "commitment", "value", "count"],
            rows,
        )
    )


# ---------------------------------------------------------------- state


def _mark(now: datetime) -> None:
    from dashboards.services import forget_association_cache

    forget_association_cache()
    state = db.session.get(RollupState, STATE)
    if state is None:
        db.session.add(RollupState(name=STATE, watermark=now, refreshed_at=now))
    else:
        state.watermark = now
        state.refreshed_at = now
    db.session.flush()


def refresh_all(*, now: datetime) -> None:
    """Rebuild both rollups and the board's stored review (the caller commits)."""
    refresh_indicators(today=now.date())
    refresh_scores()
    _mark(now)
    refresh_board(now=now)


# ---------------------------------------------------------------- the board's review


def refresh_board(*, now: datetime, since: date | None = None) -> int:
    """Store the board's quality review of the default period (the last twelve
    months up to ``now``'s day, or from ``since``), computed from the rollups just
    refreshed by the very functions the page used to call; older snapshots of the
    default period go. Returns the snapshot id (the caller commits)."""
    from dashboards import services
    from dashboards.queries import Filters

    today = now.date()
    default_since, _today = services.default_period(today)
    filters = Filters(since=since or default_since, until=today)
    return services.store_board_snapshot(filters, today=today, now=now)


def refresh_changed(now: datetime) -> str:
    """The job: rebuild what changed since the watermark, then move it. Commits."""
    state = db.session.get(RollupState, STATE)
    if state is None:
        refresh_all(now=now)
        db.session.commit()
        return "full"
    since = state.watermark - OVERLAP
    indicators = set(
        db.session.scalars(
            select(Measurement.indicator_id)
            .where(Measurement.updated_at > since)
            .distinct()
        )
    ) | set(
        db.session.scalars(select(Indicator.id).where(Indicator.updated_at > since))
    )
    if indicators:
        refresh_indicators(today=now.date(), indicator_ids=sorted(indicators))
    changed = db.session.execute(
        select(Project.member_id, func.min(Response.submitted_at))
        .join(Campaign, Campaign.project_id == Project.id)
        .join(Response, Response.campaign_id == Campaign.id)
        .where(Response.submitted_at > since)
        .group_by(Project.member_id)
    ).all()
    if changed:
        earliest = min(_as_datetime(first) for _member, first in changed)
        refresh_scores(
            member_ids=sorted({member for member, _first in changed}),
            since_month=earliest.date().replace(day=1),
        )
    _mark(now)
    db.session.commit()
    refresh_board(now=now)
    db.session.commit()
    return f"{len(indicators)} indicators, {len(changed)} members"


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value
