"""Every figure of the dashboards, computed by the database (PITFALLS §3, §4).

Each function issues a fixed number of grouped statements whatever the number of
members, projects, measurements or answers, and returns plain rows or a small
DataFrame of already-aggregated values. The other features' columns are read here
and nowhere else in this package, so that a change of theirs is adapted in one
place.

Period buckets are calendar quarters (``2026-Q1``) in UTC, the label format of
:func:`kpi.calculations.bucket_label`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

import pandas as pd
from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from core.security import Role
from dashboards.models import (
    BoardComment,
    BoardCompliance,
    BoardRate,
    BoardScore,
    BoardSnapshot,
    BoardSpread,
    BoardStatus,
    IndicatorLatest,
    RollupState,
    ScoreMonth,
)
from kpi.models import Agreement, Direction, Indicator, Measurement
from members.models import Client, ClientContact, Member, Project, ProjectStatus, User
from satisfaction import scoring
from satisfaction.models import (
    Alert,
    Answer,
    Campaign,
    Invitation,
    Question,
    QuestionType,
    Response,
)

#: An indicator that misses its target by at most this share of the target is
#: "at risk"; by more, "off track".
AT_RISK_MARGIN = Decimal("0.10")

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
    from core.database import utcnow

    return utcnow()


def utc_today() -> date:
    return utc_now().date()


def _dialect() -> str:
    return str(db.engine.dialect.name)


def rollups_as_of() -> datetime | None:
    """When the rollups were last refreshed (None: never), once per request."""
    from flask import g, has_request_context

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
    from flask import g, has_request_context

    if has_request_context() and "dashboards_version" in g:
        return g.dashboards_version  # type: ignore[no-any-return]
    latest = _aware(db.session.scalar(select(func.max(BoardSnapshot.computed_at))))
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


def _scope(filters: Filters) -> list[ColumnElement[bool]]:
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


# ---------------------------------------------------------------- association


def association_counts(filters: Filters) -> dict[str, int]:
    """Signatory members, active projects and the clients they cover (2 statements)."""
    members = db.session.scalar(
        select(func.count(Member.id)).where(
            Member.signed_on.is_not(None),
            *([Member.department == filters.department] if filters.department else []),
        )
    )
    projects, clients, covered_members = db.session.execute(
        select(
            func.count(Project.id),
            func.count(func.distinct(Project.client_id)),
            func.count(func.distinct(Project.member_id)),
        )
        .join(Member, Member.id == Project.member_id)
        .where(Project.status == ProjectStatus.ACTIVE, *_scope(filters))
    ).one()
    return {
        "members": int(members or 0),
        "active_projects": int(projects or 0),
        "clients": int(clients or 0),
        "members_with_projects": int(covered_members or 0),
    }


def members_list(filters: Filters) -> list[tuple[int, str, str, str]]:
    """(id, name, department, mark status) of the signatory members, by name."""
    rows = db.session.execute(
        select(Member.id, Member.name, Member.department, Member.mark_status)
        .where(
            Member.signed_on.is_not(None),
            *([Member.department == filters.department] if filters.department else []),
        )
        .order_by(Member.name, Member.id)
    ).all()
    return [(i, name, dep, str(status.value)) for i, name, dep, status in rows]


def departments() -> list[str]:
    return list(
        db.session.scalars(
            select(Member.department).distinct().order_by(Member.department)
        )
    )


# ---------------------------------------------------------------- satisfaction


def _answers_joined(columns: Sequence[Any], filters: Filters) -> Any:
    return (
        select(*columns)
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(Project, Project.id == Campaign.project_id)
        .join(Member, Member.id == Project.member_id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.submitted_at.is_not(None),
            Response.submitted_at >= filters.start,
            Response.submitted_at < filters.end,
            Question.type.in_(SCORED),
            Answer.value.is_not(None),
            *_scope(filters),
        )
    )


def score_counts(
    filters: Filters, *, by: Literal["quarter", "member", "all"]
) -> pd.DataFrame:
    """Answer counts per (period, question type, commitment, value): the input of
    :func:`satisfaction.scoring.scores_from_count_frame`. ``period`` is the quarter
    label, the member id, or ``"all"`` (one statement)."""
    if score_rollup_usable(filters):
        return _score_counts_from_rollup(filters, by=by)
    if by == "quarter":
        key: Any = quarter_of(Response.submitted_at)
    elif by == "member":
        key = Project.member_id
    else:
        key = literal("all")
    key = key.label("period")
    rows = db.session.execute(
        _answers_joined(
            [key, Question.type, Question.commitment, Answer.value, func.count()],
            filters,
        ).group_by(key, Question.type, Question.commitment, Answer.value)
    ).all()
    return pd.DataFrame(
        [
            {
                "period": period,
                "question_type": kind.value,
                "commitment": commitment.value if commitment else None,
                "value": int(value),
                "count": int(n),
            }
            for period, kind, commitment, value, n in rows
        ],
        columns=list(scoring.COUNT_COLUMNS),
    )


def _score_counts_from_rollup(
    filters: Filters, *, by: Literal["quarter", "member", "all"]
) -> pd.DataFrame:
    """:func:`score_counts` from :class:`ScoreMonth` (whole months, one statement)."""
    keys: dict[str, Any] = {
        "quarter": quarter_of(ScoreMonth.month),
        "member": ScoreMonth.member_id,
        "all": literal("all"),
    }
    key = keys[by].label("period")
    total = func.sum(ScoreMonth.count)
    query = (
        select(
            key,
            ScoreMonth.question_type,
            ScoreMonth.commitment,
            ScoreMonth.value,
            total,
        )
        .where(ScoreMonth.month >= filters.since, ScoreMonth.month <= filters.until)
        .group_by(
            key, ScoreMonth.question_type, ScoreMonth.commitment, ScoreMonth.value
        )
    )
    if filters.member_id is not None:
        query = query.where(ScoreMonth.member_id == filters.member_id)
    if filters.department:
        query = query.join(Member, Member.id == ScoreMonth.member_id).where(
            Member.department == filters.department
        )
    return pd.DataFrame(
        [
            {
                "period": period,
                "question_type": kind,
                "commitment": commitment or None,
                "value": int(value),
                "count": int(n),
            }
            for period, kind, commitment, value, n in db.session.execute(query)
        ],
        columns=list(scoring.COUNT_COLUMNS),
    )


def answer_rows(
    filters: Filters, *, metric: str, commitment: str | None, limit: int = 2000
) -> list[dict[str, Any]]:
    """The answers behind a score (source rows): never a contact's identity."""
    conditions = [Question.type == QuestionType(metric)]
    if commitment:
        conditions.append(Question.commitment == commitment)
    rows = db.session.execute(
        _answers_joined(
            [
                Response.id,
                Response.submitted_at,
                Project.id,
                Project.title,
                Campaign.name,
                Question.commitment,
                Answer.value,
            ],
            filters,
        )
        .where(*conditions)
        .order_by(Response.submitted_at.desc(), Response.id)
        .limit(limit)
    ).all()
    return [
        {
            "response_id": rid,
            "submitted_at": at,
            "project_id": pid,
            "project": title,
            "campaign": campaign,
            "commitment": c.value if c else None,
            "value": int(value),
        }
        for rid, at, pid, title, campaign, c, value in rows
    ]


