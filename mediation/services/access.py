"""Who may see and act on a case: the parties' access, the lists and timelines
they read, and the conflicts that keep a board user off a case."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from core.security import Role as UserRole
from core.security import hash_token
from mediation import files, workflow
from mediation.models import (
    Attachment,
    CommissionSeat,
    Complaint,
    ComplaintEvent,
    ConflictOfInterest,
    Visibility,
)
from mediation.services.delays import late_clause
from mediation.workflow import Role, Status
from members.models import Member, Project, User

# ---------------------------------------------------------------- who acts


@dataclass(frozen=True)
class Actor:
    """Someone acting on a case, in the role the procedure knows them by."""

    role: Role
    user: User | None
    label: str

    @classmethod
    def of_user(cls, user: User, role: Role) -> Actor:
        return cls(role=role, user=user, label=user.full_name or user.email)

    @classmethod
    def complainant(cls, complaint: Complaint) -> Actor:
        return cls(role=Role.COMPLAINANT, user=None, label=complaint.complainant_name)


@dataclass(frozen=True)
class CaseAccess:
    complaint: Complaint
    actor: Actor

    @property
    def role(self) -> Role:
        return self.actor.role


def registered() -> ColumnElement[bool]:
    """SQL condition: the complaint is registered (its e-mail was confirmed)."""
    return Complaint.verified_at.is_not(None)


def _is_seated(user: User, complaint_id: int) -> bool:
    return (
        db.session.scalar(
            select(CommissionSeat.id).where(
                CommissionSeat.complaint_id == complaint_id,
                CommissionSeat.user_id == user.id,
            )
        )
        is not None
    )


def role_of(user: User, complaint: Complaint) -> Role | None:
    """The role ``user`` holds on ``complaint``, or None if it is not a party.

    The member's staff see a complaint once it is admissible (the member is
    informed then, not before); board users only see the cases they sit on.
    """
    if not user.is_active or complaint.verified_at is None:
        return None
    if user.role == UserRole.SECRETARIAT:
        return Role.SECRETARIAT
    if user.role == UserRole.BOARD:
        return Role.BOARD if _is_seated(user, complaint.id) else None
    if (
        user.member_id is not None
        and user.member_id == complaint.member_id
        and complaint.admitted_at is not None
    ):
        return Role.MEMBER
    return None


def case_for_user(user: User, complaint_id: int) -> CaseAccess | None:
    """The case as ``user`` may see it, or None (not found, or not a party)."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        return None
    role = role_of(user, complaint)
    if role is None:
        return None
    return CaseAccess(complaint, Actor.of_user(user, role))


def case_for_complainant(
    allowed_ids: Iterable[int], complaint_id: int
) -> CaseAccess | None:
    """The case whose private link was opened in this browser, or None."""
    if complaint_id not in set(allowed_ids):
        return None
    complaint = db.session.scalar(
        select(Complaint).where(Complaint.id == complaint_id, registered())
    )
    if complaint is None:
        return None
    return CaseAccess(complaint, Actor.complainant(complaint))


