"""Questionnaires (versioned), campaigns, invitations, responses, answers, alerts
and the association's survey settings."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any, TypedDict

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import UTCDateTime, utcnow
from core.extensions import Model, db
from core.models import enum_column
from members.models import ClientContact, Member, Project


class QuestionType(enum.StrEnum):
    NPS = "nps"
    CSAT = "csat"
    CES = "ces"
    RATING_1_5 = "rating_1_5"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TEXT = "text"


QUESTION_TYPE_LABELS = {
    QuestionType.NPS: _l("Recommandation (NPS, 0 à 10)"),
    QuestionType.CSAT: _l("Satisfaction globale (CSAT, 1 à 5)"),
    QuestionType.CES: _l("Facilité (CES, 1 à 7)"),
    QuestionType.RATING_1_5: _l("Note de 1 à 5"),
    QuestionType.YES_NO: _l("Oui / non"),
    QuestionType.SINGLE_CHOICE: _l("Choix unique"),
    QuestionType.MULTIPLE_CHOICE: _l("Choix multiple"),
    QuestionType.TEXT: _l("Texte libre"),
}

CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})


class Commitment(enum.StrEnum):
    """The charter's commitments a question may be tagged with (stored values;
    :data:`satisfaction.commitments.CHARTER_CODES` maps them to the charter's
    codes)."""

    ADEQUACY = "adequacy"
    SCOPE = "scope"
    COSTS_DEADLINES = "costs_deadlines"
    FOLLOW_UP = "follow_up"
    EFFICIENCY = "efficiency"
    DURABILITY_SECURITY = "durability_security"
    EXPERTISE_PROXIMITY = "expertise_proximity"


# The labels the tags had before the charter became data. Pages and exports
# name the tags after the charter in force (satisfaction.commitments); these
# stay for code written against them meanwhile.
COMMITMENT_LABELS = {
    Commitment.ADEQUACY: _l("Solution en adéquation avec la demande"),
    Commitment.SCOPE: _l("Ampleur du projet : périmètre, livrables, exclusions"),
    Commitment.COSTS_DEADLINES: _l("Maîtrise des coûts et des délais"),
    Commitment.FOLLOW_UP: _l("Suivi du projet"),
    Commitment.EFFICIENCY: _l("Mesure d'efficacité"),
    Commitment.DURABILITY_SECURITY: _l("Pérennité et sécurité des solutions"),
    Commitment.EXPERTISE_PROXIMITY: _l("Expertise et proximité"),
}


class AlertReason(enum.StrEnum):
    DETRACTOR = "detractor"
    LOW_RATING = "low_rating"


ALERT_REASON_LABELS = {
    AlertReason.DETRACTOR: _l("Client détracteur (NPS 0 à 6)"),
    AlertReason.LOW_RATING: _l("Note de 1 ou 2"),
}


class SurveySettings(Model):
    """The association's settings of the feature (one row, id 1)."""

    __tablename__ = "satisfaction_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    fatigue_days: Mapped[int] = mapped_column(default=30)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "fatigue_days >= 0 AND fatigue_days <= 365", name="fatigue_days_range"
        ),
    )


class Questionnaire(Model):
    """A member's questionnaire, or the association's charter template (member NULL)."""

    __tablename__ = "satisfaction_questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    # "charter" for the association's template; NULL for every other one.
    slug: Mapped[str | None] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[Member | None] = relationship()

    @property
    def is_template(self) -> bool:
        return self.member_id is None


def _new_uid() -> str:
    return secrets.token_hex(16)


class QuestionnaireVersion(Model):
    """The questions of a questionnaire at one time; frozen once a campaign sent it."""

    __tablename__ = "satisfaction_questionnaire_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_questionnaire.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Random, never reused (ids can be): keys the in-process cache of a frozen
    # version's questions (satisfaction.services.frozen).
    uid: Mapped[str] = mapped_column(String(32), default=_new_uid)

    questionnaire: Mapped[Questionnaire] = relationship(lazy="joined")
    questions: Mapped[list[Question]] = relationship(
        order_by="Question.position", lazy="selectin", back_populates="version"
    )

    __table_args__ = (UniqueConstraint("questionnaire_id", "number"),)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Question(Model):
    __tablename__ = "satisfaction_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_questionnaire_version.id", ondelete="CASCADE"),
        index=True,
    )
    position: Mapped[int]
    type: Mapped[QuestionType] = mapped_column(
        enum_column(QuestionType, "satisfaction_question_type")
    )
    text_fr: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    # Choice questions: [{"fr": "…", "en": "…"}, …]; the answer stores the index.
    options: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    is_required: Mapped[bool] = mapped_column(default=False)
    commitment: Mapped[Commitment | None] = mapped_column(
        enum_column(Commitment, "satisfaction_commitment")
    )

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="questions")

    def text(self, locale: str) -> str:
        return (
            self.text_en if locale.startswith("en") and self.text_en else self.text_fr
        )

    def option_labels(self, locale: str) -> list[str]:
        key = "en" if locale.startswith("en") else "fr"
        return [option.get(key) or option.get("fr", "") for option in self.options]


