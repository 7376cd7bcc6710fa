"""The satisfaction blueprint and what its pages share: labels for the templates,
the no-referrer header of the answer pages, the rate limit, the roles."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, current_app, request
from flask.wrappers import Response as FlaskResponse

from core.security import Role
from satisfaction import scoring
from satisfaction.models import (
    ALERT_REASON_LABELS,
    CHOICE_TYPES,
    COMMITMENT_LABELS,
    QUESTION_TYPE_LABELS,
)

# Named after the feature package, so that its templates/ and static/ are found.
bp = Blueprint(
    "satisfaction",
    "satisfaction",
    template_folder="templates",
    static_folder="static",
    static_url_path="/satisfaction/static",
)

STAFF = (Role.MEMBER_ADMIN, Role.MEMBER_USER)
EDITORS = (Role.MEMBER_ADMIN, Role.MEMBER_USER, Role.SECRETARIAT)
PUBLIC_ENDPOINTS = frozenset(
    {
        "satisfaction.open_link",
        "satisfaction.answer",
        "satisfaction.thanks",
        "satisfaction.unsubscribe",
    }
)


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "sat": SimpleNamespace(
            commitments=COMMITMENT_LABELS,
            types=QUESTION_TYPE_LABELS,
            metrics=scoring.METRIC_LABELS,
            reasons=ALERT_REASON_LABELS,
            min_answers=scoring.MIN_ANSWERS,
            choice_types=CHOICE_TYPES,
        )
    }


@bp.after_request
def no_referrer(response: FlaskResponse) -> FlaskResponse:
    """The answer pages never leak their URL (or the token) through a Referer."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


def survey_limit() -> str:
    return str(current_app.config.get("SURVEY_RATE_LIMIT", "60 per minute"))
