"""What the questionnaires keep of a client contact: its invitations and answers.
Exported whole; on erasure the contact leaves its campaigns, invitations not
answered are deleted, and its free-text answers are cleared — the scores it gave
stay, anonymous, so that past statistics do not change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from core.extensions import db
from core.privacy import Person
from satisfaction.models import Answer, Invitation, Response, campaign_contact


def export(person: Person) -> list[dict[str, Any]]:
    invitations = db.session.scalars(
        select(Invitation)
        .where(Invitation.contact_id == person.id)
        .order_by(Invitation.id)
    ).all()
    responses = {
        r.invitation_id: r
        for r in db.session.scalars(
            select(Response).where(
                Response.invitation_id.in_([i.id for i in invitations])
            )
        )
    }
    return [_invitation(i, responses.get(i.id)) for i in invitations]


def _invitation(invitation: Invitation, response: Response | None) -> dict[str, Any]:
    return {
        "campaign": invitation.campaign.name,
        "cycle": invitation.cycle,
        "sent_at": invitation.sent_at.isoformat() if invitation.sent_at else None,
        "answered_at": invitation.answered_at.isoformat()
        if invitation.answered_at
        else None,
        "answers": [
            {
                "question_id": a.question_id,
                "value": a.value,
                "text": a.text,
                "choices": a.choices,
            }
            for a in (response.answers if response else [])
        ],
    }


def erase(person: Person) -> int:
    mine = select(Invitation.id).where(Invitation.contact_id == person.id)
    texts = db.session.execute(
        update(Answer)
        .where(
            Answer.text.is_not(None),
            Answer.response_id.in_(
                select(Response.id).where(Response.invitation_id.in_(mine))
            ),
        )
        .values(text=None)
        .execution_options(synchronize_session=False)
    )
    pending = db.session.execute(
        delete(Invitation)
        .where(Invitation.contact_id == person.id, Invitation.answered_at.is_(None))
        .where(
            ~select(Response.id).where(Response.invitation_id == Invitation.id).exists()
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(campaign_contact).where(campaign_contact.c.contact_id == person.id)
    )
    return sum(int(getattr(r, "rowcount", 0) or 0) for r in (texts, pending))
