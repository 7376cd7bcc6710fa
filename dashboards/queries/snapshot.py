"""The board's review as the rollup job stored it (``dashboards_board_*``): its
scores, rates, statuses, spreads, comments and the compliance table's pages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from dashboards.models import (
    BoardComment,
    BoardCompliance,
    BoardRate,
    BoardScore,
    BoardSnapshot,
    BoardSpread,
    BoardStatus,
    ScoreMonth,
)
from dashboards.queries.common import Filters, aware
from satisfaction import scoring

if TYPE_CHECKING:
    import pandas as pd


def board_snapshot(filters: Filters, *, today: date) -> BoardSnapshot | None:
    """The review the rollup job stored for the period, department and service
    type of ``filters`` (judged on ``today``)."""
    return db.session.scalar(
        select(BoardSnapshot).where(
            BoardSnapshot.since == filters.since,
            BoardSnapshot.until == filters.until,
            BoardSnapshot.on_date == today,
            BoardSnapshot.department == (filters.department or ""),
            BoardSnapshot.service_type == (filters.service_type or ""),
        )
    )


def oldest_snapshot_at() -> datetime | None:
    """When the oldest stored review was computed (the job stores them all)."""
    return aware(db.session.scalar(select(func.min(BoardSnapshot.computed_at))))


def years_with_answers() -> list[int]:
    """The years of the answers the rollups count (a few rows per month)."""
    months = db.session.scalars(select(ScoreMonth.month).distinct())
    return sorted({month.year for month in months})


def snapshot_score_counts(snapshot_id: int) -> pd.DataFrame:
    """The stored per-quarter answer counts, as :func:`score_counts` gives them."""
    import pandas as pd

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


#: What the filter on one commitment's light keeps (None: every light).
COMMITMENT_LIGHTS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "red": ("red",),
    "attention": ("red", "amber"),
    "compliant": ("green",),
}


def commitment_light_is(code: str, lights: tuple[str, ...]) -> ColumnElement[bool]:
    """The stored light of commitment ``code`` is one of ``lights`` (read from
    the row's JSON: ``json_extract`` on SQLite, ``->>`` on PostgreSQL)."""
    light: ColumnElement[str] = BoardCompliance.commitments[code].as_string()
    return light.in_(lights)


def compliance_page(
    snapshot_id: int,
    *,
    department: str | None,
    search: str,
    light: str,
    order: str,
    commitment: str = "",
    offset: int,
    limit: int,
) -> tuple[list[BoardCompliance], int]:
    """One page of the stored compliance table and the number of matching rows
    (two statements, each reading at most the page through an index — a search
    by name or a commitment's light reads the period's rows of the table, not
    the members' raw rows)."""
    where: list[ColumnElement[bool]] = [BoardCompliance.snapshot_id == snapshot_id]
    if department:
        where.append(BoardCompliance.department == department)
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%")
        escaped = escaped.replace("_", "\\_")
        where.append(BoardCompliance.search_name.like(f"%{escaped}%", escape="\\"))
    if commitment:
        wanted = COMMITMENT_LIGHTS[light]
        if wanted is not None:
            where.append(commitment_light_is(commitment, wanted))
    elif (condition := COMPLIANCE_FILTERS[light]) is not None:
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


def compliance_member(snapshot_id: int, member_id: int) -> BoardCompliance | None:
    """One member's stored row (its primary key: one statement)."""
    return db.session.get(BoardCompliance, (snapshot_id, member_id))
