"""Use cases of the dashboards: read-only pictures built from :mod:`dashboards.queries`
(a fixed number of grouped statements each), scored by :mod:`satisfaction.scoring`
— the same functions serve the pages, the exports and the digest — plus the client
portal's magic links (the feature's only writes)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from flask import current_app
from flask_babel import lazy_gettext as _l

from core import audit
from core.database import utcnow
from core.errors import AppError
from core.extensions import db
from core.mail import queue_email
from core.security import hash_token, new_token
from core.urls import external_url
from dashboards.models import PortalLink
from dashboards.queries import association as association_queries
from dashboards.queries import common as common_queries
from dashboards.queries import indicators as indicators_queries
from dashboards.queries import member as member_queries
from dashboards.queries import portal as portal_queries
from dashboards.queries import scores as scores_queries
from dashboards.queries import snapshot as snapshot_queries
from dashboards.queries.common import STATUSES, Filters
from kpi.calculations import last_complete_period
from satisfaction import scoring

#: The association's figures are shown beside a member's only when at least this
#: many members contribute (each with a reliable score, i.e. ≥ 5 answers).
MIN_MEMBERS = 5
PORTAL_LINK_MINUTES = 30
PORTAL_SESSION_HOURS = 8
PORTAL_LINKS_PER_HOUR = 3
#: Response-rate thresholds of the compliance table (%).
RATE_GOOD, RATE_FAIR = 30.0, 15.0
HEADLINE_METRICS = ("nps", "csat")


class DashboardError(AppError):
    """An expected refusal, with a message for the person."""


# ---------------------------------------------------------------- periods


def default_period(today: date) -> tuple[date, date]:
    """The last twelve calendar months up to ``today`` (the current one included):
    whole months, so that the pages read the monthly rollups."""
    months = today.year * 12 + today.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), today


def check_period(since: date, until: date) -> None:
    """:raises DashboardError: an empty or absurd period."""
    if since > until:
        raise DashboardError(_l("La date de début suit la date de fin."), field="since")
    if (until - since).days > 366 * 10:
        raise DashboardError(
            _l("Choisissez une période de dix ans au plus."), field="since"
        )


# ---------------------------------------------------------------- scores


def scores_by(
    counts: pd.DataFrame, metric: str, *, commitment: str | None = None
) -> dict[Any, scoring.Score]:
    """Per ``period`` key, the score of ``metric`` (``commitment`` for ratings)."""
    if metric == "rating_1_5" and commitment is None:
        return {}
    key = (metric, commitment if metric == "rating_1_5" else None)
    return scores_of_counts(counts, only=key).get(key, {})


def scores_of_counts(
    counts: pd.DataFrame, *, only: tuple[str, str | None] | None = None
) -> dict[tuple[str, str | None], dict[Any, scoring.Score]]:
    """Every score of ``counts`` in one pass: {(metric, commitment): {period:
    score}} — the commitment only for ratings (or only the ``only`` key)."""
    distributions: dict[tuple[str, str | None], dict[Any, dict[int, int]]] = (
        defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    )
    for period, kind, commitment, value, n in zip(
        counts["period"],
        counts["question_type"],
        counts["commitment"],
        counts["value"],
        counts["count"],
        strict=True,
    ):
        key = (kind, commitment if kind == "rating_1_5" else None)
        if only is not None and key != only:
            continue
        distributions[key][period][int(value)] += int(n)
    return {
        key: {
            period: scoring.score_from_counts(key[0], dist)
            for period, dist in sorted(per.items(), key=lambda item: str(item[0]))
        }
        for key, per in distributions.items()
    }


def score_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """The exportable table of scores (scoring.scores_from_count_frame)."""
    return scoring.scores_from_count_frame(counts)


def commitments_of(counts: pd.DataFrame) -> list[str]:
    part = counts[
        (counts["question_type"] == "rating_1_5") & counts["commitment"].notna()
    ]
    return sorted({str(c) for c in part["commitment"]})


@dataclass(frozen=True)
class Spread:
    """The association's median and quartiles over its contributing members."""

    contributors: int
    q1: float | None = None
    median: float | None = None
    q3: float | None = None

    @property
    def is_shown(self) -> bool:
        return self.contributors >= MIN_MEMBERS


def spread(values: list[float]) -> Spread:
    if len(values) < MIN_MEMBERS:
        return Spread(len(values))
    q1, median, q3 = statistics.quantiles(sorted(values), n=4, method="inclusive")
    return Spread(len(values), round(q1, 1), round(median, 1), round(q3, 1))


# ---------------------------------------------------------------- indicators


def status_table(rows: list[tuple[Any, str, int]]) -> dict[Any, dict[str, int]]:
    """{key: {status: n}} from :func:`indicators_queries.status_counts` rows."""
    table: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for key, status, n in rows:
        table[key][status] += n
    return dict(table)


