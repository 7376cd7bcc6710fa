"""Questionnaire benchmarks, each beside a floor measured in the same run.

(a) Answers submitted per second through gunicorn on loopback (each client opens
    its e-mailed link, then POSTs page 1 and the final page), beside a bare Flask
    endpoint that inserts one row into the same database, served by the SAME
    gunicorn (same workers, same app, same request hooks). The two are measured
    in alternating rounds (bare, answers, answers, bare, …) so that the load of a
    shared machine weighs on both alike; the ratio is of the summed rates.
(b) Creating and queueing 10,000 due invitations (the scheduler's job: reading
    the campaign's contacts with the opt-out and fatigue filters — 1 % of them
    opted out, the association's default 30-day window —, the invitations, their
    10,000 outbox e-mails, the campaign's next date, one transaction), beside one
    bulk insert of the same 10,000 invitation rows into the same table, done the
    fastest way the database offers (the team's floor, PITFALLS.md: Core
    executemany on SQLite, ``COPY`` on PostgreSQL). Three rounds, alternating;
    medians. For information: the same rows through the ORM bulk insert, and
    (``BENCH_ONE_BY_ONE=1``) the same e-mails queued one by one with
    ``core.mail.queue_email``.

Run: ``python -m benchmarks.survey`` (SQLite and PostgreSQL; PostgreSQL from
``BENCH_DATABASE_URL_PG`` or postgresql://postgres@127.0.0.1:5432/qc_satisfaction_bench,
dropped and created again, skipped when unreachable; the SQLite file goes to
``BENCH_SQLITE_PATH`` or the temporary directory). Bounded loops, loopback only.
"""

from __future__ import annotations

import http.client
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/qc_satisfaction_bench"
SECRET = "bench-secret-key"
WORKERS = 2  # the machine has 2 cores
CLIENT_THREADS = 4
RESPONDENTS = 400  # (a): 400 links, 800 answer POSTs
BARE_REQUESTS = 800
ROUNDS = 4  # (a): bare and answer requests alternate in this many rounds each
INVITATIONS = 10_000
OPTED_OUT = INVITATIONS // 100  # (b): contacts of the campaign the job must skip
JOB_ROUNDS = 3


# ---------------------------------------------------------------- the app under test


def make_bench_app() -> Flask:
    """The real app (``BENCH_DATABASE_URL``) plus a bare one-INSERT endpoint."""
    from sqlalchemy import insert

    from core import create_app
    from core.extensions import csrf, db

    app = create_app(
        {
            "TESTING": False,
            "ENV_NAME": "testing",
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": _normalise(os.environ["BENCH_DATABASE_URL"]),
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "BASE_URL": "http://127.0.0.1",
        }
    )
    table = _bare_table()

    @csrf.exempt
    def bare() -> tuple[str, int]:
        db.session.execute(insert(table).values(payload="x" * 20))
        db.session.commit()
        return "ok", 200

    app.add_url_rule("/bench/bare", "bench_bare", bare, methods=["POST"])
    return app


def _bare_table() -> Any:
    from sqlalchemy import Column, Integer, MetaData, String, Table

    return Table(
        "bench_bare_row",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("payload", String(40)),
    )


def _normalise(url: str) -> str:
    from core.config import normalise_database_url

    return normalise_database_url(url)


# ---------------------------------------------------------------- data


def _fresh_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(_normalise(url))
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f"DROP DATABASE IF EXISTS {parsed.database} WITH (FORCE)")
        )
        connection.execute(text(f"CREATE DATABASE {parsed.database}"))
    admin.dispose()


