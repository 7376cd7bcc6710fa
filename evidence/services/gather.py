"""The facts of one member's year, in a bounded number of statements (one per
kind of record, whatever the number of projects): see :func:`gather`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from dashboards.queries.common import Filters
from evidence.services import figures, proofs
from evidence.services.cases import actions_of, complaints_of
from evidence.services.charter import charter_commitments
from evidence.services.facts import (
    CommitmentProofs,
    EvidenceFacts,
    Identity,
    ProjectLine,
    Proof,
)
from evidence.services.profile import profile_proofs
from members.commitments import CommitmentCode as C
from members.models import (
    MARK_STATUS_LABELS,
    PROJECT_STATUS_LABELS,
    SERVICE_LABELS,
    Client,
    Member,
    Project,
)
from records.models import (
    BackupPlan,
    Budget,
    Change,
    ClientItem,
    Delivery,
    FollowUp,
    Handover,
    Licence,
    Technology,
)
from records.services import notice_minimum


def _bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _identity(member: Member) -> Identity:
    return Identity(
        id=member.id,
        name=member.name,
        siret=member.siret,
        department=member.department,
        town=member.town,
        mark_status=member.mark_status.value,
        mark_label=str(MARK_STATUS_LABELS[member.mark_status]),
        charter_version=member.charter_version,
        signed_on=member.signed_on,
    )


def _projects(member_id: int) -> list[tuple[Project, str]]:
    """Every project of the member with its client's company name (one statement)."""
    rows = db.session.execute(
        select(Project, Client.name)
        .join(Client, Client.id == Project.client_id)
        .where(Project.member_id == member_id)
        .order_by(Project.starts_on, Project.title, Project.id)
    ).all()
    return [(project, name) for project, name in rows]


def _project_line(project: Project, client: str) -> ProjectLine:
    return ProjectLine(
        id=project.id,
        title=project.title,
        client=client,
        service=str(SERVICE_LABELS[project.service_type]),
        status=str(PROJECT_STATUS_LABELS[project.status]),
        starts_on=project.starts_on,
        ends_on=project.ends_on,
    )


def _in_year(project: Project, since: date, until: date) -> bool:
    return project.starts_on <= until and (
        project.ends_on is None or project.ends_on >= since
    )


def _dated(
    model: Any, column: Any, member_id: int, since: date, until: date
) -> list[Any]:
    """The member's records of one kind dated in the year (one statement)."""
    return list(
        db.session.scalars(
            select(model)
            .where(model.member_id == member_id, column >= since, column <= until)
            .order_by(column, model.id)
        )
    )


def _standing(model: Any, member_id: int, project_ids: list[int]) -> list[Any]:
    """The records of one kind that stand for a project (a budget, a licence…)
    of the projects of the year, whatever their date (one statement)."""
    if not project_ids:
        return []
    return list(
        db.session.scalars(
            select(model)
            .where(model.member_id == member_id, model.project_id.in_(project_ids))
            .order_by(model.project_id, model.id)
        )
    )


def _record_proofs(
    member_id: int,
    year: int,
    project_ids: list[int],
    lines: proofs.Projects,
    *,
    as_of: date,
    notice_days: int,
) -> list[Proof]:
    since, until = _bounds(year)
    found: list[Proof] = []
    found += [
        proofs.client_item(r, lines, as_of=as_of)
        for r in _dated(ClientItem, ClientItem.due_on, member_id, since, until)
    ]
    found += [
        proofs.budget(r, lines) for r in _standing(Budget, member_id, project_ids)
    ]
    found += [
        proofs.change(r, lines, notice_days=notice_days)
        for r in _dated(Change, Change.announced_on, member_id, since, until)
    ]
    found += [
        proofs.follow_up(r, lines)
        for r in _dated(FollowUp, FollowUp.held_on, member_id, since, until)
    ]
    found += [
        proofs.delivery(r, lines)
        for r in _dated(Delivery, Delivery.delivered_on, member_id, since, until)
    ]
    found += [
        proofs.handover(r, lines) for r in _standing(Handover, member_id, project_ids)
    ]
    found += [
        proofs.technology(r, lines, as_of=as_of)
        for r in _standing(Technology, member_id, project_ids)
    ]
    found += [
        proofs.backup(r, lines) for r in _standing(BackupPlan, member_id, project_ids)
    ]
    found += [
        proofs.licence(r, lines) for r in _standing(Licence, member_id, project_ids)
    ]
    return found


def _signature(identity: Identity, until: date) -> list[Proof]:
    """The charter's signature, once it was signed (a later one proves nothing
    of this year)."""
    if identity.signed_on is None or identity.signed_on > until:
        return []
    detail = _("Charte %(version)s signée", version=identity.charter_version or "–")
    return [
        Proof(
            C.COMMUNICATION,
            "signature",
            _("Signature de la charte"),
            "–",
            "–",
            identity.signed_on,
            detail,
        )
    ]


def gather(member_id: int, year: int, *, today: date) -> EvidenceFacts | None:
    """Every fact of ``member_id``'s ``year`` (None: no such member); flags are
    judged at the year's end, or ``today`` within it."""
    member = db.session.get(Member, member_id)
    if member is None:
        return None
    since, until = _bounds(year)
    as_of = min(today, until)
    identity = _identity(member)
    every = _projects(member_id)
    lines = {p.id: _project_line(p, client) for p, client in every}
    of_year = [lines[p.id] for p, _client in every if _in_year(p, since, until)]
    notice_days = notice_minimum()
    filters = Filters(since=since, until=until, member_id=member_id)
    agreed = figures.agreed_on(member_id, until)
    indicators = figures.indicators(filters, agreed, {p.id for p in of_year})
    questionnaires = figures.questionnaires(filters, lines)
    charter = charter_commitments(identity.charter_version)
    scores = figures.scores(filters, dict(charter))
    complaints = complaints_of(member_id, since, until)
    actions = actions_of(member_id, since, until, as_of=as_of)
    found = [
        *_signature(identity, until),
        *_record_proofs(
            member_id,
            year,
            [p.id for p in of_year],
            lines,
            as_of=as_of,
            notice_days=notice_days,
        ),
        *profile_proofs(member_id, since, until),
        *figures.figure_proofs(indicators, questionnaires, agreed, of_year),
        *figures.rating_proofs(scores),
        *(c.proof for c in complaints),
        *(a.proof for a in actions),
    ]
    by_code: dict[C, list[Proof]] = defaultdict(list)
    for proof in found:
        by_code[proof.commitment].append(proof)
    return EvidenceFacts(
        member=identity,
        year=year,
        as_of=as_of,
        notice_days=notice_days,
        projects=of_year,
        commitments=[
            CommitmentProofs(code, title, by_code.get(code, []))
            for code, title in charter
        ],
        scores=scores,
        indicators=indicators,
        questionnaires=questionnaires,
        complaints=[c.line for c in complaints],
        actions=[a.line for a in actions],
    )