def on_target_share(counts: dict[str, int]) -> float | None:
    """% of the indicators with a target and data that are on track."""
    measured = counts["on_track"] + counts["at_risk"] + counts["off_track"]
    return None if measured == 0 else round(100.0 * counts["on_track"] / measured, 1)


def is_missing(row: dict[str, Any], until: date) -> bool:
    """No value for the indicator's last complete period before ``until``."""
    expected = last_complete_period(row["frequency"], until + timedelta(days=1))
    return row["period_start"] is None or row["period_start"] < expected


# ---------------------------------------------------------------- board


@dataclass
class ComplianceRow:
    member_id: int
    name: str
    department: str
    mark_status: str
    projects: int
    agreed: int
    last_sent_at: datetime | None
    sent_recently: int
    sent: int
    answered: int
    rate: float | None
    open_alerts: int
    complaints: int | None
    nps: scoring.Score | None
    lights: dict[str, str] = field(default_factory=dict)


def _lights(row: ComplianceRow) -> dict[str, str]:
    """green / amber / red / none per criterion (shown with a word, not colour alone)."""
    lights: dict[str, str] = {}
    if row.projects == 0:
        lights["agreed"] = "none"
    elif row.agreed == row.projects:
        lights["agreed"] = "green"
    else:
        lights["agreed"] = "amber" if row.agreed else "red"
    lights["sent"] = "green" if row.sent_recently else "red"
    if row.rate is None:
        lights["rate"] = "none"
    else:
        lights["rate"] = (
            "green"
            if row.rate >= RATE_GOOD
            else "amber"
            if row.rate >= RATE_FAIR
            else "red"
        )
    lights["alerts"] = (
        "green" if row.open_alerts == 0 else "amber" if row.open_alerts <= 3 else "red"
    )
    if row.complaints is not None:
        lights["complaints"] = "green" if row.complaints == 0 else "amber"
    return lights


def compliance(
    filters: Filters, *, today: date, by_member: pd.DataFrame | None = None
) -> list[ComplianceRow]:
    """The charter compliance table: one row per signatory member (7 statements,
    6 when the caller already holds the answer counts per member)."""
    year_ago = today - timedelta(days=365)
    members = association_queries.members_list(filters)
    coverage = association_queries.agreement_coverage(filters)
    sends = {
        row["key"]: row
        for row in scores_queries.invitation_figures(
            filters, by="member", active_since=year_ago
        )
    }
    alerts = association_queries.open_alerts_by_member(filters)
    complaints = association_queries.open_complaints_by_member(filters)
    if by_member is None:
        by_member = scores_queries.score_counts(filters, by="member")
    nps = scores_by(by_member, "nps")
    rows = []
    for member_id, name, department, mark in members:
        projects, agreed = coverage.get(member_id, (0, 0))
        send = sends.get(member_id, {})
        row = ComplianceRow(
            member_id=member_id,
            name=name,
            department=department,
            mark_status=mark,
            projects=projects,
            agreed=agreed,
            last_sent_at=send.get("last_sent_at"),
            sent_recently=int(send.get("recent", 0)),
            sent=int(send.get("sent", 0)),
            answered=int(send.get("answered", 0)),
            rate=send.get("rate"),
            open_alerts=alerts.get(member_id, 0),
            complaints=None if complaints is None else complaints.get(member_id, 0),
            nps=nps.get(member_id),
        )
        row.lights = _lights(row)
        rows.append(row)
    return rows


def compliance_frame(rows: list[ComplianceRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "member": r.name,
                "department": r.department,
                "mark_status": r.mark_status,
                "active_projects": r.projects,
                "projects_with_agreed_indicators": r.agreed,
                "last_questionnaire_sent_at": r.last_sent_at.isoformat()
                if r.last_sent_at
                else "",
                "invitations_sent": r.sent,
                "responses": r.answered,
                "response_rate_pct": None if r.rate is None else round(r.rate, 1),
                "open_alerts": r.open_alerts,
                "open_complaints": r.complaints,
                "nps": _reliable_value(r.nps),
                "nps_answers": r.nps.n if r.nps else 0,
                **{f"light_{k}": v for k, v in r.lights.items()},
            }
            for r in rows
        ]
    )


def _reliable_value(score: scoring.Score | None) -> float | None:
    if score is None or not score.is_reliable or score.value is None:
        return None
    return round(score.value, 1)


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

    @property
    def score_table(self) -> pd.DataFrame:
        """The exportable table of the review's scores per quarter."""
        return score_frame(self.quarter_counts)


#: The bands of the members' NPS distribution.
SCORE_BINS: tuple[tuple[float, float], ...] = (
    (-100, -50),
    (-50, 0),
    (0, 25),
    (25, 50),
    (50, 75),
    (75, 100),
)


