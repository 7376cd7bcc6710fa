"""The invitation e-mails, queued in bulk: each language's e-mail rendered once
into a body the cycle's e-mails share, the invitations and their thin outbox rows
each inserted by ONE statement; the sender fills each e-mail's name and links
(``fill_invitation``), so no answer token is stored, in clear, anywhere.

An invitation is unique per (campaign, contact, cycle) and its e-mail per
idempotency key ``satisfaction.invitation:<id>`` (both ``INSERT … ON CONFLICT DO
NOTHING``): nothing can be queued twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import bindparam, insert, select, text, update

from core.database import UTCDateTime
from core.extensions import db
from core.i18n import format_date
from core.mail_bodies import FillError, render_shared_body
from core.models import OutboxBody, OutboxMessage, OutboxStatus
from core.security import hash_token
from core.urls import external_url
from members.models import ClientContact
from satisfaction.links import invitation_token, unsubscribe_token
from satisfaction.models import Invitation

INVITATION_TEMPLATE = "satisfaction/email/invitation"
INVITATION_FILLER = "satisfaction.invitation"  # see fill_invitation
# The per-contact parts of the e-mail rendered once per language: slots the
# sender fills (core.mail_bodies), from the row's name and invitation id.
_SLOTS = ("contact_name", "link", "unsubscribe_link")
_INVITATION_KEY = "satisfaction.invitation:"  # + the invitation's id
_LOCALES = {"fr": 1, "en": 2}  # the e-mails' languages, numbered for SQL


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def unsubscribe_headers(link: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 (one-click) unsubscribe headers."""
    return {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def email_context(
    *, member_name: str, project_title: str, expires_at: datetime, reminder: bool
) -> dict[str, Any]:
    return {
        "member_name": member_name,
        "association_name": current_app.config["ASSOCIATION_NAME"],
        "project_title": project_title,
        "expires_on": format_date(expires_at, "long"),
        "reminder": reminder,
    }


def fill_invitation(fill: Mapping[str, Any]) -> dict[str, str]:
    """The values of an invitation e-mail's slots, made when it is sent: the
    links' tokens are computed again (an HMAC of the invitation), never stored.

    :raises FillError: the invitation is gone (its contact was erased).
    """
    invitation_id = int(fill["invitation"])
    row = db.session.execute(
        select(
            Invitation.campaign_id,
            Invitation.contact_id,
            Invitation.cycle,
            Invitation.token_hash,
        ).where(Invitation.id == invitation_id)
    ).one_or_none()
    if row is None:
        raise FillError(f"invitation {invitation_id} is gone")
    token = invitation_token(row.campaign_id, row.contact_id, row.cycle)
    if hash_token(token) != row.token_hash:
        # SECRET_KEY changed since it was queued: re-key, so that the link opens
        # (as a reminder does); committed with the message's claim.
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id)
            .values(token_hash=hash_token(token))
            .execution_options(synchronize_session=False)
        )
    return {
        "contact_name": str(fill["name"]),
        "link": external_url("satisfaction.open_link", token=token),
        "unsubscribe_link": external_url(
            "satisfaction.unsubscribe", token=unsubscribe_token(invitation_id)
        ),
    }


def queue_invitation_emails(
    campaign: Any,
    *,
    cycle: int,
    locales: Iterable[str],
    expires_at: datetime,
    now: datetime,
) -> None:
    """Queue one e-mail per invitation of the campaign's ``cycle`` in the
    contact's language, in this transaction: each language's e-mail (of
    ``locales``, the contacts') rendered once into a shared body (one INSERT
    for all), then one thin outbox row per invitation (one INSERT … SELECT),
    its slots filled when it is sent (``fill_invitation``)."""
    context = {
        "member_name": campaign.member_name,
        "association_name": current_app.config["ASSOCIATION_NAME"],
        "project_title": campaign.project_title,
        "reminder": False,
    }
    used = sorted({locale if locale in _LOCALES else "fr" for locale in locales})
    if not used:
        return
    bodies = _insert_bodies(
        {locale: _render(context, locale, expires_at) for locale in used}, now=now
    )
    _insert_outbox(bodies, campaign_id=campaign.id, cycle=cycle, now=now)


def _render(
    context: dict[str, Any], locale: str, expires_at: datetime
) -> tuple[OutboxBody, str]:
    with force_locale(locale):
        expires_on = format_date(expires_at, "long")
    return render_shared_body(
        INVITATION_TEMPLATE,
        context={**context, "expires_on": expires_on},
        locale=locale,
        slots=_SLOTS,
        headers=unsubscribe_headers("{unsubscribe_link}"),
        filler=INVITATION_FILLER,
    )


