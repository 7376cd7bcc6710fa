"""Dashboards at scale: the board's quality review, a member dashboard and a
project page, at the small scale (the normal demo) and at the large scale
(``flask demo load --scale large``: 1,000 members, 10,000 projects, 40,000
indicators, 5 M measurements, 300,000 responses), with the ratio large ÷ small
per page (aim ≤ 2) and the peak memory of the web process (aim < 300 MB).

The pages are requested through the Flask test client in a *separate* process
(one per database) that does nothing else: its RSS high-water mark
(``getrusage(RUSAGE_SELF).ru_maxrss``) is the peak memory of a process that
built the app and served every request of the run, i.e. of one web worker. The
floor, measured in the same process, is ``/healthz`` (a bare endpoint).

Run: ``python -m benchmarks.dashboards`` (a temporary SQLite file), or
``--database-url postgresql://postgres@127.0.0.1:5432/qc_bench`` (created if
missing); ``--skip-load`` reuses an already loaded large database. The small
database is a sibling (a temporary file, or ``<name>_small`` on PostgreSQL),
rebuilt each run (a few seconds). Bounded: ``--repeat`` requests per page.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
MEMBER_EMAIL = "admin@pixel-durance.example"
LARGE_MEMBER_EMAIL = "admin0001@grande-echelle.example"


def _flask(url: str, *args: str) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi.py"}
    began = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - began, done.stdout


def _recreate(url: str) -> None:
    """An empty database at ``url`` (a file removed, or a PG database recreated)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = parsed.database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _small_url(url: str, folder: Path) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{folder / 'small.db'}"
    return parsed.set(database=f"{parsed.database}_small").render_as_string(
        hide_password=False
    )


def load(url: str, scale: str) -> float:
    _recreate(url)
    _flask(url, "db", "upgrade")
    seconds, out = _flask(url, "demo", "load", "--scale", scale)
    print(out.rstrip())
    return seconds


# ---------------------------------------------------------------- the web process


def _time(client: Any, path: str, repeat: int, first: dict[str, float]) -> float:
    began = time.perf_counter()
    response = client.get(path)  # the first request (templates, caches) apart
    first[path] = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times) * 1000