def bin_counts(values: list[float]) -> list[int]:
    """How many values fall in each band (the last band includes its top)."""
    top = SCORE_BINS[-1][1]
    return [
        sum(1 for v in values if low <= v < high or (high == top and v == high))
        for low, high in SCORE_BINS
    ]


def complaint_figures(
    filters: Filters, *, member_id: int | None = None
) -> dict[str, Any] | None:
    """The mediation feature's figures for the period, when it provides them."""
    try:
        from mediation.services import complaint_figures as figures
    except ImportError:  # pragma: no cover - the feature ships with the app
        return None
    return figures(since=filters.since, until=filters.until, member_id=member_id)


_REVIEWS: dict[tuple[Any, ...], BoardReview] = {}


def board_review(filters: Filters, *, today: date) -> BoardReview:
    """The board's quality review of the association (a fixed number of statements).

    When its figures come from the rollups, it is computed once per period and
    version of the stored figures (it reads every member's figures) and reused.
    """
    if common_queries.figures_as_of(filters) is None:
        return _board_review(filters, today=today)
    key = (filters, today, common_queries.figures_version())
    if key not in _REVIEWS:
        if len(_REVIEWS) > 16:
            _REVIEWS.clear()
        _REVIEWS[key] = _board_review(filters, today=today)
    return _REVIEWS[key]


def _board_review(filters: Filters, *, today: date) -> BoardReview:
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
    )


# ---------------------------------------------------------------- the stored review


