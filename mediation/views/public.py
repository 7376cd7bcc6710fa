"""The public pages: the complaint form, the e-mailed links, and the
complainant's private page (no account: the browser's session holds the cases)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from core.database import expect_writes, utcnow
from core.extensions import limiter
from core.forms import choices
from core.inputs import db_int, db_int_or_none
from core.visitor import known_visitor
from mediation import services, workflow
from mediation.errors import LinkInvalid, MediationError
from mediation.forms import (
    ComplaintForm,
    MessageForm,
    RecoverForm,
    StepForm,
    uploads_of,
)
from mediation.models import Complaint, EventKind
from mediation.services import CaseAccess
from mediation.views.common import (
    SESSION_KEY,
    bp,
    filing_limit,
    link_limit,
    refused,
    send_attachment,
    submit_form,
)
from mediation.workflow import Action


def _complaint_form(**kwargs: Any) -> ComplaintForm:
    form = ComplaintForm(**kwargs)
    form.member_id.choices = choices(
        [("", _("— choisissez —"))]
        + [(m.id, f"{m.name} ({m.town})") for m in services.complaint_targets()]
    )
    return form


@bp.route("/complaints/new", methods=["GET", "POST"])
@limiter.limit(filing_limit, methods=["POST"])
def new_complaint() -> ResponseReturnValue:
    """The public complaint form (no account needed)."""
    form = _complaint_form()
    if request.method == "GET":
        _prefill(form)
        return render_template("mediation/public/new.html", form=form)
    if form.validate_on_submit():
        try:
            complaint = _file(form)
        except MediationError as error:
            refused(form, error)
        else:
            session["mediation_sent_to"] = complaint.complainant_email
            return redirect(url_for("mediation.complaint_sent"))
    return render_template("mediation/public/new.html", form=form), 400


def _prefill(form: ComplaintForm) -> None:
    """The visitor's language, and the member (and project) a link named."""
    form.locale.data = str(get_locale() or "fr")
    # Opened from the client portal: the contact's checked name and address.
    visitor = known_visitor()
    form.name.data = visitor.get("name")
    form.email.data = visitor.get("email")
    form.company.data = visitor.get("company")
    member_id = request.args.get("member", type=db_int)
    if member_id is None:
        return
    form.member_id.data = member_id
    project = services.project_hint(member_id, request.args.get("project", type=db_int))
    if project is not None:
        form.project_id.data = str(project.id)
        form.project_label.data = project.title


def _file(form: ComplaintForm) -> Complaint:
    project_id = form.project_id.data or ""
    return services.file_complaint(
        name=form.name.data,
        company=form.company.data,
        email=form.email.data,
        locale=form.locale.data,
        member_id=form.member_id.data,
        project_id=db_int_or_none(project_id) if project_id.isdigit() else None,
        project_label=form.project_label.data or "",
        facts=form.facts.data,
        expectations=form.expectations.data,
        uploads=uploads_of(form.attachments.data),
        now=utcnow(),
    )


@bp.get("/complaints/sent")
def complaint_sent() -> ResponseReturnValue:
    return render_template(
        "mediation/public/sent.html", email=session.get("mediation_sent_to")
    )


def _grant(complaint_id: int, locale: str) -> None:
    """Let this browser see the case; speak the complainant's language."""
    allowed = [i for i in session.get(SESSION_KEY, []) if isinstance(i, int)]
    if complaint_id not in allowed:
        allowed.append(complaint_id)
    session[SESSION_KEY] = allowed[-20:]
    session.setdefault("locale", locale)
    session.permanent = True


@bp.get("/complaints/verify/<token>")
@limiter.limit(link_limit)
def verify(token: str) -> ResponseReturnValue:
    """The e-mailed confirmation link: registers the complaint."""
    expect_writes()
    try:
        verified = services.verify_complaint(token, now=utcnow())
    except LinkInvalid as error:
        return render_template(
            "mediation/public/link_invalid.html", reason=str(error)
        ), 404
    complaint = verified.complaint
    if verified.already:
        flash(
            _(
                "Cette plainte est déjà enregistrée sous la référence %(reference)s : "
                "suivez-la avec le lien privé reçu par e-mail.",
                reference=complaint.reference,
            ),
            "info",
        )
        return redirect(url_for("mediation.recover"))
    _grant(complaint.id, complaint.complainant_locale)
    flash(
        _(
            "Votre plainte est enregistrée sous la référence %(reference)s. Un accusé "
            "de réception vous a été envoyé.",
            reference=complaint.reference,
        ),
        "success",
    )
    return redirect(url_for("mediation.public_case", complaint_id=complaint.id))


