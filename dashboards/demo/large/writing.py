"""Writing the large demo's rows: PostgreSQL through psycopg 3 ``COPY``, SQLite
through Core ``executemany`` in batches, both in the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from core.database import utcnow
from core.extensions import db
from dashboards.demo.large.plan import Charter, Start
from kpi.models import Agreement, Indicator, Measurement
from members.models import Client, ClientContact, Member, Project, User
from satisfaction.models import Alert, AlertItem, Answer, Campaign, Invitation, Response
from satisfaction.scoring import SCORED_TYPES, value_range
from satisfaction.services import current_version, ensure_charter_template

BATCH = 50_000
#: The tables whose ids the loader sets explicitly (their sequences follow).
MODELS: dict[str, Any] = {
    "member": Member,
    "user": User,
    "client": Client,
    "contact": ClientContact,
    "project": Project,
    "indicator": Indicator,
    "measurement": Measurement,
    "agreement": Agreement,
    "campaign": Campaign,
    "invitation": Invitation,
    "response": Response,
    "answer": Answer,
    "alert": Alert,
    "alert_item": AlertItem,
}


def _next_id(connection: Connection, table: Table) -> int:
    return (
        int(connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1
    )


def first_ids(connection: Connection) -> Start:
    """The first free id of each table."""
    return Start(
        **{key: _next_id(connection, model.__table__) for key, model in MODELS.items()}
    )


def load_charter() -> Charter:
    """The charter questionnaire's current version (frozen) and scored questions."""
    version = current_version(ensure_charter_template())
    if version.frozen_at is None:
        version.frozen_at = utcnow()
    db.session.flush()
    questions = [
        (q.id, q.type.value, *value_range(q.type.value))
        for q in version.questions
        if q.type.value in SCORED_TYPES
    ]
    return Charter(version.id, questions)


def _pg_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def write_postgresql(
    connection: Connection,
    table: Table,
    columns: list[str],
    rows: Iterable[tuple[Any, ...]],
) -> int:
    raw = connection.connection.driver_connection
    assert raw is not None
    count = 0
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([_pg_value(v) for v in row])
            count += 1
    return count


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite types would store (naive UTC text timestamps in
    its exact format, ISO dates, JSON text, 0/1, REAL numbers)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def write_sqlite(
    connection: Connection,
    table: Table,
    columns: list[str],
    rows: Iterable[tuple[Any, ...]],
) -> int:
    """Core executemany in batches, the values already in SQLite's storage form
    (the type processors would triple the time of 5 M rows)."""
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    batch: list[tuple[Any, ...]] = []
    count = 0
    for row in rows:
        batch.append(tuple(_sqlite_value(v) for v in row))
        if len(batch) >= BATCH:
            connection.exec_driver_sql(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        connection.exec_driver_sql(sql, batch)
        count += len(batch)
    return count


def reset_sequences(connection: Connection) -> None:
    """PostgreSQL: move each table's id sequence past the explicit ids."""
    for model in MODELS.values():
        name = model.__tablename__
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM {name}))"
            )
        )
