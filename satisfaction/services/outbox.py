"""The invitation e-mails, queued in bulk: each language's e-mail rendered once,
the cycle's invitations and their outbox rows each inserted by ONE statement.

An invitation is unique per (campaign, contact, cycle) and its e-mail per
idempotency key ``satisfaction.invitation:<id>`` (both ``INSERT … ON CONFLICT DO
NOTHING``): nothing can be queued twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import bindparam, text

from core.database import UTCDateTime
from core.extensions import db
from core.i18n import format_date
from core.models import OutboxMessage, OutboxStatus
from core.urls import external_url
from satisfaction.links import unsubscribe_tokens
from satisfaction.models import Invitation

INVITATION_TEMPLATE = "satisfaction/email/invitation"
# Filled per contact in the e-mail rendered once per language (see _render_once).
_NAME, _LINK, _UNSUBSCRIBE = "@@qc-name@@", "@@qc-link@@", "@@qc-unsubscribe@@"
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


def _render_once(
    template: str, context: dict[str, Any], locale: str
) -> tuple[str, str, str]:
    """Subject, text and HTML of an invitation with per-contact placeholders.

    A campaign's e-mails differ only by name and links: rendering them once per
    language and filling the blanks costs a few concatenations per contact
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


def queue_invitation_emails(
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
# put together in the database from their pieces between the blanks and each
# recipient's links and name (see _insert_outbox and benchmarks/survey.py).

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


# A rendered e-mail's blanks, in the order they appear (split keeps them).
_BLANKS = re.compile(
    "(" + "|".join(re.escape(blank) for blank in (_NAME, _LINK, _UNSUBSCRIBE)) + ")"
)


def _outbox_params(
    rendered: dict[str, tuple[str, str, str]],
    position: dict[str, int],
    *,
    now: datetime,
) -> tuple[dict[str, Any], dict[str, dict[str, list[str]]]]:
    """What the e-mails share, bound once: each language's subject and the
    pieces of its text and HTML between the blanks (``text_<n>_<i>``…), and the
    text around the tokens of the two links. Also, per language and kind, the
    blanks between those pieces, in order."""
    params: dict[str, Any] = {
        "key": _INVITATION_KEY,
        "headers": json.dumps(unsubscribe_headers(_UNSUBSCRIBE)),
        "status": OutboxStatus.PENDING.value,
        "now": now,
    }
    blanks: dict[str, dict[str, list[str]]] = {}
    for locale, index in position.items():
        subject, text_body, html_body = rendered[locale]
        params[f"subject_{index}"] = subject
        blanks[locale] = {}
        for kind, body in (("text", text_body), ("html", html_body)):
            pieces = _BLANKS.split(body)
            blanks[locale][kind] = pieces[1::2]
            for number, piece in enumerate(pieces[::2]):
                params[f"{kind}_{index}_{number}"] = piece
    for prefix, around in (
        ("answer", _Link("satisfaction.open_link")),
        ("unsubscribe", _Link("satisfaction.unsubscribe")),
    ):
        for kind in ("text", "html", "json"):
            for index, part in enumerate(getattr(around, kind)):
                params[f"{prefix}_{kind}_{index}"] = part
    return params, blanks


def _insert_outbox(
    rendered: dict[str, tuple[str, str, str]],
    blanks: Sequence[tuple[Any, ...]],
    *,
    now: datetime,
) -> None:
    """Queue the e-mails, idempotency key ``satisfaction.invitation:<id>``: each
    language's (subject, text, HTML) rendered once, cut at its blanks, and put
    together again per recipient with its links and name (one ``||`` chain per
    e-mail: no ``replace()`` scanning the whole body three times), in one
    statement. ``blanks``: (invitation id, address, ``_LOCALES`` number, name,
    name escaped for HTML, answer token, unsubscribe token) per e-mail."""
    if not blanks:
        return
    position = {locale: _LOCALES[locale] for locale in rendered}
    params, order = _outbox_params(rendered, position, now=now)

    def link(prefix: str, kind: str, token: str) -> str:
        return f"(:{prefix}_{kind}_0 || {token} || :{prefix}_{kind}_1)"

    def filled(kind: str, name: str) -> str:
        # Each piece of the rendered body once, each blank its recipient's value:
        # what was filled is never read again (a name holding a blank stays so).
        value = {
            _NAME: name,
            _LINK: link("answer", kind, "t.token"),
            _UNSUBSCRIBE: link("unsubscribe", kind, "t.unsubscribe"),
        }
        cases = []
        for locale, index in position.items():
            chain = [f"CAST(:{kind}_{index}_0 AS TEXT)"]
            for number, blank in enumerate(order[locale][kind], start=1):
                chain += [value[blank], f"CAST(:{kind}_{index}_{number} AS TEXT)"]
            cases.append(f"WHEN {index} THEN {' || '.join(chain)}")
        return f"CASE t.locale {' '.join(cases)} END"

    subject = " ".join(f"WHEN {i} THEN :subject_{i}" for i in position.values())
    headers = f"replace(:headers, '{_UNSUBSCRIBE}', {link('unsubscribe', 'json', 't.unsubscribe')})"
    if is_postgres():
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
        f"SELECT :key || t.id, t.to_address, CASE t.locale {subject} END, "
        f"{filled('text', 't.name')}, {filled('html', 't.name_html')}, "
        f"{headers}, :status, 0, :now, :now FROM {source} "
        "WHERE true ON CONFLICT DO NOTHING",
        params,
    )
    db.session.execute(statement, params)
