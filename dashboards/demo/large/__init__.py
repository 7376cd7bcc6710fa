"""The large demo association (``flask demo load --scale large``): 1,000 members,
10,000 projects, 40,000 indicators, 5,000,000 measurements and 300,000
questionnaire responses with their invitations and answers — to measure the
dashboards at scale (``python -m benchmarks.dashboards``).

Deterministic (one seeded generator per table, explicit ids after the existing
ones) and streamed table by table in batches: PostgreSQL receives the rows
through psycopg 3 ``COPY``, SQLite through Core ``executemany`` — both inside ONE
transaction, so a failed load leaves nothing behind (PITFALLS §5). The rollups
the pages read are refreshed in full at the end, in the same transaction.

:func:`generate` is the pure part (rows per table, in insertion order; one
module per group of tables); a small ``scale_factor`` produces a consistent
miniature for the tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

from sqlalchemy import Connection, select

from core.extensions import db
from dashboards import services
from dashboards.demo.large.indicators import indicator_tables
from dashboards.demo.large.organisations import organisations
from dashboards.demo.large.plan import (
    CYCLES,
    SIRET_PREFIX,
    Charter,
    Counts,
    Plan,
    Start,
    TableRows,
    expected_counts,
)
from dashboards.demo.large.surveys import survey_tables
from dashboards.demo.large.writing import (
    first_ids,
    load_charter,
    reset_sequences,
    write_postgresql,
    write_sqlite,
)
from members.demo import DEMO_PASSWORD
from members.models import Member
from members.services import hash_password

__all__ = [
    "CYCLES",
    "Charter",
    "Counts",
    "Start",
    "already_loaded",
    "expected_counts",
    "generate",
    "load",
    "load_charter",
]


def generate(
    *,
    start: Start,
    charter: Charter,
    today: date,
    password_hash: str | None,
    scale_factor: float = 1.0,
) -> Iterator[TableRows]:
    """Yield (table, columns, rows) in an order the foreign keys accept.

    Rows are tuples of plain values (enum values as strings, aware datetimes,
    JSON as Python lists); each table's rows are produced lazily.
    """
    plan = Plan.of(
        start=start,
        charter=charter,
        today=today,
        password_hash=password_hash,
        scale_factor=scale_factor,
    )
    yield from organisations(plan)
    yield from indicator_tables(plan)
    yield from survey_tables(plan)


def already_loaded() -> bool:
    return (
        db.session.scalar(
            select(Member.id).where(Member.siret == f"{SIRET_PREFIX}{0:012d}")
        )
        is not None
    )


def load(
    *,
    today: date,
    now: datetime | None = None,
    scale_factor: float = 1.0,
    echo: Callable[[str], None] = lambda line: print(line, flush=True),
) -> str:
    """Write the large association once (idempotent) and refresh the rollups."""
    if already_loaded():
        return "large data set already loaded: nothing to do"
    began = time.perf_counter()
    # Before taking the connection: making the charter may commit.
    charter = load_charter()
    connection = db.session.connection()
    totals = _write_tables(connection, charter, today, scale_factor, echo)
    if connection.dialect.name == "postgresql":
        reset_sequences(connection)
    step = time.perf_counter()
    services.rebuild_figures(now=now or datetime.now(UTC))
    echo(f"  rollups refreshed in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    services.refresh_statistics()
    if db.engine.dialect.name == "postgresql":
        echo(f"  ANALYZE in {time.perf_counter() - step:.1f} s")
    elapsed = time.perf_counter() - began
    return (
        f"large data set loaded in {elapsed:.0f} s: "
        f"{totals['members_member']:,} members, {totals['members_project']:,} projects, "
        f"{totals['kpi_indicator']:,} indicators, "
        f"{totals['kpi_measurement']:,} measurements, "
        f"{totals['satisfaction_response']:,} responses"
    )


def _write_tables(
    connection: Connection,
    charter: Charter,
    today: date,
    scale_factor: float,
    echo: Callable[[str], None],
) -> dict[str, int]:
    """Stream every table's rows to the database; the rows written per table."""
    start = first_ids(connection)
    postgresql = connection.dialect.name == "postgresql"
    writer = write_postgresql if postgresql else write_sqlite
    totals: dict[str, int] = {}
    for table, columns, rows in generate(
        start=start,
        charter=charter,
        today=today,
        password_hash=hash_password(DEMO_PASSWORD),
        scale_factor=scale_factor,
    ):
        step = time.perf_counter()
        written = writer(connection, table, columns, rows)
        totals[table.name] = written
        echo(f"  {table.name}: {written:,} rows in {time.perf_counter() - step:.1f} s")
    return totals
