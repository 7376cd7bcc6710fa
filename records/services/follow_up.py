"""Suivi du projet: the log of what the member told the client on the charter's
six points, e-mailed to the client's contacts when the member chooses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.database import utcnow
from core.extensions import db
from core.mail import queue_email
from core.urls import external_url
from members.models import ClientContact, Member, Project, User
from records.errors import RecordsError
from records.models import FOLLOW_UP_LABELS, FollowUp, FollowUpKind
from records.services.common import check_past, check_text, log, today_or

SUMMARY_LIMIT = 4000


def client_contacts(project: Project) -> Sequence[ClientContact]:
    """The people at the project's client who receive its records by e-mail."""
    return db.session.scalars(
        select(ClientContact)
        .where(ClientContact.client_id == project.client_id)
        .order_by(ClientContact.id)
    ).all()


def log_follow_up(
    actor: User,
    project: Project,
    *,
    kind: FollowUpKind,
    held_on: date,
    summary: str,
    send: bool,
    today: date | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """Add an entry to the follow-up log; ``send``: e-mail it to the client's
    contacts in the same transaction. :raises RecordsError:"""
    contacts = client_contacts(project) if send else []
    if send and not contacts:
        raise RecordsError(
            _l(
                "Ce client n'a aucun contact : ajoutez-en un pour lui envoyer le "
                "suivi, ou décochez « Envoyer au client »."
            ),
            field="send",
        )
    entry = FollowUp(
        project_id=project.id,
        member_id=project.member_id,
        kind=kind,
        held_on=check_past(held_on, "held_on", today=today_or(today)),
        summary=check_text(summary, "summary", limit=SUMMARY_LIMIT),
    )
    db.session.add(entry)
    db.session.flush()
    sent = _send(entry, project, contacts, now=now or utcnow()) if send else 0
    log(
        actor,
        "follow_up.add",
        project,
        object_type="records_follow_up",
        object_id=entry.id,
        detail={"kind": kind.value, "emails": sent},
    )
    db.session.commit()
    return entry


def _send(
    entry: FollowUp,
    project: Project,
    contacts: Sequence[ClientContact],
    *,
    now: datetime,
) -> int:
    """Queue the entry to each contact, once each (the outbox key says so)."""
    member = db.session.get(Member, project.member_id)
    portal = (
        external_url("dashboards.portal_request")
        if "dashboards.portal_request" in current_app.view_functions
        else None
    )
    for contact in contacts:
        queue_email(
            to=contact.email,
            template="records/email/follow_up",
            context={
                "name": contact.name,
                "member": member.name if member else "",
                "project": project.title,
                "kind": FOLLOW_UP_LABELS[entry.kind],
                "held_on": entry.held_on,
                "summary": entry.summary,
                "portal": portal,
            },
            locale=contact.locale or "fr",
            key=f"records.follow_up:{entry.id}:{contact.id}",
            now=now,
        )
    entry.sent_at = now
    return len(contacts)
