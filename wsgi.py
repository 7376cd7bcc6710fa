"""The only module a WSGI server imports: ``gunicorn wsgi:app``."""

from __future__ import annotations

from dotenv import load_dotenv

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
