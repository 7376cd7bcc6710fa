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
    if request.method == "POST":
        if not current_user.is_member_admin:
            abort(403)
        secret = _created_secret(form)
        if secret is not None:
            form = TokenForm(formdata=None)
    refused_post = request.method == "POST" and secret is None
    return render_template(
        "kpi/tokens.html",
        form=form,
        secret=secret,
        tokens=services.list_tokens(member_id()),
        revoke_form=ConfirmForm(formdata=None),
    ), 400 if refused_post else 200


def _created_secret(form: TokenForm) -> str | None:
    """The new token's secret (shown once), or None when refused."""
    if not form.validate_on_submit():
        return None
    try:
        _token, secret = services.create_token(
            current_user, member_id(), name=form.name.data
        )
    except services.KpiError as error:
        refused(form, error)
        return None
    return secret


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
