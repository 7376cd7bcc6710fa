"""A small fixed data set for the dashboards, built straight into the tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

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
from satisfaction.models import Answer, Campaign, Invitation, QuestionType, Response

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


@pytest.fixture()
def charter_version(app: Any) -> Any:
    from satisfaction.services import current_version, ensure_charter_template

    version = current_version(ensure_charter_template(now=NOW))
    db.session.commit()
    return version


@pytest.fixture()
def add_indicator(app: Any) -> Callable[..., Indicator]:
    def make(
        project: Any,
        *,
        ratio: bool = False,
        target: str = "100",
        direction: Direction = Direction.HIGHER,
        values: dict[date, Any] | None = None,
        agreed_with: Any = None,
        frequency: Frequency = Frequency.MONTH,
        source: Source = Source.MANUAL,
    ) -> Indicator:
        indicator = Indicator(
            member_id=project.member_id,
            project_id=project.id,
            kind=IndicatorKind.COST_PER_CLICK if ratio else IndicatorKind.AUDIENCE,
            name="Coût par clic" if ratio else "Visites",
            unit="€" if ratio else "visites",
            direction=direction,
            frequency=frequency,
            is_ratio=ratio,
            target_value=Decimal(target),
            created_at=NOW,
            updated_at=NOW,
        )
        db.session.add(indicator)
        db.session.flush()
        for period, value in (values or {}).items():
            row = Measurement(
                indicator_id=indicator.id,
                period_start=period,
                granularity=frequency,
                source=source,
                updated_at=NOW,
            )
            if ratio:
                row.numerator, row.denominator = Decimal(value[0]), Decimal(value[1])
                row.value = row.numerator / row.denominator
            else:
                row.value = Decimal(value)
            db.session.add(row)
        if agreed_with is not None:
            _t, digest = new_token()
            db.session.add(
                Agreement(
                    member_id=project.member_id,
                    project_id=project.id,
                    contact_id=agreed_with.id,
                    set_version=1,
                    set_signature="x",
                    snapshot=[],
                    token_hash=digest,
                    status=AgreementStatus.ACKNOWLEDGED,
                    sent_at=NOW - timedelta(days=30),
                    expires_at=NOW,
                    acknowledged_at=NOW - timedelta(days=29),
                )
            )
        db.session.commit()
        return indicator

    return make


@pytest.fixture()
def add_answers(app: Any, charter_version: Any) -> Callable[..., list[Response]]:
    """``add_answers(project, contact, nps=[…], csat=[…], sent=n)``: one response per
    NPS value (CSAT values alongside), submitted on ``at``."""

    def make(
        project: Any,
        contact: Any,
        *,
        nps: list[int],
        csat: list[int] | None = None,
        sent: int | None = None,
        at: datetime = NOW - timedelta(days=10),
        text: str | None = None,
        share: bool = False,
    ) -> list[Response]:
        questions = {q.type: q for q in charter_version.questions}
        campaign = Campaign(
            member_id=project.member_id,
            project_id=project.id,
            version_id=charter_version.id,
            name="Bilan",
            recurrence={"kind": "once", "run_at": at.isoformat()},
            created_at=at,
            next_run_at=NOW + timedelta(days=20),
        )
        db.session.add(campaign)
        db.session.flush()
        responses = []
        total = max(sent or 0, len(nps))
        for cycle in range(1, total + 1):
            answered = cycle <= len(nps)
            _t, digest = new_token()
            invitation = Invitation(
                campaign_id=campaign.id,
                contact_id=contact.id,
                cycle=cycle,
                member_id=project.member_id,
                version_id=charter_version.id,
                token_hash=digest,
                created_at=at,
                sent_at=at,
                expires_at=at + timedelta(days=30),
                answered_at=at if answered else None,
            )
            db.session.add(invitation)
            db.session.flush()
            if not answered:
                continue
            response = Response(
                invitation_id=invitation.id,
                campaign_id=campaign.id,
                started_at=at,
                updated_at=at,
                submitted_at=at,
                share_with_board=share,
            )
            db.session.add(response)
            db.session.flush()
            db.session.add(
                Answer(
                    response_id=response.id,
                    question_id=questions[QuestionType.NPS].id,
                    value=nps[cycle - 1],
                )
            )
            if csat and cycle <= len(csat):
                db.session.add(
                    Answer(
                        response_id=response.id,
                        question_id=questions[QuestionType.CSAT].id,
                        value=csat[cycle - 1],
                    )
                )
            if text and QuestionType.TEXT in questions:
                db.session.add(
                    Answer(
                        response_id=response.id,
                        question_id=questions[QuestionType.TEXT].id,
                        text=text,
                    )
                )
            responses.append(response)
        db.session.commit()
        return responses

    return make


@pytest.fixture()
def member_with_data(
    make_member: Callable[..., Any],
    make_member_user: Callable[..., Any],
    make_client: Callable[..., Any],
    make_contact: Callable[..., Any],
    make_project: Callable[..., Any],
    add_indicator: Callable[..., Any],
    add_answers: Callable[..., Any],
) -> Callable[..., tuple[Any, Any, Any, Any]]:
    """``member_with_data(name=…, projects=1)`` — a member with a user, a client and
    its contact, and per project an agreed CPC indicator (target 1.40, lower is
    better; Jan 100/200, Feb 60/40) and answers (NPS 10,10,9,7,3,0; CSAT 5,4,4,2,1,5;
    8 sent). Returns (member, user, client, contact)."""
    from kpi.models import Direction
    from members.models import ServiceType

    def make(*, name: str, projects: int = 1) -> tuple[Any, Any, Any, Any]:
        member = make_member(name=name)
        user = make_member_user(member)
        client = make_client(member, name=f"Client de {name}")
        contact = make_contact(
            client, name=f"Jeanne {name}", email=f"jeanne.{member.id}@client.example"
        )
        for n in range(projects):
            project = make_project(
                member,
                client=client,
                title=f"Campagne {name} {n}",
                service_type=ServiceType.SEA,
            )
            add_indicator(
                project,
                ratio=True,
                target="1.40",
                direction=Direction.LOWER,
                values={
                    date(2026, 1, 1): ("100", "200"),
                    date(2026, 2, 1): ("60", "40"),
                },
                agreed_with=contact,
            )
            add_answers(
                project,
                contact,
                nps=[10, 10, 9, 7, 3, 0],
                csat=[5, 4, 4, 2, 1, 5],
                sent=8,
            )
        return member, user, client, contact

    return make
