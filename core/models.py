"""The frame's own tables: the audit log and the e-mail outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.database import UTCDateTime, utcnow
from core.extensions import Model


def enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column storing the values (a VARCHAR + CHECK everywhere)."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditLog(Model):
    """Who did what to which object, and when."""

    __tablename__ = "core_audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, index=True
    )
    # No foreign key: the log outlives the accounts it names (and core knows no
    # feature's tables).
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_label: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int | None]
    member_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_core_audit_log_object", "object_type", "object_id"),)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxBody(Model):
    """An e-mail body shared by many outbox messages (a campaign's invitations in
    one language): rendered once, with slots (``@@qc-<nonce>:<name>@@``) that each
    message fills with its own values when it is sent (see core.mail_bodies)."""

    __tablename__ = "core_outbox_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Header values may hold slots too (a List-Unsubscribe link).
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Random per body: no text a user wrote can look like one of its slots.
    slot_nonce: Mapped[str] = mapped_column(String(32))
    # The registered function that turns a message's ``fill`` into the slots'
    # values (links with tokens are made at send time, never stored), if any.
    filler: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxMessage(Model):
    """An e-mail to deliver, written in the same transaction as what caused it.

    Either its own bodies (``body_text``, ``body_html``), or a shared
    ``OutboxBody`` and the values (``fill``) that make it this recipient's."""

    __tablename__ = "core_outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # No foreign key: PostgreSQL checks one with a trigger per row, 40 % of the
    # cost of queueing a campaign's e-mails (benchmarks/survey.py); bodies are
    # written before their messages and never deleted while one points at them.
    body_id: Mapped[int | None] = mapped_column(index=True)
    fill: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_core_outbox_message_due", "status", "next_attempt_at"),
        CheckConstraint(
            "body_text IS NOT NULL OR body_id IS NOT NULL", name="has_body"
        ),
    )
