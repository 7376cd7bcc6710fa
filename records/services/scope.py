"""Ampleur du projet: what the client must provide, by when, and whether the
deadline depends on it."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from core.extensions import db
from members.models import Project, User
from records.errors import RecordNotFound
from records.models import ClientItem
from records.services.common import (
    check_past,
    check_planned,
    check_text,
    log,
    today_or,
)


def add_client_item(
    actor: User,
    project: Project,
    *,
    label: str,
    due_on: date,
    is_critical: bool,
    received_on: date | None = None,
    today: date | None = None,
) -> ClientItem:
    """List an item the client provides. :raises RecordsError:"""
    today = today_or(today)
    item = ClientItem(
        project_id=project.id,
        member_id=project.member_id,
        label=check_text(label, "label", limit=200),
        due_on=check_planned(due_on, "due_on", today=today),
        is_critical=bool(is_critical),
        received_on=None
        if received_on is None
        else check_past(received_on, "received_on", today=today),
    )
    db.session.add(item)
    db.session.flush()
    log(
        actor,
        "client_item.add",
        project,
        object_type="records_client_item",
        object_id=item.id,
        detail={"label": item.label, "critical": item.is_critical},
    )
    db.session.commit()
    return item


def mark_item_received(
    actor: User,
    project: Project,
    item_id: int,
    *,
    received_on: date,
    today: date | None = None,
) -> ClientItem:
    """Record the day the client provided the item. :raises RecordsError:"""
    item = db.session.get(ClientItem, item_id)
    if item is None or item.project_id != project.id:
        raise RecordNotFound(_l("Élément introuvable."))
    item.received_on = check_past(received_on, "received_on", today=today_or(today))
    log(
        actor,
        "client_item.received",
        project,
        object_type="records_client_item",
        object_id=item.id,
        detail={"received_on": item.received_on.isoformat()},
    )
    db.session.commit()
    return item