def invitation_figures(
    filters: Filters,
    *,
    by: Literal["member", "project", "quarter", "all"],
    active_since: date | None = None,
) -> list[dict[str, Any]]:
    """Invitations sent in the period and answered (the same cohort), per key;
    ``last_sent_at`` is the latest send ever, ``recent`` counts sends on or after
    ``active_since`` (one statement)."""
    keys: dict[str, Any] = {
        "member": Project.member_id,
        "project": Project.id,
        "quarter": quarter_of(Invitation.sent_at),
        "all": literal("all"),
    }
    key = keys[by].label("key")
    in_period = and_(
        Invitation.sent_at >= filters.start, Invitation.sent_at < filters.end
    )
    recent_from = datetime.combine(active_since or filters.since, time.min).replace(
        tzinfo=UTC
    )
    scope = _scope(filters)
    where: list[ColumnElement[bool]] = [Invitation.sent_at.is_not(None), *scope]
    if by == "quarter":
        where.append(in_period)
    rows = db.session.execute(
        select(
            key,
            func.coalesce(func.sum(case((in_period, 1), else_=0)), 0),
            func.coalesce(
                func.sum(
                    case(
                        (and_(in_period, Invitation.answered_at.is_not(None)), 1),
                        else_=0,
                    )
                ),
                0,
            ),
            func.max(Invitation.sent_at),
            func.coalesce(
                func.sum(case((Invitation.sent_at >= recent_from, 1), else_=0)), 0
            ),
        )
        .select_from(Invitation)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .join(Project, Project.id == Campaign.project_id)
        .join(Member, Member.id == Project.member_id)
        .where(*where)
        .group_by(key)
        .order_by(key)
    ).all()
    return [
        {
            "key": k,
            "sent": int(sent),
            "answered": int(answered),
            "rate": scoring.response_rate(int(answered), int(sent)),
            "last_sent_at": _aware(last),
            "recent": int(recent),
        }
        for k, sent, answered, last, recent in rows
    ]