def store_board_snapshot(filters: Filters, *, today: date, now: datetime) -> int:
    """Compute the review of ``filters``' period (association-wide) with the very
    functions the live page uses, and store it — replacing the snapshot of the
    same period and day, dropping those judged on earlier days. The caller
    commits. Returns the snapshot's id."""
    from sqlalchemy import delete, insert, or_, select

    from dashboards.models import (
        BoardComment,
        BoardCompliance,
        BoardRate,
        BoardScore,
        BoardSnapshot,
        BoardSpread,
        BoardStatus,
    )

    filters = Filters(since=filters.since, until=filters.until)
    review = _board_review(filters, today=today)
    scores, shares = _association_figures(filters)
    by_quarter = review.quarter_counts

    stale = select(BoardSnapshot.id).where(
        or_(
            BoardSnapshot.on_date < today,
            (BoardSnapshot.since == filters.since)
            & (BoardSnapshot.until == filters.until)
            & (BoardSnapshot.on_date == today),
        )
    )
    stale_ids = list(db.session.scalars(stale))
    if stale_ids:
        for model in (
            BoardScore,
            BoardRate,
            BoardStatus,
            BoardSpread,
            BoardComment,
            BoardCompliance,
        ):
            db.session.execute(delete(model).where(model.snapshot_id.in_(stale_ids)))
        db.session.execute(delete(BoardSnapshot).where(BoardSnapshot.id.in_(stale_ids)))
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

    def bulk(model: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            db.session.execute(insert(model), rows)

    bulk(
        BoardScore,
        [
            {
                "snapshot_id": sid,
                "quarter": str(row.period),
                "question_type": row.question_type,
                "commitment": row.commitment if isinstance(row.commitment, str) else "",
                "value": int(row.value),
                "count": int(row.count),
            }
            for row in by_quarter.itertuples(index=False)
        ],
    )
    bulk(
        BoardRate,
        [
            {
                "snapshot_id": sid,
                "quarter": str(r["key"]),
                "sent": r["sent"],
                "answered": r["answered"],
            }
            for r in review.rates
        ],
    )
    bulk(
        BoardStatus,
        [
            {"snapshot_id": sid, "service_type": key, "status": status, "count": n}
            for key, counts in review.by_service.items()
            for status, n in counts.items()
        ],
    )
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
    bulk(
        BoardSpread,
        [
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
        ],
    )
    bulk(
        BoardComment,
        [
            {"snapshot_id": sid, "position": n, **comment}
            for n, comment in enumerate(review.comments)
        ],
    )
    bulk(BoardCompliance, _compliance_records(sid, review.compliance))
    return sid


def _compliance_records(
    snapshot_id: int, rows: list[ComplianceRow]
) -> list[dict[str, Any]]:
    """The stored rows, with their place in each order of the table."""

    def reds(r: ComplianceRow) -> int:
        return sum(1 for light in r.lights.values() if light == "red")

    def ambers(r: ComplianceRow) -> int:
        return sum(1 for light in r.lights.values() if light == "amber")

    def nps(r: ComplianceRow) -> float | None:
        return _reliable_value(r.nps)

    def by_name(r: ComplianceRow) -> tuple[str, int]:
        return (r.name.lower(), r.member_id)

    def worst(r: ComplianceRow) -> tuple[int, int, str, int]:
        return (-reds(r), -ambers(r), *by_name(r))

    def missing_last(value: float | None) -> tuple[bool, float]:
        return (value is None, 0.0 if value is None else value)

    orders = {
        "worst_rank": worst,
        "name_rank": by_name,
        "rate_rank": lambda r: (*missing_last(r.rate), *worst(r)),
        "alerts_rank": lambda r: (-r.open_alerts, *worst(r)),
        "nps_rank": lambda r: (*missing_last(nps(r)), *worst(r)),
    }
    ranks: dict[str, dict[int, int]] = {
        column: {r.member_id: n for n, r in enumerate(sorted(rows, key=key), start=1)}
        for column, key in orders.items()
    }
    return [
        {
            "snapshot_id": snapshot_id,
            "member_id": r.member_id,
            "name": r.name,
            "search_name": r.name.lower(),
            "department": r.department,
            "mark_status": r.mark_status,
            "projects": r.projects,
            "agreed": r.agreed,
            "last_sent_at": r.last_sent_at,
            "sent_recently": r.sent_recently,
            "sent": r.sent,
            "answered": r.answered,
            "rate": r.rate,
            "open_alerts": r.open_alerts,
            "complaints": r.complaints,
            "nps_value": None if r.nps is None else r.nps.value,
            "nps_n": 0 if r.nps is None else r.nps.n,
            "nps_reliable": bool(r.nps and r.nps.is_reliable),
            "nps_distribution": None
            if r.nps is None
            else {str(k): v for k, v in r.nps.distribution.items()},
            "light_agreed": r.lights["agreed"],
            "light_sent": r.lights["sent"],
            "light_rate": r.lights["rate"],
            "light_alerts": r.lights["alerts"],
            "light_complaints": r.lights.get("complaints"),
            "reds": reds(r),
            "ambers": ambers(r),
            **{column: ranks[column][r.member_id] for column in orders},
        }
        for r in rows
    ]


def _compliance_row(stored: Any) -> ComplianceRow:
    """A stored row as the table shows it."""
    nps = None
    if stored.nps_n or stored.nps_distribution is not None:
        nps = scoring.Score(
            value=stored.nps_value,
            n=stored.nps_n,
            distribution={
                int(k): int(v) for k, v in (stored.nps_distribution or {}).items()
            },
            is_reliable=stored.nps_reliable,
        )
    lights = {
        "agreed": stored.light_agreed,
        "sent": stored.light_sent,
        "rate": stored.light_rate,
        "alerts": stored.light_alerts,
    }
    if stored.light_complaints is not None:
        lights["complaints"] = stored.light_complaints
    return ComplianceRow(
        member_id=stored.member_id,
        name=stored.name,
        department=stored.department,
        mark_status=stored.mark_status,
        projects=stored.projects,
        agreed=stored.agreed,
        last_sent_at=stored.last_sent_at,
        sent_recently=stored.sent_recently,
        sent=stored.sent,
        answered=stored.answered,
        rate=stored.rate,
        open_alerts=stored.open_alerts,
        complaints=stored.complaints,
        nps=nps,
        lights=lights,
    )


@dataclass(frozen=True)
class Listing:
    """How the board lists the compliance table."""

    order: str = "worst"
    light: str = "all"
    search: str = ""
    page: int = 1
    per_page: int = 50


LISTING_ORDERS = tuple(snapshot_queries.COMPLIANCE_ORDERS)
LISTING_FILTERS = tuple(snapshot_queries.COMPLIANCE_FILTERS)


@dataclass
class CompliancePage:
    rows: list[ComplianceRow]
    total: int
    listing: Listing

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.listing.per_page))

    @property
    def first(self) -> int:
        return (
            0 if not self.total else (self.listing.page - 1) * self.listing.per_page + 1
        )

    @property
    def last(self) -> int:
        return min(self.total, self.listing.page * self.listing.per_page)


def _listed(rows: list[ComplianceRow], listing: Listing) -> CompliancePage:
    """The live table (a period without a stored review), listed in Python the
    way :func:`snapshot_queries.compliance_page` lists the stored one."""
    records = {r["member_id"]: r for r in _compliance_records(0, rows)}
    selected = []
    for row in rows:
        record = records[row.member_id]
        if listing.search and listing.search.lower() not in record["search_name"]:
            continue
        if listing.light == "red" and not record["reds"]:
            continue
        if listing.light == "attention" and not (record["reds"] or record["ambers"]):
            continue
        if listing.light == "compliant" and (record["reds"] or record["ambers"]):
            continue
        selected.append(row)
    rank = f"{listing.order}_rank"
    selected.sort(key=lambda r: records[r.member_id][rank])
    start = (listing.page - 1) * listing.per_page
    return CompliancePage(
        selected[start : start + listing.per_page], len(selected), listing
    )


