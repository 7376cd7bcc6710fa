"""Where the shared KPI export fixtures live (pure helpers, no pytest fixtures)."""

from __future__ import annotations

import os
from pathlib import Path

#: A copy of ``shared/data/kpi-exports`` lives in the repo (``tests/data``), so
#: that the suite never depends on where it is cloned;
#: ``QUALICHARTE_KPI_EXPORTS`` points elsewhere (another set of files).
EXPORTS_DIR = Path(
    os.environ.get(
        "QUALICHARTE_KPI_EXPORTS",
        Path(__file__).resolve().parents[1] / "data" / "kpi-exports",
    )
)
if not EXPORTS_DIR.is_dir():  # pragma: no cover - a broken checkout
    raise RuntimeError(f"KPI export fixtures missing: {EXPORTS_DIR}")

FIXTURE_FILES = (
    sorted(
        path.name
        for path in EXPORTS_DIR.glob("*")
        if path.is_file() and path.suffix != ".md"
    )
    if EXPORTS_DIR.is_dir()
    else []
)


def read_export(name: str) -> bytes:
    """Bytes of one shared fixture file."""
    return (EXPORTS_DIR / name).read_bytes()


#: Exports that came from a fetched repository snapshot are not committed (the
#: search tool keeps fetched data files out of developers' commits): their tests
#: read them from the folder named by ``QUALICHARTE_FETCHED_EXPORTS`` and are
#: skipped, saying so, without it (tests/data/kpi-exports/real/README.md).
FETCHED_DIR = os.environ.get("QUALICHARTE_FETCHED_EXPORTS", "")


def read_fetched(name: str) -> bytes:
    """Bytes of a fetched export, or the test is skipped with the reason."""
    import pytest

    if FETCHED_DIR and (Path(FETCHED_DIR) / name).is_file():
        return (Path(FETCHED_DIR) / name).read_bytes()
    pytest.skip(f"{name}: fetched export not present (QUALICHARTE_FETCHED_EXPORTS)")
