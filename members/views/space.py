"""The member's space: its clients, their contacts, its projects and its team."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from core.forms import ConfirmForm, choices, form_page
from core.security import Role, roles_required
from members import services
from members.errors import MembersError
from members.forms import ClientForm, ContactForm, InviteUserForm, ProjectForm
from members.models import ClientKind, ProjectStatus, ServiceType
from members.views.blueprint import STAFF, bp, invite_fields


@bp.get("/space/clients")
@roles_required(*STAFF)
def clients() -> ResponseReturnValue:
    return render_template(
        "members/space/clients.html",
        clients=services.list_clients(current_user.member_id),
    )


def _client_fields(form: ClientForm) -> dict[str, Any]:
    return {
        "name": form.name.data,
        "kind": ClientKind(form.kind.data),
        "headcount": form.headcount.data,
        "town": form.town.data,
        "confirm_over_limit": form.confirm_over_limit.data,
    }


@bp.route("/space/clients/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def client_new() -> ResponseReturnValue:
    form = ClientForm()
    return form_page(
        form,
        template="members/space/client_form.html",
        submit=lambda: services.create_client(
            current_user, current_user.member_id, **_client_fields(form)
        ),
        errors=MembersError,
        success=_("Client enregistré."),
        next_url=lambda client: url_for("members.client", client_id=client.id),
        client=None,
    )


@bp.get("/space/clients/<int:client_id>")
@roles_required(*STAFF)
def client(client_id: int) -> ResponseReturnValue:
    found = services.get_client(current_user.member_id, client_id) or abort(404)
    return render_template(
        "members/space/client.html",
        client=found,
        contacts=services.contacts_of(found),
        projects=services.list_projects(current_user.member_id, client_id=found.id),
        contact_form=ContactForm(formdata=None),
    )


@bp.route("/space/clients/<int:client_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def client_edit(client_id: int) -> ResponseReturnValue:
    found = services.get_client(current_user.member_id, client_id) or abort(404)
    form = ClientForm(obj=found)
    return form_page(
        form,
        template="members/space/client_form.html",
        submit=lambda: services.update_client(
            current_user, found, **_client_fields(form)
        ),
        errors=MembersError,
        success=_("Modifications enregistrées."),
        next_url=lambda _result: url_for("members.client", client_id=found.id),
        client=found,
    )


def _contact_fields(form: ContactForm) -> dict[str, Any]:
    return {
        "name": form.name.data,
        "email": form.email.data,
        "locale": form.locale.data,
        "job_title": form.job_title.data,
    }


@bp.route("/space/clients/<int:client_id>/contacts/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def contact_new(client_id: int) -> ResponseReturnValue:
    found = services.get_client(current_user.member_id, client_id) or abort(404)
    form = ContactForm()
    return form_page(
        form,
        template="members/space/contact_form.html",
        submit=lambda: services.add_contact(
            current_user, found, **_contact_fields(form)
        ),
        errors=MembersError,
        success=_("Contact ajouté."),
        next_url=lambda _result: url_for("members.client", client_id=found.id),
        client=found,
        contact=None,
    )


@bp.route("/space/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def contact_edit(contact_id: int) -> ResponseReturnValue:
    contact = services.get_contact(current_user.member_id, contact_id) or abort(404)
    form = ContactForm(obj=contact)
    return form_page(
        form,
        template="members/space/contact_form.html",
        submit=lambda: services.update_contact(
            current_user, contact, **_contact_fields(form)
        ),
        errors=MembersError,
        success=_("Modifications enregistrées."),
        next_url=lambda _result: url_for("members.client", client_id=contact.client_id),
        client=contact.client,
        contact=contact,
        confirm=ConfirmForm(),
    )


@bp.get("/space/contacts/<int:contact_id>/data.json")
@roles_required(*STAFF)
def contact_data(contact_id: int) -> ResponseReturnValue:
    contact = services.get_contact(current_user.member_id, contact_id) or abort(404)
    data = services.export_contact_data(current_user, contact)
    response = jsonify(data)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="contact-{contact.id}.json"'
    )
    return response


@bp.post("/space/contacts/<int:contact_id>/erase")
@roles_required(Role.MEMBER_ADMIN)
def contact_erase(contact_id: int) -> ResponseReturnValue:
    contact = services.get_contact(current_user.member_id, contact_id) or abort(404)
    if (
        not ConfirmForm().validate_on_submit()
        or request.form.get("confirm_erase") != "y"
    ):
        flash(
            _("Cochez la confirmation pour effacer les données du contact."), "danger"
        )
        return redirect(url_for("members.contact_edit", contact_id=contact.id)), 303
    services.erase_contact(current_user, contact)
    flash(_("Les données personnelles du contact sont effacées."), "success")
    return redirect(url_for("members.client", client_id=contact.client_id))


@bp.get("/space/projects")
@roles_required(*STAFF)
def projects() -> ResponseReturnValue:
    return render_template(
        "members/space/projects.html",
        projects=services.list_projects(current_user.member_id),
    )


def _project_form(obj: object | None = None) -> ProjectForm:
    form = ProjectForm(obj=obj)
    form.client_id.choices = choices(
        (c.id, c.name) for c in services.list_clients(current_user.member_id)
    )
    return form


def _project_fields(form: ProjectForm) -> dict[str, Any]:
    return {
        "client_id": form.client_id.data,
        "title": form.title.data,
        "service_type": ServiceType(form.service_type.data),
        "scope": form.scope.data or "",
        "deliverables": form.deliverables.data or "",
        "exclusions": form.exclusions.data or "",
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "status": ProjectStatus(form.status.data),
    }


@bp.route("/space/projects/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def project_new() -> ResponseReturnValue:
    form = _project_form()
    if request.method == "GET":
        if not form.client_id.choices:
            flash(_("Ajoutez d'abord un client."), "info")
            return redirect(url_for("members.client_new"))
        preset = request.args.get("client_id", type=int)
        if preset is not None:
            form.client_id.data = preset
    return form_page(
        form,
        template="members/space/project_form.html",
        submit=lambda: services.create_project(
            current_user, current_user.member_id, **_project_fields(form)
        ),
        errors=MembersError,
        success=_("Projet enregistré."),
        next_url=lambda project: url_for("members.project", project_id=project.id),
        project=None,
    )


@bp.get("/space/projects/<int:project_id>")
@roles_required(*STAFF)
def project(project_id: int) -> ResponseReturnValue:
    found = services.get_project(current_user.member_id, project_id) or abort(404)
    return render_template("members/space/project.html", project=found)


@bp.route("/space/projects/<int:project_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def project_edit(project_id: int) -> ResponseReturnValue:
    found = services.get_project(current_user.member_id, project_id) or abort(404)
    form = _project_form(obj=found)
    return form_page(
        form,
        template="members/space/project_form.html",
        submit=lambda: services.update_project(
            current_user, found, **_project_fields(form)
        ),
        errors=MembersError,
        success=_("Modifications enregistrées."),
        next_url=lambda _result: url_for("members.project", project_id=found.id),
        project=found,
    )


@bp.route("/space/team", methods=["GET", "POST"])
@roles_required(*STAFF)
def team() -> ResponseReturnValue:
    if request.method == "POST" and not current_user.is_member_admin:
        abort(403)
    form = InviteUserForm()
    return form_page(
        form,
        template="members/space/team.html",
        submit=lambda: services.invite_user(
            current_user, current_user.member, **invite_fields(form)
        ),
        errors=MembersError,
        success=_("Invitation envoyée à %(email)s.", email=form.email.data),
        next_url=lambda _result: url_for("members.team"),
        team=services.team_of(current_user.member),
    )


@bp.post("/space/team/<int:user_id>/active")
@roles_required(Role.MEMBER_ADMIN)
def team_user_active(user_id: int) -> ResponseReturnValue:
    user = services.get_colleague(current_user, user_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.set_user_active(
                current_user, user, active=request.form.get("active") == "1"
            )
        except MembersError as error:
            flash(str(error), "danger")
        else:
            flash(_("Modifications enregistrées."), "success")
    return redirect(url_for("members.team"))
