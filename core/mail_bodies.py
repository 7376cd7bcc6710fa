"""E-mail bodies shared by many messages: rendered once, filled per message when sent.

A campaign's 10,000 invitations differ only by a name and two links: their text
and HTML are rendered once per language into an :class:`OutboxBody` with slots,
and each outbox row keeps only its own values (``fill``); the sender fills the
slots when it builds the e-mail (see benchmarks/survey.py). What the recipient
gets is byte for byte the e-mail rendered for them alone:

- a value goes into the text and the headers as it is, and into the HTML escaped
  as Jinja's autoescape escapes it (``markupsafe.escape``);
- the slots are marked with a random nonce of their body, so that no text a user
  wrote (a name, a project title) can be taken for one, and a filled value is
  never read again;
- a body may name a *filler*, a function a feature registers, which makes the
  values that must not be stored (links carrying a token) from the row's
  ``fill`` at send time, the same on every attempt.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from markupsafe import escape

from core.extensions import db
from core.models import OutboxBody, OutboxMessage

# fill (as stored on the message) -> the slots' values
Filler = Callable[[Mapping[str, Any]], Mapping[str, str]]
_FILLERS = "qualicharte.mail_fillers"


class FillError(Exception):
    """The values of a message cannot be made (what it refers to is gone): the
    message is not sent, and says why in its ``last_error``."""


def register_filler(app: Flask, name: str, filler: Filler) -> None:
    """Let bodies naming ``name`` be filled by ``filler`` when they are sent."""
    app.extensions.setdefault(_FILLERS, {})[name] = filler


@dataclass(frozen=True)
class Content:
    """What a message says: its text, its HTML and its extra headers."""

    text: str
    html: str | None
    headers: dict[str, str]


def _marker(nonce: str, slot: str) -> str:
    return f"@@qc-{nonce}:{slot}@@"


def render_shared_body(
    template: str,
    *,
    context: Mapping[str, Any],
    locale: str,
    slots: Sequence[str],
    headers: Mapping[str, str] | None = None,
    filler: str | None = None,
) -> tuple[OutboxBody, str]:
    """Render ``template`` (.txt, .html, _subject.txt) once in ``locale``, each
    context key of ``slots`` left as a slot of that name; returns the body (not
    yet added to the session) and the subject, which holds no slot.

    ``headers``: values with ``{slot}`` fields (our own text, never a user's).
    """
    nonce = secrets.token_hex(8)
    marks = {slot: _marker(nonce, slot) for slot in slots}
    with force_locale(locale):
        values = {**context, **marks}
        subject = render_template(f"{template}_subject.txt", **values).strip()
        text = render_template(f"{template}.txt", **values)
        html = render_template(f"{template}.html", **values)
    if f"@@qc-{nonce}:" in subject:
        raise ValueError(f"{template}: a subject is stored per message, not filled")
    body = OutboxBody(
        body_text=text,
        body_html=html,
        headers={
            name: value.format_map(marks) for name, value in (headers or {}).items()
        },
        slot_nonce=nonce,
        filler=filler,
    )
    return body, " ".join(subject.split())


def fill_slots(
    template: str, nonce: str, values: Mapping[str, str], *, html: bool
) -> str:
    """``template`` with each slot replaced by its value (HTML-escaped if ``html``).

    :raises FillError: a slot without a value.
    """
    pieces = re.split(_marker(re.escape(nonce), "([A-Za-z0-9_]+)"), template)
    for index in range(1, len(pieces), 2):
        value = values.get(pieces[index])
        if value is None:
            raise FillError(f"no value for the slot {pieces[index]!r}")
        pieces[index] = str(escape(value)) if html else value
    return "".join(pieces)


def _values(body: OutboxBody, fill: Mapping[str, Any]) -> Mapping[str, str]:
    if body.filler is None:
        return {name: str(value) for name, value in fill.items()}
    filler: Filler | None = current_app.extensions.get(_FILLERS, {}).get(body.filler)
    if filler is None:
        raise FillError(f"no filler registered as {body.filler!r}")
    try:
        return filler(fill)
    except (KeyError, TypeError, ValueError) as error:
        # A row it cannot read will never be sent: say so rather than block
        # the outbox (its database errors, which may pass, still go up).
        raise FillError(f"{type(error).__name__}: {error}") from error


def message_content(
    message: OutboxMessage, *, bodies: dict[int, OutboxBody] | None = None
) -> Content:
    """The text, HTML and extra headers of ``message``, its slots filled.

    ``bodies``: the shared bodies already read (a sender's run keeps them: a
    body is never changed), filled in as they are read.

    :raises FillError: its values cannot be made.
    """
    if message.body_id is None:
        return Content(message.body_text or "", message.body_html, message.headers)
    known = {} if bodies is None else bodies
    body = known.get(message.body_id) or db.session.get(OutboxBody, message.body_id)
    if body is None:
        raise FillError(f"body {message.body_id} is gone")
    known[message.body_id] = body
    values = _values(body, message.fill or {})
    nonce = body.slot_nonce
    headers = {
        name: fill_slots(value, nonce, values, html=False)
        for name, value in body.headers.items()
    }
    return Content(
        text=fill_slots(body.body_text, nonce, values, html=False),
        html=(
            None
            if body.body_html is None
            else fill_slots(body.body_html, nonce, values, html=True)
        ),
        headers={**headers, **message.headers},
    )
