"""What a member keeps per project to prove the charter's commitments: each record
small and dated, owned by the project (and its member, for tenancy)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.database import UTCDateTime, utcnow
from core.extensions import Model
from core.models import TimestampMixin, enum_column

#: Amounts in euros, cents kept: up to 9 999 999 999.99.
Money = Numeric(12, 2)


class _ProjectRecord(TimestampMixin):
    """The columns every record shares: its project and the project's member."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("members_project.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )


# ---------------------------------------------------------------- Ampleur du projet


class ClientItem(_ProjectRecord, Model):
    """Something the client must provide (content, access, validation) by a date."""

    __tablename__ = "records_client_item"

    label: Mapped[str] = mapped_column(String(200))
    # The reminder job looks for the items due within the week, every hour.
    due_on: Mapped[date] = mapped_column(index=True)
    is_critical: Mapped[bool] = mapped_column(default=False)
    received_on: Mapped[date | None]


class ClientItemReminder(Model):
    """An item the client was reminded of before its due date: once per due date."""

    __tablename__ = "records_client_item_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("records_client_item.id", ondelete="CASCADE")
    )
    due_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("item_id", "due_on"),)


# ------------------------------------------------ Maîtrise des coûts et des délais


class RecurringPeriod(enum.StrEnum):
    MONTH = "month"
    YEAR = "year"


RECURRING_LABELS = {
    RecurringPeriod.MONTH: _l("par mois"),
    RecurringPeriod.YEAR: _l("par an"),
}


class Budget(_ProjectRecord, Model):
    """The global budget and deadline the client was given (one per project)."""

    __tablename__ = "records_budget"

    setup_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    recurring_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    recurring_period: Mapped[RecurringPeriod] = mapped_column(
        enum_column(RecurringPeriod, "records_recurring_period"),
        default=RecurringPeriod.MONTH,
    )
    third_party_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    deadline_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("project_id"),
        CheckConstraint(
            "setup_cost >= 0 AND recurring_cost >= 0 AND third_party_cost >= 0",
            name="amounts_positive",
        ),
    )


class ChangeKind(enum.StrEnum):
    PRICE = "price"
    DEADLINE = "deadline"


CHANGE_LABELS = {
    ChangeKind.PRICE: _l("Prix"),
    ChangeKind.DEADLINE: _l("Délai"),
}


class Change(_ProjectRecord, Model):
    """A price or deadline change: when the client was told, when it applies."""

    __tablename__ = "records_change"

    kind: Mapped[ChangeKind] = mapped_column(
        enum_column(ChangeKind, "records_change_kind")
    )
    summary: Mapped[str] = mapped_column(String(500))
    announced_on: Mapped[date]
    effective_on: Mapped[date]


# ---------------------------------------------------------------- Suivi du projet


class FollowUpKind(enum.StrEnum):
    """The charter's six points of communication with the client."""

    REPORT = "report"
    PRICE = "price"
    PLANNING = "planning"
    DEADLINES = "deadlines"
    ACCEPTANCE = "acceptance"
    LIMITS = "limits"


FOLLOW_UP_LABELS = {
    FollowUpKind.REPORT: _l("Compte-rendu"),
    FollowUpKind.PRICE: _l("Prix"),
    FollowUpKind.PLANNING: _l("Planning"),
    FollowUpKind.DEADLINES: _l("Délais"),
    FollowUpKind.ACCEPTANCE: _l("Recette"),
    FollowUpKind.LIMITS: _l("Limites du projet"),
}


class FollowUp(_ProjectRecord, Model):
    """One communication with the client; ``sent_at`` when e-mailed to it."""

    __tablename__ = "records_follow_up"

    kind: Mapped[FollowUpKind] = mapped_column(
        enum_column(FollowUpKind, "records_follow_up_kind")
    )
    held_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# ---------------------------------------------------------------- Propriété des services


class Delivery(_ProjectRecord, Model):
    """Work handed to the client at a significant step."""

    __tablename__ = "records_delivery"

    label: Mapped[str] = mapped_column(String(300))
    delivered_on: Mapped[date]


class HandoverMode(enum.StrEnum):
    CLIENT = "client"
    THIRD_PARTY = "third_party"
    EXCLUDED = "excluded"


HANDOVER_LABELS = {
    HandoverMode.CLIENT: _l("Remis au client"),
    HandoverMode.THIRD_PARTY: _l("Déposé chez un tiers de confiance"),
    HandoverMode.EXCLUDED: _l("Exclu par le contrat"),
}


class Handover(_ProjectRecord, Model):
    """The source code at closing: handed over, deposited, or excluded by contract."""

    __tablename__ = "records_handover"

    mode: Mapped[HandoverMode] = mapped_column(
        enum_column(HandoverMode, "records_handover_mode")
    )
    handed_on: Mapped[date | None]
    recipient: Mapped[str] = mapped_column(String(200), default="")
    clause: Mapped[str] = mapped_column(String(1000), default="")

    __table_args__ = (
        UniqueConstraint("project_id"),
        CheckConstraint(
            "(mode = 'excluded') OR (handed_on IS NOT NULL)", name="handed_on_given"
        ),
    )


# ---------------------------------------------------------------- Pérennité


class Technology(_ProjectRecord, Model):
    """A component the solution relies on, and its end of support when known."""

    __tablename__ = "records_technology"

    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(60), default="")
    end_of_support_on: Mapped[date | None]
    client_informed_on: Mapped[date | None]


# ---------------------------------------------------------------- Sécurité


class BackupFrequency(enum.StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


FREQUENCY_LABELS = {
    BackupFrequency.HOURLY: _l("Toutes les heures"),
    BackupFrequency.DAILY: _l("Chaque jour"),
    BackupFrequency.WEEKLY: _l("Chaque semaine"),
    BackupFrequency.MONTHLY: _l("Chaque mois"),
}


class BackupPlan(_ProjectRecord, Model):
    """What is backed up, how often, where, and the restore time promised."""

    __tablename__ = "records_backup_plan"

    scope: Mapped[str] = mapped_column(String(300))
    frequency: Mapped[BackupFrequency] = mapped_column(
        enum_column(BackupFrequency, "records_backup_frequency")
    )
    location: Mapped[str] = mapped_column(String(300))
    restore_hours: Mapped[int]

    __table_args__ = (
        CheckConstraint("restore_hours > 0", name="restore_hours_positive"),
    )


class Payer(enum.StrEnum):
    CLIENT = "client"
    MEMBER = "member"


PAYER_LABELS = {
    Payer.CLIENT: _l("Le client"),
    Payer.MEMBER: _l("Le prestataire"),
}


class Licence(_ProjectRecord, Model):
    """A software licence the client must renew, and who pays for it."""

    __tablename__ = "records_licence"

    name: Mapped[str] = mapped_column(String(200))
    # The reminder job looks for the renewals of the next 30 days, every hour.
    renews_on: Mapped[date] = mapped_column(index=True)
    paid_by: Mapped[Payer] = mapped_column(enum_column(Payer, "records_payer"))


class LicenceReminder(Model):
    """A licence's renewal the client was reminded of: once per renewal date."""

    __tablename__ = "records_licence_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(
        ForeignKey("records_licence.id", ondelete="CASCADE")
    )
    renews_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("licence_id", "renews_on"),)
