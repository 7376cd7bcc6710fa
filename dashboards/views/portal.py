"""The client portal: a magic link on request (answered before the address is
looked up), the contact's projects, questions to the member, sign-out."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from core.database import expect_writes
from core.deferred import after_response
from core.extensions import limiter
from core.forms import attach_error
from core.visitor import forget_visitor, remember_visitor
from dashboards import services
from dashboards.figures import indicator_figures
from dashboards.forms import PortalRequestForm, QuestionForm
from dashboards.views.common import (
    PORTAL_KEY,
    PORTAL_STARTED,
    bp,
)


def _portal_limit() -> str:
    return str(current_app.config.get("PORTAL_RATE_LIMIT", "10 per hour"))


def _portal_email() -> str | None:
    email = session.get(PORTAL_KEY)
    if not isinstance(email, str) or not services.portal_session_valid(
        session.get(PORTAL_STARTED)
    ):
        session.pop(PORTAL_KEY, None)
        forget_visitor()
        return None
    return email


@bp.route("/portal", methods=["GET", "POST"])
@limiter.limit(_portal_limit, methods=["POST"])
def portal_request() -> ResponseReturnValue:
    form = PortalRequestForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("dashboards/portal/request.html", form=form), 400
        response = redirect(url_for("dashboards.portal_request"))
        # The same answer, in the same time, whether or not the address is known
        # (no enumeration): the lookup and the e-mail happen once it has left.
        response.call_on_close(
            after_response(services.request_portal_link, form.email.data)
        )
        flash(
            _(
                "Si cette adresse est celle d'un contact client, un lien de connexion vient de lui être envoyé. Il est valable 30 minutes."
            ),
            "info",
        )
        return response
    return render_template("dashboards/portal/request.html", form=form)


@bp.get("/portal/link/<token>")
def portal_link(token: str) -> ResponseReturnValue:
    expect_writes()
    try:
        email = services.consume_portal_link(token)
    except services.DashboardError as error:
        page = render_template("dashboards/portal/invalid.html", message=str(error))
        return page, 410, {"Referrer-Policy": "no-referrer"}
    session.clear()
    session[PORTAL_KEY] = email
    session[PORTAL_STARTED] = time.time()
    remember_visitor(services.portal_visitor(email))
    done = redirect(url_for("dashboards.portal_projects"))
    done.headers["Referrer-Policy"] = "no-referrer"
    return done


@bp.get("/portal/projects")
def portal_projects() -> ResponseReturnValue:
    email = _portal_email()
    if email is None:
        return redirect(url_for("dashboards.portal_request"))
    return render_template(
        "dashboards/portal/projects.html",
        projects=services.portal_projects(email),
    )


def _portal_page(email: str, found: dict[str, Any], form: QuestionForm) -> str:
    page = services.portal_page(email, found)
    return render_template(
        "dashboards/portal/project.html",
        project=found,
        page=page,
        form=form,
        figures=indicator_figures(page["summaries"]),
        complaint_url=services.complaint_url(found["member_id"], found["id"]),
    )


@bp.get("/portal/projects/<int:project_id>")
def portal_project(project_id: int) -> ResponseReturnValue:
    email = _portal_email()
    if email is None:
        return redirect(url_for("dashboards.portal_request"))
    found = services.portal_project(email, project_id) or abort(404)
    return _portal_page(email, found, QuestionForm(formdata=None))


@bp.post("/portal/projects/<int:project_id>/question")
@limiter.limit(_portal_limit)
def portal_question(project_id: int) -> ResponseReturnValue:
    email = _portal_email()
    if email is None:
        return redirect(url_for("dashboards.portal_request"))
    found = services.portal_project(email, project_id) or abort(404)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.ask_member(email, found, message=form.message.data)
        except services.DashboardError as error:
            if not attach_error(form, error.field, str(error)):
                flash(str(error), "danger")
        else:
            sent = _(
                "Votre question a été transmise à %(member)s.", member=found["member"]
            )
            flash(sent, "success")
            return redirect(
                url_for("dashboards.portal_project", project_id=found["id"])
            )
    return _portal_page(email, found, form), 400


@bp.post("/portal/logout")
def portal_logout() -> ResponseReturnValue:
    session.pop(PORTAL_KEY, None)
    session.pop(PORTAL_STARTED, None)
    forget_visitor()
    flash(_("Vous êtes déconnecté du portail."), "info")
    return redirect(url_for("dashboards.portal_request"))
