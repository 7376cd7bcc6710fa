"""Dashboards at scale: the board's quality review, a member dashboard and a
project page, at the small scale (the normal demo) and at the large scale
(``flask demo load --scale large``: 1,000 members, 10,000 projects, 40,000
indicators, 5 M measurements, 300,000 responses).

Warm pages: one web process per database (the Flask test client, signed in),
both alive at once; each page is requested in the small process, then in the
large one, again and again (A B A B …), so that a change of the machine's load
falls on both. Printed per page: the median of each, the median of the ratios
large ÷ small of the pairs and their spread (min–max). Aim: ≤ 1.5.

First visits: the first request after a data change, in a fresh process (a new
worker, as after a deployment or a restart; or any worker whose caches the
change made stale): a measurement is marked changed, the rollup job runs once (as the
scheduler does), then each of ``--first-runs`` new processes opens the board's
default review (templates compiled), then once each: the review of a
department, of a service type, of last year, and the annual reports of last
year and this year. Printed beside the warm medians; aim ≤ 300 ms at the large
scale. Also: the job's duration, each web process's peak memory (RSS
high-water mark) and the floor (``/healthz``, a bare endpoint).

Run: ``python -m benchmarks.dashboards`` (temporary SQLite databases, removed
after the run), or ``--database-url postgresql://postgres@127.0.0.1:5432/qc_bench``.
Databases: a database the benchmark did not create is never dropped nor
loaded into. On PostgreSQL it creates ``<name>`` and ``<name>_small`` when
missing and marks them (a comment on the database); a marked one is emptied
and loaded again, an unmarked one is refused, unless ``--skip-load`` says to
reuse a loaded large database as it is (migrated to the current schema). A
SQLite file given is used only with ``--skip-load``. ``--help`` does nothing
else.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
MEMBER_EMAIL = "admin@pixel-durance.example"
LARGE_MEMBER_EMAIL = "admin0001@grande-echelle.example"
MARK = "qualicharte benchmarks.dashboards"
AIM_RATIO = 1.5
AIM_FIRST_MS = 300


def first_visit_pages(year: int) -> dict[str, str]:
    """The board's filtered reviews and annual reports (04: in both data sets)."""
    last = year - 1
    return {
        "board review, a department": "/board/review?department=04",
        "board review, a service type": "/board/review?service_type=seo",
        "board review, last year": f"/board/review?since={last}-01-01&until={last}-12-31",
        "annual report, last year": f"/board/report?year={last}",
        "annual report, this year": "/board/report",
    }


# ---------------------------------------------------------------- databases


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


def _pg_state(url: str) -> str:
    """``missing``, ``ours`` (marked by this benchmark) or ``foreign``."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"))
    with admin.connect() as connection:
        found = connection.execute(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                " WHERE datname = :name"
            ),
            {"name": parsed.database},
        ).first()
    admin.dispose()
    if found is None:
        return "missing"
    return "ours" if found[0] == MARK else "foreign"


def _pg_create(url: str, *, drop_ours: bool) -> None:
    """Create the database and mark it as ours (dropping it first if it is ours)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if drop_ours:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        connection.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{MARK}'"))
    admin.dispose()


def refusal(url: str, *, reuse: bool) -> str | None:
    """Why the database at ``url`` may not be used, if it may not: one found
    where a new one is to be loaded, or none where one is to be reused. Asked
    of both databases before either is touched."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        exists = Path(str(parsed.database)).exists()
        if exists and not reuse:
            return f"{url} exists: pass --skip-load to reuse it"
        if reuse and not exists:
            return f"{url} does not exist: nothing to reuse"
        return None
    state = _pg_state(url)
    if reuse and state == "missing":
        return f"{url} does not exist: nothing to reuse"
    if not reuse and state == "foreign":
        return (
            f"{url} exists and was not created by this benchmark: pass"
            " --skip-load to reuse it, or choose another database name"
        )
    return None


def prepare(url: str, scale: str, *, reuse: bool) -> float | None:
    """A database loaded at ``scale`` (``refusal`` said it may be used): reused
    as it is (``reuse``), or made empty and loaded — a SQLite file in the run's
    temporary folder, or a PostgreSQL database created (or marked) by this
    benchmark. Returns the load's seconds."""
    from sqlalchemy.engine import make_url

    if make_url(url).get_backend_name() != "sqlite" and not reuse:
        _pg_create(url, drop_ours=_pg_state(url) == "ours")
    _flask(url, "db", "upgrade")
    if reuse:
        return None
    seconds, out = _flask(url, "demo", "load", "--scale", scale)
    print(out.rstrip().splitlines()[-1])
    return seconds


def _small_url(url: str, folder: Path) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{folder / 'small.db'}"
    return parsed.set(database=f"{parsed.database}_small").render_as_string(
        hide_password=False
    )


# ---------------------------------------------------------------- the web process


