"""The records the charter asks a member to keep per project: client-provided
items, budget and changes, follow-up log, deliveries and source-code handover,
technologies, backup plans and licences."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask_babel import format_currency

from core.cli import register_demo_loader
from core.navigation import Panel, register_panel
from core.scheduler import register_job

#: Reminders are looked for every hour (they are due by the day).
REMINDER_JOB_MINUTES = 60


def records_money(value: Decimal | None) -> str:
    """An amount in euros, in the reader's language."""
    return "—" if value is None else str(format_currency(value, "EUR"))


def init_app(app: Flask) -> None:
    from records import jobs, services
    from records.views import bp

    app.register_blueprint(bp)
    app.add_template_filter(records_money)
    register_panel(
        app,
        "project",
        Panel(
            "records", "records/_project_panel.html", services.project_panel, order=15
        ),
    )
    # The client sees them in its portal (dashboards' project page has the hook).
    register_panel(
        app,
        "portal_project",
        Panel("records", "records/_portal_panel.html", services.portal_panel),
    )
    register_job(
        app,
        "records.licence_reminders",
        jobs.remind_licences,
        minutes=REMINDER_JOB_MINUTES,
    )
    register_job(
        app,
        "records.item_reminders",
        jobs.remind_client_items,
        minutes=REMINDER_JOB_MINUTES,
    )
    register_demo_loader(app, "records", "records.demo:load")
