"""The facts of one member's year, in a bounded number of statements (one per
kind of record, whatever the number of projects): see :func:`gather`."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.extensions import db
from dashboards.queries import indicators as indicator_queries
from dashboards.queries import scores as score_queries
from dashboards.queries.common import Filters
from dashboards.services.common import STATUS_LABELS, scores_of_counts
from evidence.services import proofs
from evidence.services.cases import actions_of, complaints_of
from evidence.services.charter import charter_commitments
from evidence.services.facts import (
    CommitmentProofs,
    EvidenceFacts,
    Identity,
    IndicatorLine,
    ProjectLine,
    Proof,
    QuestionnaireLine,
    ScoreLine,
)
from kpi.models import Agreement
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
from satisfaction import margins
from satisfaction.models import COMMITMENT_LABELS, Commitment

SCORE_LABELS = {"nps": "NPS", "csat": "CSAT"}


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


def _agreed_on(member_id: int, until: date) -> dict[int, date]:
    """Per project, the day its client last acknowledged its indicators, by the
    end of the year (one statement)."""
    end = datetime.combine(until, time.max).replace(tzinfo=UTC)
    rows = db.session.execute(
        select(Agreement.project_id, func.max(Agreement.acknowledged_at))
        .where(
            Agreement.member_id == member_id,
            Agreement.acknowledged_at.is_not(None),
            Agreement.acknowledged_at <= end,
        )
        .group_by(Agreement.project_id)
    ).all()
    return {pid: at.date() for pid, at in rows if at is not None}


def _scores(filters: Filters) -> list[ScoreLine]:
    """NPS and CSAT with their 95 % interval, and the mean rating per commitment."""
    counts = score_queries.score_counts(filters, by="all")
    scores = scores_of_counts(counts)
    lines = []
    for metric in ("nps", "csat"):
        score = scores.get((metric, None), {}).get("all")
        interval = margins.score_interval(metric, score)
        lines.append(
            ScoreLine(
                metric=metric,
                label=SCORE_LABELS[metric],
                n=score.n if score else 0,
                value=score.value if score else None,
                is_reliable=bool(score and score.is_reliable),
                low=interval.low if interval else None,
                high=interval.high if interval else None,
            )
        )
    for (metric, commitment), per in sorted(scores.items(), key=lambda i: str(i[0])):
        if metric != "rating_1_5" or commitment is None or "all" not in per:
            continue
        score = per["all"]
        label = COMMITMENT_LABELS.get(Commitment(commitment), commitment)
        lines.append(
            ScoreLine(
                metric=f"rating:{commitment}",
                label=_("Note sur 5 — %(commitment)s", commitment=str(label)),
                n=score.n,
                value=score.value,
                is_reliable=score.is_reliable,
            )
        )
    return lines


def _indicators(
    filters: Filters, agreed: dict[int, date], project_ids: set[int]
) -> list[IndicatorLine]:
    """The active indicators of the year's projects against their target."""
    return [
        IndicatorLine(
            project=row["project"],
            client=row["client"],
            name=row["name"],
            unit=row["unit"],
            direction=row["direction"],
            target=row["target"],
            period_start=row["period_start"],
            value=row["value"],
            status=row["status"],
            status_label=str(STATUS_LABELS.get(row["status"], row["status"])),
            agreed_on=agreed.get(row["project_id"]),
        )
        for row in indicator_queries.indicator_rows(filters)
        if row["project_id"] in project_ids
    ]


def _questionnaires(
    filters: Filters, lines: proofs.Projects
) -> list[QuestionnaireLine]:
    result = []
    for row in score_queries.invitation_figures(filters, by="project"):
        if not row["sent"]:
            continue
        project = lines.get(row["key"])
        result.append(
            QuestionnaireLine(
                project=project.title if project else "–",
                client=project.client if project else "–",
                sent=row["sent"],
                answered=row["answered"],
                rate=row["rate"],
            )
        )
    return result


def _figure_proofs(
    indicators: list[IndicatorLine],
    questionnaires: list[QuestionnaireLine],
    agreed: dict[int, date],
    of_year: list[ProjectLine],
) -> list[Proof]:
    found = []
    for project in of_year:
        day = agreed.get(project.id)
        if day is None:
            continue
        found.append(
            Proof(
                C.EFFICIENCY,
                "agreement",
                _("Indicateurs convenus avec le client"),
                project.title,
                project.client,
                day,
                _("Jeu d'indicateurs validé par le client"),
            )
        )
    for row in indicators:
        if row.value is None:
            continue
        detail = _(
            "%(name)s : %(value)s %(unit)s pour une cible de %(target)s — %(status)s",
            name=row.name,
            value=format_decimal(row.value),
            unit=row.unit,
            target="–" if row.target is None else format_decimal(row.target),
            status=row.status_label,
        )
        flag = row.status_label if row.status == "off_track" else ""
        found.append(
            Proof(
                C.EFFICIENCY,
                "indicator",
                _("Indicateur mesuré"),
                row.project,
                row.client,
                row.period_start,
                detail,
                flag,
            )
        )
    for q in questionnaires:
        detail = _(
            "%(sent)d envoyés, %(answered)d réponses", sent=q.sent, answered=q.answered
        )
        found.append(
            Proof(
                C.QUESTIONNAIRES,
                "questionnaire",
                _("Questionnaires clients"),
                q.project,
                q.client,
                None,
                detail,
            )
        )
    return found


def _signature(identity: Identity) -> list[Proof]:
    if identity.signed_on is None:
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
    agreed = _agreed_on(member_id, until)
    indicators = _indicators(filters, agreed, {p.id for p in of_year})
    questionnaires = _questionnaires(filters, lines)
    complaints = complaints_of(member_id, since, until)
    actions = actions_of(member_id, since, until, as_of=as_of)
    found = [
        *_signature(identity),
        *_record_proofs(
            member_id,
            year,
            [p.id for p in of_year],
            lines,
            as_of=as_of,
            notice_days=notice_days,
        ),
        *_figure_proofs(indicators, questionnaires, agreed, of_year),
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
            for code, title in charter_commitments(identity.charter_version)
        ],
        scores=_scores(filters),
        indicators=indicators,
        questionnaires=questionnaires,
        complaints=[c.line for c in complaints],
        actions=[a.line for a in actions],
    )
