"""The rollup job's use cases: refreshing the rollups (:mod:`dashboards.rollups`)
and storing the board's review of the default period (the ``dashboards_board_*``
tables), so that the pages read a few indexed rows. These services own the
commits of the job and of the demo loaders.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, or_, select, text

from core.extensions import db
from dashboards import rollups
from dashboards.models import (
    BoardComment,
    BoardCompliance,
    BoardRate,
    BoardScore,
    BoardSnapshot,
    BoardSpread,
    BoardStatus,
)
from dashboards.queries import snapshot as snapshot_queries
from dashboards.queries.common import Filters
from dashboards.services.board import (
    association_figures,
    compute_board_review,
    forget_reviews,
)
from dashboards.services.common import bin_counts, default_period, spread
from dashboards.services.compliance import compliance_records
from dashboards.services.member import forget_association_cache
from satisfaction import scoring

if TYPE_CHECKING:
    import pandas as pd

# ---------------------------------------------------------------- the stored review


def store_board_snapshot(filters: Filters, *, today: date, now: datetime) -> int:
    """Compute the review of ``filters``' period (association-wide) with the very
    functions the live page uses, and store it — replacing the snapshot of the
    same period and day, dropping those judged on earlier days. The caller
    commits. Returns the snapshot's id."""
    filters = Filters(since=filters.since, until=filters.until)
    review = compute_board_review(filters, today=today)
    scores, shares = association_figures(filters)
    _drop_stale_snapshots(filters, today=today)
    snapshot = BoardSnapshot(
        since=filters.since,
        until=filters.until,
        on_date=today,
        computed_at=now,
        **review.counts,
    )
    db.session.add(snapshot)
    db.session.flush()
    sid = snapshot.id
    _bulk(BoardScore, _score_records(sid, review.quarter_counts))
    _bulk(BoardRate, _rate_records(sid, review.rates))
    _bulk(BoardStatus, _status_records(sid, review.by_service))
    _bulk(BoardSpread, _spread_records(sid, scores, shares))
    _bulk(BoardComment, _comment_records(sid, review.comments))
    _bulk(BoardCompliance, compliance_records(sid, review.compliance))
    return sid


def _drop_stale_snapshots(filters: Filters, *, today: date) -> None:
    """Delete the snapshots judged before ``today`` and today's of the period."""
    stale = select(BoardSnapshot.id).where(
        or_(
            BoardSnapshot.on_date < today,
            (BoardSnapshot.since == filters.since)
            & (BoardSnapshot.until == filters.until)
            & (BoardSnapshot.on_date == today),
        )
    )
    stale_ids = list(db.session.scalars(stale))
    if not stale_ids:
        return
    for model in STORED_PARTS:
        db.session.execute(delete(model).where(model.snapshot_id.in_(stale_ids)))
    db.session.execute(delete(BoardSnapshot).where(BoardSnapshot.id.in_(stale_ids)))


#: The tables of a stored review besides its :class:`BoardSnapshot` row.
STORED_PARTS: tuple[Any, ...] = (
    BoardScore,
    BoardRate,
    BoardStatus,
    BoardSpread,
    BoardComment,
    BoardCompliance,
)


def _bulk(model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(insert(model), rows)


def _score_records(sid: int, by_quarter: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "snapshot_id": sid,
            "quarter": str(row.period),
            "question_type": row.question_type,
            "commitment": row.commitment if isinstance(row.commitment, str) else "",
            "value": int(row.value),
            "count": int(row.count),
        }
        for row in by_quarter.itertuples(index=False)
    ]


def _rate_records(sid: int, rates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "snapshot_id": sid,
            "quarter": str(r["key"]),
            "sent": r["sent"],
            "answered": r["answered"],
        }
        for r in rates
    ]


def _status_records(
    sid: int, by_service: dict[str, dict[str, int]]
) -> list[dict[str, Any]]:
    return [
        {"snapshot_id": sid, "service_type": key, "status": status, "count": n}
        for key, counts in by_service.items()
        for status, n in counts.items()
    ]


def _spread_records(
    sid: int,
    scores: dict[tuple[str, str | None], dict[Any, scoring.Score]],
    shares: dict[Any, Any],
) -> list[dict[str, Any]]:
    """The association's quartiles per score and of the shares on target."""
    spreads = []
    for (metric, commitment), per_member in scores.items():
        values = [
            v.value
            for v in per_member.values()
            if v.is_reliable and v.value is not None
        ]
        spreads.append((metric, commitment or "", spread(values), values))
    share_values = [v for v in shares.values() if v is not None]
    spreads.append(("on_target", "", spread(share_values), share_values))
    return [
        {
            "snapshot_id": sid,
            "metric": metric,
            "commitment": commitment,
            "contributors": stored.contributors,
            "q1": stored.q1,
            "median": stored.median,
            "q3": stored.q3,
            "bins": bin_counts([round(v, 1) for v in values])
            if metric == "nps" and not commitment
            else None,
        }
        for metric, commitment, stored, values in spreads
    ]


def _comment_records(sid: int, comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"snapshot_id": sid, "position": n, **comment}
        for n, comment in enumerate(comments)
    ]


# ---------------------------------------------------------------- the job


def forget_cached_figures() -> None:
    """Drop the in-process caches of figures (the stored ones just changed)."""
    forget_association_cache()
    forget_reviews()


def refresh_board(*, now: datetime, since: date | None = None) -> int:
    """Store the board's quality review of the default period (the last twelve
    months up to ``now``'s day, or from ``since``), computed from the rollups just
    refreshed by the very functions the page used to call; older snapshots of the
    default period go. Returns the snapshot id (the caller commits)."""
    today = now.date()
    default_since, _today = default_period(today)
    filters = Filters(since=since or default_since, until=today)
    return store_board_snapshot(filters, today=today, now=now)


def _board_is_current(now: datetime, since: datetime) -> bool:
    """Today's stored review is recent and nothing it reads changed after ``since``."""
    first, today = default_period(now.date())
    snapshot = snapshot_queries.board_snapshot(
        Filters(since=first, until=today), today=today
    )
    return (
        snapshot is not None
        and snapshot.computed_at > now - rollups.BOARD_MAX_AGE
        and not rollups.board_inputs_changed(since)
    )


def rebuild_figures(*, now: datetime) -> None:
    """Rebuild both rollups and the board's stored review. Commits (with what the
    caller wrote before: the demo loaders' rows and these in one transaction)."""
    rollups.refresh_all(now=now)
    forget_cached_figures()
    refresh_board(now=now)
    db.session.commit()


def refresh_statistics() -> None:
    """Refresh the database planner's statistics (after a bulk load). Commits."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as fresh:
            fresh.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "ANALYZE"
            )
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def refresh_figures(now: datetime) -> str:
    """The ``dashboards.rollups`` job: rebuild what changed since the watermark,
    then move it; store the board's review again unless it is today's and nothing
    it reads changed. Commits (the rollups, then the review)."""
    changes = rollups.refresh_changed(now)
    if changes is None:
        rebuild_figures(now=now)
        return "full"
    forget_cached_figures()
    db.session.commit()
    summary = f"{changes.indicators} indicators, {changes.members} members"
    idle = not changes.indicators and not changes.members
    if idle and _board_is_current(now, changes.since):
        return f"{summary}, board unchanged"
    refresh_board(now=now)
    db.session.commit()
    return summary
