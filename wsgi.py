"""The only module a WSGI server imports: ``gunicorn wsgi:app``."""

from __future__ import annotations

from dotenv import load_dotenv

load_dotenv()

from core import create_app, freeze_startup_objects  # noqa: E402

app = create_app()
freeze_startup_objects()
