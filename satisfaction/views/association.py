"""The association's pages: the charter questionnaire and its settings (the
secretariat), the comments clients shared with the board."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from core.database import expect_writes
from core.forms import show_refusal
from core.security import ASSOCIATION_ROLES, Role, roles_required
from satisfaction import services
from satisfaction.forms import FatigueForm
from satisfaction.views.common import bp


@bp.route("/admin/satisfaction", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def admin() -> ResponseReturnValue:
    # Not core.forms.form_page: this page's context names a ``template`` too.
    expect_writes()
    template = services.ensure_charter_template()
    form = FatigueForm(formdata=None, fatigue_days=services.fatigue_days())
    status = 200
    if request.method == "POST":
        form, status = FatigueForm(), 400
        if form.validate_on_submit():
            try:
                services.set_fatigue_days(current_user, days=form.fatigue_days.data)
            except services.BuilderError as error:
                show_refusal(form, error)
            else:
                flash(_("Réglage enregistré."), "success")
                return redirect(url_for("satisfaction.admin"))
    return render_template(
        "satisfaction/admin.html",
        template=template,
        version=services.current_version(template),
        form=form,
    ), status


@bp.get("/admin/satisfaction/comments")
@roles_required(*ASSOCIATION_ROLES)
def board_comments() -> ResponseReturnValue:
    return render_template(
        "satisfaction/board_comments.html", comments=services.board_comments()
    )
