"""Pages of the satisfaction feature: the client's answer page (no account), the
member's questionnaires, campaigns, responses and alerts, the secretariat's
charter questionnaire and settings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import (
    Blueprint,
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
from flask.wrappers import Response as FlaskResponse
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from core.database import expect_writes, utcnow
from core.extensions import csrf_exempt, limiter
from core.forms import ConfirmForm, attach_error, choices, form_page
from core.security import ASSOCIATION_ROLES, Role, roles_required
from members import services as members_services
from members.models import Project
from satisfaction import charts, scoring, services
from satisfaction.forms import (
    CampaignForm,
    FatigueForm,
    FollowUpForm,
    QuestionForm,
    QuestionnaireForm,
    RenameForm,
)
from satisfaction.models import (
    ALERT_REASON_LABELS,
    CHOICE_TYPES,
    COMMITMENT_LABELS,
    QUESTION_TYPE_LABELS,
    Commitment,
    Invitation,
    QuestionType,
)

bp = Blueprint(
    "satisfaction",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/satisfaction/static",
)

STAFF = (Role.MEMBER_ADMIN, Role.MEMBER_USER)
EDITORS = (Role.MEMBER_ADMIN, Role.MEMBER_USER, Role.SECRETARIAT)
SESSION_KEY = "satisfaction.invitation"
PUBLIC_ENDPOINTS = frozenset(
    {
        "satisfaction.open_link",
        "satisfaction.answer",
        "satisfaction.thanks",
        "satisfaction.unsubscribe",
    }
)


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "sat": SimpleNamespace(
            commitments=COMMITMENT_LABELS,
            types=QUESTION_TYPE_LABELS,
            metrics=scoring.METRIC_LABELS,
            reasons=ALERT_REASON_LABELS,
            min_answers=scoring.MIN_ANSWERS,
            choice_types=CHOICE_TYPES,
        )
    }


@bp.after_request
def no_referrer(response: FlaskResponse) -> FlaskResponse:
    """The answer pages never leak their URL (or the token) through a Referer."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


def _survey_limit() -> str:
    return str(current_app.config.get("SURVEY_RATE_LIMIT", "60 per minute"))


def _refused(form: Any, error: services.BuilderError) -> None:
    if not attach_error(form, error.field, str(error)):
        flash(str(error), "danger")


# ---------------------------------------------------------------- the client


def _link_page(
    error: services.LinkError, locale: str | None = None
) -> ResponseReturnValue:
    with force_locale(locale or str(get_locale() or "fr")):
        body = render_template(
            "satisfaction/public/link_invalid.html",
            message=str(error),
            reason=error.reason,
            locale=locale or str(get_locale() or "fr"),
        )
    return body, error.status


def _contact_locale(invitation: Invitation | services.OpenInvitation) -> str:
    locale = (
        invitation.locale
        if isinstance(invitation, services.OpenInvitation)
        else invitation.contact.locale
    )
    return locale if locale in current_app.config["LANGUAGES"] else "fr"


@bp.get("/s/<token>")
@limiter.limit(_survey_limit)
def open_link(token: str) -> ResponseReturnValue:
    """Exchange the e-mailed token for a session, then drop it from the URL."""
    expect_writes()
    try:
        invitation = services.open_link(token)
    except services.LinkError as error:
        return _link_page(error)
    session[SESSION_KEY] = invitation.id
    return redirect(url_for("satisfaction.answer"))


def _render_survey(
    invitation: services.OpenInvitation,
    page: services.SurveyPage,
    *,
    values: dict[str, list[str]],
    share: bool,
    errors: dict[int, str] | None = None,
    status: int = 200,
    preview: bool = False,
) -> ResponseReturnValue:
    locale = _contact_locale(invitation)
    with force_locale(locale):
        body = render_template(
            "satisfaction/public/answer.html",
            invitation=invitation,
            member_name=invitation.member_name,
            project={"title": invitation.project_title},
            page=page,
            values=values,
            share=share,
            errors=errors or {},
            locale=locale,
            preview=preview,
            expires_at=invitation.expires_at,
        )
    response = current_app.make_response((body, status))
    response.headers["Content-Language"] = locale
    return response


def _member_name(member_id: int) -> str:
    member = members_services.get_member(member_id)
    return member.name if member else ""


