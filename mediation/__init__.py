"""Complaints against members and their mediation procedure."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.backup import register_backup_folder
from core.cli import register_demo_loader
from core.navigation import PUBLIC, Panel, register_nav_item, register_panel
from core.scheduler import register_job
from core.security import Role


def init_app(app: Flask) -> None:
    from mediation import files, jobs, services
    from mediation.views import bp

    app.register_blueprint(bp)
    everyone = [role.value for role in Role]
    register_nav_item(app, "mediation.cases", _l("Plaintes"), roles=everyone, order=60)
    register_panel(
        app,
        "project",
        Panel(
            "mediation.complaints",
            "mediation/_project_panel.html",
            services.project_panel,
            order=90,
        ),
    )
    # Anyone may complain: the form is linked from every page and from each
    # member's public verification page.
    register_nav_item(
        app, "mediation.new_complaint", _l("Réclamation"), roles=[PUBLIC], order=95
    )
    register_panel(
        app,
        "public_member",
        Panel("mediation.file", "mediation/_public_member_panel.html", lambda _m: {}),
    )
    register_job(app, "mediation.deadlines", jobs.watch_deadlines, minutes=15)
    register_job(app, "mediation.suspensions", jobs.end_suspensions, minutes=15)
    register_job(app, "mediation.purge_drafts", jobs.purge_drafts, minutes=60)
    # Evidence is kept this long after a case is closed (0: kept for ever).
    app.config.setdefault("MEDIATION_ATTACHMENT_RETENTION_DAYS", 5 * 365)
    register_job(
        app, "mediation.purge_attachments", jobs.purge_attachments, minutes=1440
    )
    register_demo_loader(app, "mediation", "mediation.demo:load")
    register_backup_folder(app, "attachments", files.storage_dir)
