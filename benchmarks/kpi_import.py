"""Benchmark: importing 1,000,000 (date, value) rows vs the floor.

    python -m benchmarks.kpi_import [--rows 1000000] [--rounds 2] [--no-postgres]

Plausible data: values are refused before 2000-01 and after the current period,
and a daily indicator holds one value per day, so the rows are ~100 daily series
of at most 9,800 consecutive days from 2000-01-01 (each ending before today), one
daily indicator each. Same rows, same values, for every side:

* **floor** — ``pandas.read_csv`` of the series files plus ONE bulk insert of the
  same rows into the same table (Core ``executemany`` on SQLite, psycopg 3
  ``COPY`` on PostgreSQL);
* **import path** — what ``flask kpi import`` does, file by file: ``parse_export``
  with a column mapping (the generic importer), preview (compare with what is
  stored), then one transaction writing the values and the import record;
* **web path** — one wide CSV (a date column, one column per series) through the
  web form with the Flask test client: upload (a big file: parsed in the
  background, after the response), map the columns (parsed again, in the
  background), preview, confirm.

The sides run alternately (floor, import, web, floor, import, web…), each in its
own process so that its peak RSS is its own, and on a database made for it and
removed after it: a file in a temporary folder, and on PostgreSQL a database of
its own (``qc_bench_kpi_import_<pid>``) on the server of ``--postgres`` — no
existing database is touched. The median ratio to the floor of the same round
is printed with its spread.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FIRST_DAY = date(2000, 1, 1)
#: Days per series at most: 2000-01-01 + 9,800 days ends in October 2026.
MAX_DAYS = 9_800
WIDE = "wide.csv"
PASSWORD = "benchmark-password-1"
EMAIL = "bench@member.example"


def layout(rows: int) -> tuple[int, int]:
    """(series, days per series) for about ``rows`` rows."""
    series = max(1, -(-rows // MAX_DAYS))
    return series, rows // series


def generate(folder: Path, rows: int) -> list[Path]:
    """One ``date,value`` CSV per series, then the same values in one wide CSV
    (``wide.csv``, last in the list) for the web path."""
    series, per_file = layout(rows)
    rng = random.Random(42)
    days = [(FIRST_DAY + timedelta(days=n)).isoformat() for n in range(per_file)]
    values = [
        [f"{rng.randint(0, 5_000_000) / 100}" for _ in range(per_file)]
        for _ in range(series)
    ]
    paths = []
    for index in range(series):
        path = folder / f"series-{index:03d}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write("date,value\n")
            out.writelines(
                f"{day},{value}\n"
                for day, value in zip(days, values[index], strict=True)
            )
        paths.append(path)
    wide = folder / WIDE
    with wide.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(["date", *(f"s{i:03d}" for i in range(series))]) + "\n")
        for position, day in enumerate(days):
            out.write(",".join([day, *(column[position] for column in values)]) + "\n")
    return [*paths, wide]


def _app(url: str) -> Any:
    from core import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "KPI_PARSE_AFTER_RESPONSE": True,
        }
    )


def _seed(url: str, series: int) -> None:
    """The tables, one member (with a login), project and ``series`` daily
    indicators (in the side's own, empty database)."""
    from core.extensions import db
    from kpi.models import Direction, Frequency, Indicator, IndicatorKind
    from members.models import Client, ClientKind, Member, Project, ServiceType

    app = _app(url)
    with app.app_context():
        db.create_all()
        member = Member(
            name="Bench", siret="73282932000074", department="04", town="Digne"
        )
        db.session.add(member)
        db.session.flush()
        client = Client(member_id=member.id, name="Client", kind=ClientKind.TPE_PME)
        db.session.add(client)
        db.session.flush()
        project = Project(
            member_id=member.id,
            client_id=client.id,
            title="Bench",
            service_type=ServiceType.WEBSITE,
            starts_on=FIRST_DAY,
        )
        db.session.add(project)
        db.session.flush()
        from core.security import Role
        from members.services import create_user

        create_user(
            email=EMAIL, role=Role.MEMBER_ADMIN, password=PASSWORD, member=member
        )
        for index in range(series):
            db.session.add(
                Indicator(
                    member_id=member.id,
                    project_id=project.id,
                    kind=IndicatorKind.CUSTOM,
                    name=f"Série {index}",
                    unit="",
                    direction=Direction.HIGHER,
                    frequency=Frequency.DAY,
                    is_ratio=False,
                )
            )
        db.session.commit()
        db.engine.dispose()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(url: str, paths: list[Path]) -> dict[str, Any]:
    """The real path, file by file, as ``flask kpi import`` runs it."""
    import hashlib

    from sqlalchemy import func, select

    from core.extensions import db
    from kpi import services
    from kpi.importers import ColumnMapping, parse_export
    from kpi.models import Indicator, Measurement
    from members.models import Project

    app = _app(url)
    with app.app_context():
        project = db.session.scalar(select(Project))
        indicators = list(db.session.scalars(select(Indicator).order_by(Indicator.id)))
        db.session.rollback()
        mapping = ColumnMapping(
            date_column="date", value_columns=["value"], decimal_separator="."
        )
        started = time.perf_counter()
        for path, indicator in zip(paths[:-1], indicators, strict=True):
            data = path.read_bytes()
            export = parse_export(data, path.name, mapping=mapping)
            services.store_import(
                None,
                project,
                export,
                {export.series[0].key: indicator.id},
                file_name=path.name,
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
            )
        elapsed = time.perf_counter() - started
        stored = db.session.scalar(select(func.count()).select_from(Measurement))
        db.engine.dispose()
    return {"seconds": elapsed, "rows": stored, "peak_mb": _peak_mb()}


def run_floor(url: str, paths: list[Path]) -> dict[str, Any]:
    """pandas.read_csv + one bulk insert of the same rows."""
    import pandas as pd
    from sqlalchemy import delete, func, insert, select

    from core.extensions import db
    from kpi.models import Indicator, Measurement

    app = _app(url)
    with app.app_context():
        ids = list(db.session.scalars(select(Indicator.id).order_by(Indicator.id)))
        db.session.execute(delete(Measurement))
        db.session.commit()
        started = time.perf_counter()
        frames = []
        for path, indicator_id in zip(paths[:-1], ids, strict=True):
            frame = pd.read_csv(path, dtype={"date": str, "value": float})
            frame["indicator_id"] = indicator_id
            frames.append(frame)
        frame = pd.concat(frames, ignore_index=True)
        if db.engine.dialect.name == "postgresql":
            connection = db.session.connection().connection.driver_connection
            with (
                connection.cursor() as cursor,
                cursor.copy(
                    "COPY kpi_measurement (indicator_id, period_start, granularity, value,"
                    " source, updated_at) FROM STDIN"
                ) as copy,
            ):
                for indicator_id, day, value in zip(
                    frame["indicator_id"].tolist(),
                    frame["date"].tolist(),
                    frame["value"].tolist(),
                    strict=True,
                ):
                    copy.write_row(
                        (
                            indicator_id,
                            day,
                            "day",
                            value,
                            "import",
                            "2024-01-01T00:00:00Z",
                        )
                    )
        else:
            rows = [
                {
                    "indicator_id": indicator_id,
                    "period_start": date.fromisoformat(day),
                    "granularity": "day",
                    "value": value,
                    "source": "import",
                    "updated_at": "2024-01-01 00:00:00",
                }
                for indicator_id, day, value in zip(
                    frame["indicator_id"].tolist(),
                    frame["date"].tolist(),
                    frame["value"].tolist(),
                    strict=True,
                )
            ]
            db.session.connection().exec_driver_sql(
                "INSERT INTO kpi_measurement (indicator_id, period_start, granularity,"
                " value, source, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        r["indicator_id"],
                        r["period_start"].isoformat(),
                        r["granularity"],
                        r["value"],
                        r["source"],
                        r["updated_at"],
                    )
                    for r in rows
                ],
            )
        db.session.commit()
        elapsed = time.perf_counter() - started
        stored = db.session.scalar(select(func.count()).select_from(Measurement))
        db.engine.dispose()
    del insert
    return {"seconds": elapsed, "rows": stored, "peak_mb": _peak_mb()}


