"""The large demo association (``flask demo load --scale large``): 1,000 members,
10,000 projects, 40,000 indicators, 5,000,000 measurements and 300,000
questionnaire responses with their invitations and answers — to measure the
dashboards at scale (``python -m benchmarks.dashboards``).

Deterministic (one seeded generator, explicit ids after the existing ones) and
streamed table by table in batches: PostgreSQL receives the rows through psycopg 3
``COPY``, SQLite through Core ``executemany`` — both inside ONE transaction, so a
failed load leaves nothing behind (PITFALLS §5). The rollups the pages read are
refreshed in full at the end, in the same transaction.

:func:`generate` is the pure part (rows per table, in insertion order); a small
``scale_factor`` produces a consistent miniature for the tests.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from core.extensions import db
from kpi.models import Agreement, Indicator, Measurement
from members.models import Client, ClientContact, Member, Project, ServiceType, User
from satisfaction.models import (
    Alert,
    Answer,
    Campaign,
    Invitation,
    Response,
    campaign_contact,
)

SEED = 20261127
MEMBERS = 1_000
PROJECTS_PER_MEMBER = 10
CLIENTS_PER_MEMBER = 5
INDICATORS_PER_PROJECT = 4
WEEKS = 125  # 40,000 indicators × 125 weekly values = 5,000,000 measurements
CYCLES = 40  # invitations per campaign (one campaign per project)
ANSWERED_CYCLES = 30  # 10,000 campaigns × 30 answered cycles = 300,000 responses
#: The large members' SIRET all start with these digits (and say the set is there).
SIRET_PREFIX = "98"
BATCH = 50_000
DEPARTMENTS = ["13", "31", "33", "35", "44", "59", "67", "69", "75", "84"]
SERVICES = list(ServiceType)
# kind, name, unit, direction, is_ratio, target, typical value
KINDS: list[tuple[str, str, str, str, bool, Decimal, float]] = [
    ("audience", "Visites", "visites", "higher", False, Decimal(700), 700.0),
    ("cost_per_click", "Coût par clic", "€", "lower", True, Decimal("0.80"), 0.8),
    ("incidents", "Incidents", "incidents", "lower", False, Decimal(3), 3.0),
    ("clicks", "Clics", "clics", "higher", False, Decimal(120), 120.0),
]
LOW_ALERT = {"nps": 6, "csat": 2, "rating_1_5": 2}


@dataclass(frozen=True)
class Counts:
    members: int
    projects: int
    indicators: int
    measurements: int
    responses: int


def expected_counts(scale_factor: float = 1.0) -> Counts:
    members = max(1, round(MEMBERS * scale_factor))
    projects = members * PROJECTS_PER_MEMBER
    indicators = projects * INDICATORS_PER_PROJECT
    return Counts(
        members,
        projects,
        indicators,
        indicators * WEEKS,
        projects * ANSWERED_CYCLES,
    )


@dataclass(frozen=True)
class Start:
    """The first free id of each table (rows get explicit, contiguous ids)."""

    member: int
    user: int
    client: int
    contact: int
    project: int
    indicator: int
    measurement: int
    agreement: int
    campaign: int
    invitation: int
    response: int
    answer: int
    alert: int


@dataclass(frozen=True)
class Charter:
    """The charter questionnaire's version and its scored questions (id, type, value range)."""

    version_id: int
    questions: Sequence[tuple[int, str, int, int]]


TableRows = tuple[Table, list[str], Iterator[tuple[Any, ...]]]


