"""KPI feature: indicators, measurements, imports, client agreement, API, charts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.backup import register_backup_folder
from core.cli import register_demo_loader
from core.navigation import Panel, register_nav_item, register_panel
from core.privacy import register_contact_data
from core.scheduler import register_job
from core.security import Role

WEEK_MINUTES = 7 * 24 * 60


def kpi_number(value: Any) -> str:
    """A measurement in the reader's language; ``—`` when there is none."""
    if value is None:
        return "—"
    if isinstance(value, float) and value != value:  # NaN
        return "—"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number == number.to_integral_value():
        return str(format_decimal(int(number), format="#,##0"))
    return str(format_decimal(number, format="#,##0.####"))


def kpi_value(value: Any) -> str:
    """A value, or ``value (numerator ÷ denominator)`` for a ratio triple."""
    if isinstance(value, tuple):
        shown, numerator, denominator = value
        return (
            f"{kpi_number(shown)} ({kpi_number(numerator)} ÷ {kpi_number(denominator)})"
        )
    return kpi_number(value)


def kpi_status_label(status: str) -> str:
    labels: dict[str, str] = {
        "met": _("Objectif atteint"),
        "missed": _("Objectif non atteint"),
        "no_target": _("Sans objectif"),
        "no_data": _("Pas encore de valeur"),
    }
    return labels.get(status, status)


def kpi_bucket_label(bucket: str) -> str:
    labels: dict[str, str] = {
        "month": _("Par mois"),
        "quarter": _("Par trimestre"),
        "year": _("Par an"),
    }
    return labels[bucket]


def kpi_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def init_app(app: Flask) -> None:
    from kpi import api, cli, jobs, privacy, views
    from kpi.services.uploads import uploads_folder

    app.register_blueprint(views.bp)
    register_contact_data(app, "indicators", export=privacy.export, erase=privacy.erase)
    api.init_app(app)
    app.add_template_filter(kpi_number)
    app.add_template_filter(kpi_value)
    app.add_template_global(kpi_status_label)
    app.add_template_global(kpi_bucket_label)
    app.add_template_global(kpi_date)
    register_panel(
        app,
        "project",
        Panel("kpi", "kpi/_panel.html", views.project_panel, order=20),
    )
    staff = [Role.MEMBER_ADMIN.value, Role.MEMBER_USER.value]
    register_nav_item(app, "kpi.tokens", _l("API"), roles=staff, order=70)
    app.cli.add_command(cli.kpi_cli)
    register_job(app, "kpi.reminders", jobs.send_reminders, minutes=WEEK_MINUTES)
    register_job(app, "kpi.parse_uploads", jobs.parse_uploads)
    register_demo_loader(app, "kpi", "kpi.demo:load")
    register_backup_folder(app, "kpi-uploads", uploads_folder)