@bp.route("/s/answer", methods=["GET", "POST"])
@limiter.limit(_survey_limit)
# The answer form is exempt from Flask-WTF's CSRF check on purpose: its tokens
# expire (WTF_CSRF_TIME_LIMIT) and a client who takes longer than that would lose
# a questionnaire. What protects it instead: the form only acts on the invitation
# held in the signed session cookie (SameSite=Lax, so a cross-site POST carries
# no session and gets the "session expired" page), and the only thing a forged
# submission could do is answer the victim's own questionnaire in its place.
@csrf_exempt
def answer() -> ResponseReturnValue:
    if request.method == "POST":
        expect_writes()
    try:
        invitation = services.invitation_for_session(session.get(SESSION_KEY))
    except services.LinkError as error:
        return _link_page(error)
    locale = _contact_locale(invitation)
    if request.method == "GET":
        page = services.page_of(invitation, request.args.get("page", 1, type=int))
        values, share = services.saved_form(invitation)
        return _render_survey(invitation, page, values=values, share=share)

    page = services.page_of(invitation, request.form.get("page", 1, type=int))
    action = request.form.get("action", "next")
    form = request.form.to_dict(flat=False)
    share = request.form.get("share_with_board") == "1"
    try:
        services.save_answers(
            invitation,
            page=page,
            form=form,
            share_with_board=share if page.is_last else None,
            submit=action == "submit" and page.is_last,
            require_page=action in ("next", "submit"),
        )
    except services.AlreadyAnsweredError as error:
        with force_locale(locale):
            return _link_page(
                services.LinkError(str(error), status=409, reason="answered"), locale
            )
    except services.AnswersRefusedError as error:
        with force_locale(locale):
            messages = {qid: str(message) for qid, message in error.errors.items()}
            summary = str(error)
        if not any(q.id in messages for q in page.questions):
            # A required question of another page: show that page.
            page = services.page_of(
                invitation, services.first_missing_page(invitation, list(messages))
            )
            form, share = services.saved_form(invitation)
        with force_locale(locale):
            flash(summary, "danger")
        return _render_survey(
            invitation, page, values=form, share=share, errors=messages, status=400
        )
    with force_locale(locale):
        if action == "submit" and page.is_last:
            session.pop(SESSION_KEY, None)
            session["satisfaction.answered"] = invitation.id
            return redirect(url_for("satisfaction.thanks"))
        if action == "save":
            flash(
                _(
                    "Vos réponses sont enregistrées. Vous pourrez reprendre avec le "
                    "même lien jusqu'au %(date)s.",
                    date=_format_date(invitation),
                ),
                "success",
            )
            return redirect(url_for("satisfaction.answer", page=page.number))
    target = page.number - 1 if action == "previous" else page.number + 1
    return redirect(url_for("satisfaction.answer", page=target))


def _format_date(invitation: services.OpenInvitation) -> str:
    from flask_babel import format_date

    return str(format_date(invitation.expires_at, "long"))


@bp.get("/s/thanks")
def thanks() -> ResponseReturnValue:
    invitation_id = session.get("satisfaction.answered")
    invitation = services.get_invitation(invitation_id)
    locale = _contact_locale(invitation) if invitation else str(get_locale() or "fr")
    with force_locale(locale):
        body = render_template(
            "satisfaction/public/thanks.html",
            member_name=_member_name(invitation.member_id) if invitation else "",
            locale=locale,
        )
    return body


@bp.route("/s/unsubscribe/<token>", methods=["GET", "POST"])
@limiter.limit(_survey_limit)
# One-click unsubscribe (RFC 8058) is a POST from the mail client without any
# CSRF token; the signed token in the URL is the protection.
@csrf_exempt
def unsubscribe(token: str) -> ResponseReturnValue:
    if request.method == "POST":
        expect_writes()
    invitation = services.invitation_for_unsubscribe(token)
    if invitation is None:
        return _link_page(
            services.LinkError(
                _("Ce lien de désinscription n'existe pas."),
                status=404,
                reason="unknown",
            )
        )
    locale = _contact_locale(invitation)
    done = invitation.contact.opted_out_at is not None
    if request.method == "POST" and not done:
        services.unsubscribe(invitation)
        done = True
    with force_locale(locale):
        body = render_template(
            "satisfaction/public/unsubscribe.html",
            done=done,
            member_name=_member_name(invitation.member_id),
            token=token,
            locale=locale,
        )
    return body


