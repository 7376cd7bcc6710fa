"""Demo data that makes every dashboard alive: a year and a half of monthly
measurements and quarterly questionnaire answers on the demo members' active
projects, a few members off track, a few alerts (idempotent: projects that
already have indicators or campaigns are left alone, so the KPI and
satisfaction loaders' own data is reused)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from core.database import utcnow
from core.extensions import db
from core.security import new_token
from dashboards import services
from dashboards.demo import large
from kpi.models import (
    Agreement,
    AgreementStatus,
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
    Measurement,
    Source,
)
from kpi.services.agreements import describe, set_signature
from members.models import ClientContact, Project, ProjectStatus, ServiceType
from satisfaction.models import (
    Alert,
    AlertItem,
    AlertReason,
    Answer,
    Campaign,
    Invitation,
    QuestionType,
    Response,
    campaign_contact,
)
from satisfaction.recurrence import Recurrence
from satisfaction.services import current_version, ensure_charter_template

MONTHS = 18
HISTORY_NAME = "Questionnaire trimestriel (historique de démonstration)"
# kind, name, unit, direction, is_ratio, target, typical value
KINDS: dict[
    ServiceType, tuple[IndicatorKind, str, str, Direction, bool, str, float]
] = {
    ServiceType.WEBSITE: (
        IndicatorKind.AUDIENCE,
        "Visites du site",
        "visites",
        Direction.HIGHER,
        False,
        "3000",
        3000,
    ),
    ServiceType.SEO: (
        IndicatorKind.AUDIENCE,
        "Visites organiques",
        "visites",
        Direction.HIGHER,
        False,
        "2000",
        2000,
    ),
    ServiceType.SEA: (
        IndicatorKind.COST_PER_CLICK,
        "Coût par clic",
        "€",
        Direction.LOWER,
        True,
        "0.80",
        0.8,
    ),
    ServiceType.HOSTING: (
        IndicatorKind.INCIDENTS,
        "Incidents",
        "incidents",
        Direction.LOWER,
        False,
        "2",
        2,
    ),
    ServiceType.IT_MAINTENANCE: (
        IndicatorKind.INCIDENTS,
        "Incidents du parc",
        "incidents",
        Direction.LOWER,
        False,
        "5",
        5,
    ),
    ServiceType.TEXT_CONTENT: (
        IndicatorKind.READING_TIME,
        "Temps de lecture moyen",
        "s",
        Direction.HIGHER,
        True,
        "60",
        60,
    ),
    ServiceType.VISUAL_CONTENT: (
        IndicatorKind.CLICKS,
        "Clics sur les visuels",
        "clics",
        Direction.HIGHER,
        False,
        "500",
        500,
    ),
}


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    out = []
    for _ in range(MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return sorted(out)


def load(scale: str, *, today: date | None = None) -> str:
    """Add indicators, measurements, campaigns and answers where missing."""
    today = today or utcnow().date()
    rng = random.Random(20261126)
    added_measurements = added_responses = 0
    version = None
    state = _ProjectsState.read()
    for project in state.projects:
        # Every third member is made to miss its targets (the board sees red).
        weak = project.member_id % 3 == 0
        contact = _first_contact(project)
        if project.id not in state.with_indicators:
            added_measurements += _indicators(project, today, rng, weak=weak)
        if project.id not in state.with_agreement and contact is not None:
            _agreement(project, contact, today, pending=_awaits_client(project))
        if project.id not in state.left_alone and contact is not None:
            if version is None:
                version = _charter_version()
            added_responses += _answers(
                project, contact, version, today, rng, weak=weak
            )
    services.rebuild_figures(now=utcnow())
    summary = f"{added_measurements} measurements, {added_responses} responses added"
    if scale == "large":
        summary += "; " + large.load(today=today)
    return summary


@dataclass(frozen=True)
class _ProjectsState:
    """The active projects, and those another loader already gave data."""

    projects: list[Project]
    with_indicators: set[int]
    #: Projects whose indicators were already sent to the client for agreement.
    with_agreement: set[int]
    #: Projects whose clients already answered (another loader's data) or that
    #: have the history campaign are left alone.
    left_alone: set[int]

    @classmethod
    def read(cls) -> _ProjectsState:
        projects = db.session.scalars(
            select(Project)
            .where(Project.status == ProjectStatus.ACTIVE)
            .order_by(Project.id)
        )
        with_answers = db.session.scalars(
            select(Campaign.project_id)
            .join(Response, Response.campaign_id == Campaign.id)
            .where(Response.submitted_at.is_not(None))
            .distinct()
        )
        with_history = db.session.scalars(
            select(Campaign.project_id).where(Campaign.name == HISTORY_NAME)
        )
        return cls(
            list(projects),
            set(db.session.scalars(select(Indicator.project_id).distinct())),
            set(db.session.scalars(select(Agreement.project_id).distinct())),
            set(with_answers) | set(with_history),
        )


def _first_contact(project: Project) -> ClientContact | None:
    return db.session.scalar(
        select(ClientContact)
        .where(ClientContact.client_id == project.client_id)
        .order_by(ClientContact.id)
    )


# ---------------------------------------------------------------- indicators


def _indicators(
    project: Project, today: date, rng: random.Random, *, weak: bool
) -> int:
    """The project's indicator and its monthly values; returns how many values."""
    now = datetime.combine(today, time(9), tzinfo=UTC)
    indicator = _indicator(project, now)
    rows = _measurement_rows(project, indicator, today, rng, weak=weak, now=now)
    if rows:
        db.session.execute(insert(Measurement), rows)
    return len(rows)


