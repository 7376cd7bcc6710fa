"""A statement compiled once (``core.database.CompiledStatement``) writes what
Core's execute writes: the same stored text for timestamps, JSON and booleans."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import SQLAlchemyError

from core import audit
from core.database import CompiledStatement
from core.extensions import db
from core.models import AuditLog

VALUES = {
    "created_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    "actor_id": None,
    "actor_label": "system",
    "action": "test.compiled",
    "object_type": "thing",
    "object_id": 7,
    "member_id": None,
    "detail": {"cycle": 2, "names": ["é", "b"]},
}


def test_a_compiled_insert_stores_what_cores_insert_stores(app) -> None:
    table = AuditLog.__table__
    compiled = CompiledStatement(insert(table), db.engine.dialect, keys=list(VALUES))
    connection = db.session.connection()
    connection.execute(insert(table), {**VALUES, "object_id": 1})
    compiled.run(connection, {**VALUES, "object_id": 2})
    db.session.commit()
    raw = db.session.execute(
        text(
            "SELECT object_id, CAST(created_at AS TEXT), CAST(detail AS TEXT) "
            "FROM core_audit_log WHERE action = 'test.compiled' ORDER BY object_id"
        )
    ).all()
    assert [row[0] for row in raw] == [1, 2]
    assert raw[0][1:] == raw[1][1:]
    read = db.session.scalars(
        select(AuditLog).where(
            AuditLog.object_id == 2, AuditLog.action == VALUES["action"]
        )
    ).one()
    assert read.created_at == VALUES["created_at"]
    assert read.detail == VALUES["detail"]


def test_a_compiled_statement_refuses_a_missing_value(app) -> None:
    compiled = CompiledStatement(
        insert(AuditLog.__table__), db.engine.dialect, keys=list(VALUES)
    )
    values = dict(VALUES)
    del values["action"]
    with pytest.raises(SQLAlchemyError):
        compiled.parameters(values)


def test_an_audit_entry_is_written_through_the_compiled_insert(app) -> None:
    audit.record(None, "test.entry", object_type="thing", object_id=3, detail={"a": 1})
    db.session.commit()
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "test.entry")
    ).one()
    assert (entry.actor_label, entry.object_id, entry.detail) == ("system", 3, {"a": 1})
    assert entry.created_at.tzinfo is not None