def _insert_bodies(
    rendered: dict[str, tuple[OutboxBody, str]], *, now: datetime
) -> dict[str, tuple[int, str]]:
    """Insert each language's shared body in ONE statement; locale → (body id,
    subject)."""
    table = OutboxBody.__table__
    inserted = db.session.execute(
        insert(table)
        .values(
            [
                {
                    "body_text": body.body_text,
                    "body_html": body.body_html,
                    "headers": body.headers,
                    "slot_nonce": body.slot_nonce,
                    "filler": body.filler,
                    "created_at": now,
                }
                for body, _subject in rendered.values()
            ]
        )
        .returning(table.c.slot_nonce, table.c.id)
    )
    body_ids: dict[str, int] = {nonce: body_id for nonce, body_id in inserted}
    return {
        locale: (body_ids[body.slot_nonce], subject)
        for locale, (body, subject) in rendered.items()
    }


# ---------------------------------------------------------------- bulk inserts
#
# A cycle's invitations and e-mails are each ONE ``INSERT … SELECT … ON CONFLICT
# DO NOTHING`` (an invitation per campaign, contact and cycle; an e-mail per
# idempotency key): what all rows share is bound once, what differs comes as a
# few short columns in one JSON document (PostgreSQL ``json_array_elements()``,
# SQLite ``json_each()``). An executemany would convert every row's timestamps in
# Python, psycopg would parse a statement of 10,000 × 11 placeholders or escape
# array items one by one. An e-mail row holds no body: it points at its
# language's shared body and holds what fills it, the contact's name and the
# invitation's id (see _insert_outbox and benchmarks/survey.py).

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
    if is_postgres():
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


def insert_invitations(
    token_hashes: dict[int, str], common: dict[str, Any], *, begun: bool
) -> int:
    """Insert one invitation per contact (contact id → token hash); returns how
    many were inserted (an invitation already there is left as it is).

    A cycle runs under its campaign's lock (``run_campaign_cycle``), so only a
    cycle already ``begun`` (some of its invitations exist) can hold rows that
    conflict: a new one, the usual case, is inserted without ``ON CONFLICT`` (on
    PostgreSQL a third faster: no speculative insertion into the two unique
    indexes).
    """
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
        + ("WHERE true ON CONFLICT DO NOTHING" if begun else ""),
        params,
    )
    result = db.session.execute(statement, params)
    return int(result.rowcount)  # type: ignore[attr-defined]


def _by_locale(values: dict[str, str]) -> str:
    """``CASE`` on the contact's language: its value, else French's (the
    language of a contact whose own we do not write), else the first one."""
    default = values.get("fr", next(iter(values.values())))
    cases = " ".join(
        f"WHEN '{locale}' THEN {value}" for locale, value in values.items()
    )
    return f"CASE c.locale {cases} ELSE {default} END"


def _insert_outbox(
    bodies: dict[str, tuple[int, str]], *, campaign_id: int, cycle: int, now: datetime
) -> None:
    """Queue the e-mails of the cycle's invitations, idempotency key
    ``satisfaction.invitation:<id>``, in one statement reading the invitations
    back with their contacts: per e-mail its address, its language's subject and
    shared body, and what fills the body (the contact's name, the invitation's
    id). Nothing goes through Python per e-mail."""
    params: dict[str, Any] = {
        "key": _INVITATION_KEY,
        "headers": "{}",
        "status": OutboxStatus.PENDING.value,
        "now": now,
        "campaign_id": campaign_id,
        "cycle": cycle,
    }
    subjects, body_ids = {}, {}
    for locale, (body_id, subject) in bodies.items():
        params[f"subject_{locale}"] = subject
        params[f"body_{locale}"] = body_id
        subjects[locale] = f":subject_{locale}"
        body_ids[locale] = f":body_{locale}"
    if is_postgres():
        fill = "json_build_object('name', c.name, 'invitation', i.id)"
        headers = "CAST(:headers AS json)"
    else:
        fill = "json_object('name', c.name, 'invitation', i.id)"
        headers = ":headers"
    statement = _bulk_statement(
        f"INSERT INTO {OutboxMessage.__table__.name} (idempotency_key, to_address, "
        "subject, body_id, fill, headers, status, attempts, next_attempt_at, "
        "created_at) "
        f"SELECT :key || i.id, c.email, {_by_locale(subjects)}, "
        f"{_by_locale(body_ids)}, {fill}, {headers}, :status, 0, :now, :now "
        f"FROM {Invitation.__table__.name} AS i "
        f"JOIN {ClientContact.__table__.name} AS c ON c.id = i.contact_id "
        "WHERE i.campaign_id = :campaign_id AND i.cycle = :cycle "
        "ON CONFLICT DO NOTHING",
        params,
    )
    db.session.execute(statement, params)
