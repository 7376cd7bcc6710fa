"""Complaints and improvement actions of the year: each as a line of its own
table and as a proof of the commitment it concerns (one statement each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from core.extensions import db
from core.i18n import format_date
from evidence.services.facts import ActionLine, ComplaintLine, Proof
from improvement.describe import describe
from improvement.models import STATE_LABELS, ImprovementAction, SourceType
from mediation.models import Complaint
from mediation.workflow import CLOSED_STATUSES, DECISION_LABELS, STATUS_LABELS
from members.commitments import CommitmentCode as C
from members.models import Project

#: The commitment an action's trigger falls under.
ACTION_COMMITMENTS = {
    SourceType.DETRACTOR: C.QUESTIONNAIRES,
    SourceType.INDICATOR: C.EFFICIENCY,
    SourceType.COMPLAINT: C.MEDIATION,
}


@dataclass(frozen=True)
class ComplaintFact:
    line: ComplaintLine
    proof: Proof


@dataclass(frozen=True)
class ActionFact:
    line: ActionLine
    proof: Proof


def _window(since: date, until: date) -> tuple[datetime, datetime]:
    start = datetime.combine(since, time.min).replace(tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time.min).replace(tzinfo=UTC)
    return start, end


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def complaints_of(member_id: int, since: date, until: date) -> list[ComplaintFact]:
    """The member's registered complaints open at some time of the year: their
    reference, the client's company and their outcome — never the complainant's
    name, address or words."""
    start, end = _window(since, until)
    rows = db.session.execute(
        select(
            Complaint.reference,
            Complaint.project_label,
            Project.title,
            Complaint.complainant_company,
            Complaint.verified_at,
            Complaint.status,
            Complaint.decision,
            Complaint.closed_at,
        )
        .outerjoin(Project, Project.id == Complaint.project_id)
        .where(
            Complaint.member_id == member_id,
            Complaint.verified_at.is_not(None),
            Complaint.verified_at < end,
            or_(Complaint.closed_at.is_(None), Complaint.closed_at >= start),
        )
        .order_by(Complaint.verified_at, Complaint.id)
    ).all()
    result = []
    for reference, label, title, company, verified, status, decision, closed in rows:
        line = ComplaintLine(
            reference=reference or "–",
            project=title or label or "–",
            company=company,
            filed_on=_day(verified),
            status_label=str(STATUS_LABELS[status]),
            decision_label=str(DECISION_LABELS[decision]) if decision else "",
            closed_on=_day(closed) if status in CLOSED_STATUSES else None,
        )
        detail = _(
            "Plainte %(reference)s : %(status)s",
            reference=line.reference,
            status=line.status_label,
        )
        if line.decision_label:
            detail += " · " + line.decision_label
        if line.closed_on:
            detail += " · " + _("close le %(day)s", day=format_date(line.closed_on))
        proof = Proof(
            C.MEDIATION,
            "complaint",
            _("Plainte"),
            line.project,
            company,
            line.filed_on,
            detail,
        )
        result.append(ComplaintFact(line, proof))
    return result


def actions_of(
    member_id: int, since: date, until: date, *, as_of: date
) -> list[ActionFact]:
    """The member's improvement actions open at some time of the year."""
    start, end = _window(since, until)
    actions = db.session.execute(
        select(ImprovementAction, Project.title)
        .outerjoin(Project, Project.id == ImprovementAction.project_id)
        .where(
            ImprovementAction.member_id == member_id,
            ImprovementAction.opened_at < end,
            or_(
                ImprovementAction.closed_at.is_(None),
                ImprovementAction.closed_at >= start,
            ),
        )
        .order_by(ImprovementAction.opened_at, ImprovementAction.id)
    ).all()
    result = []
    for action, title in actions:
        closed_on = _day(action.closed_at)
        # Judged at the pack's day: closed after it, it was still open then.
        still_open = closed_on is None or closed_on > as_of
        line = ActionLine(
            opened_on=action.opened_at.date(),
            trigger=describe(action),
            commitment=ACTION_COMMITMENTS[action.source_type],
            project=title or str(action.source_detail.get("project") or "–"),
            state_label=str(STATE_LABELS[action.state]),
            cause=action.cause,
            action=action.action,
            due_on=action.due_on,
            result=action.result,
            effect=action.effect,
            closed_on=closed_on,
            is_closed=action.is_closed,
            is_late=still_open and action.due_on is not None and action.due_on < as_of,
        )
        detail = line.trigger + " — " + line.state_label
        flag = _("Action en retard") if line.is_late else ""
        proof = Proof(
            line.commitment,
            "action",
            _("Action d'amélioration"),
            line.project,
            "–",
            line.opened_on,
            detail,
            flag,
        )
        result.append(ActionFact(line, proof))
    return result
