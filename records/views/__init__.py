"""The records blueprint: a member's records page per project, and its forms."""

from __future__ import annotations

from flask import Blueprint

from records.models import (
    CHANGE_LABELS,
    FOLLOW_UP_LABELS,
    FREQUENCY_LABELS,
    HANDOVER_LABELS,
    PAYER_LABELS,
    RECURRING_LABELS,
)

# Named after the package, not this module: the templates are in records/templates.
bp = Blueprint("records", "records", template_folder="templates")


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "RECORDS_CHANGE_LABELS": CHANGE_LABELS,
        "RECORDS_FOLLOW_UP_LABELS": FOLLOW_UP_LABELS,
        "RECORDS_FREQUENCY_LABELS": FREQUENCY_LABELS,
        "RECORDS_HANDOVER_LABELS": HANDOVER_LABELS,
        "RECORDS_PAYER_LABELS": PAYER_LABELS,
        "RECORDS_RECURRING_LABELS": RECURRING_LABELS,
    }


from records.views import page  # noqa: E402,F401  (the routes, on ``bp``)