def _awaits_client(project: Project) -> bool:
    """Whether the demo shows the project's indicators still awaiting the
    client's agreement: every project of one member in six (the board sees it
    "Non conforme", and on the member's page why: the request is unanswered),
    and the latest project of the other weak members ("À améliorer")."""
    member = project.member_id
    if member % 6 == 0:
        return True
    if member % 3 != 0:
        return False
    latest = db.session.scalar(
        select(Project.id)
        .where(Project.member_id == member, Project.status == ProjectStatus.ACTIVE)
        .order_by(Project.id.desc())
        .limit(1)
    )
    return latest == project.id


def _indicator(project: Project, now: datetime) -> Indicator:
    kind, name, unit, direction, is_ratio, target, _typical = KINDS[
        project.service_type
    ]
    cost = kind == IndicatorKind.COST_PER_CLICK
    indicator = Indicator(
        member_id=project.member_id,
        project_id=project.id,
        kind=kind,
        name=name,
        unit=unit,
        direction=direction,
        frequency=Frequency.MONTH,
        is_ratio=is_ratio,
        numerator_label="Coût (€)" if cost else "Temps total (s)" if is_ratio else None,
        denominator_label="Clics" if cost else "Vues" if is_ratio else None,
        target_value=Decimal(target),
        created_at=now,
        updated_at=now,
    )
    db.session.add(indicator)
    db.session.flush()
    return indicator


def _measurement_rows(
    project: Project,
    indicator: Indicator,
    today: date,
    rng: random.Random,
    *,
    weak: bool,
    now: datetime,
) -> list[dict[str, Any]]:
    """A value per month since the project started (a weak member misses the
    last one), around the typical value, off target when ``weak``."""
    _kind, _name, _unit, direction, is_ratio, _target, typical = KINDS[
        project.service_type
    ]
    lower = direction == Direction.LOWER
    factor = (1.25 if lower else 0.8) if weak else (0.9 if lower else 1.1)
    months = _months(today)
    rows: list[dict[str, Any]] = []
    for month in months:
        if month < project.starts_on.replace(day=1) or (month == months[-1] and weak):
            continue
        value = typical * factor * rng.uniform(0.85, 1.15)
        row: dict[str, Any] = {
            "indicator_id": indicator.id,
            "period_start": month,
            "granularity": Frequency.MONTH,
            "source": Source.MANUAL,
            "updated_at": now,
        }
        row.update(_measured(value, is_ratio=is_ratio, rng=rng))
        rows.append(row)
    return rows