def _aware(value: Any) -> datetime | None:
    """``max()`` of a timestamp comes back untyped (a string on SQLite)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def open_alerts_by_member(filters: Filters) -> dict[int, int]:
    """Open alerts (to follow up) per member (one statement)."""
    query = (
        select(Alert.member_id, func.count())
        .where(Alert.closed_at.is_(None))
        .group_by(Alert.member_id)
    )
    if filters.member_id is not None:
        query = query.where(Alert.member_id == filters.member_id)
    if filters.department:
        query = query.join(Member, Member.id == Alert.member_id).where(
            Member.department == filters.department
        )
    return {member_id: int(n) for member_id, n in db.session.execute(query)}


def open_alerts(member_id: int, *, limit: int = 20) -> list[dict[str, Any]]:
    """The member's open alerts, oldest first (project and reason, no contact)."""
    rows = db.session.execute(
        select(
            Alert.id,
            Alert.created_at,
            Alert.reason,
            Alert.value,
            Project.title,
            Project.id,
        )
        .join(Response, Response.id == Alert.response_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(Project, Project.id == Campaign.project_id)
        .where(Alert.member_id == member_id, Alert.closed_at.is_(None))
        .order_by(Alert.created_at, Alert.id)
        .limit(limit)
    ).all()
    return [
        {
            "id": i,
            "created_at": at,
            "reason": reason.value,
            "value": value,
            "project": title,
            "project_id": pid,
        }
        for i, at, reason, value, title, pid in rows
    ]


def next_campaigns(
    filters: Filters, *, now: datetime, limit: int = 10
) -> list[dict[str, Any]]:
    """The next questionnaires due (campaigns not paused), soonest first."""
    rows = db.session.execute(
        select(
            Campaign.id, Campaign.name, Campaign.next_run_at, Project.id, Project.title
        )
        .join(Project, Project.id == Campaign.project_id)
        .join(Member, Member.id == Project.member_id)
        .where(
            Campaign.is_paused.is_(False),
            Campaign.next_run_at.is_not(None),
            Campaign.next_run_at >= now,
            Project.status == ProjectStatus.ACTIVE,
            *_scope(filters),
        )
        .order_by(Campaign.next_run_at, Campaign.id)
        .limit(limit)
    ).all()
    return [
        {"id": i, "name": name, "next_run_at": at, "project_id": pid, "project": title}
        for i, name, at, pid, title in rows
    ]


def board_comments(filters: Filters, *, limit: int = 50) -> list[dict[str, Any]]:
    """Free-text answers whose client allowed the board to read them (no names)."""
    rows = db.session.execute(
        select(Answer.text, Response.submitted_at, Member.name, Project.service_type)
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(Project, Project.id == Campaign.project_id)
        .join(Member, Member.id == Project.member_id)
        .where(
            Response.share_with_board.is_(True),
            Response.submitted_at.is_not(None),
            Response.submitted_at >= filters.start,
            Response.submitted_at < filters.end,
            Answer.text.is_not(None),
            Answer.text != "",
            *_scope(filters),
        )
        .order_by(Response.submitted_at.desc())
        .limit(limit)
    ).all()
    return [
        {"text": text, "submitted_at": at, "member": member, "service_type": st.value}
        for text, at, member, st in rows
    ]


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
        *_scope(filters),
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
    return [
        {
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
            "period_start": _as_date(r[11]),
            "value": _as_decimal(r[12]),
            "status": r[13],
        }
        for r in rows
    ]


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.0001"))


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


# ---------------------------------------------------------------- compliance


def agreement_coverage(filters: Filters) -> dict[int, tuple[int, int]]:
    """Per member: (active projects, those with an indicator set the client
    acknowledged) — one statement."""
    agreed = exists(
        select(Agreement.id).where(
            Agreement.project_id == Project.id, Agreement.acknowledged_at.is_not(None)
        )
    )
    rows = db.session.execute(
        select(
            Project.member_id,
            func.count(Project.id),
            func.coalesce(func.sum(case((agreed, 1), else_=0)), 0),
        )
        .join(Member, Member.id == Project.member_id)
        .where(Project.status == ProjectStatus.ACTIVE, *_scope(filters))
        .group_by(Project.member_id)
    ).all()
    return {m: (int(total), int(ok)) for m, total, ok in rows}


def project_agreed(project_ids: Sequence[int]) -> set[int]:
    """The projects among ``project_ids`` whose client acknowledged an indicator set."""
    if not project_ids:
        return set()
    return set(
        db.session.scalars(
            select(Agreement.project_id)
            .where(
                Agreement.project_id.in_(project_ids),
                Agreement.acknowledged_at.is_not(None),
            )
            .distinct()
        )
    )


def open_complaints_by_member(filters: Filters) -> dict[int, int] | None:
    """Open complaints per member, or None when the mediation feature is absent."""
    try:
        from mediation import workflow
        from mediation.models import Complaint
    except ImportError:  # pragma: no cover - the feature ships with the app
        return None
    query = (
        select(Complaint.member_id, func.count())
        .where(
            Complaint.verified_at.is_not(None),
            Complaint.status.not_in(list(workflow.CLOSED_STATUSES)),
        )
        .group_by(Complaint.member_id)
    )
    if filters.department:
        query = query.join(Member, Member.id == Complaint.member_id).where(
            Member.department == filters.department
        )
    return {m: int(n) for m, n in db.session.execute(query)}


# ---------------------------------------------------------------- member projects


def active_projects(filters: Filters) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Project.id, Project.title, Project.service_type, Client.id, Client.name)
        .join(Client, Client.id == Project.client_id)
        .join(Member, Member.id == Project.member_id)
        .where(Project.status == ProjectStatus.ACTIVE, *_scope(filters))
        .order_by(Project.title, Project.id)
    ).all()
    return [
        {
            "id": pid,
            "title": title,
            "service_type": st.value,
            "client_id": cid,
            "client": cname,
        }
        for pid, title, st, cid, cname in rows
    ]


