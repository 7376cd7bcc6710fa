"""E-mail through a transactional outbox.

A use case calls :func:`queue_email` inside its own transaction; the scheduler's
job :func:`deliver_due` sends what is due, claiming each message atomically so
that several scheduler processes never send one twice (PITFALLS.md §1).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import and_, or_, select, update

from core.database import utcnow
from core.extensions import db
from core.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# A message claimed longer ago than this by a process that died is claimed again.
CLAIM_LEASE = timedelta(minutes=10)


def queue_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    locale: str,
    key: str,
    headers: dict[str, str] | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Render ``template`` (.txt, .html and _subject.txt) in ``locale`` and queue it.

    Nothing is committed here: the caller's transaction owns the message. A
    message whose ``key`` is already queued is not queued again.
    """
    existing = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
    )
    if existing is not None:
        return existing
    with force_locale(locale):
        subject = render_template(f"{template}_subject.txt", **context).strip()
        body_text = render_template(f"{template}.txt", **context)
        body_html = render_template(f"{template}.html", **context)
    message = OutboxMessage(
        idempotency_key=key,
        to_address=to,
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now or utcnow(),
        created_at=now or utcnow(),
    )
    db.session.add(message)
    return message


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _claim(now: datetime, limit: int) -> list[int]:
    """Mark up to ``limit`` due messages as being sent by this process."""
    due = or_(
        and_(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        ),
        and_(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - CLAIM_LEASE,
        ),
    )
    query = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    claimed: list[int] = []
    for message_id in ids:
        # The conditional UPDATE is the claim: only one process can win it.
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, due)
            .values(status=OutboxStatus.SENDING, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(message_id)
    db.session.commit()
    return claimed


def deliver_due(now: datetime, *, limit: int = 200) -> DeliveryReport:
    """Send the messages that are due; retry failures later with back-off."""
    report = DeliveryReport()
    config = current_app.config
    transport = make_transport(config["MAIL_URL"])
    claimed = _claim(now, limit)
    if not claimed:
        return report
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
    ).all()
    outgoing = [
        (m.id, m.attempts + 1, build_email(m, sender=config["MAIL_FROM"]))
        for m in messages
    ]
    # No transaction stays open while we talk to the SMTP server.
    db.session.commit()
    for message_id, attempts, email in outgoing:
        values: dict[str, Any] = {"attempts": attempts}
        try:
            transport.send(email)
        except (OSError, smtplib.SMTPException) as error:
            values["last_error"] = f"{type(error).__name__}: {error}"[:2000]
            if attempts >= config["MAIL_MAX_ATTEMPTS"]:
                values["status"] = OutboxStatus.FAILED
                report.failed.append(message_id)
                log.error("giving up on e-mail %s: %s", message_id, error)
            else:
                delay = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1)
                values["status"] = OutboxStatus.PENDING
                values["next_attempt_at"] = now + timedelta(seconds=delay)
                report.retried.append(message_id)
                log.warning("e-mail %s not sent, retry in %ss", message_id, delay)
        else:
            values.update(status=OutboxStatus.SENT, sent_at=now, last_error=None)
            report.sent.append(message_id)
        # One commit per message: a crash never forgets what was already sent.
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
        )
        db.session.commit()
    return report


def build_email(message: OutboxMessage, *, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="qualicharte.localhost")
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


class Transport:
    def send(self, email: EmailMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class SmtpTransport(Transport):
    """SMTP, SMTPS or SMTP with STARTTLS, from a ``MAIL_URL``."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    def send(self, email: EmailMessage) -> None:
        smtp: smtplib.SMTP
        if self.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                self.host, self.port, timeout=30, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=30)
        with smtp:
            if self.scheme == "smtp+starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(email)


class FileTransport(Transport):
    """Development: each message becomes a ``.eml`` file under ``instance/outbox``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, email: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        (self.folder / f"{stamp}.eml").write_bytes(bytes(email))


def outbox_folder() -> Path:
    return Path(current_app.instance_path) / "outbox"


def make_transport(url: str) -> Transport:
    scheme = urlsplit(url).scheme
    if scheme == "file":
        return FileTransport(outbox_folder())
    if scheme in {"smtp", "smtps", "smtp+starttls"}:
        return SmtpTransport(url)
    raise ValueError(f"MAIL_URL scheme not supported: {scheme!r}")
