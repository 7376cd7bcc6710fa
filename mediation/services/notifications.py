"""Who is told about an event of a case, and the e-mails that tell them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.extensions import db
from core.mail import queue_email
from core.security import Role as UserRole
from core.urls import external_url
from mediation import workflow
from mediation.models import Complaint, ComplaintEvent
from mediation.services.access import seats_of
from members.models import User


def secretariat_users() -> Sequence[User]:
    """The active secretariat users, who are told of every case."""
    return db.session.scalars(
        select(User)
        .where(User.role == UserRole.SECRETARIAT, User.is_active.is_(True))
        .order_by(User.id)
    ).all()


def _member_staff(member_id: int) -> Sequence[User]:
    return db.session.scalars(
        select(User)
        .where(User.member_id == member_id, User.is_active.is_(True))
        .order_by(User.id)
    ).all()


def _seated_users(complaint: Complaint) -> list[User]:
    return [seat.user for seat in seats_of(complaint) if seat.user.is_active]


def _context(complaint: Complaint, **extra: Any) -> dict[str, Any]:
    return {
        "complaint": complaint,
        "member": complaint.member,
        "status_label": workflow.STATUS_LABELS[complaint.status],
        **extra,
    }


def mail_user(
    user: User,
    complaint: Complaint,
    *,
    template: str,
    key: str,
    context: dict[str, Any],
    now: datetime,
) -> None:
    """Queue an e-mail about ``complaint`` to a user, with a link to the case."""
    queue_email(
        to=user.email,
        template=template,
        context=_context(
            complaint,
            link=external_url("mediation.case", complaint_id=complaint.id),
            audience="staff",
            recipient_role=user.role.value,
            **context,
        ),
        locale=user.locale or "fr",
        key=key,
        now=now,
    )


def _mail_complainant(
    complaint: Complaint,
    *,
    template: str,
    key: str,
    context: dict[str, Any],
    now: datetime,
) -> None:
    queue_email(
        to=complaint.complainant_email,
        template=template,
        context=_context(
            complaint,
            link=external_url("mediation.recover"),
            audience="complainant",
            **context,
        ),
        locale=complaint.complainant_locale,
        key=key,
        now=now,
    )


@dataclass
class Audience:
    complainant: bool = False
    member: bool = False
    secretariat: bool = False
    commission: bool = False
    exclude_user_id: int | None = None
    users: list[User] = field(default_factory=list)


def notify(
    complaint: Complaint,
    event: ComplaintEvent,
    audience: Audience,
    *,
    now: datetime,
    template: str = "mediation/email/update",
) -> None:
    """Tell the parties named in ``audience`` about ``event`` (idempotent keys)."""
    context = {"kind": event.kind, "event": event}
    if audience.complainant:
        _mail_complainant(
            complaint,
            template=template,
            key=f"mediation.event:{event.id}:complainant",
            context=context,
            now=now,
        )
    users: dict[int, User] = {user.id: user for user in audience.users}
    if audience.member:
        users.update({u.id: u for u in _member_staff(complaint.member_id)})
    if audience.secretariat:
        users.update({u.id: u for u in secretariat_users()})
    if audience.commission:
        users.update({u.id: u for u in _seated_users(complaint)})
    users.pop(audience.exclude_user_id or 0, None)
    for user in users.values():
        mail_user(
            user,
            complaint,
            template=template,
            key=f"mediation.event:{event.id}:user:{user.id}",
            context=context,
            now=now,
        )
