"""The secretariat's pages: members, their onboarding, signature, mark and team."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from core.forms import confirm_page, form_page, is_confirmed, show_refusal
from core.security import Role, roles_required
from members import services
from members.errors import MembersError
from members.forms import InviteUserForm, MarkStatusForm, MemberForm, SignatureForm
from members.models import MARK_STATUS_LABELS, MarkStatus
from members.views.blueprint import ASSOCIATION, bp, invite_fields


@bp.get("/admin/members")
@roles_required(*ASSOCIATION)
def admin_members() -> ResponseReturnValue:
    return render_template(
        "members/admin/members.html",
        members=services.list_members(),
        counts=services.count_by_member(),
        current_charter=services.current_version(),
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
        current_charter=services.current_version(),
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
    status = MarkStatus(form.mark_status.data)
    if not is_confirmed():
        return confirm_page(
            title=_("Droit d'usage de la marque"),
            question=_(
                "Êtes-vous sûr de vouloir passer la marque de %(member)s de « %(old)s » "
                "à « %(new)s » ?",
                member=member.name,
                old=MARK_STATUS_LABELS[member.mark_status],
                new=MARK_STATUS_LABELS[status],
            ),
            details=[
                _("Motif : %(reason)s", reason=form.reason.data),
                _(
                    "Le registre public et la page de vérification du badge "
                    "l'afficheront dès la confirmation."
                ),
            ],
            confirm_label=_("Oui, changer le statut"),
            cancel_url=url_for("members.admin_member", member_id=member.id),
            fields={"mark_status": status.value, "reason": form.reason.data or ""},
            danger=status is not MarkStatus.ACTIVE,
        )
    services.set_mark_status(
        current_user,
        member,
        status=status,
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
            current_user, member, **invite_fields(form)
        ),
        success=_("Invitation envoyée à %(email)s.", email=form.email.data),
    )
