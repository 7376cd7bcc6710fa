"""The association's figures for the board: members, projects and clients, and
the inputs of the charter compliance table (agreements, alerts, complaints).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func, select

from core.extensions import db

#: An indicator that misses its target by at most this share of the target is
from dashboards.queries.common import Filters, aware, scope
from kpi.models import Agreement, AgreementStatus
from mediation import workflow
from mediation.models import Complaint
from members.models import Member, Project, ProjectStatus
from satisfaction.models import Alert, Answer, Campaign, Response

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
        .where(Project.status == ProjectStatus.ACTIVE, *scope(filters))
    ).one()
    return {
        "members": int(members or 0),
        "active_projects": int(projects or 0),
        "clients": int(clients or 0),
        "members_with_projects": int(covered_members or 0),
    }


def members_list(filters: Filters) -> list[tuple[int, str, str, str, str | None]]:
    """(id, name, department, mark status, charter version signed) of the
    signatory members, by name."""
    rows = db.session.execute(
        select(
            Member.id,
            Member.name,
            Member.department,
            Member.mark_status,
            Member.charter_version,
        )
        .where(
            Member.signed_on.is_not(None),
            *([Member.department == filters.department] if filters.department else []),
        )
        .order_by(Member.name, Member.id)
    ).all()
    return [
        (i, name, dep, str(status.value), version)
        for i, name, dep, status, version in rows
    ]


def departments() -> list[str]:
    return list(
        db.session.scalars(
            select(Member.department).distinct().order_by(Member.department)
        )
    )


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
            *scope(filters),
        )
        .order_by(Response.submitted_at.desc())
        .limit(limit)
    ).all()
    return [
        {"text": text, "submitted_at": at, "member": member, "service_type": st.value}
        for text, at, member, st in rows
    ]


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
        .where(Project.status == ProjectStatus.ACTIVE, *scope(filters))
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


def pending_agreements(project_ids: Sequence[int]) -> dict[int, datetime]:
    """Among ``project_ids``, those whose indicators were sent to the client and
    not answered yet: when the latest request was sent (one statement)."""
    if not project_ids:
        return {}
    rows = db.session.execute(
        select(Agreement.project_id, func.max(Agreement.sent_at))
        .where(
            Agreement.project_id.in_(project_ids),
            Agreement.status == AgreementStatus.PENDING,
        )
        .group_by(Agreement.project_id)
    ).all()
    return {
        project_id: at
        for project_id, sent_at in rows
        if (at := aware(sent_at)) is not None
    }


def open_complaints_by_member(filters: Filters) -> dict[int, int]:
    """Open (verified, not closed) complaints per member (one statement)."""
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
