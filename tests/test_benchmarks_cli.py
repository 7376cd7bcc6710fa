"""Every benchmark answers ``--help`` with its usage and nothing else: nothing run,
no database made or dropped, no file written."""

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


def test_every_benchmark_is_checked() -> None:
    assert {"cold_start", "kpi_import", "survey"} <= set(BENCHMARKS)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_help_prints_the_usage_and_does_nothing_else(name: str, tmp_path: Path) -> None:
    root_before = sorted(path.name for path in ROOT.iterdir())
    databases_before = _databases()
    result = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--help"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: "), result.stdout
    assert "--help" in result.stdout
    assert _databases() - databases_before == set()
    assert list(tmp_path.iterdir()) == []  # the working directory
    assert sorted(path.name for path in ROOT.iterdir()) == root_before
