"""The complaints blueprint and what its pages share: labels for the templates,
the no-referrer header, rate limits, refusals shown on forms, attachments sent."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, send_file
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_wtf import FlaskForm

from core.forms import show_refusal
from mediation import workflow
from mediation.errors import MediationError, TransitionRefused
from mediation.models import EVENT_KIND_LABELS, VISIBILITY_LABELS

# Named after the feature package, so that its templates/ folder is found.
bp = Blueprint("mediation", "mediation", template_folder="templates")

SESSION_KEY = "mediation_cases"


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "COMPLAINT_STATUS_LABELS": workflow.STATUS_LABELS,
        "DECISION_LABELS": workflow.DECISION_LABELS,
        "EVENT_KIND_LABELS": EVENT_KIND_LABELS,
        "VISIBILITY_LABELS": VISIBILITY_LABELS,
        "COMPLAINT_ROLE_LABELS": workflow.ROLE_LABELS,
    }


@bp.app_template_filter("iso_date")
def iso_date(value: str | None) -> date | None:
    """A date stored as ISO text in an event's detail, for ``dateformat``."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.after_request
def no_referrer(response: Response) -> Response:
    # Private links carry tokens, and case pages name people: never leak the URL.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def filing_limit() -> str:
    return str(current_app.config.get("MEDIATION_FILING_RATE_LIMIT", "5 per hour"))


def link_limit() -> str:
    return str(current_app.config.get("MEDIATION_LINK_RATE_LIMIT", "30 per minute"))


def refused(form: FlaskForm | None, error: MediationError) -> int:
    """Show a service refusal next to its field (or flashed); its status code."""
    show_refusal(form, error)
    return 409 if isinstance(error, TransitionRefused) else 400


def submit_form(
    form: FlaskForm,
    call: Callable[[], object],
    *,
    page: Callable[[int], ResponseReturnValue],
    success: str,
    next_url: str,
) -> ResponseReturnValue:
    """Validate ``form`` and run the service call: on success flash ``success`` and
    redirect to ``next_url``; else render ``page(status)`` with the refusal."""
    if not form.validate_on_submit():
        return page(400)
    try:
        call()
    except MediationError as error:
        return page(refused(form, error))
    flash(success, "success")
    return redirect(next_url)


def send_attachment(found: tuple[Any, bytes] | None) -> ResponseReturnValue:
    """Send an attachment as a download that no browser renders inline (or 404)."""
    if found is None:
        abort(404)
    attachment, data = found
    response = send_file(
        io.BytesIO(data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
