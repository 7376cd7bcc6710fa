"""The audit log: one call per use case that changes something."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import insert

from core.database import CompiledStatement, utcnow
from core.extensions import db
from core.models import AuditLog

_INSERT = insert(AuditLog.__table__)
#: The columns an entry fills, in the order its insert binds them.
COLUMNS = (
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "member_id",
    "detail",
)
# The insert compiled once per database dialect (it ends the answer POST's
# submission, one of the hottest requests).
_compiled: dict[str, CompiledStatement] = {}


def _insert() -> CompiledStatement:
    dialect = db.engine.dialect
    found = _compiled.get(dialect.name)
    if found is None:
        found = _compiled[dialect.name] = CompiledStatement(
            _INSERT, dialect, keys=COLUMNS
        )
    return found


class Actor(Protocol):
    id: int
    email: str


def entry(
    actor: Actor | None,
    action: str,
    *,
    object_type: str,
    object_id: int | None,
    member_id: int | None = None,
    detail: dict[str, Any] | None = None,
    label: str | None = None,
) -> dict[str, Any]:
    """The values of an audit entry, as ``record`` inserts them (for a statement
    that writes its entry itself, some values taken from other rows)."""
    return {
        "created_at": utcnow(),
        "actor_id": actor.id if actor is not None else None,
        "actor_label": (label or (actor.email if actor is not None else "system"))[
            :255
        ],
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "member_id": member_id,
        "detail": detail or {},
    }


def record(
    actor: Actor | None,
    action: str,
    *,
    object_type: str,
    object_id: int | None,
    member_id: int | None = None,
    detail: dict[str, Any] | None = None,
    label: str | None = None,
) -> None:
    """Add an audit entry to the caller's transaction (the caller commits).

    ``label`` names who acted when there is no account (the e-mail typed in a
    failed sign-in, say); by default the actor's e-mail, or "system".

    One plain INSERT: the log is written, never read back, by use cases, so no
    ORM object is built (it is on the hot path of answering a questionnaire).
    """
    # On the session's own connection: same transaction, without the ORM's
    # bulk-insert machinery (about a millisecond saved per use case); one
    # statement compiled once, its values bound.
    _insert().run(
        db.session.connection(),
        entry(
            actor,
            action,
            object_type=object_type,
            object_id=object_id,
            member_id=member_id,
            detail=detail,
            label=label,
        ),
    )