def _token(kind: str, number: int) -> str:
    return hashlib.sha256(f"qualicharte-large:{kind}:{number}".encode()).hexdigest()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


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
    n = expected_counts(scale_factor)
    now = datetime(today.year, today.month, today.day, 6, tzinfo=UTC)
    began = today - timedelta(days=3 * 365)
    weak = {m for m in range(n.members) if m % 5 == 0}  # a fifth miss their targets

    def members() -> Iterator[tuple[Any, ...]]:
        for m in range(n.members):
            yield (
                start.member + m,
                f"Adhérent {m + 1:04d} (grande échelle)",
                f"{SIRET_PREFIX}{m:012d}",
                DEPARTMENTS[m % len(DEPARTMENTS)],
                f"Ville {m % 97}",
                None,
                [SERVICES[m % len(SERVICES)].value],
                "2026",
                began,
                "active",
                now,
                True,
                now,
            )

    yield (
        Member.__table__,
        [
            "id",
            "name",
            "siret",
            "department",
            "town",
            "website",
            "services",
            "charter_version",
            "signed_on",
            "mark_status",
            "mark_changed_at",
            "is_public",
            "created_at",
        ],
        members(),
    )

    def users() -> Iterator[tuple[Any, ...]]:
        for m in range(n.members):
            yield (
                start.user + m,
                f"admin{m + 1:04d}@grande-echelle.example",
                f"Administrateur {m + 1:04d}",
                password_hash,
                "member_admin",
                start.member + m,
                "fr" if m % 4 else "en",
                True,
                None,
                now,
            )

    yield (
        User.__table__,
        [
            "id",
            "email",
            "full_name",
            "password_hash",
            "role",
            "member_id",
            "locale",
            "is_active",
            "last_login_at",
            "created_at",
        ],
        users(),
    )

    n_clients = n.members * CLIENTS_PER_MEMBER

    def clients() -> Iterator[tuple[Any, ...]]:
        for c in range(n_clients):
            yield (
                start.client + c,
                start.member + c // CLIENTS_PER_MEMBER,
                f"Client {c + 1:05d}",
                ("tpe_pme", "independent", "association", "public_body")[c % 4],
                5 + c % 40,
                f"Ville {c % 89}",
                now,
            )

    yield (
        Client.__table__,
        ["id", "member_id", "name", "kind", "headcount", "town", "created_at"],
        clients(),
    )

    def contacts() -> Iterator[tuple[Any, ...]]:
        for c in range(n_clients):
            yield (
                start.contact + c,
                start.client + c,
                f"Contact {c + 1:05d}",
                f"contact{c + 1:05d}@client-grande-echelle.example",
                "Gérant",
                "fr" if c % 5 else "en",
                None,
                now,
            )

    yield (
        ClientContact.__table__,
        [
            "id",
            "client_id",
            "name",
            "email",
            "job_title",
            "locale",
            "opted_out_at",
            "created_at",
        ],
        contacts(),
    )

    def projects() -> Iterator[tuple[Any, ...]]:
        for p in range(n.projects):
            m = p // PROJECTS_PER_MEMBER
            status = (
                "active" if p % 10 < 8 else ("closed" if p % 10 == 8 else "proposal")
            )
            yield (
                start.project + p,
                start.member + m,
                start.client + m * CLIENTS_PER_MEMBER + (p % CLIENTS_PER_MEMBER),
                f"Projet {p + 1:05d}",
                SERVICES[p % len(SERVICES)].value,
                "",
                "",
                "",
                began,
                None,
                status,
                now,
            )

    yield (
        Project.__table__,
        [
            "id",
            "member_id",
            "client_id",
            "title",
            "service_type",
            "scope",
            "deliverables",
            "exclusions",
            "starts_on",
            "ends_on",
            "status",
            "created_at",
        ],
        projects(),
    )

    def indicators() -> Iterator[tuple[Any, ...]]:
        for i in range(n.indicators):
            p = i // INDICATORS_PER_PROJECT
            kind, name, unit, direction, ratio, target, _typical = KINDS[i % len(KINDS)]
            yield (
                start.indicator + i,
                start.member + p // PROJECTS_PER_MEMBER,
                start.project + p,
                kind,
                name,
                unit,
                direction,
                "week",
                "sum",
                ratio,
                "Coût (€)" if ratio else None,
                "Clics" if ratio else None,
                None,
                None,
                target,
                True,
                1,
                now,
                now,
            )

    yield (
        Indicator.__table__,
        [
            "id",
            "member_id",
            "project_id",
            "kind",
            "name",
            "unit",
            "direction",
            "frequency",
            "aggregation",
            "is_ratio",
            "numerator_label",
            "denominator_label",
            "baseline_on",
            "baseline_value",
            "target_value",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ],
        indicators(),
    )

    last_week = _monday(today) - timedelta(weeks=1)
    weeks = [last_week - timedelta(weeks=WEEKS - 1 - w) for w in range(WEEKS)]

    def measurements() -> Iterator[tuple[Any, ...]]:
        rng = random.Random(SEED)
        number = start.measurement
        for i in range(n.indicators):
            member = i // (INDICATORS_PER_PROJECT * PROJECTS_PER_MEMBER)
            _k, _n, _u, direction, ratio, _t, typical = KINDS[i % len(KINDS)]
            lower = direction == "lower"
            if member in weak:
                factor = 1.25 if lower else 0.8
            else:
                factor = 0.9 if lower else 1.1
            for week in weeks:
                value = typical * factor * rng.uniform(0.85, 1.15)
                if ratio:
                    denominator = rng.randint(800, 1500)
                    numerator = round(round(value, 2) * denominator, 2)
                    yield (
                        number,
                        start.indicator + i,
                        week,
                        "week",
                        round(numerator / denominator, 4),
                        numerator,
                        denominator,
                        "import",
                        None,
                        now,
                    )
                else:
                    yield (
                        number,
                        start.indicator + i,
                        week,
                        "week",
                        round(value),
                        None,
                        None,
                        "import",
                        None,
                        now,
                    )
                number += 1

    yield (
        Measurement.__table__,
        [
            "id",
            "indicator_id",
            "period_start",
            "granularity",
            "value",
            "numerator",
            "denominator",
            "source",
            "import_batch_id",
            "updated_at",
        ],
        measurements(),
    )

    def contact_of(p: int) -> int:
        m = p // PROJECTS_PER_MEMBER
        return start.contact + m * CLIENTS_PER_MEMBER + (p % CLIENTS_PER_MEMBER)

    def is_active(p: int) -> bool:
        return p % 10 < 8

    def agreements() -> Iterator[tuple[Any, ...]]:
        number = start.agreement
        for p in range(n.projects):
            # Every fourth member leaves one active project without an agreement.
            if not is_active(p) or (p % PROJECTS_PER_MEMBER == 0 and p % 40 == 0):
                continue
            yield (
                number,
                start.member + p // PROJECTS_PER_MEMBER,
                start.project + p,
                contact_of(p),
                1,
                _token("set", p),
                [],
                _token("agreement", p),
                "acknowledged",
                None,
                now - timedelta(days=400),
                now - timedelta(days=370),
                now - timedelta(days=399),
                now - timedelta(days=398),
                None,
                None,
            )
            number += 1

    yield (
        Agreement.__table__,
        [
            "id",
            "member_id",
            "project_id",
            "contact_id",
            "set_version",
            "set_signature",
            "snapshot",
            "token_hash",
            "status",
            "sent_by_id",
            "sent_at",
            "expires_at",
            "opened_at",
            "acknowledged_at",
            "commented_at",
            "comment",
        ],
        agreements(),
    )

    def campaigns() -> Iterator[tuple[Any, ...]]:
        for p in range(n.projects):
            yield (
                start.campaign + p,
                start.member + p // PROJECTS_PER_MEMBER,
                start.project + p,
                charter.version_id,
                "Questionnaire de suivi (grande échelle)",
                {"kind": "every_n_months", "months": 1},
                now + timedelta(days=7 + p % 20) if is_active(p) else None,
                CYCLES,
                [7],
                1,
                30,
                not is_active(p),
                now - timedelta(days=5),
                {},
                now - timedelta(days=900),
                None,
            )

    yield (
        Campaign.__table__,
        [
            "id",
            "member_id",
            "project_id",
            "version_id",
            "name",
            "recurrence",
            "next_run_at",
            "cycles_run",
            "reminder_days",
            "max_reminders",
            "link_valid_days",
            "is_paused",
            "last_run_at",
            "last_run_summary",
            "created_at",
            "created_by_id",
        ],
        campaigns(),
    )
    yield (
        campaign_contact,
        ["campaign_id", "contact_id"],
        ((start.campaign + p, contact_of(p)) for p in range(n.projects)),
    )

    def sent_at(p: int, cycle: int) -> datetime:
        # Cycles every 3 weeks up to last week, spread over the day by project.
        back = (CYCLES - cycle) * 21 + 7
        return now - timedelta(days=back, minutes=p % 600)

    def answered(p: int, cycle: int) -> bool:
        return (cycle + p) % 4 != 0

    def invitations() -> Iterator[tuple[Any, ...]]:
        number = start.invitation
        for p in range(n.projects):
            for cycle in range(1, CYCLES + 1):
                at = sent_at(p, cycle)
                yield (
                    number,
                    start.campaign + p,
                    contact_of(p),
                    cycle,
                    start.member + p // PROJECTS_PER_MEMBER,
                    charter.version_id,
                    _token("invitation", number),
                    at,
                    at,
                    0,
                    None,
                    None,
                    at + timedelta(days=1) if answered(p, cycle) else None,
                    at + timedelta(days=2) if answered(p, cycle) else None,
                    at + timedelta(days=30),
                )
                number += 1

    yield (
        Invitation.__table__,
        [
            "id",
            "campaign_id",
            "contact_id",
            "cycle",
            "member_id",
            "version_id",
            "token_hash",
            "created_at",
            "sent_at",
            "reminders_sent",
            "last_reminder_at",
            "next_reminder_at",
            "opened_at",
            "answered_at",
            "expires_at",
        ],
        invitations(),
    )

    def responses() -> Iterator[tuple[Any, ...]]:
        number = start.response
        invitation = start.invitation
        for p in range(n.projects):
            for cycle in range(1, CYCLES + 1):
                if answered(p, cycle):
                    at = sent_at(p, cycle) + timedelta(days=2)
                    yield (
                        number,
                        invitation,
                        start.campaign + p,
                        at,
                        at,
                        at,
                        cycle % 3 == 0,
                    )
                    number += 1
                invitation += 1

    yield (
        Response.__table__,
        [
            "id",
            "invitation_id",
            "campaign_id",
            "started_at",
            "updated_at",
            "submitted_at",
            "share_with_board",
        ],
        responses(),
    )

    alerts: list[tuple[Any, ...]] = []

    def answers() -> Iterator[tuple[Any, ...]]:
        rng = random.Random(SEED + 1)
        number = start.answer
        response = start.response
        for p in range(n.projects):
            member = p // PROJECTS_PER_MEMBER
            shift = -2 if member in weak else 0
            for cycle in range(1, CYCLES + 1):
                if not answered(p, cycle):
                    continue
                for question_id, kind, low, high in charter.questions:
                    if kind == "nps":
                        value = rng.choice((6, 7, 8, 9, 9, 10, 10)) + shift
                    elif kind == "ces":
                        value = rng.choice((4, 5, 6, 7)) + shift // 2
                    else:
                        value = rng.choice((3, 4, 4, 5, 5)) + shift // 2
                    value = max(low, min(high, value))
                    yield (number, response, question_id, value, None, None)
                    number += 1
                    threshold = LOW_ALERT.get(kind)
                    # The latest cycles' low answers are still to follow up.
                    if threshold is not None and value <= threshold and cycle > 36:
                        alerts.append(
                            (
                                start.alert + len(alerts),
                                start.member + member,
                                response,
                                question_id,
                                "detractor" if kind == "nps" else "low_rating",
                                value,
                                sent_at(p, cycle) + timedelta(days=2),
                                "",
                                None,
                                None,
                            )
                        )
                response += 1

    yield (
        Answer.__table__,
        ["id", "response_id", "question_id", "value", "text", "choices"],
        answers(),
    )
    yield (
        Alert.__table__,
        [
            "id",
            "member_id",
            "response_id",
            "question_id",
            "reason",
            "value",
            "created_at",
            "follow_up",
            "closed_at",
            "closed_by_id",
        ],
        iter(alerts),  # filled while the answers were produced
    )


