"""The rollup job's use cases: refreshing the rollups (:mod:`dashboards.rollups`)
and storing the board's reviews — of the default period for the association,
each department and each service type, and of each year with answers (the
``dashboards_board_*`` tables) — so that the pages, filtered or not, and the
annual report read a few indexed rows on their first request, in every worker.
These services own the commits of the job and of the demo loaders.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import delete, insert, or_, select, text

from core.database import reading_only
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
    BoardReview,
    association_figures,
    compute_board_review,
    forget_reviews,
)
from dashboards.services.common import bin_counts, default_period, departments, spread
from dashboards.services.compliance import compliance_records
from dashboards.services.member import forget_association_cache
from members.models import ServiceType
from satisfaction import scoring

if TYPE_CHECKING:
    import pandas as pd

# ---------------------------------------------------------------- the stored review


class ComputedReview(NamedTuple):
    """A review computed for storing: the page's review and every member's
    scores and share on target (the spreads)."""

    filters: Filters
    today: date
    review: BoardReview
    scores: dict[tuple[str, str | None], dict[Any, scoring.Score]]
    shares: dict[Any, Any]


def compute_stored_review(filters: Filters, *, today: date) -> ComputedReview:
    """The review of ``filters``' period, department and service type, judged on
    ``today``, with the very functions the live page uses (reads only)."""
    filters = Filters(
        since=filters.since,
        until=filters.until,
        department=filters.department or None,
        service_type=filters.service_type or None,
    )
    review = compute_board_review(filters, today=today)
    scores, shares = association_figures(filters, by_member=review.member_counts)
    return ComputedReview(filters, today, review, scores, shares)


def store_board_snapshot(filters: Filters, *, today: date, now: datetime) -> int:
    """Compute the review of ``filters`` judged on ``today`` and store it
    (:func:`write_board_snapshot`). The caller commits. Returns its id."""
    return write_board_snapshot(compute_stored_review(filters, today=today), now=now)


def write_board_snapshot(computed: ComputedReview, *, now: datetime) -> int:
    """Store a computed review — replacing the snapshot of the same review,
    dropping those computed on earlier days. The caller commits. Returns the
    snapshot's id."""
    filters, today, review = computed.filters, computed.today, computed.review
    _drop_stale_snapshots(filters, today=today, now=now)
    snapshot = BoardSnapshot(
        since=filters.since,
        until=filters.until,
        on_date=today,
        department=filters.department or "",
        service_type=filters.service_type or "",
        computed_at=now,
        **review.counts,
    )
    db.session.add(snapshot)
    db.session.flush()
    sid = snapshot.id
    _bulk(BoardScore, _score_records(sid, review.quarter_counts))
    _bulk(BoardRate, _rate_records(sid, review.rates))
    _bulk(BoardStatus, _status_records(sid, review.by_service))
    _bulk(BoardSpread, _spread_records(sid, computed.scores, computed.shares))
    _bulk(BoardComment, _comment_records(sid, review.comments))
    _bulk(BoardCompliance, compliance_records(sid, review.compliance))
    return sid


def _drop_stale_snapshots(filters: Filters, *, today: date, now: datetime) -> None:
    """Delete the snapshots computed before ``now``'s day and today's of the review."""
    stale = select(BoardSnapshot.id).where(
        or_(
            BoardSnapshot.computed_at < datetime.combine(now.date(), time.min, UTC),
            (BoardSnapshot.since == filters.since)
            & (BoardSnapshot.until == filters.until)
            & (BoardSnapshot.on_date == today)
            & (BoardSnapshot.department == (filters.department or ""))
            & (BoardSnapshot.service_type == (filters.service_type or "")),
        )
    )
    _drop_snapshots(list(db.session.scalars(stale)))


def _drop_snapshots(ids: list[int]) -> None:
    if not ids:
        return
    for model in STORED_PARTS:
        db.session.execute(delete(model).where(model.snapshot_id.in_(ids)))
    db.session.execute(delete(BoardSnapshot).where(BoardSnapshot.id.in_(ids)))


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


def board_reviews(today: date, *, since: date | None = None) -> list[Filters]:
    """The reviews the job stores, as their filters: the default period (the
    last twelve months up to ``today``, or from ``since``) for the association,
    each department and each service type; each year with answers and the
    current one, whole (the annual report and the review of that year)."""
    first, _today = default_period(today)
    period = Filters(since=since or first, until=today)
    reviews = [period]
    reviews += [replace(period, department=d) for d in departments()]
    reviews += [replace(period, service_type=kind.value) for kind in ServiceType]
    for year in sorted({*snapshot_queries.years_with_answers(), today.year}):
        if year <= today.year:
            reviews.append(Filters(since=date(year, 1, 1), until=date(year, 12, 31)))
    return reviews


def judged_on(filters: Filters, today: date) -> list[date]:
    """The days a stored review is judged on: ``today``, and for a past year
    also its last day (the annual report judges a year on its last day)."""
    end = min(today, filters.until)
    year = (filters.since, filters.until) == (
        date(filters.since.year, 1, 1),
        date(filters.since.year, 12, 31),
    )
    return [today, end] if year and end != today else [today]


def refresh_board(*, now: datetime, since: date | None = None) -> int:
    """Store the board's reviews (:func:`board_reviews`), computed from the
    rollups just refreshed by the very functions the pages used to call, each
    computed in a transaction of its own that only reads (on SQLite: without
    the write lock, which the web's writes wait for) then stored and committed
    at once; the reviews stored by earlier runs then go. Returns the id of the
    default period's review."""
    today = now.date()
    stored: list[int] = []
    for filters in board_reviews(today, since=since):
        for day in judged_on(filters, today):
            with reading_only():
                computed = compute_stored_review(filters, today=day)
            stored.append(write_board_snapshot(computed, now=now))
            db.session.commit()
    earlier = select(BoardSnapshot.id).where(
        BoardSnapshot.computed_at < now, BoardSnapshot.id.not_in(stored)
    )
    _drop_snapshots(list(db.session.scalars(earlier)))
    db.session.commit()
    return stored[0]


def _board_is_current(now: datetime) -> bool:
    """Today's stored reviews are all there and recent, and nothing they read
    changed since the oldest was computed (less the overlap: a run that failed
    after committing its rollups, or half-way through the reviews, leaves older
    reviews, computed again by the next run)."""
    first, today = default_period(now.date())
    snapshot = snapshot_queries.board_snapshot(
        Filters(since=first, until=today), today=today
    )
    oldest = snapshot_queries.oldest_snapshot_at()
    return (
        snapshot is not None
        and oldest is not None
        and oldest > now - rollups.BOARD_MAX_AGE
        and not rollups.board_inputs_changed(oldest - rollups.OVERLAP)
    )


def rebuild_figures(*, now: datetime) -> None:
    """Rebuild both rollups and the board's stored reviews. Commits: what the
    caller wrote before (the demo loaders' rows) with the rollups, then each
    stored review."""
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
    changes = rollups.refresh_changed(now, commit=db.session.commit)
    if changes is None:
        rebuild_figures(now=now)
        return "full"
    forget_cached_figures()
    db.session.commit()
    summary = f"{changes.indicators} indicators, {changes.members} members"
    idle = not changes.indicators and not changes.members
    if idle and _board_is_current(now):
        return f"{summary}, board unchanged"
    refresh_board(now=now)
    db.session.commit()
    return summary
