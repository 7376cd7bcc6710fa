"""Satisfaction figures: answer counts per quarter, member or overall (from the
raw answers or the :class:`ScoreMonth` rollup), the answers behind a score,
invitations and response rates, open alerts and the next questionnaires.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from dashboards.models import ScoreMonth

#: An indicator that misses its target by at most this share of the target is
from dashboards.queries.common import (
    SCORED,
    Filters,
    aware,
    quarter_of,
    scope,
    score_rollup_usable,
)
from members.models import Member, Project, ProjectStatus
from satisfaction import scoring
from satisfaction.models import (
    Alert,
    AlertItem,
    Answer,
    Campaign,
    Invitation,
    Question,
    QuestionType,
    Response,
)

if TYPE_CHECKING:
    import pandas as pd

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
            *scope(filters),
        )
    )


def score_counts(
    filters: Filters, *, by: Literal["quarter", "member", "all"]
) -> pd.DataFrame:
    """Answer counts per (period, question type, commitment, value): the input of
    :func:`satisfaction.scoring.scores_from_count_frame`. ``period`` is the quarter
    label, the member id, or ``"all"`` (one statement)."""
    import pandas as pd

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
    import pandas as pd

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


def answer_points(
    filters: Filters, *, metric: str, limit: int = 5000
) -> list[tuple[date, int]]:
    """(day in Paris, value) of every answer to ``metric``'s questions, oldest
    first (one statement; never a contact's identity)."""
    rows = db.session.execute(
        _answers_joined([Response.submitted_at, Answer.value], filters)
        .where(Question.type == QuestionType(metric))
        .order_by(Response.submitted_at, Response.id)
        .limit(limit)
    ).all()
    return [
        (moment.astimezone(scoring.PARIS).date(), int(value))
        for at, value in rows
        if (moment := aware(at)) is not None
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
    where: list[ColumnElement[bool]] = [
        Invitation.sent_at.is_not(None),
        *scope(filters),
    ]
    if by == "quarter":
        where.append(in_period)
    rows = db.session.execute(
        select(key, *_invitation_counts(in_period, recent_from))
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
            "last_sent_at": aware(last),
            "recent": int(recent),
        }
        for k, sent, answered, last, recent in rows
    ]


def _count_of(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """How many rows of the group meet ``condition`` (0 for none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _invitation_counts(
    in_period: ColumnElement[bool], recent_from: datetime
) -> list[ColumnElement[Any]]:
    """Sent in the period, answered of those, the latest send, recent sends."""
    return [
        _count_of(in_period),
        _count_of(and_(in_period, Invitation.answered_at.is_not(None))),
        func.max(Invitation.sent_at),
        _count_of(Invitation.sent_at >= recent_from),
    ]


def open_alerts(member_id: int, *, limit: int = 20) -> list[dict[str, Any]]:
    """The member's open alerts, oldest first: project, reason and the low
    answers ("items": question type and value), never the contact (two
    statements)."""
    rows = db.session.execute(
        select(
            Alert.id,
            Alert.created_at,
            Alert.reason,
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
    items: dict[int, list[dict[str, Any]]] = {row[0]: [] for row in rows}
    if items:
        for alert_id, kind, value in db.session.execute(
            select(AlertItem.alert_id, Question.type, AlertItem.value)
            .join(Question, Question.id == AlertItem.question_id)
            .where(AlertItem.alert_id.in_(list(items)))
            .order_by(AlertItem.alert_id, AlertItem.id)
        ):
            items[alert_id].append({"type": kind.value, "value": value})
    return [
        {
            "id": i,
            "created_at": at,
            "reason": reason.value,
            "items": items[i],
            "project": title,
            "project_id": pid,
        }
        for i, at, reason, title, pid in rows
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
            *scope(filters),
        )
        .order_by(Campaign.next_run_at, Campaign.id)
        .limit(limit)
    ).all()
    return [
        {"id": i, "name": name, "next_run_at": at, "project_id": pid, "project": title}
        for i, name, at, pid, title in rows
    ]