def member_clients(member_id: int) -> list[tuple[int, str]]:
    return [
        (i, n)
        for i, n in db.session.execute(
            select(Client.id, Client.name)
            .where(Client.member_id == member_id)
            .order_by(Client.name)
        )
    ]


def get_member(member_id: int) -> Member | None:
    return db.session.get(Member, member_id)


def get_project(member_id: int, project_id: int) -> Project | None:
    return db.session.scalar(
        select(Project).where(Project.id == project_id, Project.member_id == member_id)
    )


# ---------------------------------------------------------------- client portal


def contacts_with_email(email: str) -> list[ClientContact]:
    return list(
        db.session.scalars(
            select(ClientContact).where(
                func.lower(ClientContact.email) == email.lower()
            )
        )
    )


def portal_projects(email: str) -> list[dict[str, Any]]:
    """The projects of the clients this address is a contact of (not proposals)."""
    rows = db.session.execute(
        select(
            Project.id,
            Project.title,
            Project.service_type,
            Project.status,
            Project.starts_on,
            Project.ends_on,
            Member.id,
            Member.name,
            Client.name,
        )
        .join(Client, Client.id == Project.client_id)
        .join(Member, Member.id == Project.member_id)
        .join(ClientContact, ClientContact.client_id == Client.id)
        .where(
            func.lower(ClientContact.email) == email.lower(),
            Project.status != ProjectStatus.PROPOSAL,
        )
        .distinct()
        .order_by(Project.title, Project.id)
    ).all()
    return [
        {
            "id": r[0],
            "title": r[1],
            "service_type": r[2].value,
            "status": r[3].value,
            "starts_on": r[4],
            "ends_on": r[5],
            "member_id": r[6],
            "member": r[7],
            "client": r[8],
        }
        for r in rows
    ]


