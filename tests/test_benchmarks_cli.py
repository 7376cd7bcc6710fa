"""The benchmarks' ``--help`` describes them and does nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_kpi_import_help_has_no_side_effect(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.kpi_import", "--help"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--rows" in result.stdout and "--rounds" in result.stdout
    assert "web path" in result.stdout
    assert list(tmp_path.iterdir()) == []
