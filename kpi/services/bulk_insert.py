"""New measurement rows written in bulk: one executemany per chunk on SQLite,
COPY on PostgreSQL from :data:`COPY_THRESHOLD` rows; the values the rows share
are written once."""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert

from core.extensions import db
from kpi.importers import Point
from kpi.models import (
    Indicator,
    Measurement,
    Source,
)

if TYPE_CHECKING:
    from kpi.importers.columns import PointColumns

#: Rows per bulk statement: bounded memory whatever the import size.
CHUNK = 20_000
#: From this many new rows, PostgreSQL gets them through COPY.
COPY_THRESHOLD = 5_000


#: The columns a new measurement fills, written once for every bulk path: first
#: those of each point, then those all the rows of one write share.
_POINT_COLUMNS = ("period_start", "value", "numerator", "denominator")
_SHARED_COLUMNS = (
    "indicator_id",
    "granularity",
    "source",
    "import_batch_id",
    "updated_at",
)
_COLUMNS = _POINT_COLUMNS + _SHARED_COLUMNS


def _point_values(point: Point) -> tuple[Any, ...]:
    """A point's values in the order of ``_POINT_COLUMNS``."""
    return (point.period_start, point.value, point.numerator, point.denominator)


def insert_points(
    indicator: Indicator,
    points: list[Point] | PointColumns,
    *,
    source: Source,
    batch_id: int | None,
    now: datetime,
) -> None:
    """New values of one indicator: ORM bulk insert, or the driver's own bulk
    path for large imports (COPY on PostgreSQL, one executemany on SQLite)."""
    if not len(points):
        return
    # In the order of _SHARED_COLUMNS.
    shared = (indicator.id, indicator.frequency, source, batch_id, now)
    dialect = db.engine.dialect.name
    if not isinstance(points, list):
        if len(points) >= COPY_THRESHOLD and dialect in ("postgresql", "sqlite"):
            _insert_columns(points, shared, dialect)
            return
        points = points.to_points()
    if len(points) >= COPY_THRESHOLD and dialect == "postgresql":
        _copy_points(points, shared)
    elif len(points) >= COPY_THRESHOLD and dialect == "sqlite":
        _executemany_points(points, shared)
    else:
        for start in range(0, len(points), CHUNK):
            db.session.execute(
                insert(Measurement),
                [
                    dict(zip(_COLUMNS, (*_point_values(point), *shared), strict=True))
                    for point in points[start : start + CHUNK]
                ],
            )


def _processor(name: str) -> Any:
    column = Measurement.__table__.c[name]
    processor = column.type._cached_bind_processor(db.engine.dialect)
    return processor or (lambda value: value)


def _executemany_points(points: list[Point], shared: tuple[Any, ...]) -> None:
    """SQLite: one executemany per chunk, each column bound by its own type's
    processor (the values every row shares are bound once)."""
    value, numerator, denominator = (_processor(n) for n in _POINT_COLUMNS[1:])
    # SQLite's Date processor writes "%04d-%02d-%02d" of a date (of a datetime
    # too): date.isoformat, called as a function, writes the same in C.
    day = date.isoformat
    shared_sql, shared_bound = _shared_sql(shared)
    statement = (
        f"INSERT INTO {Measurement.__tablename__} ({', '.join(_COLUMNS)}) "
        f"VALUES (?, ?, ?, ?, {shared_sql})"
    )
    connection = db.session.connection()
    for start in range(0, len(points), CHUNK):
        # Written out rather than zipped per row: this runs a million times.
        rows = [
            (
                day(p.period_start),
                None if p.value is None else value(p.value),
                None if p.numerator is None else numerator(p.numerator),
                None if p.denominator is None else denominator(p.denominator),
                *shared_bound,
            )
            for p in points[start : start + CHUNK]
        ]
        connection.exec_driver_sql(statement, rows)


