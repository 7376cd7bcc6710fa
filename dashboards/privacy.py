"""What the dashboards keep of a client contact: the portal's sign-in links asked
for its address (exported; erased on request unless another contact shares it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from core.extensions import db
from core.privacy import Person
from dashboards.models import PortalLink


def export(person: Person) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(PortalLink)
        .where(PortalLink.email == person.email)
        .order_by(PortalLink.id)
    )
    return [
        {
            "asked_at": link.created_at.isoformat(),
            "used_at": link.used_at.isoformat() if link.used_at else None,
        }
        for link in rows
    ]


def erase(person: Person) -> int:
    if person.email_shared:
        return 0
    result = db.session.execute(
        delete(PortalLink).where(PortalLink.email == person.email)
    )
    return int(getattr(result, "rowcount", 0) or 0)
