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

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from markupsafe import escape
from sqlalchemy import and_, bindparam, exists, false, select, text, update

from core.database import UTCDateTime
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
_INVITATION_KEY = "satisfaction.invitation:"  # + the invitation's id
_LOCALES = {"fr": 1, "en": 2}  # the e-mails' languages, numbered for SQL


def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


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
    that reads the campaign's contacts (no per-contact query, no list of ids);
    the invitations are one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING,
    the e-mails are rendered once per language and queued by one INSERT …
    SELECT … ON CONFLICT DO NOTHING (see "bulk inserts" below).
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
    ids = _insert_invitations(
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


def _queue_invitation_emails(
    campaign: Any,
    contacts: Sequence[Any],
    *,
    ids: dict[int, int],
    tokens: dict[int, str],
    expires_at: datetime,
    now: datetime,
) -> None:
    """Queue one e-mail per invitation in the contact's language: outbox rows in
    this transaction, one per idempotency key, in one statement. Each language's
    e-mail is rendered once; per contact only its name and links are filled."""
    unsubscribe_of = unsubscribe_tokens(ids[c.id] for c in contacts)
    context = {
        "member_name": campaign.member_name,
        "association_name": current_app.config["ASSOCIATION_NAME"],
        "project_title": campaign.project_title,
        "expires_at": expires_at,
        "reminder": False,
    }
    rendered: dict[str, tuple[str, str, str]] = {}
    blanks: list[tuple[Any, ...]] = []  # see _insert_outbox
    for contact in contacts:
        locale = contact.locale if contact.locale in _LOCALES else "fr"
        if locale not in rendered:
            rendered[locale] = _render_once(INVITATION_TEMPLATE, context, locale)
        invitation_id = ids[contact.id]
        blanks.append(
            (
                invitation_id,
                contact.email,
                _LOCALES[locale],
                contact.name,
                str(escape(contact.name)),
                tokens[contact.id],
                unsubscribe_of[invitation_id],
            )
        )
    _insert_outbox(rendered, blanks, now=now)


# ---------------------------------------------------------------- bulk inserts
#
# A cycle's invitations and e-mails are each ONE ``INSERT … SELECT … ON CONFLICT
# DO NOTHING`` (an invitation per campaign, contact and cycle; an e-mail per
# idempotency key): what all rows share is bound once, what differs comes as a
# few short columns in one JSON document (PostgreSQL ``json_array_elements()``,
# SQLite ``json_each()``). An executemany would convert every row's timestamps in
# Python, psycopg would parse a statement of 10,000 × 11 placeholders or escape
# array items one by one; the e-mail bodies, rendered once per language, are
# filled by ``replace()`` in the database (see benchmarks/survey.py).

_INVITATION_COMMON = (
    "campaign_id",
    "cycle",
    "member_id",
    "version_id",
    "created_at",
    "sent_at",
    "reminders_sent",
    "next_reminder_at",
    "expires_at",
)
_TIMESTAMPS = ("created_at", "sent_at", "next_reminder_at", "expires_at", "now")


def _rows_source(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
) -> tuple[str, dict[str, Any]]:
    """A FROM item ``t`` with ``columns`` ((name, "integer" | "text"), …) holding
    ``rows``, sent as ONE JSON parameter (json.dumps is C, and one string
    parameter costs the driver nothing per row)."""
    if _is_postgres():
        values = ", ".join(
            f"CAST(e->>{index} AS {kind}) AS {name}"
            for index, (name, kind) in enumerate(columns)
        )
        source = "json_array_elements(CAST(:t_rows AS json)) AS e"
    else:
        values = ", ".join(
            f"json_extract(value, '$[{index}]') AS {name}"
            for index, (name, _kind) in enumerate(columns)
        )
        source = "json_each(:t_rows)"
    return (
        f"(SELECT {values} FROM {source}) AS t",
        {"t_rows": json.dumps(rows)},
    )


def _bulk_statement(sql: str, params: dict[str, Any]) -> Any:
    return text(sql).bindparams(
        *(
            bindparam(name, type_=UTCDateTime())
            for name in _TIMESTAMPS
            if name in params
        )
    )


def _insert_invitations(
    token_hashes: dict[int, str], common: dict[str, Any]
) -> dict[int, int]:
    """Insert one invitation per contact (contact id → token hash); returns
    contact id → invitation id of the rows inserted."""
    source, params = _rows_source(
        [("contact_id", "integer"), ("token_hash", "text")],
        list(token_hashes.items()),
    )
    params.update(common)
    statement = _bulk_statement(
        f"INSERT INTO {Invitation.__table__.name} "
        f"({', '.join(_INVITATION_COMMON)}, contact_id, token_hash) "
        f"SELECT {', '.join(f':{name}' for name in _INVITATION_COMMON)}, "
        f"t.contact_id, t.token_hash FROM {source} "
        # WHERE true: SQLite's parser needs it before ON CONFLICT.
        "WHERE true ON CONFLICT DO NOTHING RETURNING contact_id, id",
        params,
    )
    return dict(db.session.execute(statement, params).all())


class _Link:
    """A link with a token in it, as text, HTML and JSON: the tokens are URL-safe
    base64 (and dots), so only the parts around them need escaping."""

    def __init__(self, endpoint: str) -> None:
        before, after = external_url(endpoint, token="TOKEN").rsplit("TOKEN", 1)
        self.text = (before, after)
        self.html = (str(escape(before)), str(escape(after)))
        self.json = (json.dumps(before)[1:-1], json.dumps(after)[1:-1])


def _insert_outbox(
    rendered: dict[str, tuple[str, str, str]],
    blanks: Sequence[tuple[Any, ...]],
    *,
    now: datetime,
) -> None:
    """Queue the e-mails, idempotency key ``satisfaction.invitation:<id>``: each
    language's (subject, text, HTML) rendered once, its blanks filled per
    recipient by ``replace()`` (links, then the name) in one statement. ``blanks``: (invitation id, address, ``_LOCALES`` number, name,
    name escaped for HTML, answer token, unsubscribe token) per e-mail."""
    if not blanks:
        return
    position = {locale: _LOCALES[locale] for locale in rendered}
    params: dict[str, Any] = {
        "key": _INVITATION_KEY,
        "headers": json.dumps(unsubscribe_headers(_UNSUBSCRIBE)),
        "status": OutboxStatus.PENDING.value,
        "now": now,
    }
    for locale, index in position.items():
        subject, text_body, html_body = rendered[locale]
        params.update(
            {
                f"subject_{index}": subject,
                f"text_{index}": text_body,
                f"html_{index}": html_body,
            }
        )
    for prefix, around in (
        ("answer", _Link("satisfaction.open_link")),
        ("unsubscribe", _Link("satisfaction.unsubscribe")),
    ):
        for kind in ("text", "html", "json"):
            for index, part in enumerate(getattr(around, kind)):
                params[f"{prefix}_{kind}_{index}"] = part

    def per_locale(kind: str) -> str:
        cases = " ".join(f"WHEN {i} THEN :{kind}_{i}" for i in position.values())
        return f"CASE t.locale {cases} END"

    def link(prefix: str, kind: str, token: str) -> str:
        return f":{prefix}_{kind}_0 || {token} || :{prefix}_{kind}_1"

    def filled(kind: str, name: str) -> str:
        # The name last: a name holding a blank is never filled in its turn.
        return (
            f"replace(replace(replace({per_locale(kind)}, "
            f"'{_LINK}', {link('answer', kind, 't.token')}), "
            f"'{_UNSUBSCRIBE}', {link('unsubscribe', kind, 't.unsubscribe')}), "
            f"'{_NAME}', {name})"
        )

    headers = f"replace(:headers, '{_UNSUBSCRIBE}', {link('unsubscribe', 'json', 't.unsubscribe')})"
    if _is_postgres():
        headers = f"CAST({headers} AS json)"
    source, rows = _rows_source(
        [
            ("id", "integer"),
            ("to_address", "text"),
            ("locale", "integer"),
            ("name", "text"),
            ("name_html", "text"),
            ("token", "text"),
            ("unsubscribe", "text"),
        ],
        blanks,
    )
    params.update(rows)
    statement = _bulk_statement(
        f"INSERT INTO {OutboxMessage.__table__.name} (idempotency_key, to_address, "
        "subject, body_text, body_html, headers, status, attempts, "
        "next_attempt_at, created_at) "
        f"SELECT :key || t.id, t.to_address, {per_locale('subject')}, "
        f"{filled('text', 't.name')}, {filled('html', 't.name_html')}, "
        f"{headers}, :status, 0, :now, :now FROM {source} "
        "WHERE true ON CONFLICT DO NOTHING",
        params,
    )
    db.session.execute(statement, params)


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