# ---------------------------------------------------------------- questionnaires


@bp.get("/space/questionnaires")
@roles_required(*STAFF)
def questionnaires() -> ResponseReturnValue:
    return render_template(
        "satisfaction/questionnaires.html",
        questionnaires=services.list_questionnaires(current_user.member_id),
        form=QuestionnaireForm(formdata=None),
    )


@bp.post("/space/questionnaires/new")
@roles_required(*STAFF)
def questionnaire_new() -> ResponseReturnValue:
    form = QuestionnaireForm()
    if form.validate_on_submit():
        try:
            questionnaire = services.create_questionnaire(
                current_user,
                current_user.member_id,
                title=form.title.data,
                from_charter=form.source.data == "charter",
            )
        except services.BuilderError as error:
            _refused(form, error)
        else:
            flash(_("Questionnaire créé."), "success")
            return redirect(
                url_for("satisfaction.builder", questionnaire_id=questionnaire.id)
            )
    return render_template(
        "satisfaction/questionnaires.html",
        questionnaires=services.list_questionnaires(current_user.member_id),
        form=form,
    ), 400


def _editable(questionnaire_id: int) -> Any:
    return services.get_questionnaire_for(current_user, questionnaire_id) or abort(404)


def _builder_page(
    questionnaire: Any, status: int = 200, **forms: Any
) -> ResponseReturnValue:
    version = services.current_version(questionnaire)
    context = {
        "rename_form": RenameForm(formdata=None, title=questionnaire.title),
        "question_form": QuestionForm(formdata=None),
    }
    context.update(forms)
    return render_template(
        "satisfaction/builder.html",
        questionnaire=questionnaire,
        version=version,
        versions=services.version_count(questionnaire),
        confirm=ConfirmForm(),
        **context,
    ), status


@bp.get("/space/questionnaires/<int:questionnaire_id>")
@roles_required(*EDITORS)
def builder(questionnaire_id: int) -> ResponseReturnValue:
    return _builder_page(_editable(questionnaire_id))