@bp.get("/complaints/follow/<token>")
@limiter.limit(link_limit)
def follow(token: str) -> ResponseReturnValue:
    """The private follow-up link: exchanged for this browser's session, then a
    redirect to an address without the token."""
    complaint = services.complaint_by_access_token(token)
    if complaint is None:
        return render_template(
            "mediation/public/link_invalid.html",
            reason=_("Ce lien de suivi n'est pas valable."),
        ), 404
    _grant(complaint.id, complaint.complainant_locale)
    return redirect(url_for("mediation.public_case", complaint_id=complaint.id))


@bp.route("/complaints/lost-link", methods=["GET", "POST"])
@limiter.limit(filing_limit, methods=["POST"])
def recover() -> ResponseReturnValue:
    form = RecoverForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("mediation/public/recover.html", form=form), 400
        services.resend_follow_link(
            reference=form.reference.data, email=form.email.data, now=utcnow()
        )
        flash(
            _(
                "Si cette référence correspond à cette adresse, un nouveau lien de "
                "suivi vient d'y être envoyé."
            ),
            "info",
        )
        return redirect(url_for("mediation.recover"))
    return render_template("mediation/public/recover.html", form=form)


def _complainant_access(complaint_id: int) -> CaseAccess:
    access = services.case_for_complainant(session.get(SESSION_KEY, []), complaint_id)
    if access is None:
        abort(404)
    return access


def _public_page(
    access: CaseAccess, status: int = 200, **forms: Any
) -> ResponseReturnValue:
    context: dict[str, Any] = {
        "message_form": MessageForm(formdata=None),
        "withdraw_form": StepForm(formdata=None),
    }
    context.update(forms)
    return render_template(
        "mediation/public/case.html",
        complaint=access.complaint,
        role=access.role,
        events=services.timeline(access.complaint, access.role),
        actions=workflow.allowed_actions(access.complaint.status, access.role),
        attachment_endpoint="mediation.public_attachment",
        **context,
    ), status


def _run_public(
    access: CaseAccess,
    form: FlaskForm,
    form_name: str,
    call: Callable[[], object],
    success: str,
) -> ResponseReturnValue:
    """A form of the complainant's page: run the service call, show the outcome."""
    return submit_form(
        form,
        call,
        page=lambda status: _public_page(access, status, **{form_name: form}),
        success=success,
        next_url=url_for("mediation.public_case", complaint_id=access.complaint.id),
    )


@bp.get("/complaints/<int:complaint_id>")
def public_case(complaint_id: int) -> ResponseReturnValue:
    return _public_page(_complainant_access(complaint_id))


@bp.post("/complaints/<int:complaint_id>/messages")
def public_message(complaint_id: int) -> ResponseReturnValue:
    access = _complainant_access(complaint_id)
    form = MessageForm()
    return _run_public(
        access,
        form,
        "message_form",
        lambda: services.add_entry(
            access.complaint,
            actor=access.actor,
            kind=EventKind.MESSAGE,
            text=form.text.data or "",
            uploads=uploads_of(form.attachments.data),
            now=utcnow(),
        ),
        _("Message ajouté au dossier."),
    )


@bp.post("/complaints/<int:complaint_id>/withdraw")
def public_withdraw(complaint_id: int) -> ResponseReturnValue:
    access = _complainant_access(complaint_id)
    form = StepForm()
    return _run_public(
        access,
        form,
        "withdraw_form",
        lambda: services.perform(
            access.complaint,
            Action.WITHDRAW,
            actor=access.actor,
            text=form.text.data or "",
            now=utcnow(),
        ),
        _("Votre plainte est retirée."),
    )


@bp.get("/complaints/<int:complaint_id>/attachments/<int:attachment_id>")
def public_attachment(complaint_id: int, attachment_id: int) -> ResponseReturnValue:
    access = _complainant_access(complaint_id)
    return send_attachment(services.attachment_for(access, attachment_id))
