"""A new worker starts light: the heavy libraries (pandas, numpy, plotly, openpyxl,
playwright, alembic; APScheduler, marshmallow and apispec, PostgreSQL's dialect on
SQLite, the demo data's modules) load where they are used, not when gunicorn
imports the app nor on its first page. Each check runs in a fresh interpreter, as a worker does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "pandas",
    "numpy",
    "plotly",
    "openpyxl",
    "playwright",
    "alembic",
    "apscheduler",
    "marshmallow",
    "apispec",
)
#: Modules of packages a worker does load, which it needs only for some requests.
LAZY = (
    "sqlalchemy.dialects.postgresql",
    "members.demo",
    "kpi.demo",
    "satisfaction.demo",
    "dashboards.demo",
    "mediation.demo",
    "records.demo",
    "improvement.demo",
)

# What gunicorn does (``gunicorn wsgi:app``), then the sign-in page, then a
# pure pandas computation: the names of the heavy modules loaded after each step.
WORKER = """
import gc, json, sys
heavy, lazy = {heavy!r}, {lazy!r}
def loaded():
    roots = {{name.split(".")[0] for name in sys.modules}} & set(heavy)
    return sorted(roots | (set(sys.modules) & set(lazy)))
steps = {{}}
from wsgi import app
steps["start"] = loaded()
steps["frozen"] = gc.get_freeze_count()
steps["collecting"] = gc.isenabled()
response = app.test_client().get("/login")
assert response.status_code == 200, response.status_code
steps["first page"] = loaded()
assert app.test_client().get("/api/v1/openapi.json").status_code == 200
steps["the API's document"] = loaded()
from kpi.calculations import aggregate_rows
import pandas
aggregate_rows(pandas.DataFrame(), "month", is_ratio=False)
steps["a computation"] = loaded()
print(json.dumps(steps))
"""


def _worker_steps(tmp_path: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "QUALICHARTE_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'startup.db'}",
        "MAIL_URL": "file:",
    }
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", WORKER.format(heavy=HEAVY, lazy=LAZY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    steps: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return steps


def test_a_new_worker_loads_no_heavy_library_until_a_page_needs_one(
    tmp_path: Path,
) -> None:
    steps = _worker_steps(tmp_path)
    assert steps["start"] == []
    assert steps["first page"] == []
    # What start-up built is out of the cycle collector's reach: its full
    # collections in the middle of a long page go through requests' objects only.
    assert steps["frozen"] > 10_000
    # Off while the app is built (wsgi.py), the collector is on for requests.
    assert steps["collecting"] is True
    # The check can see them: the first computation that needs pandas loads it.
    assert {"marshmallow", "apispec"} <= set(steps["the API's document"])
    assert {"pandas", "numpy"} <= set(steps["a computation"])


# gunicorn's preload_app (gunicorn.conf.py) forks the workers from a master that
# imported wsgi.py: each must talk to the database on connections of its own.
FORKED = """
import json, os
from sqlalchemy import text
from wsgi import app
from core.extensions import db
with app.app_context():
    db.session.execute(text("select 1")); db.session.commit()
    parent_pool = db.engine.pool.checkedin()
pid = os.fork()
if pid == 0:
    with app.app_context():
        inherited = db.engine.pool.checkedin()
        db.session.execute(text("select 1")); db.session.commit()
    os._exit(0 if inherited == 0 else 3)
_, status = os.waitpid(pid, 0)
with app.app_context():
    db.session.execute(text("select 1")); db.session.commit()
    after = db.engine.pool.checkedin()
print(json.dumps({"parent": parent_pool, "child": os.waitstatus_to_exitcode(status),
                  "parent_after": after}))
"""


def test_a_forked_worker_opens_its_own_connections(tmp_path: Path) -> None:
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'fork.db'}"
    env = {
        **os.environ,
        "QUALICHARTE_ENV": "development",
        "DATABASE_URL": url,
        "MAIL_URL": "file:",
    }
    result = subprocess.run(
        [sys.executable, "-c", FORKED],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    # The master had a connection in its pool; the worker did not inherit it
    # (it opened its own and queried), and the master's still works.
    assert outcome == {"parent": 1, "child": 0, "parent_after": 1}
