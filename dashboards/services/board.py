"""The board's quality review of the association, live (cached per version of
the stored figures) or read from the review the rollup job stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dashboards.queries import association as association_queries
from dashboards.queries import common as common_queries
from dashboards.queries import indicators as indicators_queries
from dashboards.queries import scores as scores_queries
from dashboards.queries import snapshot as snapshot_queries
from dashboards.queries.common import Filters
from dashboards.services.common import (
    HEADLINE_METRICS,
    Spread,
    bin_counts,
    commitments_of,
    complaint_figures,
    on_target_share,
    rates_frame,
    score_frame,
    scores_by,
    scores_of_counts,
    spread,
    status_frame,
    status_table,
)
from dashboards.services.compliance import (
    CompliancePage,
    ComplianceRow,
    Listing,
    compliance,
    compliance_frame,
    compliance_row,
    listed,
)
from satisfaction import scoring

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class BoardReview:
    filters: Filters
    counts: dict[str, int]
    trend: dict[str, dict[str, scoring.Score]]  # metric -> quarter -> score
    heat: dict[str, dict[str, scoring.Score]]  # commitment -> quarter -> score
    quarters: list[str]
    member_scores: dict[str, list[float]]  # metric -> reliable member scores
    member_spread: dict[str, Spread]
    rates: list[dict[str, Any]]  # by quarter
    rate_total: dict[str, Any]
    by_service: dict[str, dict[str, int]]
    compliance: list[ComplianceRow]
    complaints: dict[str, Any] | None
    comments: list[dict[str, Any]]
    #: Answer counts per quarter (:func:`scores_queries.score_counts`).
    quarter_counts: pd.DataFrame
    #: Members per NPS band of :data:`SCORE_BINS` (the distribution chart).
    member_bins: dict[str, list[int]] = field(default_factory=dict)
    #: Answer counts per member (computed reviews only: the stored spreads).
    member_counts: pd.DataFrame | None = None

    @property
    def score_table(self) -> pd.DataFrame:
        """The exportable table of the review's scores per quarter."""
        return score_frame(self.quarter_counts)


_REVIEWS: dict[tuple[Any, ...], BoardReview] = {}


def forget_reviews() -> None:
    _REVIEWS.clear()


def board_review(filters: Filters, *, today: date) -> BoardReview:
    """The board's quality review of the association (a fixed number of statements).

    When its figures come from the rollups, it is computed once per period and
    version of the stored figures (it reads every member's figures) and reused.
    """
    if common_queries.figures_as_of(filters) is None:
        return compute_board_review(filters, today=today)
    key = (filters, today, common_queries.figures_version())
    if key not in _REVIEWS:
        if len(_REVIEWS) > 16:
            _REVIEWS.clear()
        _REVIEWS[key] = compute_board_review(filters, today=today)
    return _REVIEWS[key]


def compute_board_review(filters: Filters, *, today: date) -> BoardReview:
    counts = association_queries.association_counts(filters)
    by_quarter = scores_queries.score_counts(filters, by="quarter")
    by_member = scores_queries.score_counts(filters, by="member")
    trend = {m: scores_by(by_quarter, m) for m in HEADLINE_METRICS}
    heat = {
        c: scores_by(by_quarter, "rating_1_5", commitment=c)
        for c in commitments_of(by_quarter)
    }
    quarters = sorted({str(p) for p in by_quarter["period"]})
    member_scores = {
        m: [
            round(s.value, 1)
            for s in scores_by(by_member, m).values()
            if s.is_reliable and s.value is not None
        ]
        for m in HEADLINE_METRICS
    }
    rates = scores_queries.invitation_figures(filters, by="quarter")
    total = scores_queries.invitation_figures(filters, by="all")
    return BoardReview(
        filters=filters,
        counts=counts,
        trend=trend,
        heat=heat,
        quarters=quarters,
        member_scores=member_scores,
        member_spread={m: spread(v) for m, v in member_scores.items()},
        rates=rates,
        rate_total=total[0] if total else {"sent": 0, "answered": 0, "rate": None},
        by_service=status_table(
            indicators_queries.status_counts(filters, by="service_type")
        ),
        compliance=compliance(filters, today=today, by_member=by_member),
        complaints=complaint_figures(filters),
        comments=association_queries.board_comments(filters),
        quarter_counts=by_quarter,
        member_bins={"nps": bin_counts(member_scores["nps"])},
        member_counts=by_member,
    )


def association_figures(
    association: Filters, *, by_member: pd.DataFrame | None = None
) -> tuple[dict[tuple[str, str | None], dict[Any, scoring.Score]], dict[Any, Any]]:
    """Every member's scores and share on target (reads all members' figures;
    ``by_member``: their answer counts when already read)."""
    if by_member is None:
        by_member = scores_queries.score_counts(association, by="member")
    keys: list[tuple[str, str | None]] = [(m, None) for m in HEADLINE_METRICS]
    keys += [("rating_1_5", c) for c in commitments_of(by_member)]
    scores = {
        (metric, commitment): scores_by(by_member, metric, commitment=commitment)
        for metric, commitment in keys
    }
    shares = {
        member: on_target_share(counts)
        for member, counts in status_table(
            indicators_queries.status_counts(association, by="member")
        ).items()
    }
    return scores, shares


