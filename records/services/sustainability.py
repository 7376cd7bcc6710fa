"""Pérennité: the technologies a solution relies on, their end of support, and
the day the client was told of an ending one."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from core.extensions import db
from members.models import Project, User
from records.errors import RecordNotFound
from records.models import Technology
from records.services.common import (
    SUPPORT_YEARS_AHEAD,
    check_past,
    check_planned,
    check_text,
    log,
    today_or,
)


def add_technology(
    actor: User,
    project: Project,
    *,
    name: str,
    version: str,
    end_of_support_on: date | None,
    client_informed_on: date | None = None,
    today: date | None = None,
) -> Technology:
    """List a component of the solution. :raises RecordsError:"""
    today = today_or(today)
    technology = Technology(
        project_id=project.id,
        member_id=project.member_id,
        name=check_text(name, "name", limit=120),
        version=check_text(version, "version", limit=60, required=False),
        end_of_support_on=None
        if end_of_support_on is None
        else check_planned(
            end_of_support_on,
            "end_of_support_on",
            today=today,
            years=SUPPORT_YEARS_AHEAD,
        ),
        client_informed_on=None
        if client_informed_on is None
        else check_past(client_informed_on, "client_informed_on", today=today),
    )
    db.session.add(technology)
    db.session.flush()
    log(
        actor,
        "technology.add",
        project,
        object_type="records_technology",
        object_id=technology.id,
        detail={"name": technology.name, "version": technology.version},
    )
    db.session.commit()
    return technology


def record_client_informed(
    actor: User,
    project: Project,
    technology_id: int,
    *,
    informed_on: date,
    today: date | None = None,
) -> Technology:
    """The day the client was told the component is at or near its end of
    support. :raises RecordsError:"""
    technology = db.session.get(Technology, technology_id)
    if technology is None or technology.project_id != project.id:
        raise RecordNotFound(_l("Composant introuvable."))
    technology.client_informed_on = check_past(
        informed_on, "informed_on", today=today_or(today)
    )
    log(
        actor,
        "technology.client_informed",
        project,
        object_type="records_technology",
        object_id=technology.id,
        detail={"informed_on": informed_on.isoformat()},
    )
    db.session.commit()
    return technology
