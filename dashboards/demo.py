"""Demo data that makes every dashboard alive: a year and a half of monthly
measurements and quarterly questionnaire answers on the demo members' active
projects, a few members off track, a few alerts (idempotent: projects that
already have indicators or campaigns are left alone, so the KPI and
satisfaction loaders' own data is reused)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from core.database import utcnow
from core.extensions import db
from core.security import new_token
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
from members.models import ClientContact, Project, ProjectStatus, ServiceType
from satisfaction.models import (
    Alert,
    AlertReason,
    Answer,
    Campaign,
    Invitation,
    QuestionType,
    Response,
    campaign_contact,
)

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
    projects = list(
        db.session.scalars(
            select(Project)
            .where(Project.status == ProjectStatus.ACTIVE)
            .order_by(Project.id)
        )
    )
    with_indicators = set(db.session.scalars(select(Indicator.project_id).distinct()))
    # Projects whose clients already answered (another loader's data) are left alone.
    with_answers = set(
        db.session.scalars(
            select(Campaign.project_id)
            .join(Response, Response.campaign_id == Campaign.id)
            .where(Response.submitted_at.is_not(None))
            .distinct()
        )
    )
    with_history = set(
        db.session.scalars(
            select(Campaign.project_id).where(Campaign.name == HISTORY_NAME)
        )
    )
    added_measurements = added_responses = 0
    version = None
    for index, project in enumerate(projects):
        # Every third member is made to miss its targets (the board sees red).
        weak = project.member_id % 3 == 0
        contact = db.session.scalar(
            select(ClientContact)
            .where(ClientContact.client_id == project.client_id)
            .order_by(ClientContact.id)
        )
        if project.id not in with_indicators:
            added_measurements += _indicators(
                project, contact, today, rng, weak=weak, agreed=index % 4 != 3
            )
        if project.id not in with_answers | with_history and contact is not None:
            if version is None:
                version = _charter_version()
            added_responses += _answers(
                project, contact, version, today, rng, weak=weak
            )
    from dashboards import services

    services.rebuild_figures(now=utcnow())
    db.session.commit()
    summary = f"{added_measurements} measurements, {added_responses} responses added"
    if scale == "large":
        from dashboards import demo_large

        summary += "; " + demo_large.load(today=today)
    return summary


def _indicators(
    project: Project,
    contact: ClientContact | None,
    today: date,
    rng: random.Random,
    *,
    weak: bool,
    agreed: bool,
) -> int:
    kind, name, unit, direction, is_ratio, target, typical = KINDS[project.service_type]
    now = datetime.combine(today, time(9), tzinfo=UTC)
    indicator = Indicator(
        member_id=project.member_id,
        project_id=project.id,
        kind=kind,
        name=name,
        unit=unit,
        direction=direction,
        frequency=Frequency.MONTH,
        is_ratio=is_ratio,
        numerator_label="Coût (€)"
        if kind == IndicatorKind.COST_PER_CLICK
        else "Temps total (s)"
        if is_ratio
        else None,
        denominator_label="Clics"
        if kind == IndicatorKind.COST_PER_CLICK
        else "Vues"
        if is_ratio
        else None,
        target_value=Decimal(target),
        created_at=now,
        updated_at=now,
    )
    db.session.add(indicator)
    db.session.flush()
    factor = (
        (1.25 if direction == Direction.LOWER else 0.8)
        if weak
        else (0.9 if direction == Direction.LOWER else 1.1)
    )
    rows: list[dict[str, Any]] = []
    for month in _months(today):
        if month >= project.starts_on.replace(day=1) and not (
            month == _months(today)[-1] and weak
        ):
            value = typical * factor * rng.uniform(0.85, 1.15)
            row: dict[str, Any] = {
                "indicator_id": indicator.id,
                "period_start": month,
                "granularity": Frequency.MONTH,
                "source": Source.MANUAL,
                "updated_at": now,
            }
            if is_ratio:
                denominator = Decimal(rng.randint(800, 1500))
                numerator = (Decimal(str(round(value, 2))) * denominator).quantize(
                    Decimal("0.01")
                )
                row.update(
                    numerator=numerator,
                    denominator=denominator,
                    value=(numerator / denominator).quantize(Decimal("0.0001")),
                )
            else:
                row.update(
                    value=Decimal(str(round(value))), numerator=None, denominator=None
                )
            rows.append(row)
    if rows:
        db.session.execute(insert(Measurement), rows)
    if agreed and contact is not None:
        _token, digest = new_token()
        db.session.add(
            Agreement(
                member_id=project.member_id,
                project_id=project.id,
                contact_id=contact.id,
                set_version=1,
                set_signature=f"demo-{indicator.id}",
                snapshot=[{"name": name, "target": target, "unit": unit}],
                token_hash=digest,
                status=AgreementStatus.ACKNOWLEDGED,
                sent_at=now - timedelta(days=400),
                expires_at=now - timedelta(days=370),
                acknowledged_at=now - timedelta(days=395),
            )
        )
    return len(rows)


def _charter_version() -> Any:
    from satisfaction.services import current_version, ensure_charter_template

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


def _answers(
    project: Project,
    contact: ClientContact,
    version: Any,
    today: date,
    rng: random.Random,
    *,
    weak: bool,
) -> int:
    from satisfaction.recurrence import Recurrence

    now = datetime.combine(today, time(9), tzinfo=UTC)
    recurrence = Recurrence(
        kind="every_n_months",
        months=3,
        day_of_month=1,
        time_of_day=time(9),
        start_on=today - timedelta(days=540),
    )
    campaign = Campaign(
        member_id=project.member_id,
        project_id=project.id,
        version_id=version.id,
        name=HISTORY_NAME,
        recurrence=recurrence.to_dict(),
        next_run_at=datetime.combine(
            (today.replace(day=1) + timedelta(days=95)).replace(day=1),
            time(8),
            tzinfo=UTC,
        ),
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
    scored = [
        q
        for q in version.questions
        if q.type
        in (
            QuestionType.NPS,
            QuestionType.CSAT,
            QuestionType.CES,
            QuestionType.RATING_1_5,
        )
    ]
    texts = [q for q in version.questions if q.type == QuestionType.TEXT]
    responses = 0
    for cycle in range(1, 7):
        sent_at = now - timedelta(days=540 - (cycle - 1) * 91)
        answered = rng.random() < (0.5 if weak else 0.8)
        _token, digest = new_token()
        invitation = Invitation(
            campaign_id=campaign.id,
            contact_id=contact.id,
            cycle=cycle,
            member_id=project.member_id,
            version_id=version.id,
            token_hash=digest,
            created_at=sent_at,
            sent_at=sent_at,
            expires_at=sent_at + timedelta(days=30),
            answered_at=sent_at + timedelta(days=3) if answered else None,
        )
        db.session.add(invitation)
        db.session.flush()
        if not answered:
            continue
        response = Response(
            invitation_id=invitation.id,
            campaign_id=campaign.id,
            started_at=sent_at + timedelta(days=3),
            updated_at=sent_at + timedelta(days=3),
            submitted_at=sent_at + timedelta(days=3),
            share_with_board=cycle % 2 == 0,
        )
        db.session.add(response)
        db.session.flush()
        responses += 1
        for question in scored:
            value = _answer_value(question.type, rng, weak)
            db.session.add(
                Answer(response_id=response.id, question_id=question.id, value=value)
            )
            low = {
                QuestionType.NPS: 6,
                QuestionType.CSAT: 2,
                QuestionType.RATING_1_5: 2,
            }.get(question.type)
            if low is not None and value is not None and value <= low:
                db.session.add(
                    Alert(
                        member_id=project.member_id,
                        response_id=response.id,
                        question_id=question.id,
                        reason=AlertReason.DETRACTOR
                        if question.type == QuestionType.NPS
                        else AlertReason.LOW_RATING,
                        value=value,
                        created_at=sent_at + timedelta(days=3),
                        closed_at=None if cycle >= 5 else sent_at + timedelta(days=10),
                    )
                )
        for question in texts[:1]:
            db.session.add(
                Answer(
                    response_id=response.id,
                    question_id=question.id,
                    text="Équipe réactive, merci."
                    if not weak
                    else "Délais à mieux tenir.",
                )
            )
    return responses