def complaint_by_access_token(token: str) -> Complaint | None:
    """The complaint whose private follow-up link carries ``token``."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(Complaint).where(
            Complaint.access_token_hash == hash_token(token), registered()
        )
    )


# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class CaseRow:
    complaint: Complaint
    is_late: bool
    is_new: bool


def list_cases(user: User, *, view: str = "open", now: datetime) -> list[CaseRow]:
    """The cases ``user`` may see: ``open``, ``late`` or ``all``."""
    late = late_clause(now)
    query = select(Complaint, late.label("is_late")).where(registered())
    if user.role == UserRole.SECRETARIAT:
        pass
    elif user.role == UserRole.BOARD:
        query = query.join(
            CommissionSeat,
            and_(
                CommissionSeat.complaint_id == Complaint.id,
                CommissionSeat.user_id == user.id,
            ),
        )
    elif user.member_id is not None:
        query = query.where(
            Complaint.member_id == user.member_id, Complaint.admitted_at.is_not(None)
        )
    else:
        return []
    if view == "open":
        query = query.where(Complaint.status.not_in(workflow.CLOSED_STATUSES))
    elif view == "late":
        query = query.where(late)
    query = query.order_by(Complaint.verified_at.desc(), Complaint.id.desc())
    return [
        CaseRow(
            complaint=complaint,
            is_late=bool(is_late),
            is_new=complaint.status == Status.SUBMITTED,
        )
        for complaint, is_late in db.session.execute(query.limit(500))
    ]


def is_late(complaint: Complaint, *, now: datetime) -> bool:
    return bool(
        db.session.scalar(select(late_clause(now)).where(Complaint.id == complaint.id))
    )


def timeline(complaint: Complaint, role: Role) -> Sequence[ComplaintEvent]:
    """The events ``role`` may read, oldest first, with their files and authors."""
    query = (
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id)
        .options(
            selectinload(ComplaintEvent.attachments),
            selectinload(ComplaintEvent.author),
        )
        .order_by(ComplaintEvent.created_at, ComplaintEvent.id)
    )
    if role in (Role.COMPLAINANT, Role.MEMBER):
        query = query.where(ComplaintEvent.visibility == Visibility.PARTIES)
    return db.session.scalars(query).all()


def attachment_for(
    access: CaseAccess, attachment_id: int
) -> tuple[Attachment, bytes] | None:
    """An attachment of the case that ``access`` may read, with its bytes."""
    query = (
        select(Attachment)
        .join(ComplaintEvent)
        .where(
            Attachment.id == attachment_id,
            Attachment.complaint_id == access.complaint.id,
        )
    )
    if access.role in (Role.COMPLAINANT, Role.MEMBER):
        query = query.where(ComplaintEvent.visibility == Visibility.PARTIES)
    attachment = db.session.scalar(query)
    if attachment is None:
        return None
    try:
        data = files.path_of(attachment.storage_name).read_bytes()
    except (OSError, ValueError):
        return None
    return attachment, data


def seats_of(complaint: Complaint) -> Sequence[CommissionSeat]:
    return db.session.scalars(
        select(CommissionSeat)
        .where(CommissionSeat.complaint_id == complaint.id)
        .order_by(CommissionSeat.id)
    ).all()


def project_panel(project: Project) -> dict[str, Any]:
    """The admissible complaints about a project, for its page in the member space."""
    return {
        "project_complaints": db.session.scalars(
            select(Complaint)
            .where(
                Complaint.project_id == project.id,
                Complaint.member_id == project.member_id,
                Complaint.admitted_at.is_not(None),
            )
            .order_by(Complaint.verified_at.desc())
        ).all()
    }


# ---------------------------------------------------------------- conflicts


def _domain(host: str) -> str:
    host = host.lower().strip(".")
    return host[4:] if host.startswith("www.") else host


def conflict_of(user: User, member: Member) -> str | None:
    """Why ``user`` may not judge ``member`` (a translated reason), or None.

    A board user is linked to a member when a conflict of interest was declared
    (by the secretariat, or by the user's own recusal), or when the user's e-mail
    address belongs to the domain of the member's website (the member's staff).
    """
    declared = db.session.scalar(
        select(ConflictOfInterest.id).where(
            ConflictOfInterest.user_id == user.id,
            ConflictOfInterest.member_id == member.id,
        )
    )
    if declared is not None:
        return str(_l("conflit d'intérêts déclaré avec cet adhérent"))
    if member.website:
        site = _domain(urlsplit(member.website).hostname or "")
        mail_domain = _domain(user.email.rpartition("@")[2])
        if site and (mail_domain == site or mail_domain.endswith("." + site)):
            return str(_l("son adresse e-mail est du domaine de l'adhérent"))
    return None


@dataclass(frozen=True)
class Commissioner:
    user: User
    conflict: str | None
    seated: bool


def commissioners_for(complaint: Complaint) -> list[Commissioner]:
    """Active board users, each with what would stop them sitting on this case."""
    seated = {seat.user_id for seat in seats_of(complaint)}
    users = db.session.scalars(
        select(User)
        .where(User.role == UserRole.BOARD, User.is_active.is_(True))
        .order_by(User.full_name, User.email)
    ).all()
    return [
        Commissioner(user, conflict_of(user, complaint.member), user.id in seated)
        for user in users
    ]


def declare_conflict(
    actor: User, *, user: User, member: Member, note: str, now: datetime
) -> None:
    """Record that a board user may not judge a member (no commit: caller's)."""
    exists = db.session.scalar(
        select(ConflictOfInterest.id).where(
            ConflictOfInterest.user_id == user.id,
            ConflictOfInterest.member_id == member.id,
        )
    )
    if exists is None:
        db.session.add(
            ConflictOfInterest(
                user_id=user.id,
                member_id=member.id,
                note=note,
                declared_at=now,
                declared_by_id=actor.id,
            )
        )
