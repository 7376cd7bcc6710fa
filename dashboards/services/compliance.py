"""The charter compliance table: one row per signatory member with its traffic
lights, live or as the rollup job stored it, listed page by page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dashboards import commitments as rules
from dashboards.queries import association as association_queries
from dashboards.queries import commitments as commitment_queries
from dashboards.queries import scores as scores_queries
from dashboards.queries import snapshot as snapshot_queries
from dashboards.queries.common import Filters
from dashboards.services.common import (
    RATE_FAIR,
    RATE_GOOD,
    default_period,
    reliable_value,
    scores_by,
)
from members.commitments import CommitmentCode
from members.services import current_version
from records.services.common import notice_minimum
from satisfaction import scoring

if TYPE_CHECKING:
    import pandas as pd

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
    #: One light per charter commitment, keyed by its code, in the charter's order.
    commitments: dict[str, str] = field(default_factory=dict)


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
    """The charter compliance table: one row per signatory member, with its
    light per commitment (9 statements, 8 when the caller already holds the
    answer counts per member)."""
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
    adequacy = scores_by(by_member, "rating_1_5", commitment=CommitmentCode.ADEQUACY)
    projects_facts = commitment_queries.project_facts(filters, today=today)
    flags = commitment_queries.flag_facts(
        filters, today=today, notice_minimum=notice_minimum()
    )
    profiles = commitment_queries.profile_lights(filters, today=today)
    rows = []
    in_force = current_version()
    for member_id, name, department, mark, signed in members:
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
            complaints=complaints.get(member_id, 0),
            nps=nps.get(member_id),
        )
        row.lights = _lights(row)
        rating = adequacy.get(member_id)
        row.commitments = rules.commitment_lights(
            mark_status=mark,
            signed_current=in_force is None or signed == in_force.number,
            projects=projects_facts.get(member_id, rules.ProjectFacts()),
            flags=flags.get(member_id, rules.FlagFacts()),
            adequacy_rating=None if rating is None else rating.value,
            criteria=row.lights,
            profile=profiles.get(member_id, {}),
        )
        rows.append(row)
    return rows


def compliance_frame(rows: list[ComplianceRow]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "member": r.name,
                "department": r.department,
                "mark_status": r.mark_status,
                "active_projects": r.projects,
                "projects_with_agreed_indicators": r.agreed,
                "last_questionnaire_sent_at": r.last_sent_at,
                "invitations_sent": r.sent,
                "responses": r.answered,
                "response_rate_pct": None if r.rate is None else round(r.rate, 1),
                "open_alerts": r.open_alerts,
                "open_complaints": r.complaints,
                "nps": reliable_value(r.nps),
                "nps_answers": r.nps.n if r.nps else 0,
                **{f"light_{k}": v for k, v in r.lights.items()},
                **{f"commitment_{k}": v for k, v in r.commitments.items()},
            }
            for r in rows
        ]
    )


def _shown(r: ComplianceRow) -> list[str]:
    """Every light of the row, each fact once (the older criteria and the
    commitments not made from them)."""
    return [*r.lights.values(), *rules.counted(r.commitments)]


def _reds(r: ComplianceRow) -> int:
    return sum(1 for light in _shown(r) if light == "red")


def _ambers(r: ComplianceRow) -> int:
    return sum(1 for light in _shown(r) if light == "amber")


def _by_name(r: ComplianceRow) -> tuple[str, int]:
    return (r.name.lower(), r.member_id)


def _worst(r: ComplianceRow) -> tuple[int, int, str, int]:
    return (-_reds(r), -_ambers(r), *_by_name(r))


def _missing_last(value: float | None) -> tuple[bool, float]:
    return (value is None, 0.0 if value is None else value)


#: The table's orders: the rank column and the sort key of each.
RANK_ORDERS: dict[str, Callable[[ComplianceRow], tuple[Any, ...]]] = {
    "worst_rank": _worst,
    "name_rank": _by_name,
    "rate_rank": lambda r: (*_missing_last(r.rate), *_worst(r)),
    "alerts_rank": lambda r: (-r.open_alerts, *_worst(r)),
    "nps_rank": lambda r: (*_missing_last(reliable_value(r.nps)), *_worst(r)),
}


def compliance_records(
    snapshot_id: int, rows: list[ComplianceRow]
) -> list[dict[str, Any]]:
    """The stored rows, with their place in each order of the table."""
    ranks: dict[str, dict[int, int]] = {
        column: {r.member_id: n for n, r in enumerate(sorted(rows, key=key), start=1)}
        for column, key in RANK_ORDERS.items()
    }
    return [
        {
            "snapshot_id": snapshot_id,
            **_record(r),
            **{column: ranks[column][r.member_id] for column in RANK_ORDERS},
        }
        for r in rows
    ]


def _record(r: ComplianceRow) -> dict[str, Any]:
    """A row's stored columns, besides its snapshot and ranks."""
    return {
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
        "commitments": dict(r.commitments),
        "reds": _reds(r),
        "ambers": _ambers(r),
    }