def _insert_columns(
    columns: PointColumns, shared: tuple[Any, ...], dialect: str
) -> None:
    """Points kept as arrays: the rows are made from the arrays (dates and
    values as the driver takes them), without a Python object per point."""
    days = columns.day_texts()
    if dialect == "postgresql":
        _copy_rows(days, columns.value_texts(), shared)
    else:
        _executemany_rows(days, columns.floats(), shared)


def _shared_sql(shared: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """The SQL of the values every row shares, and what it binds: written in
    the statement when they are plain numbers or words (binding them a million
    times is a third of the insert), else bound with each row."""
    constant = tuple(
        None if value is None else _processor(name)(value)
        for name, value in zip(_SHARED_COLUMNS, shared, strict=True)
    )
    literals = [_sql_literal(v) for v in constant]
    if all(literal is not None for literal in literals):
        return ", ".join(str(x) for x in literals), ()
    return ", ".join("?" for _ in constant), constant


def _executemany_rows(
    days: list[str], values: list[float], shared: tuple[Any, ...]
) -> None:
    """SQLite: (day, value) rows without components, one executemany per chunk."""
    shared_sql, shared_bound = _shared_sql(shared)
    statement = (
        f"INSERT INTO {Measurement.__tablename__} ({', '.join(_COLUMNS)}) "
        f"VALUES (?, ?, NULL, NULL, {shared_sql})"
    )
    connection = db.session.connection()
    for start in range(0, len(days), CHUNK):
        pairs = zip(
            days[start : start + CHUNK], values[start : start + CHUNK], strict=True
        )
        rows = (
            [(*pair, *shared_bound) for pair in pairs] if shared_bound else list(pairs)
        )
        connection.exec_driver_sql(statement, rows)


def _copy_rows(days: list[str], values: list[str], shared: tuple[Any, ...]) -> None:
    """PostgreSQL: (day, value) rows without components as COPY text."""
    connection = db.session.connection().connection.driver_connection
    statement = f"COPY {Measurement.__tablename__} ({', '.join(_COLUMNS)}) FROM STDIN"
    tail = "\t\\N\t\\N" + "".join(f"\t{_copy_text(value)}" for value in shared) + "\n"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for start in range(0, len(days), CHUNK):
            copy.write(
                "".join(
                    f"{day}\t{value}{tail}"
                    for day, value in zip(
                        days[start : start + CHUNK],
                        values[start : start + CHUNK],
                        strict=True,
                    )
                )
            )


#: A text safe to write between quotes in SQL (enum values, timestamps).
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9_ :.+-]*")


def _sql_literal(value: object) -> str | None:
    """``value`` as an SQL literal when it is NULL, an integer or plain text."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if isinstance(value, str) and _PLAIN_TEXT.fullmatch(value):
        return f"'{value}'"
    return None


def _copy_points(points: list[Point], shared: tuple[Any, ...]) -> None:
    """PostgreSQL COPY inside the session's own transaction (psycopg 3).

    Rows are written as COPY text ourselves, in large blocks: numbers, dates and
    enum values need no escaping, and per-row adaptation by the driver costs more
    than the server's COPY itself.
    """
    connection = db.session.connection().connection.driver_connection
    statement = f"COPY {Measurement.__tablename__} ({', '.join(_COLUMNS)}) FROM STDIN"
    tail = "".join(f"\t{_copy_text(value)}" for value in shared) + "\n"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for start in range(0, len(points), CHUNK):
            copy.write(
                "".join(
                    f"{p.period_start.isoformat()}\t{_copy_number(p.value)}\t"
                    f"{_copy_number(p.numerator)}\t{_copy_number(p.denominator)}{tail}"
                    for p in points[start : start + CHUNK]
                )
            )


def _copy_number(value: Decimal | None) -> str:
    """A number as COPY text (``\\N`` for NULL)."""
    return "\\N" if value is None else str(value)


def _copy_text(value: object) -> str:
    """A value as COPY text: ``\\N`` for NULL, ISO dates, enum values."""
    if value is None:
        return "\\N"
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)