def board_review_page(
    filters: Filters, *, today: date, listing: Listing
) -> tuple[BoardReview, CompliancePage, datetime | None]:
    """The board's review as its page shows it: the stored review of the period
    when the rollup job stored one (a few indexed rows, one page of the
    compliance table), else computed (and cached until the next refresh).
    Returns the review, the page of the compliance table, and as of when."""
    association = Filters(since=filters.since, until=filters.until)
    snapshot = (
        snapshot_queries.board_snapshot(association, today=today)
        if filters.service_type is None
        else None
    )
    if snapshot is None:
        review = board_review(filters, today=today)
        return (
            review,
            _listed(review.compliance, listing),
            common_queries.figures_as_of(filters),
        )
    if filters.department:
        review = board_review(filters, today=today)
    else:
        review = _stored_review(filters, snapshot)
    stored, total = snapshot_queries.compliance_page(
        snapshot.id,
        department=filters.department,
        search=listing.search,
        light=listing.light,
        order=listing.order,
        offset=(listing.page - 1) * listing.per_page,
        limit=listing.per_page,
    )
    page = CompliancePage([_compliance_row(r) for r in stored], total, listing)
    return review, page, snapshot.computed_at


def _stored_review(filters: Filters, snapshot: Any) -> BoardReview:
    by_quarter = snapshot_queries.snapshot_score_counts(snapshot.id)
    all_scores = scores_of_counts(by_quarter)
    rates = snapshot_queries.snapshot_rates(snapshot.id)
    spreads = {
        row.metric: row
        for row in snapshot_queries.snapshot_spreads(snapshot.id)
        if not row.commitment
    }
    member_spread = {
        m: Spread(s.contributors, s.q1, s.median, s.q3)
        for m, s in spreads.items()
        if m in HEADLINE_METRICS
    }
    for metric in HEADLINE_METRICS:
        member_spread.setdefault(metric, Spread(0))
    nps = spreads.get("nps")
    sent = sum(r["sent"] for r in rates)
    answered = sum(r["answered"] for r in rates)
    return BoardReview(
        filters=filters,
        counts={
            "members": snapshot.members,
            "active_projects": snapshot.active_projects,
            "clients": snapshot.clients,
            "members_with_projects": snapshot.members_with_projects,
        },
        trend={m: all_scores.get((m, None), {}) for m in HEADLINE_METRICS},
        heat={
            str(c): points
            for (metric, c), points in all_scores.items()
            if metric == "rating_1_5" and c
        },
        quarters=sorted({str(p) for p in by_quarter["period"]}),
        member_scores={},
        member_spread=member_spread,
        rates=rates,
        rate_total={
            "sent": sent,
            "answered": answered,
            "rate": scoring.response_rate(answered, sent),
        },
        by_service=status_table(snapshot_queries.snapshot_statuses(snapshot.id)),
        compliance=[],
        complaints=complaint_figures(filters),
        comments=snapshot_queries.snapshot_comments(snapshot.id),
        quarter_counts=by_quarter,
        member_bins={"nps": list(nps.bins)} if nps is not None and nps.bins else {},
    )


# ---------------------------------------------------------------- member


@dataclass
class Comparison:
    metric: str
    commitment: str | None
    own: scoring.Score | float | None
    spread: Spread


@dataclass
class MemberDashboard:
    member_id: int
    filters: Filters
    projects: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    status_totals: dict[str, int]
    latest: dict[str, scoring.Score]
    trend: dict[str, dict[str, scoring.Score]]
    commitments: dict[str, scoring.Score]
    rates: list[dict[str, Any]]
    rate_total: dict[str, Any]
    next_due: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    open_alerts: int
    comparison: list[Comparison]
    score_table: pd.DataFrame


#: The association's per-member scores, per period, computed once per version
#: of the stored figures (:func:`common_queries.figures_version`): every member
#: dashboard shows the same quartiles, and computing them reads every member's
#: counts.
_ASSOCIATION: dict[tuple[Any, ...], tuple[dict[Any, Any], dict[Any, Any]]] = {}


def forget_association_cache() -> None:
    _ASSOCIATION.clear()
    _REVIEWS.clear()


def _association_scores(
    association: Filters,
) -> tuple[dict[tuple[str, str | None], dict[Any, scoring.Score]], dict[Any, Any]]:
    version = (
        common_queries.figures_version()
        if common_queries.score_rollup_usable(association)
        else None
    )
    key = (association.since, association.until, version)
    if version is not None and key in _ASSOCIATION:
        return _ASSOCIATION[key]
    scores, shares = _association_figures(association)
    if version is not None:
        if len(_ASSOCIATION) > 32:
            _ASSOCIATION.clear()
        _ASSOCIATION[key] = (scores, shares)
    return scores, shares


