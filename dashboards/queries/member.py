"""A member's projects, clients and administrators, and the digest's recipients."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.extensions import db
from core.security import Role

#: An indicator that misses its target by at most this share of the target is
from dashboards.queries.common import Filters, scope
from members.models import Client, Member, Project, ProjectStatus, User


def active_projects(filters: Filters) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Project.id, Project.title, Project.service_type, Client.id, Client.name)
        .join(Client, Client.id == Project.client_id)
        .join(Member, Member.id == Project.member_id)
        .where(Project.status == ProjectStatus.ACTIVE, *scope(filters))
        .order_by(Project.title, Project.id)
    ).all()
    return [
        {
            "id": pid,
            "title": title,
            "service_type": st.value,
            "client_id": cid,
            "client": cname,
        }
        for pid, title, st, cid, cname in rows
    ]


def member_clients(member_id: int) -> list[tuple[int, str]]:
    return [
        (i, n)
        for i, n in db.session.execute(
            select(Client.id, Client.name)
            .where(Client.member_id == member_id)
            .order_by(Client.name)
        )
    ]


def get_member(member_id: int) -> Member | None:
    return db.session.get(Member, member_id)


def get_project(member_id: int, project_id: int) -> Project | None:
    return db.session.scalar(
        select(Project).where(Project.id == project_id, Project.member_id == member_id)
    )


def member_admin_emails(member_id: int) -> list[tuple[str, str]]:
    """(e-mail, locale) of the member's active administrators."""
    return [
        (email, locale)
        for email, locale in db.session.execute(
            select(User.email, User.locale)
            .where(
                User.member_id == member_id,
                User.role == Role.MEMBER_ADMIN,
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    ]


def digest_recipients() -> list[User]:
    """Active member administrators and board users."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.is_active.is_(True),
                User.role.in_([Role.MEMBER_ADMIN, Role.BOARD]),
            )
            .order_by(User.id)
        )
    )


def project_titles(member_id: int) -> dict[int, str]:
    """{id: title} of the member's projects (exports name them)."""
    return {
        pid: title
        for pid, title in db.session.execute(
            select(Project.id, Project.title).where(Project.member_id == member_id)
        )
    }
