"""Questionnaire benchmarks, each beside a floor measured in the same run.

(a) Answer POSTs per second through gunicorn on loopback (each client has opened
    its e-mailed link, then POSTs page 1 and the final page), beside a bare
    endpoint that inserts one row into the same database, served by the SAME
    gunicorn (same workers, same app, same request hooks). The rate limits
    are on, as in production (in-memory, per worker): each answer POST counts
    against its link's limit, and every request of both sides goes through
    Flask-Limiter's hooks. Aim: ≥ 0.7×. For information, ``--rate-limits off``
    runs (a) and (c) with them off, to show their share of an answer's cost.
(c) The whole respondent flow — open the link, follow its redirect to page 1,
    submit it, render page 2, submit it, the thank-you page: 6 requests —
    beside a bare Flask app served by another gunicorn with the same workers and
    the same database settings, doing the same 6 requests, each rendering one
    template (or redirecting) and inserting one row. Aim: ≥ 0.5×.
    (a) and (c) run in alternating rounds (A B, B A, …): each round gives a
    ratio; the median ratio and the spread (lowest–highest) are printed.
(b) Creating and queueing 10,000 due invitations (the scheduler's job: reading
    the campaign's contacts with the opt-out and fatigue filters — 1 % of them
    opted out, the association's default 30-day window —, the invitations, their
    10,000 outbox e-mails, the campaign's next date, one transaction), beside one
    bulk insert of the same 10,000 invitation rows into the same table, done the
    fastest way the database offers (the team's floor, PITFALLS.md: Core
    executemany on SQLite, ``COPY`` on PostgreSQL). Three rounds, alternating;
    median ratio and spread. Aim: ≤ 2×. For information: the same rows through
    the ORM bulk insert, and (``BENCH_ONE_BY_ONE=1``) the same e-mails queued one
    by one with ``core.mail.queue_email``.

Run: ``python -m benchmarks.survey`` (SQLite, and PostgreSQL when reachable). The
databases are made for the run and removed after it: a file in a temporary
folder, and on PostgreSQL a database of its own (``qc_bench_survey_<pid>``) on
the server of ``--postgres`` — no existing database is touched. Bounded loops,
loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-secret-key"
WORKERS = 2  # the machine has 2 cores
CLIENT_THREADS = 4
RESPONDENTS = 400  # (a): 400 links, 800 answer POSTs
BARE_REQUESTS = 800
ROUNDS = 4  # (a), (c): the two sides alternate in this many rounds each
FLOW_REQUESTS = 6  # (c): link, page 1, submit, page 2, submit, thanks
INVITATIONS = 10_000
OPTED_OUT = INVITATIONS // 100  # (b): contacts of the campaign the job must skip
JOB_ROUNDS = 3
# Read by the app under test, in gunicorn's workers too (``--rate-limits``).
RATE_LIMITS_ENV = "BENCH_RATE_LIMITS"


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
            # As in production: the answer pages' per-link limits are part of
            # what an answer costs (the runs stay far below them). Off only
            # when asked (``--rate-limits off``), for information.
            "RATELIMIT_ENABLED": os.environ.get(RATE_LIMITS_ENV) != "off",
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


@contextmanager
def _own_database(kind: str, server_url: str) -> Iterator[str]:
    """A database made for this run and removed after it: a file in a temporary
    folder, or a new PostgreSQL database on ``server_url``'s server."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if kind == "SQLite":
        with tempfile.TemporaryDirectory(prefix="qc-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'survey.db'}"
        return
    name = f"qc_bench_survey_{os.getpid()}"
    parsed = make_url(_normalise(server_url))
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _clear(url: str) -> None:
    """Empty the run's own database between (a)+(c) and (b)."""
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(_normalise(url))
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()


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
    return float(statistics.median(values))


def bench_invitations(url: str) -> dict[str, Any]:
    from sqlalchemy import func, select

    from core.extensions import db
    from core.mail import queue_email
    from core.models import OutboxMessage
    from members.models import ClientContact
    from satisfaction.models import Invitation
    from satisfaction.services import send_due_invitations

    _clear(url)
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


def _gunicorn(url: str, port: int, app: str) -> subprocess.Popen[bytes]:
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
            app,
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


BARE_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>{{ title }}</title></head><body><main><h1>{{ title }}</h1>
{% if page %}<form method="post">{% for n in range(5) %}
<label>Question {{ n }} <input name="q{{ n }}"></label>{% endfor %}
<input type="hidden" name="page" value="{{ page }}"><button>Suivant</button>
</form>{% else %}<p>Merci.</p>{% endif %}</main></body></html>"""


def make_bare_app() -> Flask:
    """(c)'s floor: a bare Flask app doing the respondent's 6 requests, each one
    rendering one template (or redirecting) and inserting one row."""
    from flask import redirect, render_template_string, request, session
    from sqlalchemy import create_engine, insert

    from core.database import configure_engine, expect_writes

    app = Flask("bare")
    app.secret_key = SECRET
    # The same connection settings as the app's (on SQLite: WAL, busy timeout,
    # writes begun IMMEDIATE): the floor is Flask, not a misconfigured database.
    engine = create_engine(_normalise(os.environ["BENCH_DATABASE_URL"]))
    configure_engine(engine)
    table = _bare_table()

    def row() -> None:
        expect_writes()
        with engine.begin() as connection:
            connection.execute(insert(table).values(payload="x" * 20))

    @app.get("/s/<token>")
    def open_link(token: str) -> Any:
        row()
        session["token"] = token[:20]
        return redirect("/s/answer")

    @app.route("/s/answer", methods=["GET", "POST"])
    def answer() -> Any:
        row()
        if request.method == "POST":
            return redirect(
                "/s/thanks" if request.form["page"] == "2" else "/s/answer?page=2"
            )
        page = request.args.get("page", "1")
        return render_template_string(BARE_PAGE, title="Questionnaire", page=page)

    @app.get("/s/thanks")
    def thanks() -> Any:
        row()
        return render_template_string(BARE_PAGE, title="Merci", page=None)

    return app


def _answers_data(url: str) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """The tokens of 2 × RESPONDENTS sent invitations and the two pages' answers."""
    from sqlalchemy import select

    from core.extensions import db
    from satisfaction.links import invitation_token
    from satisfaction.models import Invitation
    from satisfaction.services import send_due_invitations

    os.environ["BENCH_DATABASE_URL"] = url
    app = make_bench_app()
    with app.app_context():
        data = _setup(app, contacts=2 * RESPONDENTS)
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
    return tokens, page1, page2


def _flow(port: int, token: str, page1: dict[str, str], page2: dict[str, str]) -> None:
    """One respondent, as a browser does it: 6 requests, statuses checked."""
    browser = _Browser(port)
    assert browser.request("GET", f"/s/{token}") == 302
    assert browser.request("GET", "/s/answer") == 200
    assert (
        browser.request("POST", "/s/answer", {**page1, "page": "1", "action": "next"})
        == 302
    )
    assert browser.request("GET", "/s/answer?page=2") == 200
    assert (
        browser.request("POST", "/s/answer", {**page2, "page": "2", "action": "submit"})
        == 302
    )
    assert browser.request("GET", "/s/thanks") == 200


def _alternate(
    ours: Any, floor: Any, groups: list[list[Any]], floor_jobs: list[Any]
) -> list[float]:
    """Per round, seconds of ours and of the floor, in alternating order (A B, B A…);
    the ratio of each round (ours ÷ floor, per request: > 1 is slower)."""
    ratios = []
    for number, group in enumerate(groups):
        seconds = {}
        for side in ("floor", "ours") if number % 2 == 0 else ("ours", "floor"):
            if side == "floor":
                seconds[side] = _run_parallel(floor_jobs, floor)
            else:
                seconds[side] = _run_parallel(group, ours)
        ratios.append(seconds["ours"] / seconds["floor"])
    return ratios


def bench_answers(url: str) -> dict[str, Any]:
    """(a) and (c); each returns per-round ratios of rates (ours ÷ floor)."""
    from sqlalchemy import func, select

    from core.extensions import db
    from satisfaction.models import Response

    tokens, page1, page2 = _answers_data(url)
    half = len(tokens) // 2
    posted, flowed = tokens[:half], tokens[half:]
    port, bare_port = _free_port(), _free_port()
    server = _gunicorn(url, port, "benchmarks.survey:make_bench_app()")
    bare_server = _gunicorn(url, bare_port, "benchmarks.survey:make_bare_app()")
    try:
        browsers: dict[str, _Browser] = {}

        def open_link(token: str) -> None:
            browser = _Browser(port)
            assert browser.request("GET", f"/s/{token}") == 302
            browsers[token] = browser

        _run_parallel(posted, open_link)

        def answer(token: str) -> None:
            browser = browsers[token]
            for form in (
                {**page1, "page": "1", "action": "next"},
                {**page2, "page": "2", "action": "submit"},
            ):
                assert browser.request("POST", "/s/answer", form) == 302

        per_round = len(posted) // ROUNDS
        # The floor does as many requests per round as the answers do (2 each).
        bare_browsers = [_Browser(port) for _ in range(CLIENT_THREADS)]
        bare_per_thread = 2 * per_round // CLIENT_THREADS

        def bare(index: int) -> None:
            browser = bare_browsers[index]
            for _ in range(bare_per_thread):
                assert browser.request("POST", "/bench/bare", {"x": "1"}) == 200

        post_groups = [posted[n::ROUNDS] for n in range(ROUNDS)]
        a = _alternate(answer, bare, post_groups, list(range(CLIENT_THREADS)))

        flow_groups = [flowed[n::ROUNDS] for n in range(ROUNDS)]
        bare_tokens = [f"t{n}" for n in range(per_round)]
        c = _alternate(
            lambda token: _flow(port, token, page1, page2),
            lambda token: _flow(bare_port, token, page1, page2),
            flow_groups,
            bare_tokens,
        )
    finally:
        for process in (server, bare_server):
            process.terminate()
            process.wait(30)
    os.environ["BENCH_DATABASE_URL"] = url
    app = make_bench_app()
    with app.app_context():
        submitted = db.session.scalar(
            select(func.count()).where(Response.submitted_at.is_not(None))
        )
        db.session.remove()
        db.engine.dispose()
    assert submitted == len(tokens), submitted
    # Rates: the floor did as many requests as ours in each round, so the rate
    # ratio is the inverse of the time ratio.
    return {"a": [1 / r for r in a], "c": [1 / r for r in c]}


def _summary(ratios: list[float]) -> str:
    return (
        f"median {statistics.median(ratios):.2f}× "
        f"(spread {min(ratios):.2f}–{max(ratios):.2f}, {len(ratios)} rounds)"
    )


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        epilog="(a) answer POSTs, (b) invitations, (c) the whole respondent flow.",
    )
    parser.add_argument("--only", default="abc", help="which of a, b, c (default abc)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_DATABASE_URL_PG", PG_DEFAULT),
        help="a PostgreSQL server's URL; the run makes its own database there",
    )
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--rate-limits",
        choices=("on", "off"),
        default="on",
        help="(a) and (c) with the rate limits on, as in production (default), "
        "or off, for information",
    )
    args = parser.parse_args(argv)
    os.environ[RATE_LIMITS_ENV] = args.rate_limits
    limits = "" if args.rate_limits == "on" else ", rate limits off"

    targets = ["SQLite"]
    if not args.sqlite_only and _pg_reachable(args.postgres):
        targets.append("PostgreSQL")
    elif not args.sqlite_only:
        print(f"PostgreSQL unreachable at {args.postgres}: skipped")
    print(
        f"gunicorn: {WORKERS} sync workers, {CLIENT_THREADS} client threads, loopback; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for name in targets:
        with _own_database(name, args.postgres) as url:
            if "a" in args.only or "c" in args.only:
                # (a) and (c) share their data and servers: both are measured.
                result = bench_answers(url)
                print(
                    f"[{name}] (a) answer POSTs ÷ bare INSERT endpoint (rates{limits}): "
                    f"{_summary(result['a'])} — aim ≥ 0.7×"
                )
                print(
                    f"[{name}] (c) whole respondent flow ({FLOW_REQUESTS} requests{limits}) ÷ "
                    f"a bare Flask app doing the same: {_summary(result['c'])} "
                    "— aim ≥ 0.5×"
                )
            if "b" in args.only:
                _report_invitations(name, bench_invitations(url))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _report_invitations(name: str, b: dict[str, Any]) -> None:
    floor_kind = "COPY" if name == "PostgreSQL" else "Core executemany"
    ratios = [job / floor for job, floor in zip(b["jobs"], b["floors"], strict=True)]
    one_by_one = (
        "not run (BENCH_ONE_BY_ONE=1)"
        if math.isnan(b["one_by_one"])
        else f"{b['one_by_one']:.2f} s"
    )
    print(
        f"[{name}] (b) create + queue {INVITATIONS} invitations "
        f"({OPTED_OUT} more contacts opted out): {b['job']:.2f} s; bulk insert of "
        f"{INVITATIONS} rows ({floor_kind}): {b['floor']:.2f} s; job ÷ floor "
        f"{_summary(ratios)} — aim ≤ 2×; for information: ORM bulk insert "
        f"{b['orm_floor']:.2f} s, e-mails through queue_email one by one: {one_by_one}"
    )


if __name__ == "__main__":
    main()
