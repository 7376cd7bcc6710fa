"""Reminders of the invitations left unanswered, each claimed by a conditional
``UPDATE … WHERE reminders_sent = k`` (safe in several processes at once)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale
from sqlalchemy import and_, select, update

from core.extensions import db
from core.mail import queue_email
from core.security import hash_token
from core.urls import external_url
from members.models import ClientContact, Member, Project, ProjectStatus
from satisfaction.links import invitation_token, unsubscribe_token
from satisfaction.models import Campaign, Invitation
from satisfaction.services.outbox import (
    email_context,
    is_postgres,
    unsubscribe_headers,
)

REMINDER_TEMPLATE = "satisfaction/email/reminder"


def send_reminders(now: datetime, *, limit: int = 500) -> int:
    """Queue the reminders that are due; returns how many were queued."""
    query = (
        select(Invitation.id)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .join(ClientContact, ClientContact.id == Invitation.contact_id)
        .join(Project, Project.id == Campaign.project_id)
        .where(
            Invitation.next_reminder_at.is_not(None),
            Invitation.next_reminder_at <= now,
            Invitation.answered_at.is_(None),
            Invitation.expires_at > now,
            Invitation.reminders_sent < Campaign.max_reminders,
            Campaign.is_paused.is_(False),
            ClientContact.opted_out_at.is_(None),
            Project.status != ProjectStatus.CLOSED,
        )
        .order_by(Invitation.next_reminder_at, Invitation.id)
        .limit(limit)
    )
    if is_postgres():
        query = query.with_for_update(skip_locked=True, of=Invitation)
    ids = list(db.session.scalars(query))
    queued = 0
    for invitation_id in ids:
        invitation = db.session.get(Invitation, invitation_id, populate_existing=True)
        assert invitation is not None
        if _remind(invitation, now=now):
            queued += 1
    db.session.commit()
    return queued


def _remind(invitation: Invitation, *, now: datetime) -> bool:
    campaign = invitation.campaign
    sent = invitation.reminders_sent
    following = sent + 1
    days = campaign.reminder_days
    next_at = None
    if (
        following < campaign.max_reminders
        and following < len(days)
        and invitation.sent_at
    ):
        next_at = invitation.sent_at + timedelta(days=days[following])
    token = invitation_token(campaign.id, invitation.contact_id, invitation.cycle)
    values: dict[str, Any] = {
        "reminders_sent": following,
        "last_reminder_at": now,
        "next_reminder_at": next_at,
    }
    if hash_token(token) != invitation.token_hash:
        values["token_hash"] = hash_token(token)  # SECRET_KEY changed: re-key
    claimed = db.session.execute(
        update(Invitation)
        .where(and_(Invitation.id == invitation.id, Invitation.reminders_sent == sent))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    contact = invitation.contact
    unsubscribe = external_url(
        "satisfaction.unsubscribe", token=unsubscribe_token(invitation.id)
    )
    locale = contact.locale if contact.locale in ("fr", "en") else "fr"
    member = db.session.get(Member, campaign.member_id)
    with force_locale(locale):
        context = email_context(
            member_name=member.name if member else "",
            project_title=campaign.project.title,
            expires_at=invitation.expires_at,
            reminder=True,
        )
    queue_email(
        to=contact.email,
        template=REMINDER_TEMPLATE,
        context={
            **context,
            "contact_name": contact.name,
            "link": external_url("satisfaction.open_link", token=token),
            "unsubscribe_link": unsubscribe,
        },
        locale=locale,
        key=f"satisfaction.reminder:{invitation.id}:{following}",
        headers=unsubscribe_headers(unsubscribe),
        now=now,
    )
    return True
