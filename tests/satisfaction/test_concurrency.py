"""Two scheduler processes at once never send an invitation twice; a scheduler
killed mid-run sends what was left, once, when it runs again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from core.database import utcnow
from core.extensions import db
from core.models import OutboxMessage, OutboxStatus
from satisfaction import services
from satisfaction.models import Invitation
from satisfaction.recurrence import Recurrence

ROOT = Path(__file__).resolve().parents[2]


def _due_campaigns(world, count: int, contacts: int) -> list:
    now = utcnow()
    worlds = [
        world(
            contacts=contacts,
            now=now - timedelta(hours=2),
            recurrence=Recurrence.once(now - timedelta(hours=1)),
        )
        for _ in range(count)
    ]
    db.session.commit()
    return worlds


def _scheduler_env(app: Flask) -> dict[str, str]:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "QUALICHARTE_ENV": "testing",
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MAIL_URL": f"smtp://127.0.0.1:{app.extensions['test.smtp_port']}",
        "BASE_URL": app.config["BASE_URL"],
    }
    return env


def _scheduler(app: Flask) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "scheduler", "run", "--once"],
        cwd=ROOT,
        env=_scheduler_env(app),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_scheduler_processes_send_each_invitation_once(app, world, mailbox) -> None:
    worlds = _due_campaigns(world, count=12, contacts=4)
    db.session.remove()
    first, second = _scheduler(app), _scheduler(app)
    outputs = [process.communicate(timeout=120)[0] for process in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 48
    assert (
        db.session.scalar(
            select(func.count()).where(
                OutboxMessage.idempotency_key.like("satisfaction.invitation:%")
            )
        )
        == 48
    )
    expected = {c.email for w in worlds for c in w.contacts}
    # (Other features' jobs may e-mail the members' staff in the same run.)
    received = Counter(m["To"] for m in mailbox.messages if m["To"] in expected)
    assert set(received) == expected
    assert set(received.values()) == {1}


@pytest.mark.postgres
def test_two_threads_with_their_own_connections_claim_different_campaigns(
    app, world
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "SELECT … FOR UPDATE SKIP LOCKED is PostgreSQL's (SQLite has one writer)"
        )
    _due_campaigns(world, count=10, contacts=3)
    db.session.remove()
    now = utcnow()
    barrier = threading.Barrier(2)
    reports = []

    def run() -> None:
        with app.app_context():
            barrier.wait()
            reports.append(services.send_due_invitations(now))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    claimed = [c for report in reports for c in report.campaigns]
    assert len(claimed) == 10 and len(set(claimed)) == 10
    assert sum(report.invitations for report in reports) == 30
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 30


def test_a_scheduler_killed_mid_run_sends_what_was_left_once_on_restart(
    app, world, mailbox
) -> None:
    worlds = _due_campaigns(world, count=3, contacts=2)
    db.session.remove()
    # A process that dies while its transaction is open: nothing it wrote stays.
    env = _scheduler_env(app)
    script = (
        "import os, signal\n"
        "from wsgi import app\n"
        "from satisfaction.services import outbox\n"
        "real = outbox.queue_invitation_emails\n"
        "calls = []\n"
        "def dying(*a, **k):\n"
        "    calls.append(1)\n"
        "    real(*a, **k)\n"
        "    if len(calls) == 2:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "outbox.queue_invitation_emails = dying\n"
        "from core.scheduler import run_once\n"
        "run_once(app)\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, timeout=120, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    # Only the first campaign's cycle was committed before the kill.
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2
    # Its e-mails were queued but the outbox job never ran: a message left
    # "sending" by a dead process is taken again once its claim lease is over.
    db.session.execute(
        OutboxMessage.__table__.update().values(
            status=OutboxStatus.SENDING, claimed_at=utcnow() - timedelta(hours=1)
        )
    )
    db.session.commit()
    db.session.remove()

    restart = _scheduler(app)
    output = restart.communicate(timeout=120)[0]
    assert restart.returncode == 0, output
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 6
    expected = {c.email for w in worlds for c in w.contacts}
    received = Counter(m["To"] for m in mailbox.messages if m["To"] in expected)
    assert set(received) == expected
    assert set(received.values()) == {1}