def compliance_row(stored: Any) -> ComplianceRow:
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
        commitments=dict(stored.commitments or {}),
    )


def member_commitments(
    member_id: int, filters: Filters, *, today: date
) -> dict[str, str] | None:
    """One member's light per commitment, as the compliance table of
    ``filters`` shows it: its stored row when the rollup job stored the review
    (two statements), else the table computed (a fixed number of statements).
    None: the member is not in the table (not a signatory, another department)."""
    snapshot = snapshot_queries.board_snapshot(filters, today=today)
    if snapshot is not None:
        stored = snapshot_queries.compliance_member(snapshot.id, member_id)
        return None if stored is None else dict(stored.commitments or {})
    rows = compliance(filters, today=today)
    return next((r.commitments for r in rows if r.member_id == member_id), None)


def own_commitments(member_id: int, *, today: date) -> dict[str, str] | None:
    """A member's own lights, as the board's default review (the last twelve
    months, every department) last stored them: two statements, never the table
    computed on a member's page. ``{}`` until the rollup job stored the review;
    None when the member is not in it (not a signatory)."""
    since, until = default_period(today)
    snapshot = snapshot_queries.board_snapshot(
        Filters(since=since, until=until), today=today
    )
    if snapshot is None:
        return {}
    stored = snapshot_queries.compliance_member(snapshot.id, member_id)
    return None if stored is None else dict(stored.commitments or {})


@dataclass(frozen=True)
class Listing:
    """How the board lists the compliance table."""

    order: str = "worst"
    light: str = "all"
    #: A commitment code: ``light`` then applies to that commitment's light.
    commitment: str = ""
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


def listed(rows: list[ComplianceRow], listing: Listing) -> CompliancePage:
    """The live table (a period without a stored review), listed in Python the
    way :func:`snapshot_queries.compliance_page` lists the stored one."""
    records = {r["member_id"]: r for r in compliance_records(0, rows)}
    selected = []
    for row in rows:
        record = records[row.member_id]
        if listing.search and listing.search.lower() not in record["search_name"]:
            continue
        if listing.commitment:
            if not _commitment_matches(row, listing):
                continue
        elif (
            (listing.light == "red" and not record["reds"])
            or (
                listing.light == "attention"
                and not (record["reds"] or record["ambers"])
            )
            or (listing.light == "compliant" and (record["reds"] or record["ambers"]))
        ):
            continue
        selected.append(row)
    rank = f"{listing.order}_rank"
    selected.sort(key=lambda r: records[r.member_id][rank])
    start = (listing.page - 1) * listing.per_page
    return CompliancePage(
        selected[start : start + listing.per_page], len(selected), listing
    )


def _commitment_matches(row: ComplianceRow, listing: Listing) -> bool:
    """The row's light on the listing's commitment is the one asked for."""
    wanted = snapshot_queries.COMMITMENT_LIGHTS[listing.light]
    return wanted is None or row.commitments.get(listing.commitment) in wanted