# ---------------------------------------------------------------- writing


def _next_id(connection: Connection, table: Table) -> int:
    return (
        int(connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1
    )


def _start(connection: Connection) -> Start:
    tables: dict[str, Any] = {
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
    }
    return Start(
        **{key: _next_id(connection, model.__table__) for key, model in tables.items()}
    )


def _charter() -> Charter:
    from satisfaction.scoring import SCORED_TYPES, value_range
    from satisfaction.services import current_version, ensure_charter_template

    version = current_version(ensure_charter_template())
    if version.frozen_at is None:
        from core.database import utcnow

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


def _write_postgresql(
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


def _write_sqlite(
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
    from dashboards import services
    from members.demo import DEMO_PASSWORD
    from members.services import hash_password

    if already_loaded():
        return "large data set already loaded: nothing to do"
    began = time.perf_counter()
    charter = _charter()
    connection = db.session.connection()
    start = _start(connection)
    writer = (
        _write_postgresql if connection.dialect.name == "postgresql" else _write_sqlite
    )
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
    if connection.dialect.name == "postgresql":
        models: tuple[Any, ...] = (
            Member,
            User,
            Client,
            ClientContact,
            Project,
            Indicator,
            Measurement,
            Agreement,
            Campaign,
            Invitation,
            Response,
            Answer,
            Alert,
        )
        for model in models:
            name = model.__tablename__
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
            )
    step = time.perf_counter()
    services.rebuild_figures(now=now or datetime.now(UTC))
    echo(f"  rollups refreshed in {time.perf_counter() - step:.1f} s")
    db.session.commit()
    if connection.dialect.name == "postgresql":
        step = time.perf_counter()
        with db.engine.connect() as fresh:
            fresh.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "ANALYZE"
            )
        echo(f"  ANALYZE in {time.perf_counter() - step:.1f} s")
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    elapsed = time.perf_counter() - began
    return (
        f"large data set loaded in {elapsed:.0f} s: "
        f"{totals['members_member']:,} members, {totals['members_project']:,} projects, "
        f"{totals['kpi_indicator']:,} indicators, "
        f"{totals['kpi_measurement']:,} measurements, "
        f"{totals['satisfaction_response']:,} responses"
    )