campaign_contact = Table(
    "satisfaction_campaign_contact",
    db.metadata,
    Column(
        "campaign_id",
        ForeignKey("satisfaction_campaign.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "contact_id",
        ForeignKey("members_client_contact.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Campaign(Model):
    """A questionnaire sent to a project's contacts on a schedule."""

    __tablename__ = "satisfaction_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("members_project.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_questionnaire_version.id", ondelete="RESTRICT"),
        index=True,
    )
    name: Mapped[str] = mapped_column(String(200))
    # satisfaction.recurrence.Recurrence.to_dict()
    recurrence: Mapped[dict[str, Any]] = mapped_column(JSON)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cycles_run: Mapped[int] = mapped_column(default=0)
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    max_reminders: Mapped[int] = mapped_column(default=2)
    link_valid_days: Mapped[int] = mapped_column(default=30)
    is_paused: Mapped[bool] = mapped_column(default=False)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the last cycle did: {"invited": n, "opted_out": n, "fatigue": n, …}
    last_run_summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )

    project: Mapped[Project] = relationship(lazy="joined")
    version: Mapped[QuestionnaireVersion] = relationship(lazy="joined")
    contacts: Mapped[list[ClientContact]] = relationship(
        secondary=campaign_contact, order_by=ClientContact.name
    )

    __table_args__ = (
        CheckConstraint(
            "max_reminders >= 0 AND max_reminders <= 5", name="max_reminders_range"
        ),
        CheckConstraint(
            "link_valid_days >= 1 AND link_valid_days <= 365",
            name="link_valid_days_range",
        ),
        Index("ix_satisfaction_campaign_due", "is_paused", "next_run_at"),
    )


class Invitation(Model):
    """One contact invited to answer one cycle of a campaign (one e-mailed link)."""

    __tablename__ = "satisfaction_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_campaign.id", ondelete="CASCADE")
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("members_client_contact.id", ondelete="CASCADE"), index=True
    )
    cycle: Mapped[int]
    # Tenancy and the fatigue window are read per member: kept here, indexed.
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE")
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_questionnaire_version.id", ondelete="RESTRICT"),
        index=True,
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship(lazy="joined")
    contact: Mapped[ClientContact] = relationship(lazy="joined")
    version: Mapped[QuestionnaireVersion] = relationship()

    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id", "cycle"),
        Index("ix_satisfaction_invitation_member_contact", "member_id", "contact_id"),
        Index("ix_satisfaction_invitation_reminder", "next_reminder_at"),
    )


class Response(Model):
    """A contact's answers to one invitation: a draft until ``submitted_at``."""

    __tablename__ = "satisfaction_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    # UNIQUE: one response per invitation, guaranteed by the database.
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_invitation.id", ondelete="CASCADE"), unique=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_campaign.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    share_with_board: Mapped[bool] = mapped_column(default=False)

    invitation: Mapped[Invitation] = relationship()
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")


class AnswerValue(TypedDict, total=False):
    """One question's typed answer, as the answer page sends it to the service:
    ``{"value": int}``, ``{"text": str}`` or ``{"choices": [int, …]}``."""

    value: int
    text: str
    choices: list[int]


class Answer(Model):
    """One question's answer: a number (scales, yes/no, single choice), a text or
    the chosen options' indexes."""

    __tablename__ = "satisfaction_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_response.id", ondelete="CASCADE")
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_question.id", ondelete="RESTRICT"), index=True
    )
    value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    choices: Mapped[list[int] | None] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("response_id", "question_id"),)


class Alert(Model):
    """A response with low answers, that the member follows up until it closes
    it (one alert per response, whatever the number of its low answers)."""

    __tablename__ = "satisfaction_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE")
    )
    response_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_response.id", ondelete="CASCADE"), unique=True
    )
    #: The gravest reason of its items: a detractor if any, else a low rating.
    reason: Mapped[AlertReason] = mapped_column(
        enum_column(AlertReason, "satisfaction_alert_reason")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    follow_up: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )

    response: Mapped[Response] = relationship(lazy="joined")
    items: Mapped[list[AlertItem]] = relationship(
        lazy="selectin",
        order_by="AlertItem.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        Index("ix_satisfaction_alert_member_open", "member_id", "closed_at"),
    )


class AlertItem(Model):
    """One low answer of an alert's response."""

    __tablename__ = "satisfaction_alert_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_alert.id", ondelete="CASCADE")
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_question.id", ondelete="RESTRICT")
    )
    reason: Mapped[AlertReason] = mapped_column(
        enum_column(AlertReason, "satisfaction_alert_item_reason")
    )
    value: Mapped[int]

    question: Mapped[Question] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("alert_id", "question_id"),)