def _measured(value: float, *, is_ratio: bool, rng: random.Random) -> dict[str, Any]:
    """The value columns of a measurement (a ratio with a drawn denominator)."""
    if not is_ratio:
        return {
            "value": Decimal(str(round(value))),
            "numerator": None,
            "denominator": None,
        }
    denominator = Decimal(rng.randint(800, 1500))
    numerator = (Decimal(str(round(value, 2))) * denominator).quantize(Decimal("0.01"))
    return {
        "numerator": numerator,
        "denominator": denominator,
        "value": (numerator / denominator).quantize(Decimal("0.0001")),
    }


def _agreement(
    project: Project, contact: ClientContact, today: date, *, pending: bool
) -> None:
    """The project's indicators as sent to the client: acknowledged a year ago,
    or (``pending``) sent three weeks ago and still unanswered."""
    now = datetime.combine(today, time(9), tzinfo=UTC)
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.project_id == project.id)
    ).all()
    if not indicators:
        return
    sent_at = now - timedelta(days=21 if pending else 400)
    _token, digest = new_token()
    db.session.add(
        Agreement(
            member_id=project.member_id,
            project_id=project.id,
            contact_id=contact.id,
            set_version=1,
            set_signature=set_signature(indicators),
            snapshot=[describe(i) for i in indicators],
            token_hash=digest,
            status=AgreementStatus.PENDING if pending else AgreementStatus.ACKNOWLEDGED,
            sent_at=sent_at,
            expires_at=sent_at + timedelta(days=30),
            acknowledged_at=None if pending else sent_at + timedelta(days=5),
        )
    )


# ---------------------------------------------------------------- answers


def _charter_version() -> Any:
    version = current_version(ensure_charter_template())
    if version.frozen_at is None:
        version.frozen_at = utcnow()
    db.session.flush()
    return version


