"""Indicators, their measurements, imports, client agreements and API tokens."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import UTCDateTime, utcnow
from core.extensions import Model
from core.models import enum_column
from kpi.kinds import IndicatorKind as IndicatorKind

#: Measurement columns: 4 decimals; values are limited to ``abs(value) < 10**11``
#: (``kpi.importers.MAX_ABS_VALUE``) so that SQLite's floats hold them exactly.
AMOUNT = Numeric(18, 4)


class Direction(enum.StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Frequency(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Aggregation(enum.StrEnum):
    """How the values of several periods combine (ratios always sum components)."""

    SUM = "sum"
    MEAN = "mean"


class Source(enum.StrEnum):
    MANUAL = "manual"
    IMPORT = "import"
    API = "api"


KIND_LABELS = {
    IndicatorKind.AUDIENCE: _l("Audience"),
    IndicatorKind.COST_PER_CLICK: _l("Coût par clic"),
    IndicatorKind.INCIDENTS: _l("Incidents"),
    IndicatorKind.READING_TIME: _l("Temps de lecture"),
    IndicatorKind.CLICKS: _l("Clics"),
    IndicatorKind.CUSTOM: _l("Indicateur personnalisé"),
}

KIND_HELP = {
    IndicatorKind.AUDIENCE: _l("Visites d'un site web (charte : audience d'un site)."),
    IndicatorKind.COST_PER_CLICK: _l(
        "Campagne de référencement payant : coût total ÷ nombre de clics."
    ),
    IndicatorKind.INCIDENTS: _l("Parc informatique : nombre d'incidents."),
    IndicatorKind.READING_TIME: _l(
        "Contenu rédactionnel : temps de lecture total ÷ nombre de vues."
    ),
    IndicatorKind.CLICKS: _l("Contenu visuel : nombre de clics."),
    IndicatorKind.CUSTOM: _l("Tout autre indicateur convenu avec le client."),
}

DIRECTION_LABELS = {
    Direction.HIGHER: _l("Plus c'est haut, mieux c'est"),
    Direction.LOWER: _l("Plus c'est bas, mieux c'est"),
}

FREQUENCY_LABELS = {
    Frequency.DAY: _l("Par jour"),
    Frequency.WEEK: _l("Par semaine"),
    Frequency.MONTH: _l("Par mois"),
}

AGGREGATION_LABELS = {
    Aggregation.SUM: _l("Somme des périodes"),
    Aggregation.MEAN: _l("Moyenne des périodes"),
}

SOURCE_LABELS = {
    Source.MANUAL: _l("Saisie"),
    Source.IMPORT: _l("Import"),
    Source.API: _l("API"),
}


@dataclass(frozen=True)
class KindDefaults:
    name: Any
    unit: str
    direction: Direction
    frequency: Frequency
    is_ratio: bool
    numerator_label: Any = None
    denominator_label: Any = None


KIND_DEFAULTS: dict[IndicatorKind, KindDefaults] = {
    IndicatorKind.AUDIENCE: KindDefaults(
        _l("Visites du site"), "visites", Direction.HIGHER, Frequency.MONTH, False
    ),
    IndicatorKind.COST_PER_CLICK: KindDefaults(
        _l("Coût par clic"),
        "€",
        Direction.LOWER,
        Frequency.MONTH,
        True,
        _l("Coût (€)"),
        _l("Clics"),
    ),
    IndicatorKind.INCIDENTS: KindDefaults(
        _l("Incidents"), "incidents", Direction.LOWER, Frequency.MONTH, False
    ),
    IndicatorKind.READING_TIME: KindDefaults(
        _l("Temps de lecture moyen"),
        "s",
        Direction.HIGHER,
        Frequency.MONTH,
        True,
        _l("Temps total (s)"),
        _l("Vues"),
    ),
    IndicatorKind.CLICKS: KindDefaults(
        _l("Clics sur les visuels"), "clics", Direction.HIGHER, Frequency.MONTH, False
    ),
    IndicatorKind.CUSTOM: KindDefaults(
        _l("Indicateur"), "", Direction.HIGHER, Frequency.MONTH, False
    ),
}


class Indicator(Model):
    """What shows that a project's solution works, with its baseline and target."""

    __tablename__ = "kpi_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The member is the project's; kept here so that every query filters on it.
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("members_project.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[IndicatorKind] = mapped_column(
        enum_column(IndicatorKind, "indicator_kind")
    )
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(30), default="")
    direction: Mapped[Direction] = mapped_column(
        enum_column(Direction, "indicator_direction")
    )
    frequency: Mapped[Frequency] = mapped_column(
        enum_column(Frequency, "indicator_frequency")
    )
    aggregation: Mapped[Aggregation] = mapped_column(
        enum_column(Aggregation, "indicator_aggregation"), default=Aggregation.SUM
    )
    is_ratio: Mapped[bool] = mapped_column(default=False)
    numerator_label: Mapped[str | None] = mapped_column(String(60))
    denominator_label: Mapped[str | None] = mapped_column(String(60))
    baseline_on: Mapped[date | None]
    baseline_value: Mapped[Decimal | None] = mapped_column(AMOUNT)
    target_value: Mapped[Decimal | None] = mapped_column(AMOUNT)
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Bumped on every change a client would care about (agreement fingerprint).
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "baseline_value IS NULL OR baseline_on IS NOT NULL",
            name="baseline_has_date",
        ),
    )


