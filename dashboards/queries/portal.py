"""What a client contact may see: its projects and its answered questionnaires."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.extensions import db

#: An indicator that misses its target by at most this share of the target is
from members.models import Client, ClientContact, Member, Project, ProjectStatus
from satisfaction.models import Answer, Campaign, Invitation, Question, Response


def contacts_with_email(email: str) -> list[ClientContact]:
    return list(
        db.session.scalars(
            select(ClientContact).where(
                func.lower(ClientContact.email) == email.lower()
            )
        )
    )


def portal_projects(email: str) -> list[dict[str, Any]]:
    """The projects of the clients this address is a contact of (not proposals)."""
    rows = db.session.execute(
        select(
            Project.id,
            Project.title,
            Project.service_type,
            Project.status,
            Project.starts_on,
            Project.ends_on,
            Member.id,
            Member.name,
            Client.name,
        )
        .join(Client, Client.id == Project.client_id)
        .join(Member, Member.id == Project.member_id)
        .join(ClientContact, ClientContact.client_id == Client.id)
        .where(
            func.lower(ClientContact.email) == email.lower(),
            Project.status != ProjectStatus.PROPOSAL,
        )
        .distinct()
        .order_by(Project.title, Project.id)
    ).all()
    return [
        {
            "id": r[0],
            "title": r[1],
            "service_type": r[2].value,
            "status": r[3].value,
            "starts_on": r[4],
            "ends_on": r[5],
            "member_id": r[6],
            "member": r[7],
            "client": r[8],
        }
        for r in rows
    ]


def portal_responses(email: str, project_id: int) -> list[dict[str, Any]]:
    """The questionnaires this address answered for the project."""
    rows = db.session.execute(
        select(Response.id, Response.submitted_at, Campaign.name)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(ClientContact, ClientContact.id == Invitation.contact_id)
        .where(
            func.lower(ClientContact.email) == email.lower(),
            Campaign.project_id == project_id,
            Response.submitted_at.is_not(None),
        )
        .order_by(Response.submitted_at.desc())
    ).all()
    return [{"id": i, "submitted_at": at, "campaign": name} for i, at, name in rows]


def portal_answers(response_ids: list[int]) -> dict[int, list[tuple[Question, Answer]]]:
    """Per response, its answers with their questions, in the questionnaire's order."""
    found: dict[int, list[tuple[Question, Answer]]] = {i: [] for i in response_ids}
    if not response_ids:
        return found
    rows = db.session.execute(
        select(Answer, Question)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id.in_(response_ids))
        .order_by(Answer.response_id, Question.position)
    ).all()
    for answer, question in rows:
        found[answer.response_id].append((question, answer))
    return found


def portal_contact(email: str) -> dict[str, str] | None:
    """The name and company of the contact with this address (the first found)."""
    row = db.session.execute(
        select(ClientContact.name, Client.name)
        .join(Client, Client.id == ClientContact.client_id)
        .where(func.lower(ClientContact.email) == email.lower())
        .order_by(ClientContact.id)
        .limit(1)
    ).first()
    return None if row is None else {"name": row[0], "company": row[1]}
