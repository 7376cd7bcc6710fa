"""An upload past the request's limit (Werkzeug refuses it before any view
runs): the form that sent it says so next to its attachments, with the limits,
instead of a bare 413 page."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from core.errors import render_error
from core.forms import attach_error, upload_limit_mb
from mediation.files import MAX_FILE_BYTES
from mediation.forms import MessageForm
from mediation.views import cases, public
from mediation.views.common import bp

# The case page's forms that carry attachments, by the endpoint they post to.
CASE_FORMS = {
    "mediation.arguments": "arguments_form",
    "mediation.entry": "entry_form",
    "mediation.agreement": "agreement_form",
    "mediation.decide": "decision_form",
}
PUBLIC_FORMS = {"mediation.public_message": "message_form"}
# The views' own helpers are used (private to the views package): the page is
# drawn exactly as after any other refusal.


def too_large_message() -> str:
    total, size = upload_limit_mb(), upload_limit_mb(MAX_FILE_BYTES)
    if size < total:
        return str(
            _(
                "Les pièces jointes dépassent la taille autorisée (%(total)d Mo au "
                "plus pour l'envoi, %(size)d Mo par fichier) : rien n'a été "
                "enregistré. Joignez des fichiers plus légers et renvoyez le "
                "formulaire.",
                total=total,
                size=size,
            )
        )
    return str(
        _(
            "Les pièces jointes dépassent la taille autorisée (%(total)d Mo au plus "
            "pour l'envoi) : rien n'a été enregistré. Joignez des fichiers plus "
            "légers et renvoyez le formulaire.",
            total=total,
        )
    )


def _with_error(form: FlaskForm) -> FlaskForm:
    attach_error(form, "attachments", too_large_message())
    return form


def _page() -> ResponseReturnValue | None:
    endpoint = request.endpoint or ""
    complaint_id = int((request.view_args or {}).get("complaint_id") or 0)
    if endpoint == "mediation.new_complaint":
        form = public._complaint_form(formdata=None)
        return render_template("mediation/public/new.html", form=_with_error(form)), 413
    if endpoint in CASE_FORMS and current_user.is_authenticated:
        access = cases._access(complaint_id)
        name = CASE_FORMS[endpoint]
        form = cases._blank_case_forms(access)[name]
        return cases._case_page(access, 413, **{name: _with_error(form)})
    if endpoint in PUBLIC_FORMS:
        access = public._complainant_access(complaint_id)
        name = PUBLIC_FORMS[endpoint]
        form = MessageForm(formdata=None)
        return public._public_page(access, 413, **{name: _with_error(form)})
    return None


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    try:
        page = _page()
    except HTTPException as refused:  # no such case, or not theirs
        return render_error(refused.code or 404)
    return page if page is not None else render_error(413)
