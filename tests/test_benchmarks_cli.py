"""The benchmarks' command lines: every benchmark answers ``--help`` with its usage
and nothing else (nothing run, no database made or dropped, no file written), and
the options that change what is measured do what they say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core.config import normalise_database_url

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = sorted(
    path.stem for path in (ROOT / "benchmarks").glob("*.py") if path.stem != "__init__"
)


def _databases() -> set[str]:
    """The PostgreSQL server's databases when the suite runs on PostgreSQL."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        return set()
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            return set(connection.scalars(text("SELECT datname FROM pg_database")))
    finally:
        engine.dispose()


def _run_benchmark(
    name: str, *args: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """``python -m benchmarks.<name> <args>`` from ``cwd``, the repo importable."""
    return subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_benchmark_is_checked() -> None:
    assert {"cold_start", "kpi_import", "survey"} <= set(BENCHMARKS)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_help_prints_the_usage_and_does_nothing_else(name: str, tmp_path: Path) -> None:
    root_before = sorted(path.name for path in ROOT.iterdir())
    databases_before = _databases()
    result = _run_benchmark(name, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: "), result.stdout
    assert "--help" in result.stdout
    assert _databases() - databases_before == set()
    assert list(tmp_path.iterdir()) == []  # the working directory
    assert sorted(path.name for path in ROOT.iterdir()) == root_before


def test_dashboards_refuses_a_database_it_did_not_make_before_touching_any(
    tmp_path: Path,
) -> None:
    """A large database the benchmark did not make is refused before the small
    one is created or loaded (on PostgreSQL, no ``<name>_small`` is left)."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    admin = None
    if url.startswith(("postgres://", "postgresql")):
        name = f"qc_bench_foreign_{os.getpid()}"
        admin = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        large = admin.url.set(database=name).render_as_string(hide_password=False)
        expected = "was not created by this benchmark"
    else:
        name = "large.db"
        (tmp_path / name).write_bytes(b"")
        large = f"sqlite:///{tmp_path / name}"
        expected = "exists: pass --skip-load"
    try:
        before = _databases()
        result = _run_benchmark("dashboards", "--database-url", large, cwd=tmp_path)
        assert result.returncode != 0
        assert expected in result.stderr, result.stderr
        assert "loaded" not in result.stdout
        assert _databases() - before == set()
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}_small"'))
            admin.dispose()


@pytest.mark.parametrize(
    ("flag", "enabled"), [(None, True), ("on", True), ("off", False)]
)
def test_survey_runs_the_app_with_the_rate_limits_asked_for(
    flag: str | None, enabled: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--rate-limits`` reaches the app gunicorn serves through the environment
    the command sets for it: on unless asked otherwise, as in production (an
    answer page's 61st request in a minute is refused)."""
    from benchmarks import survey
    from core.extensions import limiter

    # The limiter is one object for every app: the suite's app finds it on again.
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    # Restored after the test, whatever the command sets.
    monkeypatch.delenv(survey.RATE_LIMITS_ENV, raising=False)
    # The command itself, with nothing to measure (no a, b or c).
    survey.main(
        ["--sqlite-only", "--only", "", *(["--rate-limits", flag] if flag else [])]
    )
    monkeypatch.setenv("BENCH_DATABASE_URL", f"sqlite:///{tmp_path / 'bench.db'}")
    app = survey.make_bench_app()
    assert app.config["RATELIMIT_ENABLED"] is enabled
    client = app.test_client()
    codes = {client.get("/s/answer").status_code for _ in range(61)}
    assert (429 in codes) is enabled, codes
