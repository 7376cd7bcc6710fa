"""The charter: a member's signature and its right to the mark, the public registry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit
from core.database import utcnow
from core.dates import date_problem, local_today
from core.extensions import db
from members.errors import MembersError
from members.models import MarkStatus, Member, User
from members.models_charter import CharterVersion


def record_signature(
    actor: User,
    member: Member,
    *,
    charter_version: str,
    signed_on: date,
    today: date | None = None,
) -> None:
    """Record the member's signature of a charter version. :raises MembersError:

    A version stored here must be published, and signed on or after its
    publication; the signature then points at it. A number we do not store (an
    older paper version, such as 2.0) is recorded as such, without a link.
    """
    today = today or local_today()
    problem = date_problem(signed_on, latest=today, today=today)
    if problem is not None:
        raise MembersError(problem, field="signed_on")
    version = db.session.scalar(
        select(CharterVersion).where(CharterVersion.number == charter_version)
    )
    if version is not None and version.published_on is None:
        raise MembersError(
            _l(
                "La version %(number)s de la charte est un brouillon : elle ne peut "
                "pas être signée.",
                number=charter_version,
            ),
            field="charter_version",
        )
    if (
        version is not None
        and version.published_on
        and signed_on < version.published_on
    ):
        raise MembersError(
            _l(
                "La version %(number)s n'était pas encore publiée à cette date.",
                number=charter_version,
            ),
            field="signed_on",
        )
    member.charter_version = charter_version
    member.charter_version_id = version.id if version is not None else None
    member.signed_on = signed_on
    audit.record(
        actor,
        "member.sign",
        object_type="member",
        object_id=member.id,
        member_id=member.id,
        detail={"version": charter_version, "signed_on": signed_on.isoformat()},
    )
    db.session.commit()


def set_mark_status(
    actor: User | None,
    member: Member,
    *,
    status: MarkStatus,
    reason: str,
    now: datetime | None = None,
    commit: bool = True,
) -> None:
    """Change the member's right to use the charter's mark (registry and badge follow)."""
    if member.mark_status == status:
        return
    previous = member.mark_status
    member.mark_status = status
    member.mark_changed_at = now or utcnow()
    audit.record(
        actor,
        "member.mark_status",
        object_type="member",
        object_id=member.id,
        member_id=member.id,
        detail={"from": previous.value, "to": status.value, "reason": reason},
    )
    if commit:
        db.session.commit()


def registry_members() -> Sequence[Member]:
    """Public registry: signatories whose mark is active and who chose to be listed."""
    return db.session.scalars(
        select(Member)
        .where(
            Member.is_public.is_(True),
            Member.mark_status == MarkStatus.ACTIVE,
            Member.signed_on.is_not(None),
        )
        .order_by(Member.name)
    ).all()


def public_member(member_id: int) -> Member | None:
    """A member as the verification page and the badge may show it."""
    member = db.session.get(Member, member_id)
    if member is None or not member.is_public or member.signed_on is None:
        return None
    return member
