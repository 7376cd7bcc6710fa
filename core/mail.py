"""E-mail through a transactional outbox, delivered once as far as SMTP allows.

A use case calls :func:`queue_email` inside its own transaction; the scheduler's
job :func:`deliver_due` sends what is due (PITFALLS.md §1 and §16):

- one message at a time: it is claimed (a short lease, committed), sent, and
  marked sent in its own commit right after the SMTP server accepted it, so a
  sender killed at any moment re-sends at most the one message it had in
  flight, and nothing else stays claimed;
- a claim whose sender died is taken again once its lease is over (about a
  minute); a send slower than a third of the lease renews it, so a live sender's
  message is never taken by another process;
- every message carries a ``Message-ID`` derived from its outbox row, the same
  on every attempt, so that a receiver can drop the rare duplicate.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import ColumnElement, and_, or_, select, update

from core.database import utcnow
from core.extensions import db
from core.mail_bodies import FillError, message_content
from core.models import OutboxBody, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# A message claimed longer ago than this by a process that died is claimed again
# (the MAIL_CLAIM_LEASE_SECONDS setting; a live sender renews its claim).
CLAIM_LEASE = timedelta(seconds=60)


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


@dataclass(frozen=True)
class _Claim:
    """One message this process holds: what to send and when it claimed it
    (``email`` is None when it could not be built, ``error`` says why)."""

    message_id: int
    attempts: int
    email: EmailMessage | None
    claimed_at: datetime
    error: str | None = None


class _Clock:
    """The run's ``now`` moved on by the real time elapsed since the run began:
    tests pass a fixed ``now``, and a long run still writes fresh claims."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.began = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


def claim_lease() -> timedelta:
    """How long a claim holds a message before another sender may take it."""
    seconds = current_app.config.get("MAIL_CLAIM_LEASE_SECONDS")
    return CLAIM_LEASE if seconds is None else timedelta(seconds=float(seconds))


