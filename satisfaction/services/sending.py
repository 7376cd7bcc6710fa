"""What the scheduler sends: the invitations of due campaigns (reminders are in
``reminders``, the bulk e-mails in ``outbox``).

The job is idempotent and safe to run in several processes at once: a due
campaign is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL
(SQLite serialises writers with ``BEGIN IMMEDIATE``); its cycle's invitations,
their e-mails, the version's freeze and the campaign's next date are written in
ONE transaction, so a process killed mid-way leaves nothing behind and the next
run does the whole cycle, once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, false, select, update

from core.extensions import db
from core.security import hash_token
from members.models import ClientContact, Member, Project, ProjectStatus
from satisfaction.errors import RecurrenceError
from satisfaction.links import invitation_tokens
from satisfaction.models import (
    Campaign,
    Invitation,
    QuestionnaireVersion,
    campaign_contact,
)
from satisfaction.recurrence import Recurrence, next_runs
from satisfaction.services import outbox
from satisfaction.services.outbox import is_postgres
from satisfaction.services.settings import fatigue_days

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    campaigns: list[int] = field(default_factory=list)
    invitations: int = 0
    failed: list[int] = field(default_factory=list)


# ---------------------------------------------------------------- invitations


def send_due_invitations(now: datetime, *, limit: int = 200) -> SendReport:
    """Create and queue the invitations of every campaign due at ``now``."""
    report = SendReport()
    skip: set[int] = set()
    for _ in range(limit):
        campaign_id = _claim_due_campaign(now, skip)
        if campaign_id is None:
            break
        try:
            report.invitations += run_campaign_cycle(campaign_id, now=now)
        except Exception:
            db.session.rollback()
            skip.add(campaign_id)
            report.failed.append(campaign_id)
            log.exception("campaign %s: cycle not sent, retried next tick", campaign_id)
        else:
            report.campaigns.append(campaign_id)
    db.session.commit()
    return report


def _claim_due_campaign(now: datetime, skip: set[int]) -> int | None:
    """Lock one due campaign for this transaction (skipping others' locks)."""
    query = (
        select(Campaign.id)
        .where(
            Campaign.is_paused.is_(False),
            Campaign.next_run_at.is_not(None),
            Campaign.next_run_at <= now,
        )
        .order_by(Campaign.next_run_at, Campaign.id)
        .limit(1)
    )
    if skip:
        query = query.where(Campaign.id.not_in(skip))
    if is_postgres():
        query = query.with_for_update(skip_locked=True)
    found: int | None = db.session.scalar(query)
    if found is None:
        db.session.rollback()
    return found


def run_campaign_cycle(campaign_id: int, *, now: datetime) -> int:
    """Send one cycle of a claimed campaign and move it to its next date.

    Commits once; returns the number of invitations created. The statements do
    not grow with the number of contacts (see tests/satisfaction/test_statements.py).
    """
    query = (
        select(
            Campaign.id,
            Campaign.member_id,
            Campaign.version_id,
            Campaign.cycles_run,
            Campaign.recurrence,
            Campaign.reminder_days,
            Campaign.max_reminders,
            Campaign.link_valid_days,
            Project.status,
            Project.title.label("project_title"),
            Member.name.label("member_name"),
            exists()
            .where(
                Invitation.campaign_id == Campaign.id,
                Invitation.cycle == Campaign.cycles_run + 1,
            )
            .label("cycle_begun"),
        )
        .join(Project, Project.id == Campaign.project_id)
        .join(Member, Member.id == Campaign.member_id)
        .where(Campaign.id == campaign_id)
    )
    if is_postgres():
        # Held already when the scheduler claimed it; "send now" waits here for
        # a cycle in progress and then reads its new count: two runs never
        # write the same cycle (SQLite has one writer at a time).
        query = query.with_for_update(of=Campaign)
    campaign = db.session.execute(query).one()
    cycle = campaign.cycles_run + 1
    summary: dict[str, Any] = {"cycle": cycle}
    created = 0
    if campaign.status == ProjectStatus.CLOSED:
        summary["project_closed"] = True
    else:
        created = _invite(campaign, cycle=cycle, now=now, summary=summary)
    try:
        upcoming = next_runs(
            Recurrence.from_dict(campaign.recurrence), after=now, count=1
        )
    except RecurrenceError:
        log.exception("campaign %s: unreadable schedule, stopped", campaign.id)
        upcoming = []
    # ORM-enabled UPDATE: a Campaign object already in this session follows.
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id)
        .values(
            cycles_run=cycle,
            last_run_at=now,
            last_run_summary=summary,
            next_run_at=upcoming[0] if upcoming else None,
        )
        .execution_options(synchronize_session="evaluate")
    )
    db.session.commit()
    return created


