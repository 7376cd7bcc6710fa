"""Every feature's base of expected failures, and the error pages in the user's
language (a 500 rolls the session back)."""

from __future__ import annotations

import contextlib
import logging

from flask import (
    Flask,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from core.extensions import db, login_manager

log = logging.getLogger(__name__)


class AppError(Exception):
    """Base of every feature's expected failures (``KpiError``, ``SurveyError``…).

    ``message`` may be a lazy string: ``str(error)`` translates it in the language
    of the request that displays it. ``field`` names the form field the refusal
    concerns, if any, so that a form page shows it next to that field.
    """

    def __init__(self, message: object, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Requête invalide"), _("La requête n'a pas pu être comprise.")),
        401: (_("Connexion requise"), _("Connectez-vous pour accéder à cette page.")),
        403: (_("Accès refusé"), _("Vous n'avez pas accès à cette page.")),
        404: (
            _("Page introuvable"),
            _("Cette page n'existe pas ou vous n'y avez pas accès."),
        ),
        405: (_("Méthode non autorisée"), _("Cette action n'est pas possible ici.")),
        413: (
            _("Fichier trop volumineux"),
            _("Le fichier envoyé dépasse la taille autorisée."),
        ),
        429: (
            _("Trop de tentatives"),
            _(
                "Trop de tentatives en peu de temps. Patientez une minute puis réessayez."
            ),
        ),
        500: (
            _("Erreur interne"),
            _("Une erreur inattendue est survenue. Rien n'a été enregistré."),
        ),
        503: (
            _("Service indisponible"),
            _("Le service est momentanément indisponible."),
        ),
    }


def describe(status: int) -> tuple[str, str]:
    """The title and explanation of an HTTP error status, in the reader's language."""
    return _messages().get(status, (_("Erreur"), _("Une erreur est survenue.")))


def render_error(status: int, detail: str | None = None) -> ResponseReturnValue:
    title, message = describe(status)
    if request.path.startswith("/api/"):
        # RFC 9457 problem details, like every answer of the API.
        response = jsonify(
            {
                "type": "about:blank",
                "title": title,
                "status": status,
                "detail": detail or message,
            }
        )
        response.status_code = status
        response.mimetype = "application/problem+json"
        return response
    if _wants_json():
        return jsonify(
            {"status": status, "title": title, "detail": detail or message}
        ), status
    return (
        render_template(
            "errors/error.html", status=status, title=title, message=detail or message
        ),
        status,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400,
            _(
                "Le formulaire a expiré ou a déjà été envoyé. Rechargez la page et "
                "recommencez."
            ),
        )

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded) -> ResponseReturnValue:
        # The limit's own description is English ("10 per 15 minute"): say how
        # long to wait instead, in the reader's language.
        minutes = max(1, -(-error.limit.limit.get_expiry() // 60))
        return render_error(
            429,
            ngettext(
                "Trop de tentatives en peu de temps. Patientez %(num)d minute puis "
                "réessayez.",
                "Trop de tentatives en peu de temps. Patientez %(num)d minutes puis "
                "réessayez.",
                minutes,
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        # A message given to abort(400, "…") is ours and translated; Werkzeug's
        # own default descriptions are English and give way to the table above.
        given = error.description != type(error).description
        response = make_response(
            render_error(error.code, str(error.description) if given else None)
        )
        # The exception's own headers: ``Allow`` on a 405, ``WWW-Authenticate``…
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: SQLAlchemyError) -> ResponseReturnValue:
        return _database_unavailable(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def _database_unavailable(error: SQLAlchemyError) -> ResponseReturnValue:
    """The database is down or unreachable: a 503 page that asks to come back,
    drawn without it (the signed-in user cannot be loaded: the page shows none)."""
    with contextlib.suppress(SQLAlchemyError):
        db.session.rollback()
    log.error("database unavailable on %s %s: %s", request.method, request.path, error)
    g._login_user = login_manager.anonymous_user()  # Flask-Login's request user
    response = make_response(
        render_error(
            503,
            _(
                "La base de données est momentanément injoignable. Rien n'a été "
                "enregistré : réessayez dans quelques instants."
            ),
        )
    )
    response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
    return response
