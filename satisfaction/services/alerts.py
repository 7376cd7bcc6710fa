"""Alerts: low answers the member follows up until it closes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit
from core.database import utcnow
from core.extensions import db
from satisfaction.errors import BuilderError
from satisfaction.models import Alert

MAX_NOTE = 5000


def list_alerts(member_id: int, *, closed: bool = False) -> Sequence[Alert]:
    """Open alerts (oldest first), or closed ones (latest first)."""
    query = select(Alert).where(Alert.member_id == member_id)
    if closed:
        query = query.where(Alert.closed_at.is_not(None)).order_by(
            Alert.closed_at.desc()
        )
    else:
        query = query.where(Alert.closed_at.is_(None)).order_by(
            Alert.created_at, Alert.id
        )
    return db.session.scalars(query.limit(500)).all()


def get_alert(member_id: int, alert_id: int) -> Alert | None:
    """The member's alert, or None (another member's is not found)."""
    return db.session.scalar(
        select(Alert).where(Alert.id == alert_id, Alert.member_id == member_id)
    )


def follow_up_alert(
    actor: Any,
    alert: Alert,
    *,
    note: str,
    close: bool,
    now: datetime | None = None,
) -> None:
    """Record what was done about an alert, and close it if asked.

    :raises BuilderError: closing without saying what was done.
    """
    now = now or utcnow()
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise BuilderError(
            _l("Pas plus de %(max)d caractères.", max=MAX_NOTE), field="note"
        )
    if close and not note and not alert.follow_up:
        raise BuilderError(
            _l("Indiquez ce qui a été fait avant de clore l'alerte."), field="note"
        )
    if note:
        alert.follow_up = note
    if close and alert.closed_at is None:
        alert.closed_at = now
        alert.closed_by_id = getattr(actor, "id", None)
    audit.record(
        actor,
        "alert.close" if close else "alert.note",
        object_type="satisfaction_alert",
        object_id=alert.id,
        member_id=alert.member_id,
    )
    db.session.commit()