def _answer_value(kind: QuestionType, rng: random.Random, weak: bool) -> int | None:
    shift = -2 if weak else 0
    if kind == QuestionType.NPS:
        return max(0, min(10, rng.choice([6, 7, 8, 9, 9, 10, 10]) + shift))
    if kind in (QuestionType.CSAT, QuestionType.RATING_1_5):
        return max(1, min(5, rng.choice([3, 4, 4, 5, 5]) + (shift // 2)))
    if kind == QuestionType.CES:
        return max(1, min(7, rng.choice([4, 5, 6, 7]) + shift // 2))
    return None


SCORED = (
    QuestionType.NPS,
    QuestionType.CSAT,
    QuestionType.CES,
    QuestionType.RATING_1_5,
)
#: The answers at or under which an alert is raised.
LOW = {QuestionType.NPS: 6, QuestionType.CSAT: 2, QuestionType.RATING_1_5: 2}


def _answers(
    project: Project,
    contact: ClientContact,
    version: Any,
    today: date,
    rng: random.Random,
    *,
    weak: bool,
) -> int:
    """Six quarterly questionnaires of the project's history; returns how many
    were answered."""
    now = datetime.combine(today, time(9), tzinfo=UTC)
    campaign = _history_campaign(project, contact, version, today, now)
    responses = 0
    for cycle in range(1, 7):
        sent_at = now - timedelta(days=540 - (cycle - 1) * 91)
        answered = rng.random() < (0.5 if weak else 0.8)
        invitation = _invitation(campaign, contact, cycle, sent_at, answered=answered)
        if not answered:
            continue
        response = _response(invitation, cycle, sent_at)
        responses += 1
        low: list[AlertItem] = []
        for question in [q for q in version.questions if q.type in SCORED]:
            value = _answer_value(question.type, rng, weak)
            item = _answer(response, question, value)
            if item is not None:
                low.append(item)
        if low:
            _alert(project, response, low, cycle, sent_at)
        for question in [q for q in version.questions if q.type == QuestionType.TEXT][
            :1
        ]:
            text = "Équipe réactive, merci." if not weak else "Délais à mieux tenir."
            db.session.add(
                Answer(response_id=response.id, question_id=question.id, text=text)
            )
    return responses


def _history_campaign(
    project: Project, contact: ClientContact, version: Any, today: date, now: datetime
) -> Campaign:
    recurrence = Recurrence(
        kind="every_n_months",
        months=3,
        day_of_month=1,
        time_of_day=time(9),
        start_on=today - timedelta(days=540),
    )
    next_quarter = (today.replace(day=1) + timedelta(days=95)).replace(day=1)
    campaign = Campaign(
        member_id=project.member_id,
        project_id=project.id,
        version_id=version.id,
        name=HISTORY_NAME,
        recurrence=recurrence.to_dict(),
        next_run_at=datetime.combine(next_quarter, time(8), tzinfo=UTC),
        cycles_run=6,
        reminder_days=[7],
        max_reminders=1,
        link_valid_days=30,
        created_at=now - timedelta(days=540),
    )
    db.session.add(campaign)
    db.session.flush()
    db.session.execute(
        insert(campaign_contact),
        [{"campaign_id": campaign.id, "contact_id": contact.id}],
    )
    return campaign


def _invitation(
    campaign: Campaign,
    contact: ClientContact,
    cycle: int,
    sent_at: datetime,
    *,
    answered: bool,
) -> Invitation:
    _token, digest = new_token()
    invitation = Invitation(
        campaign_id=campaign.id,
        contact_id=contact.id,
        cycle=cycle,
        member_id=campaign.member_id,
        version_id=campaign.version_id,
        token_hash=digest,
        created_at=sent_at,
        sent_at=sent_at,
        expires_at=sent_at + timedelta(days=30),
        answered_at=sent_at + timedelta(days=3) if answered else None,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def _response(invitation: Invitation, cycle: int, sent_at: datetime) -> Response:
    response = Response(
        invitation_id=invitation.id,
        campaign_id=invitation.campaign_id,
        started_at=sent_at + timedelta(days=3),
        updated_at=sent_at + timedelta(days=3),
        submitted_at=sent_at + timedelta(days=3),
        share_with_board=cycle % 2 == 0,
    )
    db.session.add(response)
    db.session.flush()
    return response


def _answer(response: Response, question: Any, value: int | None) -> AlertItem | None:
    """The answer, and the alert item it raises when it is low."""
    db.session.add(
        Answer(response_id=response.id, question_id=question.id, value=value)
    )
    low = LOW.get(question.type)
    if low is None or value is None or value > low:
        return None
    return AlertItem(
        question_id=question.id,
        reason=AlertReason.DETRACTOR
        if question.type == QuestionType.NPS
        else AlertReason.LOW_RATING,
        value=value,
    )


def _alert(
    project: Project,
    response: Response,
    items: list[AlertItem],
    cycle: int,
    sent_at: datetime,
) -> None:
    """One alert for the response's low answers (the latest two cycles still
    open; the older ones closed with their follow-up)."""
    is_open = cycle >= 5
    db.session.add(
        Alert(
            member_id=project.member_id,
            response_id=response.id,
            reason=AlertReason.DETRACTOR
            if any(i.reason == AlertReason.DETRACTOR for i in items)
            else AlertReason.LOW_RATING,
            created_at=sent_at + timedelta(days=3),
            follow_up="" if is_open else "Client rappelé, point d'étape planifié.",
            closed_at=None if is_open else sent_at + timedelta(days=10),
            items=items,
        )
    )