class ImportBatch(Model):
    """One confirmed file import: what it stored, and enough to undo it."""

    __tablename__ = "kpi_import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("members_project.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(default=0)
    format: Mapped[str] = mapped_column(String(40))
    format_label: Mapped[str] = mapped_column(String(200))
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_stored: Mapped[int] = mapped_column(default=0)
    rows_updated: Mapped[int] = mapped_column(default=0)
    rows_unchanged: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    #: What the import met, not only errors:
    #: ``{"rejected": [{"line", "reason"}…], "warnings": [...], "targets": {...}}``.
    #: The column keeps its first name, ``errors`` (no migration for a rename).
    report: Mapped[dict[str, Any]] = mapped_column("errors", JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )
    created_by_label: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )


class Measurement(Model):
    """The value of an indicator for one period (and its components for ratios)."""

    __tablename__ = "kpi_measurement"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("kpi_indicator.id", ondelete="CASCADE")
    )
    period_start: Mapped[date] = mapped_column(Date)
    granularity: Mapped[Frequency] = mapped_column(
        enum_column(Frequency, "measurement_granularity")
    )
    value: Mapped[Decimal | None] = mapped_column(AMOUNT)
    numerator: Mapped[Decimal | None] = mapped_column(AMOUNT)
    denominator: Mapped[Decimal | None] = mapped_column(AMOUNT)
    source: Mapped[Source] = mapped_column(enum_column(Source, "measurement_source"))
    # The import that wrote the value (undo reads it). Not a foreign key: that
    # cost PostgreSQL one check per imported row, and a batch is only ever
    # deleted with its project, whose values go too (migration 0013).
    import_batch_id: Mapped[int | None] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # The unique index leads with (indicator_id, period_start): it is the index
    # the period queries use, so no second index on the same prefix.
    __table_args__ = (
        UniqueConstraint("indicator_id", "period_start", "granularity"),
        CheckConstraint(
            "denominator IS NULL OR denominator >= 0", name="denominator_positive"
        ),
    )


class ImportChange(Model):
    """A value an import replaced, so that undoing the import restores it.

    Values an import created have no row here: undo deletes them by batch.
    """

    __tablename__ = "kpi_import_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("kpi_import_batch.id", ondelete="CASCADE"), index=True
    )
    measurement_id: Mapped[int] = mapped_column(
        ForeignKey("kpi_measurement.id", ondelete="CASCADE"), index=True
    )
    previous_value: Mapped[Decimal | None] = mapped_column(AMOUNT)
    previous_numerator: Mapped[Decimal | None] = mapped_column(AMOUNT)
    previous_denominator: Mapped[Decimal | None] = mapped_column(AMOUNT)
    previous_source: Mapped[Source] = mapped_column(
        enum_column(Source, "import_change_source")
    )
    previous_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("kpi_import_batch.id", ondelete="SET NULL")
    )
    previous_updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeasurementRevision(Model):
    """A value that was replaced, by hand, by an import or through the API: the
    history keeps the old one (who replaced it, when, and by what source).

    Keyed by indicator and period rather than by measurement, so that the history
    outlives a deleted value.
    """

    __tablename__ = "kpi_measurement_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("kpi_indicator.id", ondelete="CASCADE")
    )
    period_start: Mapped[date] = mapped_column(Date)
    granularity: Mapped[Frequency] = mapped_column(
        enum_column(Frequency, "measurement_revision_granularity")
    )
    #: The replaced value, its components, where it came from and when.
    value: Mapped[Decimal | None] = mapped_column(AMOUNT)
    numerator: Mapped[Decimal | None] = mapped_column(AMOUNT)
    denominator: Mapped[Decimal | None] = mapped_column(AMOUNT)
    source: Mapped[Source] = mapped_column(
        enum_column(Source, "measurement_revision_source")
    )
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("kpi_import_batch.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: What replaced it.
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_by_source: Mapped[Source] = mapped_column(
        enum_column(Source, "measurement_revision_replaced_by_source")
    )
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )

    __table_args__ = (
        Index(
            "ix_kpi_measurement_revision_indicator_period",
            "indicator_id",
            "period_start",
        ),
    )


class AgreementStatus(enum.StrEnum):
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    COMMENTED = "commented"
    SUPERSEDED = "superseded"


AGREEMENT_STATUS_LABELS = {
    AgreementStatus.PENDING: _l("En attente de réponse"),
    AgreementStatus.ACKNOWLEDGED: _l("Validé par le client"),
    AgreementStatus.COMMENTED: _l("Commenté par le client"),
    AgreementStatus.SUPERSEDED: _l("Remplacé par un envoi plus récent"),
}


class Agreement(Model):
    """The indicator set of a project as sent to a client contact, and the answer."""

    __tablename__ = "kpi_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("members_project.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("members_client_contact.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, 3… per project: the version of the set the client saw.
    set_version: Mapped[int]
    #: Fingerprint of the set (indicator ids and versions) when it was sent.
    set_signature: Mapped[str] = mapped_column(String(64))
    #: What the client saw, frozen: a list of indicator descriptions.
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[AgreementStatus] = mapped_column(
        enum_column(AgreementStatus, "agreement_status"),
        default=AgreementStatus.PENDING,
    )
    sent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    commented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)

    contact: Mapped[Any] = relationship("ClientContact", lazy="joined")

    __table_args__ = (
        UniqueConstraint("project_id", "set_version"),
        Index("ix_kpi_agreement_project_status", "project_id", "status"),
    )


class ApiToken(Model):
    """A member's key to the API: shown once, stored hashed, revocable."""

    __tablename__ = "kpi_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters, to recognise a token in the list.
    prefix: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Reminder(Model):
    """A missing value a member was reminded of: once per indicator and period."""

    __tablename__ = "kpi_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("kpi_indicator.id", ondelete="CASCADE")
    )
    period_start: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("indicator_id", "period_start"),)