def run_web(url: str, paths: list[Path]) -> dict[str, Any]:
    """The wide file through the web form: upload, map, preview, confirm (each
    big parse runs in the background, after its response, as on the server)."""
    import io

    from sqlalchemy import func, select
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    from core.extensions import db
    from kpi.models import Indicator, Measurement
    from members.models import Project

    app = _app(url)
    with app.app_context():
        project_id = db.session.scalar(select(Project.id))
        ids = list(db.session.scalars(select(Indicator.id).order_by(Indicator.id)))
        db.session.rollback()
    client = app.test_client()
    login = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 302, login.get_data(as_text=True)[:300]
    data = paths[-1].read_bytes()
    columns = data[: data.index(b"\n")].decode().split(",")
    started = time.perf_counter()
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), WIDE)})
    # buffered: the response is closed, so the deferred parse has run.
    upload = client.post(
        f"/space/projects/{project_id}/imports",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        buffered=True,
    )
    assert upload.status_code == 302, upload.get_data(as_text=True)[:300]
    page = upload.headers["Location"]
    assert client.get(page).status_code == 200  # the mapping, once parsed
    mapped = client.post(
        f"{page}/mapping",
        data={
            "date_column": "date",
            "value_columns": columns[1:],
            "date_format": "%Y-%m-%d",
            "decimal_separator": ".",
            "granularity": "day",
        },
        buffered=True,
    )
    assert mapped.status_code == 302, mapped.get_data(as_text=True)[:300]
    preview = client.get(page)
    assert preview.status_code == 200 and "nouvelle(s) valeur(s)" in preview.get_data(
        as_text=True
    ), preview.get_data(as_text=True)[:500]
    confirmed = client.post(
        f"{page}/confirm",
        data={f"target-{i}": str(indicator) for i, indicator in enumerate(ids)},
        buffered=True,
    )
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)[:500]
    elapsed = time.perf_counter() - started
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Measurement))
        db.engine.dispose()
    return {"seconds": elapsed, "rows": stored, "peak_mb": _peak_mb()}


