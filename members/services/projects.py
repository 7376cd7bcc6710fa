"""A member's projects, each for one of its clients."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit
from core.dates import date_problem, local_today, years_after
from core.extensions import db
from members.errors import MembersError
from members.models import (
    PROJECT_YEARS_AHEAD,
    Client,
    Project,
    ProjectStatus,
    ServiceType,
    User,
)
from members.services.clients import get_client


def list_projects(member_id: int, *, client_id: int | None = None) -> Sequence[Project]:
    query = select(Project).where(Project.member_id == member_id)
    if client_id is not None:
        query = query.where(Project.client_id == client_id)
    return db.session.scalars(
        query.order_by(Project.starts_on.desc(), Project.id)
    ).all()


def get_project(member_id: int, project_id: int) -> Project | None:
    """The member's project, or None (another member's project is not found)."""
    return db.session.scalar(
        select(Project).where(Project.id == project_id, Project.member_id == member_id)
    )


def _project_client(member_id: int, client_id: int) -> Client:
    client = get_client(member_id, client_id)
    if client is None:
        raise MembersError(_l("Client inconnu."), field="client_id")
    return client


def _check_dates(starts_on: date, ends_on: date | None, *, today: date | None) -> None:
    """Plausible dates, the end not before the start.  :raises MembersError:"""
    today = today or local_today()
    latest = years_after(today, PROJECT_YEARS_AHEAD)
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is not None and (
            problem := date_problem(day, latest=latest, today=today)
        ):
            raise MembersError(problem, field=name)
    if ends_on is not None and ends_on < starts_on:
        raise MembersError(_l("La fin ne peut pas précéder le début."), field="ends_on")


def create_project(
    actor: User,
    member_id: int,
    *,
    client_id: int,
    title: str,
    service_type: ServiceType,
    scope: str,
    deliverables: str,
    exclusions: str,
    starts_on: date,
    ends_on: date | None,
    status: ProjectStatus,
    today: date | None = None,
) -> Project:
    """Add a project for one of the member's clients. :raises MembersError:"""
    _project_client(member_id, client_id)
    _check_dates(starts_on, ends_on, today=today)
    project = Project(
        member_id=member_id,
        client_id=client_id,
        title=title,
        service_type=service_type,
        scope=scope,
        deliverables=deliverables,
        exclusions=exclusions,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    db.session.add(project)
    db.session.flush()
    audit.record(
        actor,
        "project.create",
        object_type="project",
        object_id=project.id,
        member_id=member_id,
        detail={"title": title},
    )
    db.session.commit()
    return project


def update_project(
    actor: User,
    project: Project,
    *,
    client_id: int,
    title: str,
    service_type: ServiceType,
    scope: str,
    deliverables: str,
    exclusions: str,
    starts_on: date,
    ends_on: date | None,
    status: ProjectStatus,
    today: date | None = None,
) -> None:
    """Change a project. :raises MembersError:"""
    _project_client(project.member_id, client_id)
    _check_dates(starts_on, ends_on, today=today)
    previous_status = project.status
    project.client_id, project.title, project.service_type = (
        client_id,
        title,
        service_type,
    )
    project.scope, project.deliverables, project.exclusions = (
        scope,
        deliverables,
        exclusions,
    )
    project.starts_on, project.ends_on, project.status = starts_on, ends_on, status
    audit.record(
        actor,
        "project.update",
        object_type="project",
        object_id=project.id,
        member_id=project.member_id,
        detail={"status": [previous_status.value, status.value]},
    )
    db.session.commit()
