"""Pages of the members feature: sign-in, the secretariat's onboarding, the member's
clients, contacts, projects and team, and the public registry and badge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm

from core.extensions import limiter
from core.forms import ConfirmForm, choices, form_page, show_refusal
from core.navigation import nav_items
from core.security import (
    ASSOCIATION_ROLES,
    Role,
    is_safe_next,
    login_required,
    roles_required,
)
from members import services
from members.badge import badge_svg
from members.errors import MembersError
from members.forms import (
    AccountForm,
    ClientForm,
    ContactForm,
    InviteUserForm,
    LoginForm,
    MarkStatusForm,
    MemberForm,
    PasswordForgotForm,
    PasswordSetForm,
    ProjectForm,
    SignatureForm,
)
from members.models import (
    CLIENT_KIND_LABELS,
    MARK_STATUS_LABELS,
    PROJECT_STATUS_LABELS,
    ROLE_LABELS,
    SERVICE_LABELS,
    ClientKind,
    MarkStatus,
    ProjectStatus,
    ServiceType,
    TokenPurpose,
)

bp = Blueprint("members", __name__, template_folder="templates")

STAFF = (Role.MEMBER_ADMIN, Role.MEMBER_USER)
ASSOCIATION = tuple(ASSOCIATION_ROLES)


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "SERVICE_LABELS": SERVICE_LABELS,
        "CLIENT_KIND_LABELS": CLIENT_KIND_LABELS,
        "PROJECT_STATUS_LABELS": PROJECT_STATUS_LABELS,
        "MARK_STATUS_LABELS": MARK_STATUS_LABELS,
        "ROLE_LABELS": ROLE_LABELS,
    }


# ---------------------------------------------------------------- sign-in


@bp.get("/")
def home() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return render_template("members/public/home.html")
    # A signed-in user lands on the first entry of their menu (the features decide
    # the order: the dashboards come first once installed).
    items = nav_items()
    return redirect(url_for(items[0].endpoint if items else "members.account"))


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("members.home"))
    form = LoginForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("members/auth/login.html", form=form), 400
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Adresse e-mail ou mot de passe incorrect."), "danger")
            return render_template("members/auth/login.html", form=form), 400
        login_user(user, remember=form.remember.data)
        target = request.args.get("next")
        return redirect(target if is_safe_next(target) else url_for("members.home"))
    return render_template("members/auth/login.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        logout_user()
        flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("members.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = PasswordForgotForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("members/auth/forgot.html", form=form), 400
        services.request_password_reset(form.email.data, locale=str(get_locale()))
        flash(
            _("Si un compte existe pour cette adresse, un lien vient d'y être envoyé."),
            "info",
        )
        return redirect(url_for("members.login"))
    return render_template("members/auth/forgot.html", form=form)


def _password_page(
    token: str, purpose: TokenPurpose, template: str
) -> ResponseReturnValue:
    found = services.find_token(token, purpose)
    if found is None:
        return render_template("members/auth/link_invalid.html"), 404
    form = PasswordSetForm()
    if request.method == "GET" and not form.full_name.data:
        form.full_name.data = found.user.full_name
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template(template, form=form, account=found.user), 400
        return _set_password(token, purpose, form)
    return render_template(template, form=form, account=found.user)


def _set_password(
    token: str, purpose: TokenPurpose, form: PasswordSetForm
) -> ResponseReturnValue:
    try:
        user = services.set_password_with_token(
            token,
            purpose,
            password=form.password.data,
            full_name=form.full_name.data,
        )
    except MembersError as error:
        flash(str(error), "danger")
        return render_template("members/auth/link_invalid.html"), 404
    login_user(user)
    flash(_("Votre mot de passe est enregistré. Bienvenue !"), "success")
    return redirect(url_for("members.home"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    return _password_page(token, TokenPurpose.INVITATION, "members/auth/accept.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    return _password_page(token, TokenPurpose.PASSWORD_RESET, "members/auth/reset.html")


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    form = AccountForm(obj=current_user)
    return form_page(
        form,
        template="members/auth/account.html",
        submit=lambda: services.update_account(
            current_user, full_name=form.full_name.data, locale=form.locale.data
        ),
        errors=MembersError,
        success=_("Vos préférences sont enregistrées."),
        next_url=lambda _result: url_for("members.account"),
    )


# ---------------------------------------------------------------- secretariat


@bp.get("/admin/members")
@roles_required(*ASSOCIATION)
def admin_members() -> ResponseReturnValue:
    return render_template(
        "members/admin/members.html",
        members=services.list_members(),
        counts=services.count_by_member(),
    )


def _member_fields(form: MemberForm) -> dict[str, Any]:
    return {
        "name": form.name.data,
        "siret": form.siret.data,
        "department": form.department.data,
        "town": form.town.data,
        "website": form.website.data,
        "services": form.services.data,
        "is_public": form.is_public.data,
    }


@bp.route("/admin/members/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def admin_member_new() -> ResponseReturnValue:
    form = MemberForm()
    return form_page(
        form,
        template="members/admin/member_form.html",
        submit=lambda: services.onboard_member(current_user, **_member_fields(form)),
        errors=MembersError,
        success=_("Adhérent « %(name)s » enregistré.", name=form.name.data),
        next_url=lambda member: url_for("members.admin_member", member_id=member.id),
        member=None,
    )


def _admin_member_page(
    member_id: int, status: int = 200, **forms: object
) -> ResponseReturnValue:
    member = services.get_member(member_id) or abort(404)
    context = {
        "signature_form": SignatureForm(obj=member, formdata=None),
        "mark_form": MarkStatusForm(
            formdata=None, mark_status=member.mark_status.value
        ),
        "invite_form": InviteUserForm(formdata=None, role=Role.MEMBER_ADMIN.value),
    }
    context.update(forms)
    return render_template(
        "members/admin/member.html",
        member=member,
        team=services.team_of(member),
        **context,
    ), status


def _admin_member_action(
    member_id: int,
    form_name: str,
    form: FlaskForm,
    *,
    submit: Callable[[], object],
    success: str,
) -> ResponseReturnValue:
    """A form posted from the member's page: back to it, or the page again (400)."""
    if form.validate_on_submit():
        try:
            submit()
        except MembersError as error:
            show_refusal(form, error)
        else:
            flash(success, "success")
            return redirect(url_for("members.admin_member", member_id=member_id))
    return _admin_member_page(member_id, 400, **{form_name: form})