def _setup(app: Flask, *, contacts: int, opted_out: int = 0) -> dict[str, Any]:
    """A member, a project whose client has ``contacts`` contacts (the last
    ``opted_out`` of them opted out), a campaign due to all of them. The
    association's fatigue window keeps its default (30 days)."""
    from sqlalchemy import insert, select

    from core.extensions import db
    from members.models import (
        Client,
        ClientContact,
        ClientKind,
        Member,
        Project,
        ProjectStatus,
        ServiceType,
    )
    from satisfaction import services
    from satisfaction.models import Campaign
    from satisfaction.recurrence import Recurrence

    db.create_all()
    _bare_table().create(db.engine, checkfirst=True)
    member = Member(
        name="Agence Bench", siret="73282932000074", department="05", town="Gap"
    )
    db.session.add(member)
    db.session.flush()
    client = Client(member_id=member.id, name="Client Bench", kind=ClientKind.TPE_PME)
    db.session.add(client)
    db.session.flush()
    project = Project(
        member_id=member.id,
        client_id=client.id,
        title="Projet Bench",
        service_type=ServiceType.WEBSITE,
        starts_on=datetime(2025, 1, 1).date(),
        status=ProjectStatus.ACTIVE,
    )
    db.session.add(project)
    db.session.commit()
    db.session.execute(
        insert(ClientContact),
        [
            {
                "client_id": client.id,
                "name": f"Contact {i}",
                "email": f"c{i}@bench.example",
                "locale": "en" if i % 3 == 0 else "fr",
                "created_at": datetime.now(UTC),
                "opted_out_at": datetime.now(UTC)
                if i >= contacts - opted_out
                else None,
            }
            for i in range(contacts)
        ],
    )
    db.session.commit()
    questionnaire = services.create_questionnaire(
        None, member.id, title="Bench", from_charter=True
    )
    now = datetime.now(UTC)
    ids = list(db.session.scalars(select(ClientContact.id)))
    campaign = services.create_campaign(
        None,
        project,
        name="Bench",
        questionnaire_id=questionnaire.id,
        contact_ids=ids,
        recurrence=Recurrence.once(now + timedelta(minutes=1)),
        now=now,
    )
    return {
        "campaign_id": campaign.id,
        "due": now + timedelta(minutes=2),
        "campaign": db.session.get(Campaign, campaign.id),
        "contacts": ids,
    }


# ---------------------------------------------------------------- (b) invitations


def _floor_rows(data: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """The invitation rows of the floor: what the job inserts, tokens included."""
    from satisfaction.links import invitation_token_hash

    return [
        {
            "campaign_id": data["campaign_id"],
            "contact_id": contact_id,
            "cycle": 99,
            "member_id": data["campaign"].member_id,
            "version_id": data["campaign"].version_id,
            "token_hash": invitation_token_hash(data["campaign_id"], contact_id, 99),
            "created_at": now,
            "sent_at": now,
            "reminders_sent": 0,
            "next_reminder_at": None,
            "expires_at": now + timedelta(days=30),
        }
        for contact_id in data["contacts"][:INVITATIONS]
    ]


def _bulk_insert(rows: list[dict[str, Any]]) -> float:
    """The floor: one bulk insert of ``rows`` into the invitation table, the
    fastest way the database offers (Core executemany; COPY on PostgreSQL)."""
    from sqlalchemy import insert

    from core.extensions import db
    from satisfaction.models import Invitation

    table = Invitation.__table__
    columns = list(rows[0])
    started = time.perf_counter()
    if db.engine.dialect.name == "postgresql":
        raw = db.session.connection().connection.driver_connection
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row([row[column] for column in columns])
    else:
        db.session.connection().execute(insert(table), rows)
    db.session.commit()
    return time.perf_counter() - started


def _orm_bulk_insert(rows: list[dict[str, Any]]) -> float:
    from sqlalchemy import insert

    from core.extensions import db
    from satisfaction.models import Invitation

    started = time.perf_counter()
    db.session.execute(insert(Invitation), rows)
    db.session.commit()
    return time.perf_counter() - started


def _reset_invitations(data: dict[str, Any]) -> None:
    """Back to a campaign due with nothing sent (and, on PostgreSQL, vacuumed so
    that the dead rows of a round do not slow the next one)."""
    from sqlalchemy import delete, text, update

    from core.extensions import db
    from core.models import OutboxMessage
    from satisfaction.models import Campaign, Invitation

    db.session.execute(delete(OutboxMessage))
    db.session.execute(delete(Invitation))
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == data["campaign_id"])
        .values(cycles_run=0, next_run_at=data["due"] - timedelta(seconds=30))
    )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(
                text(
                    "VACUUM ANALYZE satisfaction_invitation, core_outbox_message, "
                    "satisfaction_campaign"
                )
            )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def bench_invitations(url: str) -> dict[str, Any]:
    from sqlalchemy import func, select

    from core.extensions import db
    from core.mail import queue_email
    from core.models import OutboxMessage
    from members.models import ClientContact
    from satisfaction.models import Invitation
    from satisfaction.services import send_due_invitations

    _fresh_database(url)
    os.environ["BENCH_DATABASE_URL"] = url
    app = make_bench_app()
    with app.app_context():
        data = _setup(app, contacts=INVITATIONS + OPTED_OUT, opted_out=OPTED_OUT)
        db.session.commit()
        rows = _floor_rows(data, datetime.now(UTC))
        # The scheduler runs the job in a fresh session, not in one holding the
        # setup's 10,000 contacts (a rollback would expire them all).
        db.session.remove()
        floors: list[float] = []
        jobs: list[float] = []
        orm: list[float] = []
        for round_number in range(JOB_ROUNDS):
            steps = ["floor", "job"] if round_number % 2 == 0 else ["job", "floor"]
            for step in steps:
                _reset_invitations(data)
                if step == "floor":
                    floors.append(_bulk_insert(rows))
                    continue
                started = time.perf_counter()
                report = send_due_invitations(data["due"])
                jobs.append(time.perf_counter() - started)
                assert report.invitations == INVITATIONS, report
                assert (
                    db.session.scalar(select(func.count()).select_from(OutboxMessage))
                    == INVITATIONS
                )
                assert (
                    db.session.scalar(select(func.count()).select_from(Invitation))
                    == INVITATIONS
                )
        _reset_invitations(data)
        orm.append(_orm_bulk_insert(rows))
        _reset_invitations(data)

        one_by_one = float("nan")
        if os.environ.get("BENCH_ONE_BY_ONE"):
            contacts = db.session.execute(
                select(ClientContact.email, ClientContact.name, ClientContact.locale)
            ).all()
            started = time.perf_counter()
            for index, (email, name, locale) in enumerate(contacts[:INVITATIONS]):
                queue_email(
                    to=email,
                    template="satisfaction/email/invitation",
                    context={
                        "contact_name": name,
                        "member_name": "Agence Bench",
                        "association_name": "Association",
                        "project_title": "Projet Bench",
                        "expires_on": "1 janvier 2027",
                        "link": f"http://127.0.0.1/s/{index}",
                        "unsubscribe_link": f"http://127.0.0.1/s/unsubscribe/{index}",
                        "reminder": False,
                    },
                    locale=locale,
                    key=f"bench.one_by_one:{index}",
                )
            db.session.commit()
            one_by_one = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return {
        "floor": _median(floors),
        "job": _median(jobs),
        "floors": floors,
        "jobs": jobs,
        "orm_floor": orm[0],
        "one_by_one": one_by_one,
    }


