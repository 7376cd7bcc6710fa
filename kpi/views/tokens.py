"""API tokens of a member: listed to its staff, created and revoked by its
administrators (the secret is shown once)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from core.forms import ConfirmForm
from core.security import roles_required
from kpi import services
from kpi.forms import TokenForm
from kpi.views.common import STAFF, bp, member_id, refused


@bp.route("/space/api-tokens", methods=["GET", "POST"])
@roles_required(*STAFF)
def tokens() -> ResponseReturnValue:
    form = TokenForm()
    secret = None
    status = 200
    if request.method == "POST":
        if not current_user.is_member_admin:
            abort(403)
        if form.validate_on_submit():
            try:
                _token, secret = services.create_token(
                    current_user, member_id(), name=form.name.data
                )
            except services.KpiError as error:
                refused(form, error)
                status = 400
            else:
                form = TokenForm(formdata=None)
        else:
            status = 400
    return render_template(
        "kpi/tokens.html",
        form=form,
        secret=secret,
        tokens=services.list_tokens(member_id()),
        revoke_form=ConfirmForm(formdata=None),
    ), status


@bp.post("/space/api-tokens/<int:token_id>/revoke")
@roles_required(*STAFF)
def token_revoke(token_id: int) -> ResponseReturnValue:
    token = services.get_token(member_id(), token_id) or abort(404)
    if not current_user.is_member_admin:
        abort(403)
    if ConfirmForm().validate_on_submit():
        services.revoke_token(current_user, token)
        flash(_("Jeton « %(name)s » révoqué.", name=token.name), "success")
    return redirect(url_for("kpi.tokens"))