def board_review_page(
    filters: Filters, *, today: date, listing: Listing
) -> tuple[BoardReview, CompliancePage, datetime | None]:
    """The board's review as its page shows it: the stored review of the filters
    when the rollup job stored one (a few indexed rows, one page of the
    compliance table), else computed (and cached in the process until the next
    refresh) — with the stored compliance table of the association when only a
    department is chosen. Returns the review, the page of the compliance table,
    and as of when."""
    snapshot = snapshot_queries.board_snapshot(filters, today=today)
    if snapshot is not None:
        review = _stored_review(filters, snapshot)
    else:
        review = board_review(filters, today=today)
        snapshot = _association_snapshot(filters, today=today)
        if snapshot is None:
            return (
                review,
                listed(review.compliance, listing),
                common_queries.figures_as_of(filters),
            )
    stored, total = snapshot_queries.compliance_page(
        snapshot.id,
        department=filters.department,
        search=listing.search,
        light=listing.light,
        order=listing.order,
        commitment=listing.commitment,
        offset=(listing.page - 1) * listing.per_page,
        limit=listing.per_page,
    )
    page = CompliancePage([compliance_row(r) for r in stored], total, listing)
    return review, page, snapshot.computed_at


def _association_snapshot(filters: Filters, *, today: date) -> Any:
    """The association's stored review, whose compliance rows serve a department
    (not a service type: a member's lights differ with it)."""
    if filters.department is None or filters.service_type is not None:
        return None
    return snapshot_queries.board_snapshot(
        Filters(since=filters.since, until=filters.until), today=today
    )


def stored_board_review(
    filters: Filters, *, today: date
) -> tuple[BoardReview, datetime | None]:
    """The whole review of ``filters`` (every compliance row: the annual report),
    stored by the rollup job when it stored it, else computed; and as of when."""
    snapshot = snapshot_queries.board_snapshot(filters, today=today)
    if snapshot is None:
        return board_review(filters, today=today), common_queries.figures_as_of(filters)
    review = _stored_review(filters, snapshot)
    review.compliance = [
        compliance_row(r) for r in snapshot_queries.compliance_rows(snapshot.id)
    ]
    return review, snapshot.computed_at


def _stored_review(filters: Filters, snapshot: Any) -> BoardReview:
    by_quarter = snapshot_queries.snapshot_score_counts(snapshot.id)
    all_scores = scores_of_counts(by_quarter)
    rates = snapshot_queries.snapshot_rates(snapshot.id)
    spreads = {
        row.metric: row
        for row in snapshot_queries.snapshot_spreads(snapshot.id)
        if not row.commitment
    }
    nps = spreads.get("nps")
    return BoardReview(
        filters=filters,
        counts={key: getattr(snapshot, key) for key in SNAPSHOT_COUNTS},
        trend={m: all_scores.get((m, None), {}) for m in HEADLINE_METRICS},
        heat={
            str(c): points
            for (metric, c), points in all_scores.items()
            if metric == "rating_1_5" and c
        },
        quarters=sorted({str(p) for p in by_quarter["period"]}),
        member_scores={},
        member_spread=_stored_spreads(spreads),
        rates=rates,
        rate_total=_rate_total(rates),
        by_service=status_table(snapshot_queries.snapshot_statuses(snapshot.id)),
        compliance=[],
        complaints=complaint_figures(filters),
        comments=snapshot_queries.snapshot_comments(snapshot.id),
        quarter_counts=by_quarter,
        member_bins={"nps": list(nps.bins)} if nps is not None and nps.bins else {},
    )


#: The association's counts a stored review keeps.
SNAPSHOT_COUNTS = ("members", "active_projects", "clients", "members_with_projects")


def _stored_spreads(spreads: dict[str, Any]) -> dict[str, Spread]:
    """The headline metrics' stored quartiles (none stored: no contributor)."""
    member_spread = {
        m: Spread(s.contributors, s.q1, s.median, s.q3)
        for m, s in spreads.items()
        if m in HEADLINE_METRICS
    }
    for metric in HEADLINE_METRICS:
        member_spread.setdefault(metric, Spread(0))
    return member_spread


def _rate_total(rates: list[dict[str, Any]]) -> dict[str, Any]:
    sent = sum(r["sent"] for r in rates)
    answered = sum(r["answered"] for r in rates)
    return {
        "sent": sent,
        "answered": answered,
        "rate": scoring.response_rate(answered, sent),
    }


# ---------------------------------------------------------------- tables and pages


def board_table(filters: Filters, table: str, *, today: date) -> pd.DataFrame:
    """One table of the quality review, as exported."""
    if table == "compliance":
        snapshot = snapshot_queries.board_snapshot(
            filters, today=today
        ) or _association_snapshot(filters, today=today)
        if snapshot is None:
            return compliance_frame(compliance(filters, today=today))
        stored = snapshot_queries.compliance_rows(
            snapshot.id, department=filters.department
        )
        return compliance_frame([compliance_row(r) for r in stored])
    if table == "scores":
        return score_frame(scores_queries.score_counts(filters, by="quarter"))
    if table == "indicators_by_service":
        return status_frame(
            status_table(indicators_queries.status_counts(filters, by="service_type")),
            "service_type",
        )
    return rates_frame(
        scores_queries.invitation_figures(filters, by="quarter"), "quarter"
    )