def _association_figures(
    association: Filters,
) -> tuple[dict[tuple[str, str | None], dict[Any, scoring.Score]], dict[Any, Any]]:
    """Every member's scores and share on target (reads all members' figures)."""
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


def comparison(
    member_id: int, filters: Filters, *, today: date | None = None
) -> list[Comparison]:
    """The member's NPS, CSAT, commitment scores and share on target beside the
    association's quartiles — only the quartiles, never another member's figure.

    The quartiles come from the review the rollup job stored for the period when
    there is one (three statements, whatever the number of members); otherwise
    they are computed from every member's figures (once per version of the
    stored figures)."""
    association = Filters(since=filters.since, until=filters.until)
    snapshot = (
        None
        if today is None
        else snapshot_queries.board_snapshot(association, today=today)
    )
    if snapshot is not None:
        return _stored_comparison(member_id, association, snapshot.id)
    all_scores, shares = _association_scores(association)
    result = []
    for (metric, commitment), scores in all_scores.items():
        values = [
            s.value for s in scores.values() if s.is_reliable and s.value is not None
        ]
        result.append(
            Comparison(metric, commitment, scores.get(member_id), spread(values))
        )
    values = [v for v in shares.values() if v is not None]
    result.append(Comparison("on_target", None, shares.get(member_id), spread(values)))
    return result


def _stored_comparison(
    member_id: int, association: Filters, snapshot_id: int
) -> list[Comparison]:
    own = association.for_member(member_id)
    counts = scores_queries.score_counts(own, by="all")
    statuses = status_table(indicators_queries.status_counts(own, by="all")).get("all")
    scores = scores_of_counts(counts)
    result = []
    for row in snapshot_queries.snapshot_spreads(snapshot_id):
        stored = Spread(row.contributors, row.q1, row.median, row.q3)
        if row.metric == "on_target":
            share = None if statuses is None else on_target_share(statuses)
            result.append(Comparison("on_target", None, share, stored))
            continue
        commitment = row.commitment or None
        score = scores.get((row.metric, commitment), {}).get("all")
        result.append(Comparison(row.metric, commitment, score, stored))
    order = {m: i for i, m in enumerate(HEADLINE_METRICS)}
    return sorted(
        result,
        key=lambda c: (
            c.metric == "on_target",
            order.get(c.metric, len(order)),
            c.commitment or "",
        ),
    )


def member_dashboard(
    member_id: int, filters: Filters, *, now: datetime
) -> MemberDashboard:
    """A member's cockpit; every query is filtered by ``member_id`` (tenancy)."""
    filters = filters.for_member(member_id)
    indicators = indicators_queries.indicator_rows(filters)
    projects = member_queries.active_projects(filters)
    per_project: dict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(STATUSES, 0)
    )
    totals: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for row in indicators:
        per_project[row["project_id"]][row["status"]] += 1
        totals[row["status"]] += 1
    agreed = association_queries.project_agreed([p["id"] for p in projects])
    for project in projects:
        project["statuses"] = per_project[project["id"]]
        project["agreed"] = project["id"] in agreed
    by_quarter = scores_queries.score_counts(filters, by="quarter")
    overall = scores_queries.score_counts(filters, by="all")
    rates = scores_queries.invitation_figures(filters, by="project")
    titles = {p["id"]: p["title"] for p in projects}
    for rate in rates:
        rate["project"] = titles.get(rate["key"], "")
    total = scores_queries.invitation_figures(filters, by="all")
    alerts_count = association_queries.open_alerts_by_member(filters).get(member_id, 0)
    overall_scores = scores_of_counts(overall)
    quarter_scores = scores_of_counts(by_quarter)
    return MemberDashboard(
        member_id=member_id,
        filters=filters,
        projects=projects,
        indicators=indicators,
        missing=[row for row in indicators if is_missing(row, filters.until)],
        status_totals=totals,
        latest={
            m: overall_scores.get((m, None), {}).get("all")
            or scoring.score_from_counts(m, {})
            for m in HEADLINE_METRICS
        },
        trend={m: quarter_scores.get((m, None), {}) for m in HEADLINE_METRICS},
        commitments={
            c: overall_scores[("rating_1_5", c)]["all"] for c in commitments_of(overall)
        },
        rates=[r for r in rates if r["sent"]],
        rate_total=total[0] if total else {"sent": 0, "answered": 0, "rate": None},
        next_due=scores_queries.next_campaigns(filters, now=now),
        alerts=scores_queries.open_alerts(member_id),
        open_alerts=alerts_count,
        comparison=comparison(member_id, filters, today=now.date()),
        score_table=score_frame(by_quarter),
    )


