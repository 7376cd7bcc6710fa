"""Benchmark: importing 1,000,000 (date, value) rows vs the floor.

    python -m benchmarks.kpi_import [--rows 1000000] [--no-postgres] [--postgres URL]

The importer refuses dates before 1900 (implausible for a KPI), and a daily
indicator holds one value per day, so 1,000,000 distinct days do not fit one
indicator: the rows are 10 CSV files of 100,000 consecutive days (1900-01-01 →
2173-10-14) in the plain ``date,value`` layout, each imported into its own
daily indicator. Same rows, same bytes, for both sides:

* **import path** — what ``flask kpi import`` does: ``parse_export`` with a column
  mapping (the generic importer), preview (compare with what is stored), then
  one transaction writing the values and the import record;
* **floor** — ``pandas.read_csv`` of the same files plus ONE bulk insert of the
  same rows into the same table (Core ``executemany`` on SQLite, psycopg 3
  ``COPY`` on PostgreSQL).

Each side runs in its own process, so that its peak RSS is its own, and on a
database made for it and removed after it: a file in a temporary folder, and on
PostgreSQL a database of its own (``qc_bench_kpi_import_<pid>``) on the server of
``--postgres`` — no existing database is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FILES = 10
FIRST_DAY = date(1900, 1, 1)


def generate(folder: Path, rows: int) -> list[Path]:
    """``FILES`` CSV files of ``rows // FILES`` consecutive days each."""
    per_file = rows // FILES
    rng = random.Random(42)
    days = [(FIRST_DAY + timedelta(days=n)).isoformat() for n in range(per_file)]
    paths = []
    for index in range(FILES):
        path = folder / f"series-{index}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write("date,value\n")
            for day in days:
                out.write(f"{day},{rng.randint(0, 5_000_000) / 100}\n")
        paths.append(path)
    return paths


def _app(url: str) -> Any:
    from core import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": True,
        }
    )


def _seed(url: str) -> None:
    """The tables, one member, project and ``FILES`` daily indicators (in the
    run's own, empty database)."""
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
        for index in range(FILES):
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
        for path, indicator in zip(paths, indicators, strict=True):
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
        for path, indicator_id in zip(paths, ids, strict=True):
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


def _child(phase: str, url: str, paths: list[Path]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.kpi_import", "--phase", phase, "--url", url]
        + [str(p) for p in paths],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


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


def compare(name: str, server_url: str, paths: list[Path]) -> None:
    sides: dict[str, dict[str, Any]] = {}
    for phase in ("floor", "import"):
        with _own_database(name, server_url) as url:
            _seed(url)
            sides[phase] = _child(phase, url, paths)
    floor, real = sides["floor"], sides["import"]
    ratio = real["seconds"] / floor["seconds"]
    print(
        f"{name:10s} rows {real['rows']:>9,}  import {real['seconds']:7.2f} s "
        f"(peak RSS {real['peak_mb']:6.0f} MB)  floor {floor['seconds']:7.2f} s "
        f"(peak RSS {floor['peak_mb']:6.0f} MB)  ratio {ratio:4.2f}×"
    )
    assert real["rows"] == floor["rows"], (real, floor)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0].strip(),
        epilog="Each side gets a database of its own, removed after it.",
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server's URL; the run makes its own database there",
    )
    parser.add_argument("--no-postgres", action="store_true")
    # One side of the comparison, in a child process (internal).
    parser.add_argument("--phase", choices=["import", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        paths = [Path(p) for p in args.paths]
        run = run_import if args.phase == "import" else run_floor
        print(json.dumps(run(args.url, paths)))
        return
    with tempfile.TemporaryDirectory() as folder:
        paths = generate(Path(folder), args.rows)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(
            f"{args.rows:,} rows in {len(paths)} CSV files ({size:.1f} MB), "
            "one daily indicator each"
        )
        compare("SQLite", "", paths)
        if not args.no_postgres:
            compare("PostgreSQL", args.postgres, paths)


if __name__ == "__main__":
    main()
