"""A client contact's personal data on request: all of it exported (GDPR art. 15)
or erased (art. 17), across the features; and erased by the retention job once
the client relationship has been over for CONTACT_RETENTION_YEARS."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from core import audit
from core.database import utcnow
from core.extensions import db
from core.privacy import Person, contact_data_parts
from members.models import Client, ClientContact, Project, User

ERASED_NAME = "—"


def _person(contact: ClientContact) -> Person:
    member_id = contact.client.member_id
    others = db.session.scalar(
        select(func.count())
        .select_from(ClientContact)
        .where(ClientContact.email == contact.email, ClientContact.id != contact.id)
    )
    return Person(contact.id, contact.email, member_id, email_shared=bool(others))


def is_erased(contact: ClientContact) -> bool:
    return contact.email.endswith("@erased.invalid")


def export_contact_data(actor: User, contact: ClientContact) -> dict[str, Any]:
    """Everything kept about the contact, by feature; the export is audited."""
    person = _person(contact)
    data: dict[str, Any] = {
        "contact": {
            "name": contact.name,
            "email": contact.email,
            "job_title": contact.job_title,
            "language": contact.locale,
            "client": contact.client.name,
            "added_on": contact.created_at.isoformat(),
            "opted_out_at": contact.opted_out_at.isoformat()
            if contact.opted_out_at
            else None,
        }
    }
    for part in contact_data_parts():
        data[part.name] = part.export(person)
    audit.record(
        actor,
        "contact.data_exported",
        object_type="contact",
        object_id=contact.id,
        member_id=person.member_id,
    )
    db.session.commit()
    return data


def erase_contact(
    actor: User | None, contact: ClientContact, *, reason: str = "request"
) -> dict[str, int]:
    """Erase the contact's personal data everywhere, in one transaction: the
    contact is kept as an anonymous row (the answers' statistics stay right), its
    name, address and job title are gone, and no e-mail will reach it again."""
    person = _person(contact)
    erased = {part.name: part.erase(person) for part in contact_data_parts()}
    contact.name = ERASED_NAME
    contact.email = f"contact-{contact.id}@erased.invalid"
    contact.job_title = None
    contact.opted_out_at = contact.opted_out_at or utcnow()
    audit.record(
        actor,
        "contact.erased",
        object_type="contact",
        object_id=contact.id,
        member_id=person.member_id,
        detail={"reason": reason, **{k: v for k, v in erased.items() if v}},
    )
    db.session.commit()
    return erased


def erase_expired_contacts(now: datetime | None = None, *, limit: int = 500) -> int:
    """The retention rule: contacts of clients with no project active, or ended,
    within CONTACT_RETENTION_YEARS (and added before that) are erased."""
    now = now or utcnow()
    years = int(current_app.config.get("CONTACT_RETENTION_YEARS") or 0)
    if years <= 0:
        return 0
    cutoff = now - timedelta(days=365 * years)
    recent_work = select(Project.id).where(
        Project.client_id == Client.id,
        (Project.ends_on.is_(None)) | (Project.ends_on >= cutoff.date()),
    )
    expired = db.session.scalars(
        select(ClientContact)
        .join(Client)
        .where(
            ClientContact.created_at < cutoff,
            ~ClientContact.email.endswith("@erased.invalid"),
            ~recent_work.exists(),
        )
        .order_by(ClientContact.id)
        .limit(limit)
    ).all()
    for contact in expired:
        erase_contact(None, contact, reason="retention")
    return len(expired)
