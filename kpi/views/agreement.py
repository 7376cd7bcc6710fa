"""The agreement flow: staff send a project's indicators to a client contact,
who opens the e-mailed link and validates them or comments."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from core.database import expect_writes
from core.forms import choices
from core.security import roles_required
from kpi import services
from kpi.forms import AgreementAnswerForm, AgreementSendForm
from kpi.models import Agreement
from kpi.views.common import STAFF, bp, member_id, refused

AGREEMENT_SESSION_KEY = "kpi_agreement_id"


@bp.post("/space/projects/<int:project_id>/agreement")
@roles_required(*STAFF)
def agreement_send(project_id: int) -> ResponseReturnValue:
    project = services.get_project(member_id(), project_id) or abort(404)
    form = AgreementSendForm()
    form.contact_id.choices = choices(
        (c.id, c.email) for c in services.project_contacts(project)
    )
    if form.validate_on_submit():
        try:
            agreement = services.send_agreement(
                current_user, project, contact_id=form.contact_id.data
            )
        except services.KpiError as error:
            flash(str(error), "danger")
        else:
            flash(
                _(
                    "Indicateurs envoyés pour validation à %(email)s.",
                    email=agreement.contact.email,
                ),
                "success",
            )
    else:
        flash(_("Choisissez un contact de ce client."), "danger")
    return redirect(url_for("members.project", project_id=project.id) + "#kpi")


def _no_referrer(value: ResponseReturnValue) -> ResponseReturnValue:
    """Links carry a token: no page of this flow tells another site where it was."""
    response = make_response(value)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/kpi/agreement/<token>")
def agreement_open(token: str) -> ResponseReturnValue:
    """Exchange the e-mailed link for a session, then drop the token from the URL."""
    expect_writes()
    found = services.find_by_token(token)
    if found is None:
        return _no_referrer((render_template("kpi/agreement_invalid.html"), 404))
    services.mark_opened(found)
    session[AGREEMENT_SESSION_KEY] = found.id
    session["locale"] = found.contact.locale
    response = redirect(url_for("kpi.agreement_page"))
    return _no_referrer(response)


@bp.route("/kpi/agreement", methods=["GET", "POST"])
def agreement_page() -> ResponseReturnValue:
    agreement_id = session.get(AGREEMENT_SESSION_KEY)
    found = services.get_agreement(agreement_id) if agreement_id else None
    if found is None:
        return _no_referrer((render_template("kpi/agreement_invalid.html"), 404))
    form = AgreementAnswerForm()
    if request.method == "POST" and _answered(found, form):
        return redirect(url_for("kpi.agreement_page"))
    project = services.get_project(found.member_id, found.project_id) or abort(404)
    page = render_template(
        "kpi/agreement.html", agreement=found, project=project, form=form
    )
    return _no_referrer((page, 400 if request.method == "POST" else 200))


def _answered(found: Agreement, form: AgreementAnswerForm) -> bool:
    """Record the contact's answer; False when the form or the service refused it."""
    if not form.validate_on_submit():
        return False
    try:
        services.answer_agreement(
            found, acknowledge=bool(form.acknowledge.data), comment=form.comment.data
        )
    except services.KpiError as error:
        refused(form, error)
        return False
    flash(
        _("Merci, votre validation est enregistrée.")
        if form.acknowledge.data
        else _("Merci, votre commentaire est transmis."),
        "success",
    )
    return True