def indicator_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "project": r["project"],
                "client": r["client"],
                "service_type": r["service_type"],
                "indicator": r["name"],
                "unit": r["unit"],
                "direction": r["direction"],
                "target": None if r["target"] is None else float(r["target"]),
                "latest_period": r["period_start"].isoformat()
                if r["period_start"]
                else "",
                "latest_value": None if r["value"] is None else float(r["value"]),
                "status": r["status"],
            }
            for r in rows
        ]
    )


def project_summaries(indicators: list[Any], bucket: str = "month") -> list[Any]:
    """KPI's own per-bucket values (ratios from Σ components) and status."""
    from kpi.services import summaries

    return summaries(indicators, bucket)  # type: ignore[arg-type]


# ---------------------------------------------------------------- client portal


def request_portal_link(email: str, *, now: datetime | None = None) -> bool:
    """E-mail a sign-in link if ``email`` is a client contact's; say nothing either
    way (no enumeration). At most 3 links per address and hour. Commits once."""
    now = now or utcnow()
    address = email.strip().lower()
    contacts = portal_queries.contacts_with_email(address)
    if not contacts:
        return False
    recent = (
        db.session.query(PortalLink)
        .filter(
            PortalLink.email == address,
            PortalLink.created_at >= now - timedelta(hours=1),
        )
        .count()
    )
    if recent >= PORTAL_LINKS_PER_HOUR:
        return False
    token, digest = new_token()
    link = PortalLink(
        email=address,
        token_hash=digest,
        created_at=now,
        expires_at=now + timedelta(minutes=PORTAL_LINK_MINUTES),
    )
    db.session.add(link)
    db.session.flush()
    queue_email(
        to=contacts[0].email,
        template="dashboards/email/portal_link",
        context={
            "name": contacts[0].name,
            "url": external_url("dashboards.portal_link", token=token),
            "minutes": PORTAL_LINK_MINUTES,
        },
        locale=contacts[0].locale,
        key=f"dashboards.portal_link:{link.id}",
        now=now,
    )
    db.session.commit()
    return True


