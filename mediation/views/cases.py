"""The case files as the secretariat, the commission and the member see them,
and the forms that move a case along the procedure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from core.database import utcnow
from core.forms import choices
from core.security import login_required
from mediation import services, workflow
from mediation.forms import (
    AdmissibilityForm,
    AgreementForm,
    ArgumentsForm,
    DecisionForm,
    EntryForm,
    RecuseForm,
    ReferForm,
    SeatsForm,
    StepForm,
    uploads_of,
)
from mediation.models import EVENT_KIND_LABELS, EventKind, Visibility
from mediation.services import CaseAccess
from mediation.views.common import bp, send_attachment, submit_form
from mediation.workflow import Action, Decision, Role


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
    context = {**_blank_case_forms(access), **forms}
    return render_template(
        "mediation/case.html",
        complaint=complaint,
        role=access.role,
        events=services.timeline(complaint, access.role),
        actions=workflow.allowed_actions(complaint.status, access.role),
        is_closed=workflow.is_closed(complaint.status),
        is_late=services.is_late(complaint, now=utcnow()),
        seats=services.seats_of(complaint),
        attachment_endpoint="mediation.attachment",
        **context,
    ), status


def _blank_case_forms(access: CaseAccess) -> dict[str, FlaskForm]:
    """Every form the case page may show, empty."""
    refer_form = ReferForm(formdata=None)
    seats_form = SeatsForm(formdata=None)
    if access.role is Role.SECRETARIAT:
        _seat_choices(access, refer_form)
        _seat_choices(access, seats_form)
    return {
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


def _run(
    access: CaseAccess,
    form: FlaskForm,
    form_name: str,
    call: Callable[[], object],
    success: str,
    next_url: str | None = None,
) -> ResponseReturnValue:
    """A form of the case page: run the service call, show the outcome (back to
    the case page unless ``next_url`` says otherwise)."""
    return submit_form(
        form,
        call,
        page=lambda status: _case_page(access, status, **{form_name: form}),
        success=success,
        next_url=next_url
        or url_for("mediation.case", complaint_id=access.complaint.id),
    )


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
    return _run(
        access,
        form,
        "recuse_form",
        lambda: services.recuse(
            access.complaint, actor=access.actor, note=form.note.data, now=utcnow()
        ),
        _("Vous ne siégez plus pour cette plainte."),
        next_url=url_for("mediation.cases"),
    )


@bp.get("/mediation/<int:complaint_id>/attachments/<int:attachment_id>")
@login_required
def attachment(complaint_id: int, attachment_id: int) -> ResponseReturnValue:
    access = _access(complaint_id)
    return send_attachment(services.attachment_for(access, attachment_id))
