"""Demo data: the charter questionnaire, one campaign per active demo project and
some answered responses (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.database import utcnow
from core.extensions import db
from members.models import ClientContact, Member, Project, ProjectStatus
from satisfaction import services
from satisfaction.answer_form import parse_answers
from satisfaction.models import Campaign, Invitation, Questionnaire
from satisfaction.recurrence import Recurrence
from satisfaction.services.answering import save_answers
from satisfaction.services.survey import page_of

# Answers of the demo clients, by position in the charter questionnaire: seven
# commitment ratings, NPS, CSAT, a suggestion.
_ANSWER_SETS = [
    (5, 4, 4, 5, 4, 5, 5, 9, 5, "Très bon suivi, merci !"),
    (4, 4, 3, 4, 4, 4, 5, 8, 4, "Des comptes rendus plus fréquents seraient utiles."),
    (3, 2, 2, 3, 3, 4, 4, 6, 3, "Les délais ont glissé sans prévenir."),
]


def load(scale: str) -> str:
    """Add the demo campaigns; what already exists is left as it is."""
    services.ensure_charter_template()
    now = utcnow()
    created = answered = 0
    members = db.session.scalars(select(Member).order_by(Member.id)).all()
    for member in members:
        projects = db.session.scalars(
            select(Project)
            .where(
                Project.member_id == member.id, Project.status == ProjectStatus.ACTIVE
            )
            .order_by(Project.id)
        ).all()
        if not projects:
            continue
        questionnaire = db.session.scalar(
            select(Questionnaire).where(Questionnaire.member_id == member.id)
        )
        if questionnaire is None:
            questionnaire = services.create_questionnaire(
                None, member.id, title="Satisfaction client (charte)", from_charter=True
            )
        for project in projects:
            if db.session.scalar(
                select(Campaign.id).where(Campaign.project_id == project.id)
            ):
                continue
            contacts = db.session.scalars(
                select(ClientContact.id).where(
                    ClientContact.client_id == project.client_id
                )
            ).all()
            if not contacts:
                continue
            # A quarterly campaign whose first send was 40 days ago.
            start = now - timedelta(days=40)
            campaign = services.create_campaign(
                None,
                project,
                name=f"Satisfaction — {project.title}"[:200],
                questionnaire_id=questionnaire.id,
                contact_ids=list(contacts),
                recurrence=Recurrence.every_n_months(
                    3,
                    day_of_month=start.day,
                    time_of_day=start.time().replace(second=0, microsecond=0),
                    start_on=start.date(),
                ),
                now=start - timedelta(minutes=1),
            )
            created += 1
            services.send_due_invitations(start)
            answered += _answer(
                campaign, index=project.id, now=start + timedelta(days=2)
            )
    return f"{created} new campaigns, {answered} answered responses"


def _answer(campaign: Campaign, *, index: int, now: object) -> int:
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.campaign_id == campaign.id)
    ).all()
    count = 0
    for invitation in invitations:
        values = _ANSWER_SETS[(index + invitation.id) % len(_ANSWER_SETS)]
        page_number = 1
        questions = sorted(invitation.version.questions, key=lambda q: q.position)
        form: dict[str, list[str]] = {}
        for question, value in zip(questions, values, strict=False):
            form[f"q{question.id}"] = [str(value)]
        while True:
            page = page_of(invitation, page_number)
            save_answers(
                invitation,
                page=page,
                answers=parse_answers(page.questions, form, require=False),
                share_with_board=True if page.is_last else None,
                submit=page.is_last,
                now=now,  # type: ignore[arg-type]
            )
            if page.is_last:
                break
            page_number += 1
        count += 1
    return count