def consume_portal_link(token: str, *, now: datetime | None = None) -> str:
    """The e-mail address the link was sent to; the link is spent.

    :raises DashboardError: unknown, expired or already used link.
    """
    now = now or utcnow()
    link = (
        db.session.query(PortalLink)
        .filter_by(token_hash=hash_token(token))
        .one_or_none()
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        db.session.rollback()
        raise DashboardError(
            _l(
                "Ce lien n'est plus valable : demandez-en un nouveau, il arrive en quelques minutes."
            )
        )
    # One conditional UPDATE: two clicks at once spend the link once (PITFALLS §8).
    spent = (
        db.session.query(PortalLink)
        .filter(PortalLink.id == link.id, PortalLink.used_at.is_(None))
        .update({PortalLink.used_at: now}, synchronize_session=False)
    )
    if spent != 1:
        db.session.rollback()
        raise DashboardError(_l("Ce lien a déjà servi : demandez-en un nouveau."))
    db.session.commit()
    return link.email


def portal_session_valid(started: float | None, *, now: datetime | None = None) -> bool:
    if started is None:
        return False
    now = now or utcnow()
    begun = datetime.fromtimestamp(started, tz=UTC)
    return now - begun < timedelta(hours=PORTAL_SESSION_HOURS)


def portal_project(email: str, project_id: int) -> dict[str, Any] | None:
    """One of the address's projects, or None (another client's is not found)."""
    for project in portal_queries.portal_projects(email):
        if project["id"] == project_id:
            return project
    return None


def ask_member(
    email: str, project: dict[str, Any], *, message: str, now: datetime | None = None
) -> int:
    """Queue the contact's question to the member's administrators. Commits once.

    :raises DashboardError: empty or too long message, or nobody to write to.
    """
    now = now or utcnow()
    text = message.strip()
    if not text:
        raise DashboardError(_l("Écrivez votre question."), field="message")
    if len(text) > 4000:
        raise DashboardError(_l("4 000 caractères au plus."), field="message")
    recipients = member_queries.member_admin_emails(project["member_id"])
    if not recipients:
        raise DashboardError(
            _l("Cet adhérent n'a pas encore d'administrateur à qui écrire.")
        )
    contact = portal_queries.contacts_with_email(email)[0]
    stamp = now.strftime("%Y%m%d%H%M%S%f")
    for address, locale in recipients:
        queue_email(
            to=address,
            template="dashboards/email/client_question",
            context={
                "contact": contact.name,
                "email": contact.email,
                "project": project["title"],
                "message": text,
            },
            locale=locale,
            key=f"dashboards.question:{contact.id}:{project['id']}:{stamp}:{address}",
            headers={"Reply-To": contact.email},
            now=now,
        )
    audit.record(
        None,
        "dashboards.client_question",
        object_type="project",
        object_id=project["id"],
        member_id=project["member_id"],
        detail={"contact_id": contact.id},
    )
    db.session.commit()
    return len(recipients)


def complaint_url(member_id: int, project_id: int) -> str | None:
    if "mediation.new_complaint" not in current_app.view_functions:
        return None  # pragma: no cover
    from flask import url_for

    return url_for("mediation.new_complaint", member=member_id, project=project_id)


# ---------------------------------------------------------------- labels

STATUS_LABELS = {
    "on_track": _l("En bonne voie"),
    "at_risk": _l("À surveiller"),
    "off_track": _l("Hors trajectoire"),
    "no_data": _l("Sans donnée"),
    "no_target": _l("Sans cible"),
}
LIGHT_LABELS = {
    "green": _l("Conforme"),
    "amber": _l("À améliorer"),
    "red": _l("Non conforme"),
    "none": _l("Sans objet"),
}
CRITERIA_LABELS = {
    "agreed": _l("Indicateurs convenus avec le client"),
    "sent": _l("Questionnaire envoyé depuis 12 mois"),
    "rate": _l("Taux de réponse"),
    "alerts": _l("Alertes ouvertes"),
    "complaints": _l("Plaintes en cours"),
}


# ---------------------------------------------------------------- tables and pages


def board_table(filters: Filters, table: str, *, today: date) -> pd.DataFrame:
    """One table of the quality review, as exported."""
    if table == "compliance":
        snapshot = (
            snapshot_queries.board_snapshot(filters, today=today)
            if filters.service_type is None
            else None
        )
        if snapshot is None:
            return compliance_frame(compliance(filters, today=today))
        stored = snapshot_queries.compliance_rows(
            snapshot.id, department=filters.department
        )
        return compliance_frame([_compliance_row(r) for r in stored])
    if table == "scores":
        return score_frame(scores_queries.score_counts(filters, by="quarter"))
    if table == "indicators_by_service":
        return _status_frame(
            status_table(indicators_queries.status_counts(filters, by="service_type")),
            "service_type",
        )
    return _rates_frame(
        scores_queries.invitation_figures(filters, by="quarter"), "quarter"
    )


def member_table(member_id: int, filters: Filters, table: str) -> pd.DataFrame:
    """One table of a member's dashboard, as exported (tenancy: ``member_id``)."""
    filters = filters.for_member(member_id)
    if table == "indicators":
        return indicator_frame(indicators_queries.indicator_rows(filters))
    if table == "scores":
        return score_frame(scores_queries.score_counts(filters, by="quarter"))
    return _rates_frame(
        scores_queries.invitation_figures(filters, by="project"), "project_id"
    )


def _status_frame(table: dict[Any, dict[str, int]], key: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {key: k, **counts, "on_target_pct": on_target_share(counts)}
            for k, counts in sorted(table.items(), key=lambda item: str(item[0]))
        ],
        columns=[key, *STATUSES, "on_target_pct"],
    )


def _rates_frame(rows: list[dict[str, Any]], key: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                key: r["key"],
                "invitations_sent": r["sent"],
                "responses": r["answered"],
                "response_rate_pct": None if r["rate"] is None else round(r["rate"], 1),
            }
            for r in rows
        ],
        columns=[key, "invitations_sent", "responses", "response_rate_pct"],
    )


def rows_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                k: (v.isoformat() if isinstance(v, date | datetime) else v)
                for k, v in row.items()
            }
            for row in rows
        ]
    )


def score_of_rows(metric: str, rows: list[dict[str, Any]]) -> scoring.Score:
    """The score of the listed answers (the figure the rows explain)."""
    return scoring.score(metric, [row["value"] for row in rows])


def project_page(project: Any, filters: Filters) -> dict[str, Any]:
    """A member's project: its indicators per month (KPI's summaries) and scores."""
    indicators = indicators_queries.project_indicators(project.id)
    scoped = Filters(
        since=filters.since,
        until=filters.until,
        member_id=project.member_id,
        project_id=project.id,
    )
    overall = scores_queries.score_counts(scoped, by="all")
    return {
        "summaries": project_summaries(indicators),
        "rows": indicators_queries.indicator_rows(scoped),
        "scores": {m: scores_by(overall, m).get("all") for m in HEADLINE_METRICS},
        "rates": scores_queries.invitation_figures(scoped, by="all"),
    }


def portal_page(email: str, project: dict[str, Any]) -> dict[str, Any]:
    """What a client contact sees of one of its projects."""
    indicators = indicators_queries.project_indicators(project["id"])
    return {
        "summaries": project_summaries(indicators),
        "agreed": bool(association_queries.project_agreed([project["id"]])),
        "responses": portal_queries.portal_responses(email, project["id"]),
    }
