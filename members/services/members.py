"""Member companies: onboarding and identity, as the secretariat keeps them."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import audit
from core.extensions import db
from members.errors import MembersError
from members.models import Client, MarkStatus, Member, Project, ServiceType, User
from members.siret import normalise_siret


def list_members() -> Sequence[Member]:
    return db.session.scalars(select(Member).order_by(Member.name)).all()


def get_member(member_id: int) -> Member | None:
    return db.session.get(Member, member_id)


def _check_siret_free(siret: str, *, except_id: int | None = None) -> None:
    query = select(Member.id).where(Member.siret == siret)
    if except_id is not None:
        query = query.where(Member.id != except_id)
    if db.session.scalar(query) is not None:
        raise MembersError(_l("Un adhérent avec ce SIRET existe déjà."), field="siret")


def onboard_member(
    actor: User,
    *,
    name: str,
    siret: str,
    department: str,
    town: str,
    website: str | None,
    services: Sequence[str],
    is_public: bool = True,
) -> Member:
    """Register a member company. :raises MembersError: the SIRET is taken."""
    siret = normalise_siret(siret)
    _check_siret_free(siret)
    member = Member(
        name=name,
        siret=siret,
        department=department,
        town=town,
        website=website or None,
        services=[ServiceType(s).value for s in services],
        is_public=is_public,
        mark_status=MarkStatus.ACTIVE,
    )
    db.session.add(member)
    db.session.flush()
    audit.record(
        actor,
        "member.onboard",
        object_type="member",
        object_id=member.id,
        member_id=member.id,
        detail={"name": name, "siret": siret},
    )
    db.session.commit()
    return member


def update_member(
    actor: User,
    member: Member,
    *,
    name: str,
    siret: str,
    department: str,
    town: str,
    website: str | None,
    services: Sequence[str],
    is_public: bool,
) -> None:
    """Change a member's identity. :raises MembersError: the SIRET is taken."""
    siret = normalise_siret(siret)
    _check_siret_free(siret, except_id=member.id)
    member.name, member.siret, member.department, member.town = (
        name,
        siret,
        department,
        town,
    )
    member.website = website or None
    member.services = [ServiceType(s).value for s in services]
    member.is_public = is_public
    audit.record(
        actor,
        "member.update",
        object_type="member",
        object_id=member.id,
        member_id=member.id,
    )
    db.session.commit()


def count_by_member() -> dict[int, dict[str, int]]:
    """Clients, projects and users per member, in three grouped queries."""
    counts: dict[int, dict[str, int]] = {}
    for model, key in ((Client, "clients"), (Project, "projects"), (User, "users")):
        for member_id, n in db.session.execute(
            select(model.member_id, func.count())
            .where(model.member_id.is_not(None))
            .group_by(model.member_id)
        ):
            if member_id is not None:
                counts.setdefault(member_id, {})[key] = n
    return counts