def _app(url: str) -> Any:
    """The app as a worker serves it (``wsgi.py``: start-up's objects frozen)."""
    from core import create_app, freeze_startup_objects

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    freeze_startup_objects()
    return app


def _login(client: Any, email: str) -> None:
    from members.demo import DEMO_PASSWORD

    client.post("/logout")
    done = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert done.status_code == 302, (email, done.status_code)


def _get_ms(client: Any, path: str) -> float:
    began = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def serve(url: str) -> None:
    """Child: a web process answering the parent's commands, one JSON line each:
    ``login <email>``, ``get <path>`` (milliseconds), ``lastpage <path>`` (the
    last page its pagination links to), ``project <email>`` (the member's first
    active project), ``rss`` (MB, high-water mark)."""
    from sqlalchemy import select

    from core.extensions import db
    from members.models import Project, ProjectStatus, User

    app = _app(url)
    client = app.test_client()
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        answer: Any
        if command == "login":
            _login(client, argument)
            answer = True
        elif command == "get":
            answer = _get_ms(client, argument)
        elif command == "lastpage":
            # The highest page the review links to (pagination), else 1.
            html = client.get(argument).get_data(as_text=True)
            answer = max(map(int, re.findall(r"[?&;]page=(\d+)", html)), default=1)
        elif command == "project":
            with app.app_context():
                answer = db.session.scalar(
                    select(Project.id)
                    .join(User, User.member_id == Project.member_id)
                    .where(User.email == argument)
                    .where(Project.status == ProjectStatus.ACTIVE)
                    .order_by(Project.id)
                )
                db.session.remove()
        elif command == "rss":
            answer = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        else:
            return
        print(json.dumps(answer), flush=True)