def _invite_fields(form: InviteUserForm) -> dict[str, Any]:
    return {
        "email": form.email.data,
        "role": Role(form.role.data),
        "full_name": form.full_name.data,
        "locale": form.locale.data,
    }


@bp.get("/admin/members/<int:member_id>")
@roles_required(*ASSOCIATION)
def admin_member(member_id: int) -> ResponseReturnValue:
    return _admin_member_page(member_id)


@bp.route("/admin/members/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def admin_member_edit(member_id: int) -> ResponseReturnValue:
    member = services.get_member(member_id) or abort(404)
    form = MemberForm(obj=member)
    return form_page(
        form,
        template="members/admin/member_form.html",
        submit=lambda: services.update_member(
            current_user, member, **_member_fields(form)
        ),
        errors=MembersError,
        success=_("Modifications enregistrées."),
        next_url=lambda _result: url_for("members.admin_member", member_id=member.id),
        member=member,
    )


@bp.post("/admin/members/<int:member_id>/signature")
@roles_required(Role.SECRETARIAT)
def admin_member_signature(member_id: int) -> ResponseReturnValue:
    member = services.get_member(member_id) or abort(404)
    form = SignatureForm()
    return _admin_member_action(
        member.id,
        "signature_form",
        form,
        submit=lambda: services.record_signature(
            current_user,
            member,
            charter_version=form.charter_version.data,
            signed_on=form.signed_on.data,
        ),
        success=_("Signature de la charte enregistrée."),
    )


@bp.post("/admin/members/<int:member_id>/mark")
@roles_required(*ASSOCIATION)
def admin_member_mark(member_id: int) -> ResponseReturnValue:
    member = services.get_member(member_id) or abort(404)
    form = MarkStatusForm()
    if not form.validate_on_submit():
        return _admin_member_page(member_id, 400, mark_form=form)
    services.set_mark_status(
        current_user,
        member,
        status=MarkStatus(form.mark_status.data),
        reason=form.reason.data,
    )
    flash(
        _(
            "Statut de la marque : %(status)s.",
            status=MARK_STATUS_LABELS[member.mark_status],
        ),
        "success",
    )
    return redirect(url_for("members.admin_member", member_id=member.id))


@bp.post("/admin/members/<int:member_id>/invite")
@roles_required(Role.SECRETARIAT)
def admin_member_invite(member_id: int) -> ResponseReturnValue:
    member = services.get_member(member_id) or abort(404)
    form = InviteUserForm()
    return _admin_member_action(
        member.id,
        "invite_form",
        form,
        submit=lambda: services.invite_user(
            current_user, member, **_invite_fields(form)
        ),
        success=_("Invitation envoyée à %(email)s.", email=form.email.data),
    )


# ---------------------------------------------------------------- member space


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
    )


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
            current_user, current_user.member, **_invite_fields(form)
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


# ---------------------------------------------------------------- public


@bp.get("/registry")
def registry() -> ResponseReturnValue:
    return render_template(
        "members/public/registry.html", members=services.registry_members()
    )


@bp.get("/registry/<int:member_id>")
def registry_member(member_id: int) -> ResponseReturnValue:
    member = services.public_member(member_id) or abort(404)
    return render_template("members/public/verify.html", member=member)


@bp.get("/registry/<int:member_id>/badge.svg")
def badge(member_id: int) -> ResponseReturnValue:
    member = services.public_member(member_id) or abort(404)
    # Embedded on the member's own site: ?lang=en gives the English label.
    lang = request.args.get("lang")
    with force_locale(
        lang if lang in current_app.config["LANGUAGES"] else str(get_locale())
    ):
        label = str(MARK_STATUS_LABELS[member.mark_status])
    svg = badge_svg(
        association=current_app.config["ASSOCIATION_NAME"],
        status_key=member.mark_status.value,
        status_label=label,
        name=member.name,
    )
    response = Response(svg, mimetype="image/svg+xml")
    # Live status: caches may keep it five minutes at most.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'"
    )
    return response
