"""What the KPI feature keeps of a client contact: the indicator sets sent to it
and its acknowledgement or comment (exported; the comment erased on request)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from core.extensions import db
from core.privacy import Person
from kpi.models import Agreement


def export(person: Person) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Agreement)
        .where(Agreement.contact_id == person.id)
        .order_by(Agreement.id)
    )
    return [
        {
            "project_id": a.project_id,
            "set_version": a.set_version,
            "status": a.status.value,
            "sent_at": a.sent_at.isoformat(),
            "acknowledged_at": a.acknowledged_at.isoformat()
            if a.acknowledged_at
            else None,
            "comment": a.comment,
        }
        for a in rows
    ]


def erase(person: Person) -> int:
    result = db.session.execute(
        update(Agreement)
        .where(Agreement.contact_id == person.id, Agreement.comment.is_not(None))
        .values(comment=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
