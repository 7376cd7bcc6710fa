"""Questionnaire benchmarks, each beside a floor measured in the same run.

(a) Answers submitted per second through gunicorn on loopback (each client opens
    its e-mailed link, then POSTs page 1 and the final page), beside a bare Flask
    endpoint that inserts one row into the same database under the same gunicorn
    settings.
(b) Creating and queueing 10,000 due invitations (the scheduler's job: the
    invitations, their 10,000 outbox e-mails, the campaign's next date), beside
    one bulk insert of 10,000 invitation rows; and, for information, the same
    10,000 e-mails queued one by one through ``core.mail.queue_email``.

Run: ``python -m benchmarks.survey`` (SQLite and PostgreSQL; PostgreSQL from
``BENCH_DATABASE_URL`` or postgresql://postgres@127.0.0.1:5432/qc_satisfaction_bench,
skipped when unreachable). Bounded loops, loopback only.
"""

from __future__ import annotations

import http.client
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
INVITATIONS = 10_000


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


def _setup(app: Flask, *, contacts: int) -> dict[str, Any]:
    """A member, a project whose client has ``contacts`` contacts, a campaign due."""
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
    services.set_fatigue_days(None, days=0)
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


def bench_invitations(url: str) -> dict[str, float]:
    from sqlalchemy import delete, insert, select

    from core.extensions import db
    from core.mail import queue_email
    from core.models import OutboxMessage
    from members.models import ClientContact
    from satisfaction.links import invitation_token_hash
    from satisfaction.models import Invitation
    from satisfaction.services import send_due_invitations

    _fresh_database(url)
    os.environ["BENCH_DATABASE_URL"] = url
    app = make_bench_app()
    with app.app_context():
        data = _setup(app, contacts=INVITATIONS)
        db.session.commit()

        # Floor: one bulk insert of 10,000 invitation rows (same table and indexes).
        now = datetime.now(UTC)
        rows = [
            {
                "campaign_id": data["campaign_id"],
                "contact_id": contact_id,
                "cycle": 99,
                "member_id": data["campaign"].member_id,
                "version_id": data["campaign"].version_id,
                "token_hash": invitation_token_hash(
                    data["campaign_id"], contact_id, 99
                ),
                "created_at": now,
                "sent_at": now,
                "reminders_sent": 0,
                "expires_at": now + timedelta(days=30),
            }
            for contact_id in data["contacts"]
        ]
        started = time.perf_counter()
        db.session.execute(insert(Invitation), rows)
        db.session.commit()
        floor = time.perf_counter() - started
        db.session.execute(delete(Invitation))
        db.session.commit()

        started = time.perf_counter()
        report = send_due_invitations(data["due"])
        job = time.perf_counter() - started
        assert report.invitations == INVITATIONS, report
        assert db.session.query(OutboxMessage).count() == INVITATIONS

        # For information: the same e-mails queued one by one with queue_email.
        contacts = db.session.execute(
            select(ClientContact.email, ClientContact.name, ClientContact.locale)
        ).all()
        started = time.perf_counter()
        for index, (email, name, locale) in enumerate(contacts):
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
    return {"floor": floor, "job": job, "one_by_one": one_by_one}


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

        answer_seconds = _run_parallel(tokens, answer)
        bare_browsers = [_Browser(port) for _ in range(CLIENT_THREADS)]
        per_thread = BARE_REQUESTS // CLIENT_THREADS

        def bare(index: int) -> None:
            browser = bare_browsers[index]
            for _ in range(per_thread):
                assert browser.request("POST", "/bench/bare", {"x": "1"}) == 200

        bare_seconds = _run_parallel(list(range(CLIENT_THREADS)), bare)
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
    return {
        "answer_posts_per_s": posts / answer_seconds,
        "submissions_per_s": len(tokens) / answer_seconds,
        "bare_per_s": BARE_REQUESTS / bare_seconds,
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
    sqlite_url = f"sqlite:///{Path(tempfile.gettempdir()) / 'qc_satisfaction_bench.db'}"
    pg_url = os.environ.get("BENCH_DATABASE_URL_PG", PG_DEFAULT)
    targets = [("SQLite", sqlite_url)]
    if _pg_reachable(pg_url):
        targets.append(("PostgreSQL", pg_url))
    else:
        print(f"PostgreSQL unreachable at {pg_url}: skipped")
    print(
        f"gunicorn: {WORKERS} sync workers, {CLIENT_THREADS} client threads, loopback"
    )
    for name, url in targets:
        a = bench_answers(url)
        print(
            f"[{name}] (a) answer POSTs: {a['answer_posts_per_s']:.0f}/s "
            f"({a['submissions_per_s']:.0f} complete questionnaires/s, "
            f"{RESPONDENTS} respondents × 2 pages); bare INSERT endpoint: "
            f"{a['bare_per_s']:.0f}/s; ratio {a['answer_posts_per_s'] / a['bare_per_s']:.2f} "
            f"(aim ≥ 0.5)"
        )
        b = bench_invitations(url)
        print(
            f"[{name}] (b) create + queue {INVITATIONS} invitations: {b['job']:.2f} s; "
            f"bulk insert of {INVITATIONS} rows: {b['floor']:.2f} s; "
            f"ratio {b['job'] / b['floor']:.1f}× (aim ≤ 3×); "
            f"the same e-mails through queue_email one by one: {b['one_by_one']:.2f} s"
        )


if __name__ == "__main__":
    main()