@bp.post("/space/questionnaires/<int:questionnaire_id>/rename")
@roles_required(*EDITORS)
def questionnaire_rename(questionnaire_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    form = RenameForm()
    if form.validate_on_submit():
        try:
            services.rename_questionnaire(
                current_user, questionnaire, title=form.title.data
            )
        except services.BuilderError as error:
            _refused(form, error)
        else:
            flash(_("Modifications enregistrées."), "success")
            return redirect(
                url_for("satisfaction.builder", questionnaire_id=questionnaire.id)
            )
    return _builder_page(questionnaire, 400, rename_form=form)


def _question_fields(form: QuestionForm) -> dict[str, Any]:
    return {
        "kind": QuestionType(form.kind.data),
        "text_fr": form.text_fr.data or "",
        "text_en": form.text_en.data or "",
        "options_fr": (form.options_fr.data or "").splitlines(),
        "options_en": (form.options_en.data or "").splitlines(),
        "is_required": bool(form.is_required.data),
        "commitment": Commitment(form.commitment.data)
        if form.commitment.data
        else None,
    }


@bp.route(
    "/space/questionnaires/<int:questionnaire_id>/questions/new",
    methods=["GET", "POST"],
)
@roles_required(*EDITORS)
def question_new(questionnaire_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    form = QuestionForm()
    return form_page(
        form,
        template="satisfaction/question_form.html",
        submit=lambda: services.add_question(
            current_user, questionnaire, **_question_fields(form)
        ),
        errors=services.BuilderError,
        success=_("Question ajoutée."),
        next_url=lambda _r: url_for(
            "satisfaction.builder", questionnaire_id=questionnaire.id
        ),
        questionnaire=questionnaire,
        question=None,
    )


@bp.route(
    "/space/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/edit",
    methods=["GET", "POST"],
)
@roles_required(*EDITORS)
def question_edit(questionnaire_id: int, question_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    question = services.find_question(questionnaire, question_id) or abort(404)
    form = QuestionForm()
    if request.method == "GET":
        form.process(
            data={
                "kind": question.type.value,
                "text_fr": question.text_fr,
                "text_en": question.text_en,
                "options_fr": "\n".join(o.get("fr", "") for o in question.options),
                "options_en": "\n".join(o.get("en", "") for o in question.options),
                "commitment": question.commitment.value if question.commitment else "",
                "is_required": question.is_required,
            }
        )
    return form_page(
        form,
        template="satisfaction/question_form.html",
        submit=lambda: services.update_question(
            current_user, questionnaire, question.id, **_question_fields(form)
        ),
        errors=services.BuilderError,
        success=_("Question modifiée."),
        next_url=lambda _r: url_for(
            "satisfaction.builder", questionnaire_id=questionnaire.id
        ),
        questionnaire=questionnaire,
        question=question,
    )


@bp.post(
    "/space/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/delete"
)
@roles_required(*EDITORS)
def question_delete(questionnaire_id: int, question_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    services.find_question(questionnaire, question_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_question(current_user, questionnaire, question_id)
        flash(_("Question supprimée."), "success")
    return redirect(url_for("satisfaction.builder", questionnaire_id=questionnaire.id))


@bp.post(
    "/space/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/move"
)
@roles_required(*EDITORS)
def question_move(questionnaire_id: int, question_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    services.find_question(questionnaire, question_id) or abort(404)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    if ConfirmForm().validate_on_submit():
        services.move_question(
            current_user,
            questionnaire,
            question_id,
            offset=-1 if direction == "up" else 1,
        )
    return redirect(url_for("satisfaction.builder", questionnaire_id=questionnaire.id))


@bp.get("/space/questionnaires/<int:questionnaire_id>/preview")
@roles_required(*EDITORS)
def preview(questionnaire_id: int) -> ResponseReturnValue:
    questionnaire = _editable(questionnaire_id)
    version = services.current_version(questionnaire)
    locale = request.args.get("lang", "fr")
    if locale not in current_app.config["LANGUAGES"]:
        locale = "fr"
    questions = sorted(version.questions, key=lambda q: q.position)
    page = services.SurveyPage(1, 1, questions)
    with force_locale(locale):
        body = render_template(
            "satisfaction/public/answer.html",
            invitation=None,
            member_name=questionnaire.member.name if questionnaire.member else "",
            project=None,
            page=page,
            values={},
            share=False,
            errors={},
            locale=locale,
            preview=True,
            questionnaire=questionnaire,
            expires_at=None,
        )
    return body


# ---------------------------------------------------------------- campaigns


def _campaign_form(project: Project) -> CampaignForm:
    form = CampaignForm()
    form.questionnaire_id.choices = choices(
        (q.id, q.title) for q in services.list_questionnaires(project.member_id)
    )
    form.contact_ids.choices = choices(
        (
            c.id,
            f"{c.name} <{c.email}>"
            + (f" — {_('désinscrit')}" if c.opted_out_at else ""),
        )
        for c in services.project_contacts(project)
    )
    return form


def _reminder_days(raw: str | None) -> list[int]:
    days = []
    for part in (raw or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise services.BuilderError(
                _("Indiquez des nombres de jours séparés par des virgules."),
                field="reminder_days",
            )
        days.append(int(part))
    return days


@bp.route("/space/projects/<int:project_id>/campaigns/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def campaign_new(project_id: int) -> ResponseReturnValue:
    project = members_services.get_project(current_user.member_id, project_id) or abort(
        404
    )
    form = _campaign_form(project)
    upcoming: list[Any] = []
    describe = None
    if request.method == "GET":
        form.name.data = form.name.data or _(
            "Satisfaction — %(title)s", title=project.title
        )
        form.contact_ids.data = [
            c.id for c in services.project_contacts(project) if c.opted_out_at is None
        ]
        return render_template(
            "satisfaction/campaign_form.html",
            form=form,
            project=project,
            upcoming=upcoming,
        )
    status = 400
    if form.validate_on_submit():
        try:
            recurrence = services.build_recurrence(
                kind=form.kind.data,
                project=project,
                run_on=form.run_on.data,
                at=form.at.data,
                months=form.months.data,
                day_of_month=form.day_of_month.data,
                start_on=form.start_on.data,
                accepted_on=form.accepted_on.data,
                expression=form.expression.data,
            )
            upcoming = services.upcoming_sends(recurrence, now=utcnow())
            from satisfaction.recurrence import describe as describe_recurrence

            describe = describe_recurrence(recurrence, str(get_locale() or "fr"))
            if request.form.get("action") == "preview":
                status = 200
            else:
                campaign = services.create_campaign(
                    current_user,
                    project,
                    name=form.name.data,
                    questionnaire_id=form.questionnaire_id.data,
                    contact_ids=form.contact_ids.data or [],
                    recurrence=recurrence,
                    reminder_days=_reminder_days(form.reminder_days.data),
                    max_reminders=form.max_reminders.data,
                    link_valid_days=form.link_valid_days.data,
                )
                flash(_("Campagne enregistrée."), "success")
                return redirect(
                    url_for("satisfaction.campaign", campaign_id=campaign.id)
                )
        except services.RecurrenceError as error:
            attach_error(form, "kind", str(error))
        except services.BuilderError as error:
            _refused(form, error)
    return render_template(
        "satisfaction/campaign_form.html",
        form=form,
        project=project,
        upcoming=upcoming,
        describe=describe,
    ), status


@bp.get("/space/campaigns/<int:campaign_id>")
@roles_required(*STAFF)
def campaign(campaign_id: int) -> ResponseReturnValue:
    found = services.get_campaign(current_user.member_id, campaign_id) or abort(404)
    from satisfaction.recurrence import describe as describe_recurrence

    recurrence = services.campaign_recurrence(found)
    latest = services.current_version(found.version.questionnaire)
    return render_template(
        "satisfaction/campaign.html",
        campaign=found,
        describe=describe_recurrence(recurrence, str(get_locale() or "fr")),
        upcoming=services.upcoming_sends(recurrence, now=utcnow())
        if not found.is_paused
        else [],
        stats=services.campaign_stats([found])[0],
        rows=services.invitations_of(found),
        newer_version=latest if latest.id != found.version_id else None,
        confirm=ConfirmForm(),
    )


@bp.post("/space/campaigns/<int:campaign_id>/<any(pause, resume):action>")
@roles_required(*STAFF)
def campaign_pause(campaign_id: int, action: str) -> ResponseReturnValue:
    found = services.get_campaign(current_user.member_id, campaign_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        services.set_paused(current_user, found, paused=action == "pause")
        flash(
            _("Campagne en pause.") if action == "pause" else _("Campagne reprise."),
            "success",
        )
    return redirect(url_for("satisfaction.campaign", campaign_id=found.id))


@bp.post("/space/campaigns/<int:campaign_id>/latest-version")
@roles_required(*STAFF)
def campaign_latest_version(campaign_id: int) -> ResponseReturnValue:
    found = services.get_campaign(current_user.member_id, campaign_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.use_latest_version(current_user, found)
        except services.BuilderError as error:
            flash(str(error), "danger")
        else:
            flash(
                _("La campagne enverra la dernière version du questionnaire."),
                "success",
            )
    return redirect(url_for("satisfaction.campaign", campaign_id=found.id))


@bp.get("/space/responses/<int:response_id>")
@roles_required(*STAFF)
def response(response_id: int) -> ResponseReturnValue:
    found = services.get_response(current_user.member_id, response_id) or abort(404)
    questions = sorted(found.invitation.version.questions, key=lambda q: q.position)
    answers = {a.question_id: a for a in found.answers}
    return render_template(
        "satisfaction/response.html",
        response=found,
        questions=questions,
        answers=answers,
    )


def project_panel_context(project: Project) -> dict[str, Any]:
    """The project page's panel: each campaign's sends, answers and scores."""
    campaigns = services.list_campaigns(project.member_id, project_id=project.id)
    stats = services.campaign_stats(campaigns)
    figures = {}
    for item in stats:
        if item.by_cycle is not None:
            figures[item.campaign.id] = charts.scores_over_cycles(
                item.by_cycle,
                labels={k: str(v) for k, v in scoring.METRIC_LABELS.items()},
                cycle_label=_("Envoi"),
                n_label=_("réponses"),
            )
    return {"campaign_stats": stats, "figures": figures}


# ---------------------------------------------------------------- alerts


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


# ---------------------------------------------------------------- association


@bp.route("/admin/satisfaction", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def admin() -> ResponseReturnValue:
    expect_writes()
    template = services.ensure_charter_template()
    form = FatigueForm(formdata=None, fatigue_days=services.fatigue_days())
    status = 200
    if request.method == "POST":
        form = FatigueForm()
        status = 400
        if form.validate_on_submit():
            try:
                services.set_fatigue_days(current_user, days=form.fatigue_days.data)
            except services.BuilderError as error:
                _refused(form, error)
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
