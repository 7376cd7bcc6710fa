"""The member's "Compétences, formations et veille" page: every staff member reads
it, the member's administrators keep it (add, correct, remove, show publicly)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from core.forms import ConfirmForm, show_refusal
from core.security import Role, roles_required
from members.errors import MembersError
from members.forms import (
    ExpertiseVisibilityForm,
    SkillForm,
    TrainingForm,
    WatchSourceForm,
)
from members.services import expertise
from members.views.blueprint import STAFF, bp

KIND = "<any(skills, trainings, sources):kind>"

FORMS: dict[str, type[FlaskForm]] = {
    "skills": SkillForm,
    "trainings": TrainingForm,
    "sources": WatchSourceForm,
}
ADD: dict[str, Callable[..., object]] = {
    "skills": expertise.add_skill,
    "trainings": expertise.add_training,
    "sources": expertise.add_watch_source,
}
UPDATE: dict[str, Callable[..., object]] = {
    "skills": expertise.update_skill,
    "trainings": expertise.update_training,
    "sources": expertise.update_watch_source,
}


def _fields(kind: str, form: Any) -> dict[str, Any]:
    """What the service of ``kind`` takes, from its form."""
    if kind == "skills":
        return {"name": form.name.data, "people": form.people.data}
    if kind == "trainings":
        return {
            "course": form.course.data,
            "provider": form.provider.data,
            "completed_on": form.completed_on.data,
            "attendees": form.attendees.data,
        }
    return {"name": form.name.data, "url": form.url.data, "topic": form.topic.data}


def _page(
    *, failed: dict[str, FlaskForm] | None = None, status: int = 200
) -> ResponseReturnValue:
    member = current_user.member
    shown = {kind: cls(formdata=None, prefix=kind) for kind, cls in FORMS.items()}
    shown.update(failed or {})
    return render_template(
        "members/space/expertise.html",
        member=member,
        expertise=expertise.expertise_of(member.id),
        forms=shown,
        visibility=ExpertiseVisibilityForm(
            formdata=None, shown=member.show_expertise_publicly
        ),
    ), status


def _back(kind: str | None = None) -> ResponseReturnValue:
    return redirect(
        url_for("members.expertise_page", _anchor=f"expertise-{kind}" if kind else None)
    )


@bp.get("/space/expertise")
@roles_required(*STAFF)
def expertise_page() -> ResponseReturnValue:
    """The team's skills, its trainings and its watch sources."""
    return _page()


@bp.post("/space/expertise/visibility")
@roles_required(Role.MEMBER_ADMIN)
def expertise_visibility() -> ResponseReturnValue:
    form = ExpertiseVisibilityForm()
    if not form.validate_on_submit():
        return _page(status=400)
    expertise.set_expertise_visibility(
        current_user, current_user.member, shown=form.shown.data
    )
    if form.shown.data:
        flash(_("Votre page publique affiche désormais ces informations."), "success")
    else:
        flash(_("Votre page publique n'affiche plus ces informations."), "success")
    return _back()


@bp.post(f"/space/expertise/{KIND}")
@roles_required(Role.MEMBER_ADMIN)
def expertise_add(kind: str) -> ResponseReturnValue:
    form = FORMS[kind](prefix=kind)
    if form.validate_on_submit():
        try:
            ADD[kind](current_user, current_user.member, **_fields(kind, form))
        except MembersError as error:
            show_refusal(form, error)
        else:
            flash(_("Enregistré."), "success")
            return _back(kind)
    return _page(failed={kind: form}, status=400)


@bp.route(f"/space/expertise/{KIND}/<int:entry_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MEMBER_ADMIN)
def expertise_edit(kind: str, entry_id: int) -> ResponseReturnValue:
    entry = expertise.get_entry(current_user.member_id, kind, entry_id) or abort(404)
    form = FORMS[kind](obj=entry, prefix=kind)
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                UPDATE[kind](current_user, entry, **_fields(kind, form))
            except MembersError as error:
                show_refusal(form, error)
            else:
                flash(_("Modifications enregistrées."), "success")
                return _back(kind)
    return render_template(
        "members/space/expertise_form.html", kind=kind, entry=entry, form=form
    ), status


@bp.post(f"/space/expertise/{KIND}/<int:entry_id>/delete")
@roles_required(Role.MEMBER_ADMIN)
def expertise_remove(kind: str, entry_id: int) -> ResponseReturnValue:
    entry = expertise.get_entry(current_user.member_id, kind, entry_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    expertise.remove_entry(current_user, entry)
    flash(_("Ligne supprimée."), "success")
    return _back(kind)
