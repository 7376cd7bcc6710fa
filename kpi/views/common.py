"""The KPI blueprint and what its pages share: labels for the templates, the
signed-in member, refusals shown on forms, the chosen period bucket and the
figures of the charts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from core.forms import attach_error
from core.security import Role
from kpi import charts, services
from kpi.calculations import BUCKETS, Bucket
from kpi.importers import FORMAT_LABELS
from kpi.models import (
    AGGREGATION_LABELS,
    AGREEMENT_STATUS_LABELS,
    DIRECTION_LABELS,
    FREQUENCY_LABELS,
    KIND_HELP,
    KIND_LABELS,
    SOURCE_LABELS,
)

# Named after the feature package, so that its templates/ and static/ are found.
bp = Blueprint(
    "kpi",
    "kpi",
    template_folder="templates",
    static_folder="static",
    static_url_path="/kpi/static",
)

STAFF = (Role.MEMBER_ADMIN, Role.MEMBER_USER)


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "KPI_KIND_LABELS": KIND_LABELS,
        "KPI_KIND_HELP": KIND_HELP,
        "KPI_DIRECTION_LABELS": DIRECTION_LABELS,
        "KPI_FREQUENCY_LABELS": FREQUENCY_LABELS,
        "KPI_AGGREGATION_LABELS": AGGREGATION_LABELS,
        "KPI_SOURCE_LABELS": SOURCE_LABELS,
        "KPI_AGREEMENT_STATUS_LABELS": AGREEMENT_STATUS_LABELS,
        "KPI_FORMAT_LABELS": FORMAT_LABELS,
    }


def refused(form: Any, error: services.KpiError) -> None:
    """Show a refusal on its field when it names one, else as a flash."""
    if not attach_error(form, getattr(error, "field", None), str(error)):
        flash(str(error), "danger")


def member_id() -> int:
    return int(current_user.member_id)


def chosen_bucket() -> Bucket:
    chosen = request.args.get("kpi_period", "month")
    return chosen if chosen in BUCKETS else "month"


def chart_labels() -> dict[str, str]:
    return {
        "value": _("Valeur"),
        "target": _("Objectif"),
        "baseline": _("Point de départ"),
        "met": _("Objectif atteint"),
        "missed": _("Objectif non atteint"),
        "no_target": _("Sans objectif"),
        "no_data": _("Pas de valeur"),
        "separators": _(", "),
    }


def figures(items: list[services.IndicatorSummary]) -> list[dict[str, Any]]:
    labels = chart_labels()
    return [
        charts.indicator_figure(
            item.rows,
            unit=item.indicator.unit,
            target=item.indicator.target_value,
            baseline=item.indicator.baseline_value,
            labels=labels,
        )
        for item in items
    ]
