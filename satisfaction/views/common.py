"""The satisfaction blueprint and what its pages share: labels for the templates,
the no-referrer header of the answer pages, the rate limit, the roles."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, current_app, request, session
from flask.wrappers import Response as FlaskResponse
from flask_limiter.util import get_remote_address

from core.security import Role, hash_token
from satisfaction import scoring
from satisfaction.commitments import lazy_labels
from satisfaction.models import (
    ALERT_REASON_LABELS,
    CHOICE_TYPES,
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
            commitments=lazy_labels(),
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


def bad_link_limit() -> str:
    return str(current_app.config.get("SURVEY_BAD_LINK_RATE_LIMIT", "30 per minute"))


SESSION_KEY = "satisfaction.invitation"
# The invitation's frozen version ([id, uid]), beside its id: saving a page then
# needs no reading of the invitation (``services.held_invitation``).
SESSION_VERSION_KEY = "satisfaction.version"


def per_link() -> str:
    """Survey pages are limited per link (or per invitation held in the session),
    not per address: respondents behind one company proxy share an address."""
    token = (request.view_args or {}).get("token")
    if token:
        return "survey-link:" + hash_token(str(token))[:32]
    invitation_id = session.get(SESSION_KEY)
    if isinstance(invitation_id, int):
        return f"survey-invitation:{invitation_id}"
    return "survey-address:" + get_remote_address()


def is_refused(response: FlaskResponse) -> bool:
    """Counted against the address: links that lead nowhere (guessing)."""
    return response.status_code >= 400
