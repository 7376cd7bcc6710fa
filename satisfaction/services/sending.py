"""What the scheduler sends: the invitations of due campaigns, then reminders.

Both jobs are idempotent and safe to run in several processes at once:

- a due campaign is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on
  PostgreSQL (SQLite serialises writers with ``BEGIN IMMEDIATE``); its cycle's
  invitations, their e-mails, the version's freeze and the campaign's next date
  are written in ONE transaction, so a process killed mid-way leaves nothing
  behind and the next run does the whole cycle, once;
- an invitation is unique per (campaign, contact, cycle) and its e-mail per
  idempotency key ``satisfaction.invitation:<id>`` (both ``INSERT … ON CONFLICT
  DO NOTHING``): nothing can be queued twice;
- a reminder is claimed by a conditional ``UPDATE … WHERE reminders_sent = k``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from markupsafe import escape
from sqlalchemy import and_, exists, false, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core.extensions import db
from core.mail import queue_email
from core.models import OutboxMessage, OutboxStatus
from core.security import hash_token
from core.urls import external_url
from members.models import ClientContact, Member, Project, ProjectStatus
from satisfaction.errors import RecurrenceError
from satisfaction.links import (
    invitation_token,
    invitation_tokens,
    unsubscribe_token,
    unsubscribe_tokens,
)
from satisfaction.models import (
    Campaign,
    Invitation,
    QuestionnaireVersion,
    campaign_contact,
)
from satisfaction.recurrence import Recurrence, next_runs
from satisfaction.services.settings import fatigue_days

log = logging.getLogger(__name__)

INVITATION_TEMPLATE = "satisfaction/email/invitation"
REMINDER_TEMPLATE = "satisfaction/email/reminder"
# Filled per contact in the e-mail rendered once per language (see _render_once).
_NAME, _LINK, _UNSUBSCRIBE = "@@qc-name@@", "@@qc-link@@", "@@qc-unsubscribe@@"


def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _insert(model: Any) -> Any:
    """An INSERT that skips rows conflicting with a unique constraint."""
    dialect = postgresql if _is_postgres() else sqlite
    return dialect.insert(model).on_conflict_do_nothing()


def unsubscribe_headers(link: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 (one-click) unsubscribe headers."""
    return {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


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
    if _is_postgres():
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
    campaign = db.session.execute(
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
        )
        .join(Project, Project.id == Campaign.project_id)
        .join(Member, Member.id == Campaign.member_id)
        .where(Campaign.id == campaign_id)
    ).one()
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


def _invite(
    campaign: Any, *, cycle: int, now: datetime, summary: dict[str, Any]
) -> int:
    """Create the cycle's invitations and queue their e-mails, in bulk.

    The opt-out and fatigue-window filters are SQL expressions of the one query
    that reads the campaign's contacts; the invitations are one INSERT … ON
    CONFLICT DO NOTHING … RETURNING (batched by SQLAlchemy), the e-mails are
    rendered once per language and one INSERT … ON CONFLICT DO NOTHING.
    """
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
            ClientContact.name,
            ClientContact.email,
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
    if not eligible:
        return 0
    expires_at = now + timedelta(days=campaign.link_valid_days)
    first_reminder = (
        now + timedelta(days=campaign.reminder_days[0])
        if campaign.max_reminders and campaign.reminder_days
        else None
    )
    tokens = invitation_tokens(campaign.id, cycle, [c.id for c in eligible])
    table = Invitation.__table__
    ids: dict[int, int] = dict(
        db.session.execute(
            _insert(table).returning(table.c.contact_id, table.c.id),
            [
                {
                    "campaign_id": campaign.id,
                    "contact_id": c.id,
                    "cycle": cycle,
                    "member_id": campaign.member_id,
                    "version_id": campaign.version_id,
                    "token_hash": hash_token(tokens[c.id]),
                    "created_at": now,
                    "sent_at": now,
                    "reminders_sent": 0,
                    "next_reminder_at": first_reminder,
                    "expires_at": expires_at,
                }
                for c in eligible
            ],
        ).all()
    )
    _queue_invitation_emails(
        campaign,
        [c for c in eligible if c.id in ids],
        ids=ids,
        tokens=tokens,
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
    return len(ids)


def _email_context(
    *, member_name: str, project_title: str, expires_at: datetime, reminder: bool
) -> dict[str, Any]:
    return {
        "member_name": member_name,
        "association_name": current_app.config["ASSOCIATION_NAME"],
        "project_title": project_title,
        "expires_on": format_date(expires_at, "long"),
        "reminder": reminder,
    }


def _render_once(
    template: str, context: dict[str, Any], locale: str
) -> tuple[str, str, str]:
    """Subject, text and HTML of an invitation with per-contact placeholders.

    A campaign's e-mails differ only by name and links: rendering them once per
    language and filling the blanks costs a string replacement per contact
    instead of three template renders (see benchmarks/survey.py).
    """
    with force_locale(locale):
        values = {
            **context,
            "expires_on": format_date(context["expires_at"], "long"),
            "contact_name": _NAME,
            "link": _LINK,
            "unsubscribe_link": _UNSUBSCRIBE,
        }
        subject = render_template(f"{template}_subject.txt", **values).strip()
        text = render_template(f"{template}.txt", **values)
        html = render_template(f"{template}.html", **values)
    return " ".join(subject.split()), text, html


def _fill(body: str, *, name: str, link: str, unsubscribe: str) -> str:
    return (
        body.replace(_NAME, name)
        .replace(_LINK, link)
        .replace(_UNSUBSCRIBE, unsubscribe)
    )


def _queue_invitation_emails(
    campaign: Any,
    contacts: Sequence[Any],
    *,
    ids: dict[int, int],
    tokens: dict[int, str],
    expires_at: datetime,
    now: datetime,
) -> None:
    """Queue one e-mail per invitation in the contact's language (outbox rows in
    this transaction, one per idempotency key, one executemany)."""
    answer_base = external_url("satisfaction.open_link", token="TOKEN")
    unsubscribe_base = external_url("satisfaction.unsubscribe", token="TOKEN")
    unsubscribe_of = unsubscribe_tokens(ids[c.id] for c in contacts)
    context = {
        "member_name": campaign.member_name,
        "association_name": current_app.config["ASSOCIATION_NAME"],
        "project_title": campaign.project_title,
        "expires_at": expires_at,
        "reminder": False,
    }
    rendered: dict[str, tuple[str, str, str]] = {}
    rows = []
    for contact in contacts:
        locale = contact.locale if contact.locale in ("fr", "en") else "fr"
        if locale not in rendered:
            rendered[locale] = _render_once(INVITATION_TEMPLATE, context, locale)
        subject, text, html = rendered[locale]
        invitation_id = ids[contact.id]
        link = answer_base.replace("TOKEN", tokens[contact.id])
        unsubscribe = unsubscribe_base.replace("TOKEN", unsubscribe_of[invitation_id])
        rows.append(
            {
                "idempotency_key": f"satisfaction.invitation:{invitation_id}",
                "to_address": contact.email,
                "subject": subject,
                "body_text": _fill(
                    text, name=contact.name, link=link, unsubscribe=unsubscribe
                ),
                "body_html": _fill(
                    html,
                    name=str(escape(contact.name)),
                    link=str(escape(link)),
                    unsubscribe=str(escape(unsubscribe)),
                ),
                "headers": unsubscribe_headers(unsubscribe),
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    if rows:
        db.session.execute(_insert(OutboxMessage.__table__), rows)


# ---------------------------------------------------------------- reminders


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
    if _is_postgres():
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
        context = _email_context(
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
