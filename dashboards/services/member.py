"""A member's cockpit: its projects, indicators, scores and rates, and how it
compares with the association's quartiles (tenancy: every query is filtered by
the member).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dashboards.queries import association as association_queries
from dashboards.queries import common as common_queries
from dashboards.queries import indicators as indicators_queries
from dashboards.queries import member as member_queries
from dashboards.queries import scores as scores_queries
from dashboards.queries import snapshot as snapshot_queries
from dashboards.queries.common import STATUSES, Filters
from dashboards.services.board import association_figures
from dashboards.services.common import (
    HEADLINE_METRICS,
    Spread,
    commitments_of,
    is_missing,
    on_target_share,
    rates_frame,
    score_frame,
    scores_by,
    scores_of_counts,
    spread,
    status_table,
)
from kpi.models import Indicator
from kpi.services import summaries
from members.models import Member, Project
from satisfaction import margins, scoring

if TYPE_CHECKING:
    import pandas as pd

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
    #: Per headline metric, each answer of the period as (day, value).
    answers: dict[str, list[tuple[date, int]]] = field(default_factory=dict)
    #: Per headline metric, the score of the 12 months ending with each month.
    rolling: dict[str, list[margins.RollingPoint]] = field(default_factory=dict)


#: The association's per-member scores, per period, computed once per version
#: of the stored figures (:func:`common_queries.figures_version`): every member
#: dashboard shows the same quartiles, and computing them reads every member's
#: counts.
_ASSOCIATION: dict[tuple[Any, ...], tuple[dict[Any, Any], dict[Any, Any]]] = {}


def forget_association_cache() -> None:
    _ASSOCIATION.clear()


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
    scores, shares = association_figures(association)
    if version is not None:
        if len(_ASSOCIATION) > 32:
            _ASSOCIATION.clear()
        _ASSOCIATION[key] = (scores, shares)
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
    totals = _add_statuses(projects, indicators)
    by_quarter = scores_queries.score_counts(filters, by="quarter")
    overall = scores_queries.score_counts(filters, by="all")
    rates = _project_rates(filters, projects)
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
        **_rolling(filters),
    )


def _rolling(filters: Filters) -> dict[str, Any]:
    """Each answer of the period and the rolling 12-month scores (the answers
    of the 11 months before the period count in its first months)."""
    first = margins.months_between(filters.since, filters.until)[0]
    months = first.year * 12 + first.month - 1 - (ROLLING_MONTHS - 1)
    window = replace(filters, since=date(months // 12, months % 12 + 1, 1))
    answers: dict[str, list[tuple[date, int]]] = {}
    rolling: dict[str, list[margins.RollingPoint]] = {}
    for metric in HEADLINE_METRICS:
        points = scores_queries.answer_points(window, metric=metric)
        answers[metric] = [p for p in points if p[0] >= filters.since]
        rolling[metric] = margins.rolling_scores(
            metric,
            points,
            margins.months_between(filters.since, filters.until),
            window=ROLLING_MONTHS,
        )
    return {"answers": answers, "rolling": rolling}


#: The window of the rolling score a small member can read.
ROLLING_MONTHS = 12


def _add_statuses(
    projects: list[dict[str, Any]], indicators: list[dict[str, Any]]
) -> dict[str, int]:
    """Give each project its indicators per status and whether its client agreed
    them; returns the member's indicators per status."""
    per_project: dict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(STATUSES, 0)
    )
    totals: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for row in indicators:
        per_project[row["project_id"]][row["status"]] += 1
        totals[row["status"]] += 1
    ids = [p["id"] for p in projects]
    agreed = association_queries.project_agreed(ids)
    pending = association_queries.pending_agreements(ids)
    for project in projects:
        project["statuses"] = per_project[project["id"]]
        project["agreed"] = project["id"] in agreed
        # Why it is not agreed: a request the client has not answered, or none.
        project["pending_since"] = pending.get(project["id"])
    return totals


def _project_rates(
    filters: Filters, projects: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Invitations and responses per project, with the project's title."""
    rates = scores_queries.invitation_figures(filters, by="project")
    titles = {p["id"]: p["title"] for p in projects}
    for rate in rates:
        rate["project"] = titles.get(rate["key"], "")
    return rates


def indicator_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

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
                "latest_period": r["period_start"],
                "latest_value": None if r["value"] is None else float(r["value"]),
                "status": r["status"],
            }
            for r in rows
        ]
    )


def project_summaries(indicators: list[Any], bucket: str = "month") -> list[Any]:
    """KPI's own per-bucket values (ratios from Σ components) and status."""
    return summaries(indicators, bucket)  # type: ignore[arg-type]


def member_table(member_id: int, filters: Filters, table: str) -> pd.DataFrame:
    """One table of a member's dashboard, as exported (tenancy: ``member_id``)."""
    filters = filters.for_member(member_id)
    if table == "indicators":
        return indicator_frame(indicators_queries.indicator_rows(filters))
    if table == "scores":
        return score_frame(scores_queries.score_counts(filters, by="quarter"))
    return rates_frame(
        scores_queries.invitation_figures(filters, by="project"), "project_id"
    )


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
        "scores": {m: scores_by(overall, m).get("all") for m in HEADLINE_METRICS},
    }


# ---------------------------------------------------------------- the member's own rows


def member_clients(member_id: int) -> list[tuple[int, str]]:
    """(id, name) of the member's clients (its pages' client filter)."""
    return member_queries.member_clients(member_id)


def get_member(member_id: int) -> Member | None:
    return member_queries.get_member(member_id)


def get_project(member_id: int, project_id: int) -> Project | None:
    """One of the member's projects (another member's is not found)."""
    return member_queries.get_project(member_id, project_id)


def get_indicator(member_id: int, indicator_id: int) -> Indicator | None:
    """One of the member's indicators (another member's is not found)."""
    return indicators_queries.get_indicator(member_id, indicator_id)


def measurement_rows(
    member_id: int, indicator_id: int, filters: Filters
) -> list[dict[str, Any]]:
    """The measurements behind one of the member's indicators in the period."""
    return indicators_queries.measurement_rows(member_id, indicator_id, filters)


def answer_rows(
    filters: Filters, *, metric: str, commitment: str | None
) -> list[dict[str, Any]]:
    """The answers behind a score (never a contact's identity).

    :raises ValueError, LookupError: an unknown metric or commitment.
    """
    return scores_queries.answer_rows(filters, metric=metric, commitment=commitment)
