"""The application factory: it reads like a table of contents."""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask.wrappers import Response
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from core import (
    cli,
    errors,
    i18n,
    inputs,
    navigation,
    privacy,
    sessions,
    static_assets,
    templating,
)
from core.backup import BACKUP_JOB_MINUTES, scheduled_backup
from core.config import Config
from core.database import configure_engine
from core.extensions import babel, csrf, db, limiter, login_manager
from core.mail import deliver_due
from core.scheduler import register_job
from core.urls import BuiltOnFirstUseRule

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``test_config`` replaces the environment entirely (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    config = Config(env={"QUALICHARTE_ENV": "testing"} if test_config else None)
    app.config.from_object(config)
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'qualicharte.db'}"
        )

    trust_proxies(app)
    register_extensions(app)
    register_features(app)
    errors.register_error_handlers(app)
    cli.register_commands(app, migrations=MIGRATIONS_DIR)
    register_request_hooks(app)
    return app


def freeze_startup_objects() -> None:
    """Put what start-up built (modules, mappers, the templates' environment)
    out of the cycle collector's reach, once the app is made for serving
    (``wsgi.py``): the collector's full collections, which a long page's
    allocations set off (the annual report lists every member), then go through
    what requests made only — at the large scale, 15–20 ms instead of 140 ms in
    the middle of a report. No collection first: start-up leaves no garbage
    cycles (none found, and looking takes 70 ms). Not for the apps tests make and
    drop: frozen, their cycles would never be freed. Then turns the collector
    back on (``wsgi.py`` turns it off while the app is built)."""
    gc.freeze()
    gc.enable()


def open_own_connections_after_fork(app: Flask) -> None:
    """A process forked from this one (a preloaded gunicorn's worker) drops the
    database connections it inherited, without closing them (they are the
    parent's), and opens its own on first use (SQLAlchemy's pooling guide)."""

    def forget_inherited() -> None:
        with app.app_context():
            db.engine.dispose(close=False)

    os.register_at_fork(after_in_child=forget_inherited)


def trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, the client's address, scheme and
    host are the ones they forward (rate limits count per real client)."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def register_extensions(app: Flask) -> None:
    # First: the routes the features declare use its bounded ``int`` converter
    # and the rule class that compiles URL builders on first use; and before
    # anything reads ``app.jinja_env``, the compiled templates' cache.
    inputs.init_app(app)
    app.url_rule_class = BuiltOnFirstUseRule
    templating.init_app(app)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    sessions.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.install_filters(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "members.login"
    login_manager.login_message_category = "warning"
    static_assets.init_app(app)


def register_features(app: Flask) -> None:
    """One line per feature package: its blueprint, jobs, commands and demo data."""
    import dashboards
    import evidence
    import improvement
    import kpi
    import mediation
    import members
    import records
    import satisfaction
    from core.views import bp as core_bp

    app.register_blueprint(core_bp)
    privacy.init_app(app)
    members.init_app(app)
    kpi.init_app(app)
    mediation.init_app(app)
    satisfaction.init_app(app)
    # Before the dashboards: the compliance table reads the records (and the
    # dashboards' demo stores the review after the records' demo).
    records.init_app(app)
    dashboards.init_app(app)
    # After the features whose records open improvement actions (its demo too).
    improvement.init_app(app)
    # Last of the features: its pack reads every other one.
    evidence.init_app(app)
    register_job(app, "core.backup", scheduled_backup, minutes=BACKUP_JOB_MINUTES)
    # Last: one `flask scheduler run --once` sends what the jobs above queued.
    register_job(app, "core.deliver_outbox", deliver_due)


def register_request_hooks(app: Flask) -> None:
    @app.context_processor
    def inject_globals() -> dict[str, Any]:
        return {
            "association_name": app.config["ASSOCIATION_NAME"],
            # In a sentence, after "de": "de l'Association …" in French.
            "association_in_text": i18n.association_for_text(),
            "current_locale": str(get_locale() or "fr"),
            "languages": app.config["LANGUAGES"],
            "nav_items": navigation.nav_items,
            "public_items": navigation.public_items,
            "panels_for": navigation.panels_for,
        }

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Content-Language", str(get_locale() or "fr"))
        if app.config["HSTS_ENABLED"]:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_MAX_AGE']}"
            )
        return response
