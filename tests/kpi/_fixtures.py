"""Where the shared KPI export fixtures live (pure helpers, no pytest fixtures)."""

from __future__ import annotations

import os
from pathlib import Path

#: ``<repo>/../shared`` by default: CI clones the repo beside ``shared/``.
SHARED_DIR = Path(
    os.environ.get(
        "QUALICHARTE_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"
    )
)
EXPORTS_DIR = SHARED_DIR / "data" / "kpi-exports"

FIXTURE_FILES = (
    sorted(path.name for path in EXPORTS_DIR.glob("*") if path.suffix != ".md")
    if EXPORTS_DIR.is_dir()
    else []
)


def read_export(name: str) -> bytes:
    """Bytes of one shared fixture file."""
    return (EXPORTS_DIR / name).read_bytes()
