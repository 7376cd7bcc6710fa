"""The records page of a project and the forms posted from it. Each POST calls
one service; a refusal renders the page again (400) with the form as typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from core.forms import show_refusal
from core.security import Role, roles_required
from members.models import Project, ProjectStatus
from records import forms, services
from records.models import (
    BackupFrequency,
    ChangeKind,
    FollowUpKind,
    HandoverMode,
    Payer,
    RecurringPeriod,
)
from records.views import bp

STAFF = (Role.MEMBER_ADMIN, Role.MEMBER_USER)
BASE = "/space/projects/<int:project_id>/records"

FORMS: dict[str, type[FlaskForm]] = {
    "item": forms.ClientItemForm,
    "budget": forms.BudgetForm,
    "change": forms.ChangeForm,
    "follow_up": forms.FollowUpForm,
    "delivery": forms.DeliveryForm,
    "handover": forms.HandoverForm,
    "technology": forms.TechnologyForm,
    "backup": forms.BackupPlanForm,
    "licence": forms.LicenceForm,
    "received": forms.ReceivedForm,
    "informed": forms.InformedForm,
}


def _project(project_id: int) -> Project:
    found = services.project_for(current_user, project_id)
    if found is None:
        abort(404)
    return found


def _page(
    project: Project, *, failed: dict[str, FlaskForm] | None = None, status: int = 200
) -> ResponseReturnValue:
    records = services.project_records(
        project.id, is_closed=project.status == ProjectStatus.CLOSED
    )
    prefilled = {"budget": records.budget, "handover": records.handover}
    shown = {
        name: form_class(formdata=None, obj=prefilled.get(name), prefix=name)
        for name, form_class in FORMS.items()
    }
    shown.update(failed or {})
    return render_template(
        "records/page.html", project=project, records=records, forms=shown
    ), status


def _submit(
    project_id: int, name: str, call: Callable[[Project, Any], object], success: str
) -> ResponseReturnValue:
    """Validate the form ``name``, call the service, then back to the page."""
    project = _project(project_id)
    form = FORMS[name](prefix=name)
    if form.validate_on_submit():
        try:
            call(project, form)
        except services.RecordNotFound:
            abort(404)
        except services.RecordsError as error:
            show_refusal(form, error)
        else:
            flash(success, "success")
            return redirect(
                url_for(
                    "records.page", project_id=project.id, _anchor=f"records-{name}"
                )
            )
    if form.errors and name in ("received", "informed"):
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "danger")
    return _page(project, failed={name: form}, status=400)


@bp.get(BASE)
@roles_required(*STAFF)
def page(project_id: int) -> ResponseReturnValue:
    """Every record the charter asks the member to keep for this project."""
    return _page(_project(project_id))


@bp.post(f"{BASE}/items")
@roles_required(*STAFF)
def add_item(project_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "item",
        lambda project, form: services.add_client_item(
            current_user,
            project,
            label=form.label.data,
            due_on=form.due_on.data,
            is_critical=form.is_critical.data,
        ),
        _("Élément à fournir enregistré."),
    )


@bp.post(f"{BASE}/items/<int:item_id>/received")
@roles_required(*STAFF)
def item_received(project_id: int, item_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "received",
        lambda project, form: services.mark_item_received(
            current_user, project, item_id, received_on=form.received_on.data
        ),
        _("Réception enregistrée."),
    )


@bp.post(f"{BASE}/budget")
@roles_required(*STAFF)
def set_budget(project_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "budget",
        lambda project, form: services.set_budget(
            current_user,
            project,
            setup_cost=form.setup_cost.data,
            recurring_cost=form.recurring_cost.data,
            recurring_period=RecurringPeriod(form.recurring_period.data),
            third_party_cost=form.third_party_cost.data,
            deadline_on=form.deadline_on.data,
        ),
        _("Budget et délai enregistrés."),
    )


@bp.post(f"{BASE}/changes")
@roles_required(*STAFF)
def add_change(project_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "change",
        lambda project, form: services.record_change(
            current_user,
            project,
            kind=ChangeKind(form.kind.data),
            summary=form.summary.data,
            announced_on=form.announced_on.data,
            effective_on=form.effective_on.data,
        ),
        _("Changement enregistré."),
    )


@bp.post(f"{BASE}/follow-ups")
@roles_required(*STAFF)
def add_follow_up(project_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "follow_up",
        lambda project, form: services.log_follow_up(
            current_user,
            project,
            kind=FollowUpKind(form.kind.data),
            held_on=form.held_on.data,
            summary=form.summary.data,
            send=form.send.data,
        ),
        _("Suivi enregistré."),
    )


@bp.post(f"{BASE}/deliveries")
@roles_required(*STAFF)
def add_delivery(project_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "delivery",
        lambda project, form: services.add_delivery(
            current_user,
            project,
            label=form.label.data,
            delivered_on=form.delivered_on.data,
        ),
        _("Livraison enregistrée."),
    )


@bp.post(f"{BASE}/handover")
@roles_required(*STAFF)
def set_handover(project_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "handover",
        lambda project, form: services.set_handover(
            current_user,
            project,
            mode=HandoverMode(form.mode.data),
            handed_on=form.handed_on.data,
            recipient=form.recipient.data or "",
            clause=form.clause.data or "",
        ),
        _("Remise des codes sources enregistrée."),
    )


@bp.post(f"{BASE}/technologies")
@roles_required(*STAFF)
def add_technology(project_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "technology",
        lambda project, form: services.add_technology(
            current_user,
            project,
            name=form.name.data,
            version=form.version.data or "",
            end_of_support_on=form.end_of_support_on.data,
        ),
        _("Technologie enregistrée."),
    )


@bp.post(f"{BASE}/technologies/<int:technology_id>/informed")
@roles_required(*STAFF)
def technology_informed(project_id: int, technology_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "informed",
        lambda project, form: services.record_client_informed(
            current_user, project, technology_id, informed_on=form.informed_on.data
        ),
        _("Information du client enregistrée."),
    )


@bp.post(f"{BASE}/backups")
@roles_required(*STAFF)
def add_backup(project_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "backup",
        lambda project, form: services.add_backup_plan(
            current_user,
            project,
            scope=form.scope.data,
            frequency=BackupFrequency(form.frequency.data),
            location=form.location.data,
            restore_hours=form.restore_hours.data,
        ),
        _("Plan de sauvegarde enregistré."),
    )


@bp.post(f"{BASE}/licences")
@roles_required(*STAFF)
def add_licence(project_id: int) -> ResponseReturnValue:
    return _submit(
        project_id,
        "licence",
        lambda project, form: services.add_licence(
            current_user,
            project,
            name=form.name.data,
            renews_on=form.renews_on.data,
            paid_by=Payer(form.paid_by.data),
        ),
        _("Licence enregistrée."),
    )


@bp.post(
    f"{BASE}/<any(items, changes, 'follow-ups', deliveries, technologies, backups, licences):kind>/<int:record_id>/delete"
)
@roles_required(*STAFF)
def remove(project_id: int, kind: str, record_id: int) -> ResponseReturnValue:
    project = _project(project_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.remove_record(current_user, project, kind, record_id)
    except services.RecordNotFound:
        abort(404)
    except services.RecordsError as error:
        flash(str(error), "danger")
        return _page(project, status=409)
    flash(_("Enregistrement supprimé."), "success")
    return redirect(url_for("records.page", project_id=project.id))