def _due(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    return or_(
        and_(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        ),
        and_(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - lease,
        ),
    )


def _claim_next(
    now: datetime, lease: timedelta, bodies: dict[int, OutboxBody]
) -> _Claim | None:
    """Claim the oldest due message for this process and commit the claim.

    On PostgreSQL the row is locked (other senders skip it); on SQLite the
    transaction began IMMEDIATE holds the write lock. The guarded UPDATE is
    the claim either way: only one process can win it.
    """
    due = _due(now, lease)
    query = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(1)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for _ in range(3):
        message_id = db.session.scalar(query)
        if message_id is None:
            db.session.commit()
            return None
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, due)
            .values(status=OutboxStatus.SENDING, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            message = db.session.get(OutboxMessage, message_id, populate_existing=True)
            assert message is not None
            try:
                email = build_email(message, bodies=bodies)
            except FillError as error:
                claim = _Claim(
                    message_id, message.attempts + 1, None, now, f"FillError: {error}"
                )
            else:
                claim = _Claim(message_id, message.attempts + 1, email, now)
            # The claim is committed before we talk to the SMTP server: no
            # transaction (nor SQLite's write lock) stays open during a send.
            db.session.commit()
            return claim
        db.session.rollback()
    return None


def deliver_due(now: datetime, *, limit: int = 200) -> DeliveryReport:
    """Send up to ``limit`` due messages, one claim at a time; retry failures
    later with back-off."""
    report = DeliveryReport()
    transport = make_transport(current_app.config["MAIL_URL"])
    lease = claim_lease()
    clock = _Clock(now)
    bodies: dict[int, OutboxBody] = {}  # the shared bodies read in this run
    for _ in range(limit):
        claim = _claim_next(clock(), lease, bodies)
        if claim is None:
            break
        _send_one(transport, claim, now=now, clock=clock, lease=lease, report=report)
    return report


def _send_one(
    transport: Transport,
    claim: _Claim,
    *,
    now: datetime,
    clock: _Clock,
    lease: timedelta,
    report: DeliveryReport,
) -> None:
    """Send one claimed message and record the outcome in its own commit."""
    config = current_app.config
    values: dict[str, Any] = {"attempts": claim.attempts}
    if claim.email is None:
        # Nothing to send, now or later (what it refers to is gone).
        values.update(status=OutboxStatus.FAILED, last_error=claim.error)
        report.failed.append(claim.message_id)
        log.error("e-mail %s not built: %s", claim.message_id, claim.error)
        _mark(claim.message_id, values)
        return
    try:
        with _lease_renewed(claim, lease=lease, clock=clock):
            transport.send(claim.email)
    except (OSError, smtplib.SMTPException) as error:
        values["last_error"] = f"{type(error).__name__}: {error}"[:2000]
        if claim.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            values["status"] = OutboxStatus.FAILED
            report.failed.append(claim.message_id)
            log.error("giving up on e-mail %s: %s", claim.message_id, error)
        else:
            # The back-off counts from the run's start.
            delay = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (claim.attempts - 1)
            values["status"] = OutboxStatus.PENDING
            values["next_attempt_at"] = now + timedelta(seconds=delay)
            report.retried.append(claim.message_id)
            log.warning("e-mail %s not sent, retry in %ss", claim.message_id, delay)
    else:
        values.update(status=OutboxStatus.SENT, sent_at=clock(), last_error=None)
        report.sent.append(claim.message_id)
    # Marked in the same breath as the SMTP acceptance: a crash from here on
    # re-sends this one message at most.
    _mark(claim.message_id, values)


def _mark(message_id: int, values: dict[str, Any]) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@contextmanager
def _lease_renewed(claim: _Claim, *, lease: timedelta, clock: _Clock) -> Iterator[None]:
    """Renew the claim every third of the lease while the block runs (a slow
    SMTP server), on a connection of its own: no other sender takes it. Only
    our own claim is renewed, never one another sender took in the meantime."""
    stop = threading.Event()
    engine = db.engine
    interval = lease.total_seconds() / 3
    held = claim.claimed_at

    def renew() -> None:
        nonlocal held
        while not stop.wait(interval):
            renewed = clock()
            try:
                with engine.begin() as connection:
                    connection.execute(
                        update(OutboxMessage)
                        .where(
                            OutboxMessage.id == claim.message_id,
                            OutboxMessage.status == OutboxStatus.SENDING,
                            OutboxMessage.claimed_at == held,
                        )
                        .values(claimed_at=renewed)
                    )
                held = renewed
            except Exception:  # the send goes on; the next renewal may work
                log.exception(
                    "could not renew the claim of e-mail %s", claim.message_id
                )

    renewer = threading.Thread(target=renew, name="outbox-lease", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()


def message_id_domain() -> str:
    """The domain of ``MAIL_FROM``, else ``SERVER_NAME``, else ``BASE_URL``'s host."""
    config = current_app.config
    _name, address = parseaddr(config.get("MAIL_FROM") or "")
    _local, at, domain = address.rpartition("@")
    if at and domain:
        return domain
    server_name = (config.get("SERVER_NAME") or "").partition(":")[0]
    return server_name or urlsplit(config.get("BASE_URL") or "").hostname or "localhost"


def message_id(message: OutboxMessage) -> str:
    """A ``Message-ID`` derived from the outbox row: the same on every attempt."""
    stamp = message.created_at.strftime("%Y%m%d%H%M%S%f")
    return f"<qc-outbox-{message.id}-{stamp}@{message_id_domain()}>"


def build_email(
    message: OutboxMessage,
    *,
    sender: str | None = None,
    bodies: dict[int, OutboxBody] | None = None,
) -> EmailMessage:
    """The e-mail for an outbox row, identical on every attempt.

    :raises FillError: a message on a shared body whose values cannot be made.
    """
    content = message_content(message, bodies=bodies)
    email = EmailMessage()
    email["From"] = sender or current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    # When it was written (RFC 5322 §3.6.1), not when this attempt runs.
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message_id(message)
    for name, value in content.headers.items():
        del email[name]
        email[name] = value
    email.set_content(content.text)
    if content.html:
        email.add_alternative(content.html, subtype="html")
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
