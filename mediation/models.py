"""Complaints, their timeline, attachments and the commission named for each case.

A complaint filed on the public page is a *draft* until its author opens the
verification link e-mailed to them: ``verified_at`` is NULL, the complaint has
no reference yet and nobody but the verification link can reach it. Every query
of registered complaints filters ``verified_at IS NOT NULL``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import UTCDateTime, utcnow
from core.extensions import Model
from core.models import enum_column
from mediation.workflow import Decision, Role, Status
from members.models import Member, User


class EventKind(enum.StrEnum):
    """What an entry of a case's timeline records."""

    FILED = "filed"
    ADMISSIBLE = "admissible"
    INADMISSIBLE = "inadmissible"
    ARGUMENTS = "arguments"
    MEDIATION_OPENED = "mediation_opened"
    MESSAGE = "message"
    NOTE = "note"
    MEETING = "meeting"
    PROPOSAL = "proposal"
    AGREEMENT = "agreement"
    REFERRED = "referred"
    SEATED = "seated"
    RECUSED = "recused"
    HEARING = "hearing"
    DECISION = "decision"
    WITHDRAWN = "withdrawn"
    REMINDER = "reminder"
    LATE = "late"
    SUSPENSION_ENDED = "suspension_ended"


EVENT_KIND_LABELS = {
    EventKind.FILED: _l("Plainte déposée"),
    EventKind.ADMISSIBLE: _l("Plainte déclarée recevable"),
    EventKind.INADMISSIBLE: _l("Plainte déclarée irrecevable"),
    EventKind.ARGUMENTS: _l("Arguments de l'adhérent"),
    EventKind.MEDIATION_OPENED: _l("Médiation ouverte"),
    EventKind.MESSAGE: _l("Message"),
    EventKind.NOTE: _l("Note interne"),
    EventKind.MEETING: _l("Réunion"),
    EventKind.PROPOSAL: _l("Proposition"),
    EventKind.AGREEMENT: _l("Accord constaté"),
    EventKind.REFERRED: _l("Commission des plaintes saisie"),
    EventKind.SEATED: _l("Membres de la commission désignés"),
    EventKind.RECUSED: _l("Déport d'un membre de la commission"),
    EventKind.HEARING: _l("Audition par la commission"),
    EventKind.DECISION: _l("Décision de la commission"),
    EventKind.WITHDRAWN: _l("Plainte retirée"),
    EventKind.REMINDER: _l("Relance"),
    EventKind.LATE: _l("Retard signalé"),
    EventKind.SUSPENSION_ENDED: _l("Fin de la suspension"),
}


class Visibility(enum.StrEnum):
    PARTIES = "parties"  # the complainant, the member and the association
    INTERNAL = "internal"  # the secretariat and the commission named for the case


VISIBILITY_LABELS = {
    Visibility.PARTIES: _l("Visible des deux parties"),
    Visibility.INTERNAL: _l("Interne (secrétariat et commission)"),
}


class Complaint(Model):
    """A client's written complaint against a member, and where it stands."""

    __tablename__ = "mediation_complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "R-2026-0007", given when the complainant's e-mail is verified.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    complainant_name: Mapped[str] = mapped_column(String(200))
    complainant_company: Mapped[str] = mapped_column(String(200))
    complainant_email: Mapped[str] = mapped_column(String(320))
    complainant_locale: Mapped[str] = mapped_column(String(5), default="fr")
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="RESTRICT"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_project.id", ondelete="SET NULL")
    )
    project_label: Mapped[str] = mapped_column(String(300), default="")
    facts: Mapped[str] = mapped_column(Text)
    expectations: Mapped[str] = mapped_column(Text)
    status: Mapped[Status] = mapped_column(
        enum_column(Status, "complaint_status"), default=Status.SUBMITTED
    )
    decision: Mapped[Decision | None] = mapped_column(
        enum_column(Decision, "complaint_decision")
    )
    suspension_until: Mapped[date | None]
    suspension_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why the case was closed: inadmissibility, or the commission's reasons.
    reasons: Mapped[str | None] = mapped_column(Text)
    member_reply_due_on: Mapped[date | None]

    verification_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    verification_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[Member] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint(
            "(decision IS NULL) OR (status = 'decided')", name="decision_when_decided"
        ),
        CheckConstraint(
            "(suspension_until IS NULL) OR (decision = 'suspension')",
            name="until_only_for_suspension",
        ),
        Index("ix_mediation_complaint_member_status", "member_id", "status"),
    )

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class ComplaintEvent(Model):
    """One step of a case: who did what, when, for whom."""

    __tablename__ = "mediation_complaint_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("mediation_complaint.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # NULL for the complainant (no account) and for the scheduler.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )
    author_label: Mapped[str] = mapped_column(String(320))
    # NULL: the system (scheduler).
    author_role: Mapped[Role | None] = mapped_column(
        enum_column(Role, "complaint_actor_role")
    )
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "complaint_event"))
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility, "event_visibility"), default=Visibility.PARTIES
    )
    text: Mapped[str] = mapped_column(Text, default="")
    # When a meeting or a hearing took place (the entry's own date is created_at).
    occurred_on: Mapped[date | None]
    # Facts rendered in the reader's language (dates, decision, status…).
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    author: Mapped[User | None] = relationship(lazy="raise")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="event", order_by="Attachment.id", lazy="raise"
    )


class Attachment(Model):
    """A file added to a case; its bytes live under the instance folder."""

    __tablename__ = "mediation_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("mediation_complaint.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("mediation_complaint_event.id", ondelete="CASCADE"), index=True
    )
    storage_name: Mapped[str] = mapped_column(String(36), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[ComplaintEvent] = relationship(back_populates="attachments")

    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)


class CommissionSeat(Model):
    """A board user named to sit on the commission for one case."""

    __tablename__ = "mediation_commission_seat"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("mediation_complaint.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("members_user.id", ondelete="CASCADE"), index=True
    )
    seated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    __table_args__ = (UniqueConstraint("complaint_id", "user_id"),)


class ConflictOfInterest(Model):
    """A board user who may not judge a member (declared, or found by a recusal).

    Besides these declarations, a board user whose e-mail domain is the domain of
    the member's website is presumed linked to it (see ``services.conflict_of``).
    """

    __tablename__ = "mediation_conflict_of_interest"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("members_user.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    declared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )

    __table_args__ = (UniqueConstraint("user_id", "member_id"),)


class Reminder(Model):
    """A deadline notice already given (reminder or late flag): given once."""

    __tablename__ = "mediation_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("mediation_complaint.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