PHASES = {"floor": run_floor, "import": run_import, "web": run_web}


def _child(phase: str, url: str, paths: list[Path]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.kpi_import", "--phase", phase, "--url", url]
        + [str(p) for p in paths],
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):4.2f}× (min {min(values):4.2f}, max {max(values):4.2f})"


@contextmanager
def _own_database(kind: str, server_url: str) -> Iterator[str]:
    """A database made for one side and removed after it: a file in a temporary
    folder, or a new PostgreSQL database on ``server_url``'s server."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from core.config import normalise_database_url

    if kind == "SQLite":
        with tempfile.TemporaryDirectory(prefix="qc-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'kpi_import.db'}"
        return
    name = f"qc_bench_kpi_import_{os.getpid()}"
    server = make_url(normalise_database_url(server_url))
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def compare(name: str, server_url: str, paths: list[Path], rounds: int) -> None:
    """Floor, import, web, floor, import, web… on fresh tables each time."""
    series = len(paths) - 1
    runs: dict[str, list[dict[str, Any]]] = {phase: [] for phase in PHASES}
    for _round in range(rounds):
        for phase in PHASES:
            with _own_database(name, server_url) as url:
                _seed(url, series)
                runs[phase].append(_child(phase, url, paths))
    floors = [r["seconds"] for r in runs["floor"]]
    for phase in ("import", "web"):
        ratios = [
            r["seconds"] / floor for r, floor in zip(runs[phase], floors, strict=True)
        ]
        assert all(r["rows"] == runs["floor"][0]["rows"] for r in runs[phase])
        print(
            f"{name:10s} {phase:6s} rows {runs[phase][0]['rows']:>9,}  "
            f"{statistics.median(r['seconds'] for r in runs[phase]):7.2f} s "
            f"(peak RSS {max(r['peak_mb'] for r in runs[phase]):5.0f} MB)  floor "
            f"{statistics.median(floors):7.2f} s (peak RSS "
            f"{max(r['peak_mb'] for r in runs['floor']):5.0f} MB)  ratio {_spread(ratios)}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0].strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(__doc__ or "").split("\n\n", 2)[-1],
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2, help="A B A B: 2 rounds")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server's URL; each side makes its own database there",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    # One side of the comparison, in a child process (internal).
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        paths = [Path(p) for p in args.paths]
        print(json.dumps(PHASES[args.phase](args.url, paths)))
        return
    with tempfile.TemporaryDirectory() as folder:
        paths = generate(Path(folder), args.rows)
        series, days = layout(args.rows)
        size = sum(p.stat().st_size for p in paths[:-1]) / 1e6
        print(
            f"{series * days:,} rows: {series} daily series of {days:,} days from "
            f"{FIRST_DAY} ({size:.1f} MB in {series} CSV files; the web path reads "
            f"them as one {paths[-1].stat().st_size / 1e6:.1f} MB wide CSV)"
        )
        if not args.no_sqlite:
            compare("SQLite", "", paths, args.rounds)
        if not args.no_postgres:
            compare("PostgreSQL", args.postgres, paths, args.rounds)


if __name__ == "__main__":
    main()
