"""Declarative base, column types and the per-connection settings of each engine.

SQLite needs care (see PITFALLS.md §2): pragmas on every connection, and every
transaction begun ``IMMEDIATE`` so that a read-then-write transaction waits for
the lock (``busy_timeout``) instead of failing with "database is locked".
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from types import ModuleType
from typing import Any, ClassVar

from sqlalchemy import (
    Connection,
    CursorResult,
    DateTime,
    Engine,
    MetaData,
    Table,
    event,
)
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every model maps one table (no mapping onto a join or a select): say so,
    # so that ``Model.__table__`` is a ``Table`` for bulk inserts and updates.
    __table__: ClassVar[Table]


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp always handed back as an aware UTC datetime, on every database.

    SQLite has no time zones: values are stored as naive UTC there.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC (the only clock read outside tests)."""
    return datetime.now(UTC)


def dialect_module(engine: Engine) -> ModuleType:
    """SQLAlchemy's module for ``engine``'s database (``sqlalchemy.dialects.
    postgresql`` or ``.sqlite``: their ``insert`` has ``on_conflict_do_…``),
    imported when first asked for: a SQLite deployment never loads
    PostgreSQL's dialect (a tenth of a worker's start-up, issue 14)."""
    return importlib.import_module(f"sqlalchemy.dialects.{engine.dialect.name}")


class CompiledStatement:
    """A Core statement compiled once for a dialect, then run as its SQL text.

    For the few statements of the hottest requests (the questionnaire's answer
    POSTs): SQLAlchemy's work around each execution (the compiled-cache lookup,
    the execution context, the processing of parameters and of results) costs
    more than SQLite takes to run them (measured on the answer's upsert: about
    60 µs through ``Connection.execute``, 30 this way, 10 in SQLite itself;
    60 against 20 for a page's answers). Here the parameters go
    through the same bind processors as SQLAlchemy's (naive UTC text for
    SQLite's timestamps, JSON, booleans), and the statement through the
    connection's ``exec_driver_sql``: in the session's transaction, with the
    engine's events (statements are still counted and logged).

    Rows come back as the driver gives them, without result processing:
    integers and strings as they are, timestamps and JSON as the driver's raw
    values (SQLite's are text). Use it for statements whose results are ids,
    integers, or only compared with None.
    """

    __slots__ = ("_compiled", "_escaped", "_names", "_processors", "sql")

    _compiled: SQLCompiler

    def __init__(
        self,
        statement: ClauseElement,
        dialect: Dialect,
        *,
        keys: Sequence[str] | None = None,
    ) -> None:
        compiled = statement.compile(
            dialect=dialect, column_keys=list(keys) if keys is not None else None
        )
        assert isinstance(compiled, SQLCompiler)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("expanding or literal parameters need Core's execute")
        self._compiled = compiled
        self.sql = str(compiled)
        # The driver's parameters: in this order (positional styles, SQLite's),
        # else by name, under the names the SQL text uses.
        self._names = compiled.positiontup if compiled.positional else None
        self._escaped: dict[str, str] = compiled.escaped_bind_names or {}
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        self._processors = processors

    def parameters(self, values: Mapping[str, Any]) -> Any:
        """``values`` as the driver takes them (a tuple or a dict).

        :raises sqlalchemy.exc.InvalidRequestError: a value is missing.
        """
        params = self._compiled.construct_params(values, escape_names=False)
        assert params is not None
        for name, processor in self._processors.items():
            if name in params:
                params[name] = processor(params[name])
        if self._names is not None:
            return tuple([params[name] for name in self._names])
        if self._escaped:
            return {self._escaped.get(name, name): v for name, v in params.items()}
        return params

    def run(
        self,
        connection: Connection,
        values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    ) -> CursorResult[Any]:
        """Run it with ``values`` (a list of them: executemany)."""
        if isinstance(values, Mapping):
            return connection.exec_driver_sql(self.sql, self.parameters(values))
        return connection.exec_driver_sql(
            self.sql, [self.parameters(row) for row in values]
        )


def configure_engine(engine: Engine) -> None:
    """Attach the per-connection settings an engine needs (SQLite only)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA foreign_keys=ON",
            "PRAGMA journal_mode=WAL",
            "PRAGMA busy_timeout=15000",
            "PRAGMA synchronous=NORMAL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _expects_writes() else "BEGIN")


def _expects_writes() -> bool:
    """Reading requests begin DEFERRED so that they run side by side; everything
    else (forms, API writes, CLI, scheduler) takes the write lock up front."""
    from flask import current_app, g, has_app_context, has_request_context, request

    if has_app_context() and g.get("db_reads_only", False):
        return False
    if has_request_context() and request.method in {"GET", "HEAD", "OPTIONS"}:
        return bool(g.get("db_expects_writes", False))
    if has_app_context() and not has_request_context():
        # End-to-end tests read from the test thread while the live server
        # writes: there, reads outside requests must not take the write lock.
        return bool(current_app.config.get("SQLITE_IMMEDIATE_OUTSIDE_REQUESTS", True))
    return True


@contextmanager
def reading_only() -> Iterator[None]:
    """A transaction of its own that only reads, begun DEFERRED on SQLite (no
    write lock while a job computes for long); ended (rolled back) on leaving.
    Outside a request (a job, a command)."""
    from flask import g

    from core.extensions import db

    db.session.commit()
    g.db_reads_only = True
    try:
        yield
    finally:
        db.session.rollback()
        g.db_reads_only = False


def expect_writes() -> None:
    """Call before a GET handler's first query when that request will write."""
    from flask import g, has_request_context

    if has_request_context():
        g.db_expects_writes = True