class WebProcess:
    """A ``serve`` child driven line by line."""

    def __init__(self, url: str) -> None:
        self.process = subprocess.Popen(
            [PYTHON, "-m", "benchmarks.dashboards", "--serve", url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str) -> Any:
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        stdout: IO[str] = self.process.stdout  # type: ignore[assignment]
        stdin.write(command + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise SystemExit(f"the web process died on {command!r}")
        return json.loads(line)

    def close(self) -> None:
        """End the child (an unknown command, then end of input)."""
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        stdin.close()
        self.process.wait(timeout=60)


def first_visits(url: str, year: int) -> None:
    """Child: a fresh process; the board's default review first (templates),
    then each first-visit page once. Prints {page: ms}."""
    from members.demo import BOARD_EMAIL

    client = _app(url).test_client()
    _get_ms(client, "/healthz")
    _login(client, BOARD_EMAIL)
    _get_ms(client, "/board/review")
    times = {
        label: _get_ms(client, path) for label, path in first_visit_pages(year).items()
    }
    print(json.dumps(times))


def refresh(url: str) -> float:
    """Child: mark one measurement changed now (its value kept: the figures stay
    the same), then run the ``dashboards.rollups`` job once, as the scheduler
    does: its duration in seconds."""
    from sqlalchemy import select

    from core import create_app
    from core.database import utcnow
    from core.extensions import db
    from dashboards import jobs
    from kpi.models import Measurement

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        now = utcnow()
        row = db.session.scalar(select(Measurement).order_by(Measurement.id.desc()))
        if row is not None:
            row.updated_at = now
            db.session.commit()
        began = time.perf_counter()
        jobs.refresh_rollups(utcnow())
        return time.perf_counter() - began


def _child(*args: str) -> str:
    done = subprocess.run(
        [PYTHON, "-m", "benchmarks.dashboards", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


# ---------------------------------------------------------------- measuring


def warm_pages(small: WebProcess, large: WebProcess, repeat: int) -> dict[str, Any]:
    """{page: (small ms list, large ms list)}, requested A B A B."""
    from members.demo import BOARD_EMAIL

    year = datetime.now(UTC).year
    board = {
        "floor /healthz": "/healthz",
        "board review": "/board/review",
        "board review, search": "/board/review?search=0001&order=name",
        **first_visit_pages(year),
    }
    results: dict[str, Any] = {}

    def pairs(label: str, small_path: str, large_path: str) -> None:
        for process, path in ((small, small_path), (large, large_path)):
            process.ask(f"get {path}")  # the first request of each page apart
        times: tuple[list[float], list[float]] = ([], [])
        for _ in range(repeat):
            times[0].append(small.ask(f"get {small_path}"))
            times[1].append(large.ask(f"get {large_path}"))
        results[label] = times

    for process in (small, large):
        process.ask(f"login {BOARD_EMAIL}")
    for label, path in board.items():
        pairs(label, path, path)
        if label == "board review":
            # Each side's own last page of the members' table (the small demo
            # has one page; a fixed ?page=N past its end would be an empty table).
            pairs(
                "board review, last page",
                f"/board/review?page={small.ask('lastpage /board/review')}",
                f"/board/review?page={large.ask('lastpage /board/review')}",
            )
    for label, email in (("", MEMBER_EMAIL), (" (a large member)", LARGE_MEMBER_EMAIL)):
        small_project = small.ask(f"project {MEMBER_EMAIL}")
        large_project = large.ask(f"project {email}")
        if small_project is None or large_project is None:
            continue
        small.ask(f"login {MEMBER_EMAIL}")
        large.ask(f"login {email}")
        pairs(f"member dashboard{label}", "/dashboard", "/dashboard")
        pairs(
            f"project page{label}",
            f"/dashboard/projects/{small_project}",
            f"/dashboard/projects/{large_project}",
        )
    return results


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


def report(
    warm: dict[str, Any],
    first: dict[str, dict[str, list[float]]],
    rss: dict[str, float],
    job: dict[str, float],
) -> None:
    print(
        "\nwarm: median ms of the requests, alternated small/large (A B A B);"
        " ratio: median of the pairs' large ÷ small (min–max)"
    )
    print(
        f"{'page':34} {'small':>7} {'large':>7} {'ratio':>6} {'spread':>10}"
        f"  {'1st small':>13} {'1st large':>13}"
    )
    ratios = {}
    for page, (low, high) in warm.items():
        pair_ratios = [b / a for a, b in zip(low, high, strict=True)]
        ratios[page] = statistics.median(pair_ratios)
        firsts = ""
        if page in first["small"]:
            firsts = "  " + "  ".join(
                f"{statistics.median(first[s][page]):6.0f} ({min(first[s][page]):.0f}–"
                f"{max(first[s][page]):.0f})"
                for s in ("small", "large")
            )
        print(
            f"{page:34} {statistics.median(low):7.1f} {statistics.median(high):7.1f}"
            f" {ratios[page]:6.2f} {_spread(pair_ratios):>10}{firsts}"
        )
    over = [p for p, r in ratios.items() if r > AIM_RATIO and not p.startswith("floor")]
    print(
        f"aim: large ÷ small ≤ {AIM_RATIO} — "
        + (f"missed by: {', '.join(over)}" if over else "met by every page")
    )
    slow = [
        p
        for p, times in first["large"].items()
        if statistics.median(times) > AIM_FIRST_MS
    ]
    print(
        f"first visits (ms, median (min–max) of {len(next(iter(first['large'].values())))}"
        f" fresh processes after a data change and one run of the job);"
        f" aim ≤ {AIM_FIRST_MS} ms at the large scale — "
        + (f"missed by: {', '.join(slow)}" if slow else "met by every page")
    )
    for label, mb in rss.items():
        print(f"web process peak RSS ({label}): {mb:.0f} MB")
    print(
        "the dashboards.rollups job after the data change (rollups and the stored"
        " reviews): " + ", ".join(f"{k} {v:.1f} s" for k, v in job.items())
    )


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="Nothing runs with --help.",
    )
    parser.add_argument(
        "--database-url", help="the large database (default: a temporary SQLite file)"
    )
    parser.add_argument(
        "--skip-load",
        action="store_true",
        help="reuse an already loaded large database",
    )
    parser.add_argument("--repeat", type=int, default=7, help="request pairs per page")
    parser.add_argument(
        "--first-runs", type=int, default=3, help="fresh processes for first visits"
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--first", help=argparse.SUPPRESS)
    parser.add_argument("--refresh", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return
    if args.first:
        first_visits(args.first, datetime.now(UTC).year)
        return
    if args.refresh:
        print(refresh(args.refresh))
        return
    repeat = max(1, min(args.repeat, 50))
    with tempfile.TemporaryDirectory(prefix="qc-dash-bench-") as tmp:
        folder = Path(tmp)
        large = args.database_url or f"sqlite:///{folder / 'large.db'}"
        small = _small_url(large, folder)
        print(f"small: {small}\nlarge: {large}")
        for url, reuse in ((small, False), (large, args.skip_load)):
            refused = refusal(url, reuse=reuse)
            if refused:
                raise SystemExit(refused)
        loaded = {
            "small": prepare(small, "small", reuse=False),
            "large": prepare(large, "large", reuse=args.skip_load),
        }
        for label, seconds in loaded.items():
            if seconds is not None:
                print(f"{label} demo loaded in {seconds:.0f} s")
        urls = {"small": small, "large": large}
        job = {label: float(_child("--refresh", url)) for label, url in urls.items()}
        first: dict[str, dict[str, list[float]]] = {"small": {}, "large": {}}
        for _ in range(max(1, min(args.first_runs, 10))):
            for label, url in urls.items():
                for page, ms in json.loads(_child("--first", url)).items():
                    first[label].setdefault(page, []).append(ms)
        processes = {label: WebProcess(url) for label, url in urls.items()}
        try:
            warm = warm_pages(processes["small"], processes["large"], repeat)
            rss = {label: p.ask("rss") for label, p in processes.items()}
        finally:
            for process in processes.values():
                process.close()
    report(warm, first, rss, job)


if __name__ == "__main__":
    main()
