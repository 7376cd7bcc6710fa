"""KPI feature: indicators, measurements, imports, client agreement, API, charts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import (
    LC_NUMERIC,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
)
from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from jinja2.runtime import Context

from core.backup import register_backup_folder
from core.cli import register_demo_loader
from core.navigation import Panel, register_nav_item, register_panel
from core.privacy import register_contact_data
from core.scheduler import register_job
from core.security import Role

WEEK_MINUTES = 7 * 24 * 60


#: Four decimals at most, rounded half to even (babel's ``#,##0.####``).
_QUANTUM = Decimal("0.0001")


@cache
def _separators(locale: Locale | str) -> tuple[str, str] | None:
    """The locale's decimal and group signs (latin digits); None when one is a
    quote, which babel's patterns treat as quoting (``de_CH`` groups with ``'``)."""
    signs = get_decimal_symbol(locale), get_group_symbol(locale)
    return None if any("'" in sign for sign in signs) else signs


def kpi_number(value: Any, *, locale: Locale | None = None) -> str:
    """A measurement in the reader's language (``locale``: the request's by
    default); ``—`` when there is none.

    What ``format_decimal(value, format="#,##0.####")`` writes (an integer
    with ``#,##0``), without parsing the pattern and walking the locale's data
    for each number: a project page writes a few hundred of them.
    """
    if value is None:
        return "—"
    if isinstance(value, float) and value != value:  # NaN
        return "—"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    locale = locale or get_locale()
    signs = _separators(locale or LC_NUMERIC)
    if signs is None or not number.is_finite():
        if number == number.to_integral_value():
            return format_decimal(int(number), format="#,##0", locale=locale)
        return format_decimal(number, format="#,##0.####", locale=locale)
    decimal_sign, group_sign = signs
    if number == number.to_integral_value():
        whole = int(number)
        grouped = f"{abs(whole):,}".replace(",", group_sign)
        return f"-{grouped}" if whole < 0 else grouped
    # Rounded half to even to 4 decimals, trailing zeros dropped; the sign of a
    # negative value rounded to 0 is kept ("-0"), as babel writes it.
    rounded = abs(number).normalize().quantize(_QUANTUM)
    digits, _, fraction = f"{rounded:f}".partition(".")
    text = f"{int(digits):,}".replace(",", group_sign)
    fraction = fraction.rstrip("0")
    if fraction:
        text += decimal_sign + fraction
    return f"-{text}" if number.is_signed() else text


#: The template variable holding the request's locale for :func:`kpi_number_filter`.
_LOCALE_VARIABLE = "kpi_number_locale"


def _number_locale() -> dict[str, Any]:
    """Context processor: the request's locale, once per rendered template."""
    return {_LOCALE_VARIABLE: get_locale()}


@pass_context
def kpi_number_filter(context: Context, value: Any) -> str:
    """``|kpi_number``: the locale looked up once per page (a template imported
    without context looks it up per number)."""
    return kpi_number(value, locale=context.get(_LOCALE_VARIABLE))


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
    app.add_template_filter(kpi_number_filter, "kpi_number")
    app.context_processor(_number_locale)
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
