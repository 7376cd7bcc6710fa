"""The charter's pages: its versions for the secretariat (draft, edit, publish)
and the board, the text in force for everyone, re-signing for the members."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from core.forms import confirm_page, form_page, is_confirmed, show_refusal
from core.security import Role, roles_required
from members import services
from members.errors import MembersError
from members.forms_charter import CharterDraftForm, CharterVersionForm, SignCharterForm
from members.markdown import render_markdown
from members.models_charter import NUMBER_LENGTH, CharterVersion
from members.services.charter_versions import NUMBER_PATTERN
from members.views.blueprint import ASSOCIATION, STAFF, bp


def _version_or_404(version_id: int) -> CharterVersion:
    return services.get_version(version_id) or abort(404)


def _versions_page(form: CharterDraftForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "members/admin/charter_versions.html",
        versions=services.list_versions(),
        current=services.current_version(),
        draft=services.draft_version(),
        form=form,
    ), status


@bp.get("/admin/charter")
@roles_required(*ASSOCIATION)
def admin_charter() -> ResponseReturnValue:
    return _versions_page(CharterDraftForm(formdata=None))


@bp.post("/admin/charter/drafts")
@roles_required(Role.SECRETARIAT)
def admin_charter_draft() -> ResponseReturnValue:
    form = CharterDraftForm()
    if form.validate_on_submit():
        try:
            draft = services.create_draft(current_user, number=form.number.data)
        except MembersError as error:
            show_refusal(form, error)
        else:
            flash(
                _(
                    "Brouillon %(number)s créé à partir de la version en vigueur.",
                    number=draft.number,
                ),
                "success",
            )
            return redirect(url_for("members.admin_charter_edit", version_id=draft.id))
    return _versions_page(form, 400)


@bp.get("/admin/charter/<int:version_id>")
@roles_required(*ASSOCIATION)
def admin_charter_version(version_id: int) -> ResponseReturnValue:
    version = _version_or_404(version_id)
    previous = services.previous_version(version)
    return render_template(
        "members/admin/charter_version.html",
        version=version,
        previous=previous,
        changed={c.code for c in services.changed_commitments(previous, version)},
        body=render_markdown(version.body),
    )


def _wordings(form: CharterVersionForm) -> dict[str, services.Wording]:
    return {
        entry.form.code.data: services.Wording(
            title=entry.form.title.data or "",
            text=entry.form.text.data or "",
            evidence=entry.form.evidence.data or "",
        )
        for entry in form.commitments
    }


@bp.route("/admin/charter/<int:version_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def admin_charter_edit(version_id: int) -> ResponseReturnValue:
    version = _version_or_404(version_id)
    if version.is_published:
        flash(_("Une version publiée ne se modifie plus."), "warning")
        return redirect(url_for("members.admin_charter_version", version_id=version.id))
    form = CharterVersionForm(obj=version)
    return form_page(
        form,
        template="members/admin/charter_form.html",
        submit=lambda: services.update_draft(
            current_user,
            version,
            title=form.title.data or "",
            body=form.body.data or "",
            wordings=_wordings(form),
        ),
        errors=MembersError,
        success=_("Brouillon enregistré."),
        next_url=lambda _r: url_for(
            "members.admin_charter_version", version_id=version.id
        ),
        version=version,
    )


@bp.post("/admin/charter/<int:version_id>/publish")
@roles_required(Role.SECRETARIAT)
def admin_charter_publish(version_id: int) -> ResponseReturnValue:
    version = _version_or_404(version_id)
    back = url_for("members.admin_charter_version", version_id=version.id)
    if version.is_published:
        flash(
            _("La version %(number)s est déjà publiée.", number=version.number),
            "warning",
        )
        return redirect(back), 303
    if not is_confirmed():
        previous = services.previous_version(version)
        changed = services.changed_commitments(previous, version)
        return confirm_page(
            title=_("Publier la version %(number)s", number=version.number),
            question=_(
                "Publier la version %(number)s de la charte ? Elle devient la "
                "version en vigueur et ne pourra plus être modifiée.",
                number=version.number,
            ),
            details=[
                _(
                    "Engagements reformulés : %(names)s",
                    names=", ".join(c.title for c in changed) or _("aucun"),
                ),
                _(
                    "Les adhérents ayant signé une version antérieure seront invités "
                    "à la relire et à la signer ; leur marque n'est pas modifiée."
                ),
            ],
            confirm_label=_("Oui, publier"),
            cancel_url=back,
            danger=False,
        )
    try:
        services.publish_version(current_user, version)
    except MembersError as error:
        flash(str(error), "danger")
        return redirect(back), 303
    flash(_("Version %(number)s publiée.", number=version.number), "success")
    return redirect(back)


# ---------------------------------------------------------------- public


def _public_page(version: CharterVersion) -> ResponseReturnValue:
    return render_template(
        "members/public/charter.html",
        version=version,
        current=services.current_version(),
        body=render_markdown(version.body),
        titles=services.commitment_titles(version),
    )


@bp.get("/charter")
def public_charter() -> ResponseReturnValue:
    version = services.current_version() or abort(404)
    return _public_page(version)


@bp.get("/charter/<string:number>")
def public_charter_version(number: str) -> ResponseReturnValue:
    version = (
        services.version_by_number(number)
        if NUMBER_PATTERN.fullmatch(number) and len(number) <= NUMBER_LENGTH
        else None
    )
    if version is None or not version.is_published:
        abort(404)
    return _public_page(version)


# ---------------------------------------------------------------- member's space


def _space_page(form: SignCharterForm, status: int = 200) -> ResponseReturnValue:
    member = current_user.member
    current = services.current_version()
    signed = (
        services.version_by_number(member.charter_version)
        if member.charter_version
        else None
    )
    changed = (
        services.changed_commitments(signed, current)
        if current is not None and signed is not None and signed.id != current.id
        else []
    )
    return render_template(
        "members/space/charter.html",
        member=member,
        current=current,
        due=services.signature_due(member),
        signed=signed,
        changed=changed,
        body=render_markdown(current.body) if current is not None else None,
        form=form,
    ), status


@bp.get("/space/charter")
@roles_required(*STAFF)
def space_charter() -> ResponseReturnValue:
    return _space_page(SignCharterForm(formdata=None))


@bp.post("/space/charter/sign")
@roles_required(Role.MEMBER_ADMIN)
def space_charter_sign() -> ResponseReturnValue:
    form = SignCharterForm()
    if form.validate_on_submit():
        try:
            services.sign_current(current_user, current_user.member)
        except MembersError as error:
            show_refusal(form, error)
        else:
            flash(
                _(
                    "Signature enregistrée : version %(number)s.",
                    number=current_user.member.charter_version,
                ),
                "success",
            )
            return redirect(url_for("members.space_charter"))
    return _space_page(form, 400)
