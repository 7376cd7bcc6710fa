"""A contact's opt-out: no more questionnaires, from any member."""

from __future__ import annotations

from datetime import datetime

from core import audit
from core.database import utcnow
from core.extensions import db
from members.models import ClientContact
from satisfaction.links import read_unsubscribe_token
from satisfaction.models import Invitation


def get_invitation(invitation_id: object) -> Invitation | None:
    if not isinstance(invitation_id, int) or isinstance(invitation_id, bool):
        return None
    return db.session.get(Invitation, invitation_id)


def invitation_for_unsubscribe(token: str) -> Invitation | None:
    invitation_id = read_unsubscribe_token(token)
    if invitation_id is None:
        return None
    return db.session.get(Invitation, invitation_id)


def unsubscribe(invitation: Invitation, *, now: datetime | None = None) -> None:
    """The contact asks for no more questionnaires (from any member)."""
    now = now or utcnow()
    contact = db.session.get(ClientContact, invitation.contact_id)
    assert contact is not None
    if contact.opted_out_at is None:
        contact.opted_out_at = now
        audit.record(
            None,
            "contact.opt_out",
            object_type="contact",
            object_id=contact.id,
            member_id=invitation.member_id,
            detail={"invitation_id": invitation.id},
        )
    db.session.commit()