def portal_responses(email: str, project_id: int) -> list[dict[str, Any]]:
    """The questionnaires this address answered for the project."""
    rows = db.session.execute(
        select(Response.id, Response.submitted_at, Campaign.name)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(ClientContact, ClientContact.id == Invitation.contact_id)
        .where(
            func.lower(ClientContact.email) == email.lower(),
            Campaign.project_id == project_id,
            Response.submitted_at.is_not(None),
        )
        .order_by(Response.submitted_at.desc())
    ).all()
    return [{"id": i, "submitted_at": at, "campaign": name} for i, at, name in rows]


def member_admin_emails(member_id: int) -> list[tuple[str, str]]:
    """(e-mail, locale) of the member's active administrators."""
    return [
        (email, locale)
        for email, locale in db.session.execute(
            select(User.email, User.locale)
            .where(
                User.member_id == member_id,
                User.role == Role.MEMBER_ADMIN,
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    ]


def digest_recipients() -> list[User]:
    """Active member administrators and board users."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.is_active.is_(True),
                User.role.in_([Role.MEMBER_ADMIN, Role.BOARD]),
            )
            .order_by(User.id)
        )
    )


# ---------------------------------------------------------------- the stored review


def board_snapshot(filters: Filters, *, today: date) -> BoardSnapshot | None:
    """The review the rollup job stored for the period (judged on ``today``)."""
    return db.session.scalar(
        select(BoardSnapshot).where(
            BoardSnapshot.since == filters.since,
            BoardSnapshot.until == filters.until,
            BoardSnapshot.on_date == today,
        )
    )


def snapshot_score_counts(snapshot_id: int) -> pd.DataFrame:
    """The stored per-quarter answer counts, as :func:`score_counts` gives them."""
    rows = db.session.execute(
        select(
            BoardScore.quarter,
            BoardScore.question_type,
            BoardScore.commitment,
            BoardScore.value,
            BoardScore.count,
        ).where(BoardScore.snapshot_id == snapshot_id)
    ).all()
    return pd.DataFrame(
        [
            {
                "period": quarter,
                "question_type": kind,
                "commitment": commitment or None,
                "value": int(value),
                "count": int(n),
            }
            for quarter, kind, commitment, value, n in rows
        ],
        columns=list(scoring.COUNT_COLUMNS),
    )


def snapshot_rates(snapshot_id: int) -> list[dict[str, Any]]:
    """The stored invitations per quarter (as :func:`invitation_figures` gives them)."""
    rows = db.session.execute(
        select(BoardRate.quarter, BoardRate.sent, BoardRate.answered)
        .where(BoardRate.snapshot_id == snapshot_id)
        .order_by(BoardRate.quarter)
    ).all()
    return [
        {
            "key": quarter,
            "sent": int(sent),
            "answered": int(answered),
            "rate": scoring.response_rate(int(answered), int(sent)),
        }
        for quarter, sent, answered in rows
    ]


def snapshot_statuses(snapshot_id: int) -> list[tuple[Any, str, int]]:
    """(service type, status, indicators) as :func:`status_counts` gives them."""
    return [
        (key, status, int(n))
        for key, status, n in db.session.execute(
            select(BoardStatus.service_type, BoardStatus.status, BoardStatus.count)
            .where(BoardStatus.snapshot_id == snapshot_id)
            .order_by(BoardStatus.service_type, BoardStatus.status)
        )
    ]


def snapshot_spreads(snapshot_id: int) -> list[BoardSpread]:
    return list(
        db.session.scalars(
            select(BoardSpread)
            .where(BoardSpread.snapshot_id == snapshot_id)
            .order_by(BoardSpread.metric, BoardSpread.commitment)
        )
    )


def snapshot_comments(snapshot_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(
            BoardComment.text,
            BoardComment.submitted_at,
            BoardComment.member,
            BoardComment.service_type,
        )
        .where(BoardComment.snapshot_id == snapshot_id)
        .order_by(BoardComment.position)
    ).all()
    return [
        {"text": text, "submitted_at": at, "member": member, "service_type": st}
        for text, at, member, st in rows
    ]


#: The compliance table's orders, each served by an index on (snapshot, rank).
COMPLIANCE_ORDERS: dict[str, Any] = {
    "worst": BoardCompliance.worst_rank,
    "name": BoardCompliance.name_rank,
    "rate": BoardCompliance.rate_rank,
    "alerts": BoardCompliance.alerts_rank,
    "nps": BoardCompliance.nps_rank,
}
#: The compliance table's filters on its traffic lights.
COMPLIANCE_FILTERS: dict[str, ColumnElement[bool] | None] = {
    "all": None,
    "red": BoardCompliance.reds > 0,
    "attention": or_(BoardCompliance.reds > 0, BoardCompliance.ambers > 0),
    "compliant": and_(BoardCompliance.reds == 0, BoardCompliance.ambers == 0),
}


def compliance_page(
    snapshot_id: int,
    *,
    department: str | None,
    search: str,
    light: str,
    order: str,
    offset: int,
    limit: int,
) -> tuple[list[BoardCompliance], int]:
    """One page of the stored compliance table and the number of matching rows
    (two statements, each reading at most the page through an index — a search
    by name reads the period's rows of the table, not the members' raw rows)."""
    where: list[ColumnElement[bool]] = [BoardCompliance.snapshot_id == snapshot_id]
    if department:
        where.append(BoardCompliance.department == department)
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%")
        escaped = escaped.replace("_", "\\_")
        where.append(BoardCompliance.search_name.like(f"%{escaped}%", escape="\\"))
    condition = COMPLIANCE_FILTERS[light]
    if condition is not None:
        where.append(condition)
    rows = list(
        db.session.scalars(
            select(BoardCompliance)
            .where(*where)
            .order_by(COMPLIANCE_ORDERS[order])
            .offset(offset)
            .limit(limit)
        )
    )
    total = db.session.scalar(select(func.count()).where(*where))
    return rows, int(total or 0)


def compliance_rows(
    snapshot_id: int, *, department: str | None = None
) -> list[BoardCompliance]:
    """Every stored row (the exports), by name."""
    query = select(BoardCompliance).where(BoardCompliance.snapshot_id == snapshot_id)
    if department:
        query = query.where(BoardCompliance.department == department)
    return list(db.session.scalars(query.order_by(BoardCompliance.name_rank)))