def measure(url: str, repeat: int) -> dict[str, Any]:
    """Runs in the child process: time the pages, report the RSS high-water mark."""
    from sqlalchemy import select

    from core import create_app
    from core.extensions import db
    from members.demo import BOARD_EMAIL, DEMO_PASSWORD
    from members.models import Project, ProjectStatus, User

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    rss_app = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result: dict[str, Any] = {"pages": {}, "first": {}}
    first: dict[str, float] = {}
    with app.app_context():

        def first_project(email: str) -> int | None:
            return db.session.scalar(
                select(Project.id)
                .join(User, User.member_id == Project.member_id)
                .where(User.email == email, Project.status == ProjectStatus.ACTIVE)
                .order_by(Project.id)
            )

        projects = {e: first_project(e) for e in (MEMBER_EMAIL, LARGE_MEMBER_EMAIL)}
        db.session.remove()
    client = app.test_client()
    result["pages"]["floor /healthz"] = _time(client, "/healthz", repeat, first)

    def login(email: str) -> None:
        client.post("/logout")
        done = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert done.status_code == 302, (email, done.status_code)

    login(BOARD_EMAIL)
    result["pages"]["board review"] = _time(client, "/board/review", repeat, first)
    result["first"]["board review"] = first["/board/review"]
    for label, path in (
        ("board review, last page", "/board/review?page=20"),
        ("board review, search", "/board/review?search=0001&order=name"),
    ):
        result["pages"][label] = _time(client, path, repeat, first)
    for label, email in (("", MEMBER_EMAIL), (" (a large member)", LARGE_MEMBER_EMAIL)):
        if projects[email] is None:
            continue
        login(email)
        result["pages"][f"member dashboard{label}"] = _time(
            client, "/dashboard", repeat, first
        )
        result["first"][f"member dashboard{label}"] = first["/dashboard"]
        path = f"/dashboard/projects/{projects[email]}"
        result["pages"][f"project page{label}"] = _time(client, path, repeat, first)
        result["first"][f"project page{label}"] = first[path]
    result["rss_app_mb"] = rss_app
    result["rss_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def refresh(url: str) -> float:
    """Run the ``dashboards.rollups`` job once, as the scheduler does (it stores
    the board's review of today's default period): its duration in seconds."""
    from core import create_app
    from core.database import utcnow
    from dashboards import jobs

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        began = time.perf_counter()
        jobs.refresh_rollups(utcnow())
        return time.perf_counter() - began


def _refresh_in_child(url: str) -> float:
    done = subprocess.run(
        [PYTHON, "-m", "benchmarks.dashboards", "--refresh", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"refreshing {url} failed:\n{done.stderr[-3000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def _measure_in_child(url: str, repeat: int) -> dict[str, Any]:
    done = subprocess.run(
        [
            PYTHON,
            "-m",
            "benchmarks.dashboards",
            "--measure",
            url,
            "--repeat",
            str(repeat),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"measuring {url} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="the large database (default: temp SQLite)"
    )
    parser.add_argument(
        "--skip-load", action="store_true", help="reuse a loaded database"
    )
    parser.add_argument("--repeat", type=int, default=7, help="requests per page")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--refresh", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    repeat = max(1, min(args.repeat, 50))
    if args.measure:
        print(json.dumps(measure(args.measure, repeat)))
        return
    if args.refresh:
        print(refresh(args.refresh))
        return
    with tempfile.TemporaryDirectory(prefix="qc-dash-bench-") as tmp:
        folder = Path(tmp)
        large = args.database_url or f"sqlite:///{folder / 'large.db'}"
        small = _small_url(large, folder)
        print(f"small: {small}\nlarge: {large}")
        small_load = load(small, "small")
        print(f"small demo loaded in {small_load:.1f} s")
        if args.skip_load:
            large_load = None
        else:
            large_load = load(large, "large")
            print(
                f"large demo loaded in {large_load:.0f} s (flask demo load --scale large)"
            )
        job = {
            label: _refresh_in_child(url)
            for label, url in (("small", small), ("large", large))
        }
        low = _measure_in_child(small, repeat)
        high = _measure_in_child(large, repeat)
    print(
        f"\nmedian of {repeat} requests per page (ms), Flask test client, one process"
    )
    print(
        f"{'page':34} {'small':>9} {'large':>9} {'large÷small':>12}"
        f" {'1st small':>10} {'1st large':>10}"
    )
    for page, ms in high["pages"].items():
        small_page = page if page in low["pages"] else page.split(" (")[0]
        base = low["pages"][small_page]
        cold = (
            f" {low['first'].get(small_page, 0):10.1f}"
            f" {high['first'].get(page, 0):10.1f}"
        )
        print(f"{page:34} {base:9.1f} {ms:9.1f} {ms / base:12.2f}{cold}")
    print(
        "(1st: the first request of the process — templates compiled; the board's "
        "review and the association's quartiles are read from the stored review)"
    )
    floor = high["pages"]["floor /healthz"]
    print(
        "ratio to the floor (large): "
        + ", ".join(
            f"{page}: {ms / floor:.0f}×"
            for page, ms in high["pages"].items()
            if not page.startswith("floor")
        )
    )
    for label, run in (("small", low), ("large", high)):
        print(
            f"web process RSS ({label}): {run['rss_app_mb']:.0f} MB after create_app, "
            f"peak {run['rss_peak_mb']:.0f} MB"
        )
    print(
        "the dashboards.rollups job (stores the board's review of the period): "
        + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in job.items())
    )
    if large_load is not None:
        print(f"large load: {large_load:.0f} s")


if __name__ == "__main__":
    main()
