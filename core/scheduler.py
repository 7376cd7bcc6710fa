"""The ticker process: ``flask scheduler run`` (or ``--once``).

Features register plain job functions ``job(now)`` with :func:`register_job`
from their ``init_app``; what is due is decided by our tables, so running a job
twice or in two processes is harmless (PITFALLS.md §1). APScheduler only says
when to tick; it never runs inside the web workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask

from core.database import utcnow
from core.extensions import db

log = logging.getLogger(__name__)

Job = Callable[[datetime], object]


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Job
    minutes: int = 1


def register_job(app: Flask, job_id: str, func: Job, *, minutes: int = 1) -> None:
    """Make ``func(now)`` run every ``minutes`` under ``flask scheduler run``."""
    jobs: dict[str, JobSpec] = app.extensions.setdefault("qualicharte.jobs", {})
    jobs[job_id] = JobSpec(job_id, func, minutes)


def registered_jobs(app: Flask) -> list[JobSpec]:
    return list(app.extensions.get("qualicharte.jobs", {}).values())


def run_job(app: Flask, spec: JobSpec, now: datetime | None = None) -> None:
    """Run one job in its own app context; a failure is logged, never fatal."""
    with app.app_context():
        try:
            spec.func(now or utcnow())
        except Exception:
            db.session.rollback()
            log.exception("scheduler job %s failed", spec.id)
        finally:
            db.session.remove()


def run_once(app: Flask, now: datetime | None = None) -> list[str]:
    """Run every registered job once, in registration order."""
    done = []
    for spec in registered_jobs(app):
        run_job(app, spec, now)
        done.append(spec.id)
    return done


def run_forever(app: Flask) -> None:  # pragma: no cover - blocking loop
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        timezone="Europe/Paris",
        # A late tick still runs (default grace is 1 s), and missed ticks coalesce.
        job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
    for spec in registered_jobs(app):
        scheduler.add_job(
            run_job,
            "interval",
            minutes=spec.minutes,
            args=(app, spec),
            id=spec.id,
            replace_existing=True,
            next_run_time=utcnow(),
        )
    log.info(
        "scheduler started with jobs: %s", ", ".join(s.id for s in registered_jobs(app))
    )
    scheduler.start()
