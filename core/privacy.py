"""A client contact's personal data, wherever the features keep it: each feature
registers how to export it (GDPR art. 15) and how to erase it (art. 17); the
feature that owns the contacts (members) calls them all in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, select

from core.extensions import db
from core.models import OutboxMessage


@dataclass(frozen=True)
class Person:
    """The contact whose data is asked for. ``email_shared``: another contact
    (of this member or another) has the same address, so what is keyed by the
    address alone (e-mails sent, portal links) is theirs too and is kept."""

    id: int
    email: str
    member_id: int
    email_shared: bool


Exporter = Callable[[Person], Any]  # JSON-serialisable
Eraser = Callable[[Person], int]  # what it erased, counted; the caller commits


@dataclass(frozen=True)
class DataPart:
    name: str
    export: Exporter
    erase: Eraser


def register_contact_data(
    app: Flask, name: str, *, export: Exporter, erase: Eraser
) -> None:
    parts: dict[str, DataPart] = app.extensions.setdefault("qualicharte.privacy", {})
    parts[name] = DataPart(name, export, erase)


def contact_data_parts() -> list[DataPart]:
    return list(current_app.extensions.get("qualicharte.privacy", {}).values())


# ------------------------------------------------------------ the frame's own part


def _export_emails(person: Person) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == person.email)
        .order_by(OutboxMessage.id)
    )
    return [
        {
            "subject": m.subject,
            "created_at": m.created_at.isoformat(),
            "status": m.status.value,
        }
        for m in rows
    ]


def _erase_emails(person: Person) -> int:
    if person.email_shared:
        return 0
    result = db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.to_address == person.email)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def init_app(app: Flask) -> None:
    register_contact_data(app, "emails", export=_export_emails, erase=_erase_emails)
