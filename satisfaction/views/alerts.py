"""The member's alerts raised by low scores, and their follow-up."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from core.security import roles_required
from satisfaction import services
from satisfaction.forms import FollowUpForm
from satisfaction.views.common import STAFF, bp


@bp.get("/space/alerts")
@roles_required(*STAFF)
def alerts() -> ResponseReturnValue:
    closed = request.args.get("closed") == "1"
    return render_template(
        "satisfaction/alerts.html",
        alerts=services.list_alerts(current_user.member_id, closed=closed),
        closed=closed,
        form=FollowUpForm(formdata=None),
    )


@bp.post("/space/alerts/<int:alert_id>")
@roles_required(*STAFF)
def alert_follow_up(alert_id: int) -> ResponseReturnValue:
    found = services.get_alert(current_user.member_id, alert_id) or abort(404)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            services.follow_up_alert(
                current_user,
                found,
                note=form.note.data or "",
                close=request.form.get("action") == "close",
            )
        except services.BuilderError as error:
            flash(str(error), "danger")
            return render_template(
                "satisfaction/alerts.html",
                alerts=services.list_alerts(current_user.member_id),
                closed=False,
                form=form,
                failed_id=found.id,
            ), 400
        flash(
            _("Alerte close.") if found.closed_at else _("Suivi enregistré."), "success"
        )
    return redirect(url_for("satisfaction.alerts"))
