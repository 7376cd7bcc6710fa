"""The only module a WSGI server imports: ``gunicorn wsgi:app``."""

from __future__ import annotations

import gc

# No cycle collection while start-up builds its objects (modules, mappers,
# routes): hundreds of thousands of them, none garbage, that the collector would
# go through again and again — 0.15–0.2 s of a worker's first second
# (``python -m benchmarks.cold_start``). ``freeze_startup_objects`` turns it back on.
gc.disable()

from dotenv import load_dotenv  # noqa: E402

load_dotenv()

from core import (  # noqa: E402
    create_app,
    freeze_startup_objects,
    open_own_connections_after_fork,
)

app = create_app()
open_own_connections_after_fork(app)
# Last: under gunicorn's preload_app (gunicorn.conf.py) the workers fork now.
freeze_startup_objects()