def _eligible_contacts(
    campaign: Any, *, now: datetime, summary: dict[str, Any]
) -> list[Any]:
    """The campaign's contacts who neither opted out nor were asked within the
    fatigue window (counted in ``summary``), in ONE query."""
    window = fatigue_days()
    opted_out = ClientContact.opted_out_at.is_not(None)
    if window:
        tired: Any = (
            exists()
            .where(
                Invitation.member_id == campaign.member_id,
                Invitation.contact_id == ClientContact.id,
                Invitation.sent_at > now - timedelta(days=window),
            )
            .correlate(ClientContact)
        )
    else:
        tired = false()
    contacts = db.session.execute(
        select(
            ClientContact.id,
            ClientContact.locale,
            opted_out.label("opted_out"),
            tired.label("tired"),
        )
        .join(campaign_contact, campaign_contact.c.contact_id == ClientContact.id)
        .where(campaign_contact.c.campaign_id == campaign.id)
    ).all()
    eligible = [c for c in contacts if not c.opted_out and not c.tired]
    summary["opted_out"] = sum(1 for c in contacts if c.opted_out)
    summary["fatigue"] = sum(1 for c in contacts if c.tired and not c.opted_out)
    summary["invited"] = len(eligible)
    return eligible


def _invite(
    campaign: Any, *, cycle: int, now: datetime, summary: dict[str, Any]
) -> int:
    """Create the cycle's invitations and queue their e-mails, in bulk.

    The opt-out and fatigue-window filters are SQL expressions of the one query
    that reads the campaign's contacts (no per-contact query, no list of ids);
    the invitations are one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING,
    the e-mails are rendered once per language into shared bodies and queued
    by one INSERT … SELECT … ON CONFLICT DO NOTHING (see services/outbox.py).
    """
    eligible = _eligible_contacts(campaign, now=now, summary=summary)
    if not eligible:
        return 0
    expires_at = now + timedelta(days=campaign.link_valid_days)
    first_reminder = (
        now + timedelta(days=campaign.reminder_days[0])
        if campaign.max_reminders and campaign.reminder_days
        else None
    )
    tokens = invitation_tokens(campaign.id, cycle, [c.id for c in eligible])
    created = outbox.insert_invitations(
        {c.id: hash_token(tokens[c.id]) for c in eligible},
        {
            "campaign_id": campaign.id,
            "cycle": cycle,
            "member_id": campaign.member_id,
            "version_id": campaign.version_id,
            "created_at": now,
            "sent_at": now,
            "reminders_sent": 0,
            "next_reminder_at": first_reminder,
            "expires_at": expires_at,
        },
        begun=campaign.cycle_begun,
    )
    if created:
        outbox.queue_invitation_emails(
            campaign,
            cycle=cycle,
            locales={c.locale for c in eligible},
            expires_at=expires_at,
            now=now,
        )
    # ORM-enabled: a version object already in this session sees the freeze.
    db.session.execute(
        update(QuestionnaireVersion)
        .where(
            QuestionnaireVersion.id == campaign.version_id,
            QuestionnaireVersion.frozen_at.is_(None),
        )
        .values(frozen_at=now)
        .execution_options(synchronize_session="evaluate")
    )
    return created
