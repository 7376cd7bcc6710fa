"""What a client contact may see: its projects and its answered questionnaires."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.extensions import db

#: An indicator that misses its target by at most this share of the target is
from members.models import Client, ClientContact, Member, Project, ProjectStatus
from satisfaction.models import Campaign, Invitation, Response


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
