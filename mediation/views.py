"""Pages of the complaints feature: the public complaint form and the
complainant's private page, and the case file as the secretariat, the
commission and the member see it."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from core.database import expect_writes, utcnow
from core.extensions import limiter
from core.forms import choices, show_refusal
from core.security import login_required
from mediation import services, workflow
from mediation.errors import LinkInvalid, MediationError, TransitionRefused
from mediation.forms import (
    AdmissibilityForm,
    AgreementForm,
    ArgumentsForm,
    ComplaintForm,
    DecisionForm,
    EntryForm,
    MessageForm,
    RecoverForm,
    RecuseForm,
    ReferForm,
    SeatsForm,
    StepForm,
    uploads_of,
)
from mediation.models import EVENT_KIND_LABELS, VISIBILITY_LABELS, EventKind, Visibility
from mediation.services import CaseAccess
from mediation.workflow import Action, Decision, Role

bp = Blueprint("mediation", __name__, template_folder="templates")

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


def _filing_limit() -> str:
    return str(current_app.config.get("MEDIATION_FILING_RATE_LIMIT", "5 per hour"))


def _link_limit() -> str:
    return str(current_app.config.get("MEDIATION_LINK_RATE_LIMIT", "30 per minute"))


def _refused(form: FlaskForm | None, error: MediationError) -> int:
    """Show a service refusal next to its field (or flashed); its status code."""
    show_refusal(form, error)
    return 409 if isinstance(error, TransitionRefused) else 400


# ---------------------------------------------------------------- public


def _complaint_form() -> ComplaintForm:
    form = ComplaintForm()
    form.member_id.choices = choices(
        [("", _("— choisissez —"))]
        + [(m.id, f"{m.name} ({m.town})") for m in services.complaint_targets()]
    )
    return form


@bp.route("/complaints/new", methods=["GET", "POST"])
@limiter.limit(_filing_limit, methods=["POST"])
def new_complaint() -> ResponseReturnValue:
    """The public complaint form (no account needed)."""
    form = _complaint_form()
    if request.method == "GET":
        form.locale.data = str(get_locale() or "fr")
        member_id = request.args.get("member", type=int)
        if member_id is not None:
            form.member_id.data = member_id
            project = services.project_hint(
                member_id, request.args.get("project", type=int)
            )
            if project is not None:
                form.project_id.data = str(project.id)
                form.project_label.data = project.title
        return render_template("mediation/public/new.html", form=form)
    if form.validate_on_submit():
        try:
            complaint = services.file_complaint(
                name=form.name.data,
                company=form.company.data,
                email=form.email.data,
                locale=form.locale.data,
                member_id=form.member_id.data,
                project_id=int(form.project_id.data)
                if (form.project_id.data or "").isdigit()
                else None,
                project_label=form.project_label.data or "",
                facts=form.facts.data,
                expectations=form.expectations.data,
                uploads=uploads_of(form.attachments.data),
                now=utcnow(),
            )
        except MediationError as error:
            _refused(form, error)
        else:
            session["mediation_sent_to"] = complaint.complainant_email
            return redirect(url_for("mediation.complaint_sent"))
    return render_template("mediation/public/new.html", form=form), 400


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
@limiter.limit(_link_limit)
def verify(token: str) -> ResponseReturnValue:
    """The e-mailed confirmation link: registers the complaint."""
    expect_writes()
    try:
        verified = services.verify_complaint(token, now=utcnow())
    except LinkInvalid as error:
        return render_template(
            "mediation/public/link_invalid.html", reason=str(error)
        ), 404
    if verified.already:
        flash(
            _(
                "Cette plainte est déjà enregistrée sous la référence %(reference)s : "
                "suivez-la avec le lien privé reçu par e-mail.",
                reference=verified.complaint.reference,
            ),
            "info",
        )
        return redirect(url_for("mediation.recover"))
    _grant(verified.complaint.id, verified.complaint.complainant_locale)
    flash(
        _(
            "Votre plainte est enregistrée sous la référence %(reference)s. Un accusé "
            "de réception vous a été envoyé.",
            reference=verified.complaint.reference,
        ),
        "success",
    )
    return redirect(
        url_for("mediation.public_case", complaint_id=verified.complaint.id)
    )


@bp.get("/complaints/follow/<token>")
@limiter.limit(_link_limit)
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
@limiter.limit(_filing_limit, methods=["POST"])
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


@bp.get("/complaints/<int:complaint_id>")
def public_case(complaint_id: int) -> ResponseReturnValue:
    return _public_page(_complainant_access(complaint_id))


@bp.post("/complaints/<int:complaint_id>/messages")
def public_message(complaint_id: int) -> ResponseReturnValue:
    access = _complainant_access(complaint_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _public_page(access, 400, message_form=form)
    try:
        services.add_entry(
            access.complaint,
            actor=access.actor,
            kind=EventKind.MESSAGE,
            text=form.text.data or "",
            uploads=uploads_of(form.attachments.data),
            now=utcnow(),
        )
    except MediationError as error:
        return _public_page(access, _refused(form, error), message_form=form)
    flash(_("Message ajouté au dossier."), "success")
    return redirect(url_for("mediation.public_case", complaint_id=complaint_id))


@bp.post("/complaints/<int:complaint_id>/withdraw")
def public_withdraw(complaint_id: int) -> ResponseReturnValue:
    access = _complainant_access(complaint_id)
    form = StepForm()
    if not form.validate_on_submit():
        return _public_page(access, 400, withdraw_form=form)
    try:
        services.perform(
            access.complaint,
            Action.WITHDRAW,
            actor=access.actor,
            text=form.text.data or "",
            now=utcnow(),
        )
    except MediationError as error:
        return _public_page(access, _refused(form, error), withdraw_form=form)
    flash(_("Votre plainte est retirée."), "success")
    return redirect(url_for("mediation.public_case", complaint_id=complaint_id))


def _send_attachment(found: tuple[Any, bytes] | None) -> ResponseReturnValue:
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


@bp.get("/complaints/<int:complaint_id>/attachments/<int:attachment_id>")
def public_attachment(complaint_id: int, attachment_id: int) -> ResponseReturnValue:
    access = _complainant_access(complaint_id)
    return _send_attachment(services.attachment_for(access, attachment_id))


# ---------------------------------------------------------------- case files


@bp.get("/mediation/")
@login_required
def cases() -> ResponseReturnValue:
    view = request.args.get("view", "open")
    if view not in ("open", "late", "all"):
        view = "open"
    return render_template(
        "mediation/cases.html",
        rows=services.list_cases(current_user, view=view, now=utcnow()),
        view=view,
    )


def _access(complaint_id: int) -> CaseAccess:
    access = services.case_for_user(current_user, complaint_id)
    if access is None:
        abort(404)
    return access


ENTRY_KIND_ORDER = [
    EventKind.MESSAGE,
    EventKind.NOTE,
    EventKind.MEETING,
    EventKind.PROPOSAL,
    EventKind.HEARING,
]


def _entry_form(role: Role, formdata: bool = True) -> EntryForm:
    form = EntryForm() if formdata else EntryForm(formdata=None)
    allowed = services.ENTRY_KINDS.get(role, ())
    form.kind.choices = choices(
        (kind.value, EVENT_KIND_LABELS[kind])
        for kind in ENTRY_KIND_ORDER
        if kind in allowed
    )
    return form


def _seat_choices(access: CaseAccess, form: ReferForm | SeatsForm) -> None:
    pairs = []
    for candidate in services.commissioners_for(access.complaint):
        if candidate.seated:
            continue
        label = candidate.user.full_name or candidate.user.email
        if candidate.conflict:
            label = _(
                "%(name)s — conflit : %(reason)s", name=label, reason=candidate.conflict
            )
        pairs.append((candidate.user.id, label))
    form.seats.choices = choices(pairs)


def _case_page(
    access: CaseAccess, status: int = 200, **forms: Any
) -> ResponseReturnValue:
    complaint = access.complaint
    refer_form = ReferForm(formdata=None)
    seats_form = SeatsForm(formdata=None)
    if access.role is Role.SECRETARIAT:
        _seat_choices(access, refer_form)
        _seat_choices(access, seats_form)
    context: dict[str, Any] = {
        "admissibility_form": AdmissibilityForm(formdata=None),
        "arguments_form": ArgumentsForm(formdata=None),
        "entry_form": _entry_form(access.role, formdata=False),
        "step_form": StepForm(formdata=None),
        "withdraw_form": StepForm(formdata=None, prefix="wd"),
        "agreement_form": AgreementForm(formdata=None),
        "refer_form": refer_form,
        "seats_form": seats_form,
        "decision_form": DecisionForm(formdata=None),
        "recuse_form": RecuseForm(formdata=None),
    }
    context.update(forms)
    now = utcnow()
    return render_template(
        "mediation/case.html",
        complaint=complaint,
        role=access.role,
        events=services.timeline(complaint, access.role),
        actions=workflow.allowed_actions(complaint.status, access.role),
        is_closed=workflow.is_closed(complaint.status),
        is_late=services.is_late(complaint, now=now),
        seats=services.seats_of(complaint),
        attachment_endpoint="mediation.attachment",
        **context,
    ), status


def _run(
    access: CaseAccess,
    form: FlaskForm,
    form_name: str,
    call: Callable[[], object],
    success: str,
) -> ResponseReturnValue:
    """Validate ``form``, run the service call, show its refusal or its success."""
    if not form.validate_on_submit():
        return _case_page(access, 400, **{form_name: form})
    try:
        call()
    except MediationError as error:
        return _case_page(access, _refused(form, error), **{form_name: form})
    flash(success, "success")
    return redirect(url_for("mediation.case", complaint_id=access.complaint.id))


@bp.get("/mediation/<int:complaint_id>")
@login_required
def case(complaint_id: int) -> ResponseReturnValue:
    return _case_page(_access(complaint_id))


@bp.post("/mediation/<int:complaint_id>/admissibility")
@login_required
def admissibility(complaint_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    form = AdmissibilityForm()
    admissible = form.outcome.data == "admissible"
    return _run(
        access,
        form,
        "admissibility_form",
        lambda: services.perform(
            access.complaint,
            Action.DECLARE_ADMISSIBLE if admissible else Action.DECLARE_INADMISSIBLE,
            actor=access.actor,
            text=(form.text.data or "") if admissible else "",
            reason=None if admissible else form.text.data,
            reply_days=form.reply_days.data if admissible else None,
            now=utcnow(),
        ),
        _("Plainte déclarée recevable : l'adhérent est invité à répondre.")
        if admissible
        else _("Plainte déclarée irrecevable : le plaignant en est informé."),
    )


@bp.post("/mediation/<int:complaint_id>/arguments")
@login_required
def arguments(complaint_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    form = ArgumentsForm()
    return _run(
        access,
        form,
        "arguments_form",
        lambda: services.perform(
            access.complaint,
            Action.SUBMIT_ARGUMENTS,
            actor=access.actor,
            text=form.text.data or "",
            uploads=uploads_of(form.attachments.data),
            now=utcnow(),
        ),
        _("Vos arguments sont transmis : la médiation est ouverte."),
    )


@bp.post("/mediation/<int:complaint_id>/entries")
@login_required
def entry(complaint_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    form = _entry_form(access.role)
    return _run(
        access,
        form,
        "entry_form",
        lambda: services.add_entry(
            access.complaint,
            actor=access.actor,
            kind=EventKind(form.kind.data),
            text=form.text.data or "",
            visibility=Visibility(form.visibility.data),
            occurred_on=form.occurred_on.data,
            uploads=uploads_of(form.attachments.data),
            now=utcnow(),
        ),
        _("Entrée ajoutée au dossier."),
    )


@bp.post("/mediation/<int:complaint_id>/start-mediation")
@login_required
def start_mediation(complaint_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    form = StepForm()
    return _run(
        access,
        form,
        "step_form",
        lambda: services.perform(
            access.complaint,
            Action.START_MEDIATION,
            actor=access.actor,
            text=form.text.data or "",
            now=utcnow(),
        ),
        _("La médiation est ouverte."),
    )


@bp.post("/mediation/<int:complaint_id>/agreement")
@login_required
def agreement(complaint_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    form = AgreementForm()
    return _run(
        access,
        form,
        "agreement_form",
        lambda: services.perform(
            access.complaint,
            Action.RECORD_AGREEMENT,
            actor=access.actor,
            text=form.text.data or "",
            uploads=uploads_of(form.attachments.data),
            now=utcnow(),
        ),
        _("Accord constaté : le dossier est clos."),
    )


@bp.post("/mediation/<int:complaint_id>/commission")
@login_required
def refer(complaint_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    form = ReferForm()
    _seat_choices(access, form)
    return _run(
        access,
        form,
        "refer_form",
        lambda: services.perform(
            access.complaint,
            Action.REFER_TO_COMMISSION,
            actor=access.actor,
            text=form.text.data or "",
            seat_user_ids=form.seats.data or [],
            now=utcnow(),
        ),
        _("La commission des plaintes est saisie."),
    )


@bp.post("/mediation/<int:complaint_id>/seats")
@login_required
def seats(complaint_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    form = SeatsForm()
    _seat_choices(access, form)
    return _run(
        access,
        form,
        "seats_form",
        lambda: services.add_commissioners(
            access.complaint,
            actor=access.actor,
            user_ids=form.seats.data or [],
            now=utcnow(),
        ),
        _("Composition de la commission enregistrée."),
    )


@bp.post("/mediation/<int:complaint_id>/decision")
@login_required
def decide(complaint_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    form = DecisionForm()
    return _run(
        access,
        form,
        "decision_form",
        lambda: services.perform(
            access.complaint,
            Action.DECIDE,
            actor=access.actor,
            decision=Decision(form.decision.data),
            suspension_until=form.suspension_until.data,
            reason=form.reasons.data or "",
            uploads=uploads_of(form.attachments.data),
            now=utcnow(),
        ),
        _("Décision enregistrée : elle prend effet immédiatement."),
    )


@bp.post("/mediation/<int:complaint_id>/withdraw")
@login_required
def withdraw(complaint_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    form = StepForm(prefix="wd")
    return _run(
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
        _("La plainte est retirée."),
    )


@bp.post("/mediation/<int:complaint_id>/recuse")
@login_required
def recuse(complaint_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    form = RecuseForm()
    if not form.validate_on_submit():
        return _case_page(access, 400, recuse_form=form)
    try:
        services.recuse(
            access.complaint, actor=access.actor, note=form.note.data, now=utcnow()
        )
    except MediationError as error:
        return _case_page(access, _refused(form, error), recuse_form=form)
    flash(_("Vous ne siégez plus pour cette plainte."), "success")
    return redirect(url_for("mediation.cases"))


@bp.get("/mediation/<int:complaint_id>/attachments/<int:attachment_id>")
@login_required
def attachment(complaint_id: int, attachment_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    return _send_attachment(services.attachment_for(access, attachment_id))