# ---------------------------------------------------------------- (a) answers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _gunicorn(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BENCH_DATABASE_URL": url, "QUALICHARTE_ENV": "testing"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "benchmarks.survey:make_bench_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


class _Browser:
    """One keep-alive connection with its session cookie."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(
        self, method: str, path: str, form: dict[str, Any] | None = None
    ) -> int:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status


def _run_parallel(jobs: list[Any], work: Any) -> float:
    """Run ``work(job)`` for every job over CLIENT_THREADS threads; wall seconds."""
    chunks = [jobs[i::CLIENT_THREADS] for i in range(CLIENT_THREADS)]
    errors: list[BaseException] = []

    def run(chunk: list[Any]) -> None:
        try:
            for job in chunk:
                work(job)
        except BaseException as error:  # surfaced after join
            errors.append(error)

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


def bench_answers(url: str) -> dict[str, float]:
    from sqlalchemy import func, select

    from core.extensions import db
    from satisfaction.links import invitation_token
    from satisfaction.models import Invitation, Response
    from satisfaction.services import send_due_invitations

    _fresh_database(url)
    os.environ["BENCH_DATABASE_URL"] = url
    app = make_bench_app()
    with app.app_context():
        data = _setup(app, contacts=RESPONDENTS)
        send_due_invitations(data["due"])
        invitations = db.session.execute(
            select(Invitation.id, Invitation.contact_id, Invitation.cycle)
        ).all()
        tokens = [
            invitation_token(data["campaign_id"], c, cycle)
            for _, c, cycle in invitations
        ]
        questions = sorted(data["campaign"].version.questions, key=lambda q: q.position)
        db.session.remove()
        db.engine.dispose()

    values = {"nps": "9", "csat": "5", "ces": "6", "rating_1_5": "4", "text": "Bien."}
    page1 = {f"q{q.id}": values[q.type.value] for q in questions[:5]}
    page2 = {f"q{q.id}": values[q.type.value] for q in questions[5:]}
    port = _free_port()
    server = _gunicorn(url, port)
    try:
        browsers: dict[str, _Browser] = {}

        def open_link(token: str) -> None:
            browser = _Browser(port)
            assert browser.request("GET", f"/s/{token}") == 302
            browsers[token] = browser

        _run_parallel(tokens, open_link)

        def answer(token: str) -> None:
            browser = browsers[token]
            assert (
                browser.request(
                    "POST", "/s/answer", {**page1, "page": "1", "action": "next"}
                )
                == 302
            )
            assert (
                browser.request(
                    "POST", "/s/answer", {**page2, "page": "2", "action": "submit"}
                )
                == 302
            )

        bare_browsers = [_Browser(port) for _ in range(CLIENT_THREADS)]
        per_thread = BARE_REQUESTS // CLIENT_THREADS // ROUNDS

        def bare(index: int) -> None:
            browser = bare_browsers[index]
            for _ in range(per_thread):
                assert browser.request("POST", "/bench/bare", {"x": "1"}) == 200

        # Alternating rounds (bare, answers | answers, bare | …): a burst of load
        # from elsewhere on the machine weighs on both measures alike.
        answer_seconds = bare_seconds = 0.0
        for number in range(ROUNDS):
            group = tokens[number::ROUNDS]
            steps = ["bare", "answers"] if number % 2 == 0 else ["answers", "bare"]
            for step in steps:
                if step == "bare":
                    bare_seconds += _run_parallel(list(range(CLIENT_THREADS)), bare)
                else:
                    answer_seconds += _run_parallel(group, answer)
    finally:
        server.terminate()
        server.wait(30)
    with app.app_context():
        submitted = db.session.scalar(
            select(func.count()).where(Response.submitted_at.is_not(None))
        )
        db.session.remove()
        db.engine.dispose()
    assert submitted == len(tokens), submitted
    posts = 2 * len(tokens)
    bare_requests = per_thread * CLIENT_THREADS * ROUNDS
    return {
        "answer_posts_per_s": posts / answer_seconds,
        "submissions_per_s": len(tokens) / answer_seconds,
        "bare_per_s": bare_requests / bare_seconds,
    }


# ---------------------------------------------------------------- main


def _pg_reachable(url: str) -> bool:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    try:
        engine = create_engine(make_url(_normalise(url)).set(database="postgres"))
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def main() -> None:
    sqlite_path = os.environ.get(
        "BENCH_SQLITE_PATH",
        str(Path(tempfile.gettempdir()) / "qc_satisfaction_bench.db"),
    )
    sqlite_url = f"sqlite:///{sqlite_path}"
    pg_url = os.environ.get("BENCH_DATABASE_URL_PG", PG_DEFAULT)
    targets = [("SQLite", sqlite_url)]
    if _pg_reachable(pg_url):
        targets.append(("PostgreSQL", pg_url))
    else:
        print(f"PostgreSQL unreachable at {pg_url}: skipped")
    print(
        f"gunicorn: {WORKERS} sync workers, {CLIENT_THREADS} client threads, loopback; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    only = os.environ.get("BENCH_ONLY", "ab")
    for name, url in targets:
        if "a" in only:
            a = bench_answers(url)
            print(
                f"[{name}] (a) answer POSTs: {a['answer_posts_per_s']:.0f}/s "
                f"({a['submissions_per_s']:.0f} complete questionnaires/s, "
                f"{RESPONDENTS} respondents × 2 pages); bare INSERT endpoint: "
                f"{a['bare_per_s']:.0f}/s; ratio "
                f"{a['answer_posts_per_s'] / a['bare_per_s']:.2f} (aim ≥ 0.5)"
            )
        if "b" in only:
            b = bench_invitations(url)
            floor_kind = "COPY" if name == "PostgreSQL" else "Core executemany"
            one_by_one = (
                "not run (BENCH_ONE_BY_ONE=1)"
                if math.isnan(b["one_by_one"])
                else f"{b['one_by_one']:.2f} s"
            )
            print(
                f"[{name}] (b) create + queue {INVITATIONS} invitations "
                f"({OPTED_OUT} more contacts opted out): {b['job']:.2f} s "
                f"(rounds {', '.join(f'{x:.2f}' for x in b['jobs'])}); "
                f"bulk insert of {INVITATIONS} rows ({floor_kind}): {b['floor']:.2f} s "
                f"(rounds {', '.join(f'{x:.2f}' for x in b['floors'])}); "
                f"ratio {b['job'] / b['floor']:.1f}× (aim ≤ 3×); "
                f"for information: ORM bulk insert {b['orm_floor']:.2f} s "
                f"(ratio {b['job'] / b['orm_floor']:.1f}×), e-mails through "
                f"queue_email one by one: {one_by_one}"
            )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
