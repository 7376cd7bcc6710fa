"""Members (signatory companies), their users, clients, contacts and projects."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import UTCDateTime, utcnow
from core.extensions import Model
from core.models import TimestampMixin, enum_column
from core.security import ASSOCIATION_ROLES, MEMBER_ROLES, Role
from members.models_charter import CharterVersion


class MarkStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


MARK_STATUS_LABELS = {
    MarkStatus.ACTIVE: _l("Marque active"),
    MarkStatus.SUSPENDED: _l("Marque suspendue"),
    MarkStatus.WITHDRAWN: _l("Marque retirée"),
}


class ServiceType(enum.StrEnum):
    WEBSITE = "website"
    HOSTING = "hosting"
    SEO = "seo"
    SEA = "sea"
    IT_MAINTENANCE = "it_maintenance"
    TEXT_CONTENT = "text_content"
    VISUAL_CONTENT = "visual_content"


SERVICE_LABELS = {
    ServiceType.WEBSITE: _l("Création de sites web"),
    ServiceType.HOSTING: _l("Hébergement"),
    ServiceType.SEO: _l("Référencement naturel (SEO)"),
    ServiceType.SEA: _l("Référencement payant (SEA)"),
    ServiceType.IT_MAINTENANCE: _l("Maintenance informatique"),
    ServiceType.TEXT_CONTENT: _l("Contenu rédactionnel"),
    ServiceType.VISUAL_CONTENT: _l("Contenu visuel"),
}


class ClientKind(enum.StrEnum):
    TPE_PME = "tpe_pme"
    INDEPENDENT = "independent"
    ASSOCIATION = "association"
    PUBLIC_BODY = "public_body"


CLIENT_KIND_LABELS = {
    ClientKind.TPE_PME: _l("TPE / PME"),
    ClientKind.INDEPENDENT: _l("Indépendant"),
    ClientKind.ASSOCIATION: _l("Association"),
    ClientKind.PUBLIC_BODY: _l("Organisme public"),
}

# The charter covers clients of at most this many staff.
CHARTER_MAX_HEADCOUNT = 250


class ProjectStatus(enum.StrEnum):
    PROPOSAL = "proposal"
    ACTIVE = "active"
    CLOSED = "closed"


PROJECT_STATUS_LABELS = {
    ProjectStatus.PROPOSAL: _l("Proposition"),
    ProjectStatus.ACTIVE: _l("En cours"),
    ProjectStatus.CLOSED: _l("Clos"),
}

ROLE_LABELS = {
    Role.BOARD: _l("Conseil d'administration"),
    Role.SECRETARIAT: _l("Secrétariat"),
    Role.MEMBER_ADMIN: _l("Administrateur"),
    Role.MEMBER_USER: _l("Utilisateur"),
}


class Member(TimestampMixin, Model):
    """A signatory company."""

    __tablename__ = "members_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    department: Mapped[str] = mapped_column(String(3))
    town: Mapped[str] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The number of the version signed; ``charter_version_id`` links it to the
    # stored text when that version is one of ours (older paper versions, such
    # as 2.0, have a number and no stored text).
    charter_version: Mapped[str | None] = mapped_column(String(20))
    charter_version_id: Mapped[int | None] = mapped_column(
        ForeignKey(CharterVersion.id, ondelete="RESTRICT")
    )
    signed_on: Mapped[date | None]
    mark_status: Mapped[MarkStatus] = mapped_column(
        enum_column(MarkStatus, "mark_status"), default=MarkStatus.ACTIVE
    )
    mark_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    is_public: Mapped[bool] = mapped_column(default=True)
    # Ressources et expertise / Veille: its team's skills, trainings and watch
    # sources on its public verification page, only when it chooses so.
    show_expertise_publicly: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )

    @property
    def has_signed(self) -> bool:
        return self.signed_on is not None

    @property
    def may_use_mark(self) -> bool:
        return self.has_signed and self.mark_status == MarkStatus.ACTIVE


class User(TimestampMixin, Model):
    """A person who signs in: association staff, board, or a member's staff."""

    __tablename__ = "members_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: unique regardless of case.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of what the session and the remember-me cookie store: raising it (sign
    # out, password set or changed, "sign out of all devices") ends every session
    # of the user, copies of the cookies included.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    member: Mapped[Member | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint(
            "(role IN ('member_admin', 'member_user')) = (member_id IS NOT NULL)",
            name="member_staff_have_member",
        ),
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_association(self) -> bool:
        return self.role in ASSOCIATION_ROLES

    @property
    def is_member_staff(self) -> bool:
        return self.role in MEMBER_ROLES

    @property
    def is_member_admin(self) -> bool:
        return self.role == Role.MEMBER_ADMIN

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class AccountToken(Model):
    """A single-use link e-mailed to a user (invitation, password reset)."""

    __tablename__ = "members_account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("members_user.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(
        enum_column(TokenPurpose, "token_purpose")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Client(TimestampMixin, Model):
    """A member's client (TPE/PME, independent, association or public body)."""

    __tablename__ = "members_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ClientKind] = mapped_column(enum_column(ClientKind, "client_kind"))
    headcount: Mapped[int | None]
    town: Mapped[str | None] = mapped_column(String(120))

    contacts: Mapped[list[ClientContact]] = relationship(
        back_populates="client", order_by="ClientContact.name", lazy="raise"
    )

    __table_args__ = (
        CheckConstraint(
            "headcount IS NULL OR headcount >= 0", name="headcount_positive"
        ),
    )

    @property
    def is_over_charter_size(self) -> bool:
        return self.headcount is not None and self.headcount > CHARTER_MAX_HEADCOUNT


class ClientContact(TimestampMixin, Model):
    """A person at a client: answers questionnaires, follows projects, no password."""

    __tablename__ = "members_client_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("members_client.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    job_title: Mapped[str | None] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[Client] = relationship(back_populates="contacts")

    __table_args__ = (UniqueConstraint("client_id", "email"),)


#: How far ahead a project's dates may be: further is a typing mistake.
PROJECT_YEARS_AHEAD = 10


class Project(TimestampMixin, Model):
    """A piece of work for a client, with its scope, dates and status."""

    __tablename__ = "members_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[int] = mapped_column(
        ForeignKey("members_client.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    service_type: Mapped[ServiceType] = mapped_column(
        enum_column(ServiceType, "service_type")
    )
    scope: Mapped[str] = mapped_column(Text, default="")
    deliverables: Mapped[str] = mapped_column(Text, default="")
    exclusions: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    status: Mapped[ProjectStatus] = mapped_column(
        enum_column(ProjectStatus, "project_status"), default=ProjectStatus.PROPOSAL
    )

    client: Mapped[Client] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"
        ),
        Index("ix_members_project_member_status", "member_id", "status"),
    )


# ------------------------------------------------ Ressources et expertise / Veille

#: The most people a member's skill or a training may count (a typing mistake
#: past that: the charter's members are small companies).
MAX_PEOPLE = 9_999


class Skill(TimestampMixin, Model):
    """A skill of the member's team and how many of its staff hold it."""

    __tablename__ = "members_skill"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(120))
    people: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        # The unique constraint's index serves "the skills of a member" too.
        UniqueConstraint("member_id", "name"),
        CheckConstraint("people >= 1", name="people_positive"),
    )


class Training(TimestampMixin, Model):
    """A course the member's staff completed (the charter's *formation*)."""

    __tablename__ = "members_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    course: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(200))
    completed_on: Mapped[date]
    attendees: Mapped[int]

    __table_args__ = (CheckConstraint("attendees >= 1", name="attendees_positive"),)


class WatchSource(TimestampMixin, Model):
    """Where the member keeps up to date (the charter's *veille*)."""

    __tablename__ = "members_watch_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # http or https only: it is shown as a link on the public page.
    url: Mapped[str | None] = mapped_column(String(500))
    topic: Mapped[str | None] = mapped_column(String(120))
