"""The member's campaigns (created, paused, moved to the latest version), the
responses received, and the panel of the project page."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from core.database import utcnow
from core.forms import ConfirmForm, attach_error, choices, show_refusal
from core.security import roles_required
from members import services as members_services
from members.models import Project
from satisfaction import charts, scoring, services
from satisfaction.forms import CampaignForm
from satisfaction.recurrence import Recurrence
from satisfaction.recurrence import describe as describe_recurrence
from satisfaction.views.common import STAFF, bp


def _own_project(project_id: int) -> Project:
    """One of the signed-in member's projects, or 404."""
    found = members_services.get_project(current_user.member_id, project_id)
    return found or abort(404)


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


def _prefill(form: CampaignForm, project: Project) -> None:
    """A new campaign's defaults: named after the project, every contact who
    has not opted out."""
    form.name.data = form.name.data or _(
        "Satisfaction — %(title)s", title=project.title
    )
    form.contact_ids.data = [
        c.id for c in services.project_contacts(project) if c.opted_out_at is None
    ]


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


def _recurrence(form: CampaignForm, project: Project) -> Recurrence:
    """The schedule the form describes.

    :raises RecurrenceError:
    """
    return services.build_recurrence(
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


def _campaign_fields(form: CampaignForm) -> dict[str, Any]:
    """The keyword arguments of ``services.create_campaign`` from the form.

    :raises BuilderError: reminder days that are not numbers.
    """
    return {
        "name": form.name.data,
        "questionnaire_id": form.questionnaire_id.data,
        "contact_ids": form.contact_ids.data or [],
        "reminder_days": _reminder_days(form.reminder_days.data),
        "max_reminders": form.max_reminders.data,
        "link_valid_days": form.link_valid_days.data,
    }


def _schedule(recurrence: Recurrence) -> dict[str, Any]:
    """The schedule in words and its next sends, shown under the form.

    :raises RecurrenceError:
    """
    return {
        "upcoming": services.upcoming_sends(recurrence, now=utcnow()),
        "describe": describe_recurrence(recurrence, str(get_locale() or "fr")),
    }


def _campaign_form_page(
    form: CampaignForm, project: Project, status: int = 200, **schedule: Any
) -> ResponseReturnValue:
    schedule.setdefault("upcoming", [])
    return render_template(
        "satisfaction/campaign_form.html", form=form, project=project, **schedule
    ), status


SCHEDULE_INPUTS = frozenset(
    name for names in services.SCHEDULE_FIELDS.values() for name in names
)


def _validate(form: CampaignForm) -> bool:
    """The form is valid, the fields of the schedules not chosen ignored (the
    page hides them with a small script; without it they are simply unused)."""
    form.validate_on_submit()
    used = set(services.SCHEDULE_FIELDS.get(form.kind.data or "", ()))
    for name in SCHEDULE_INPUTS - used:
        form[name].errors = []
        form[name].data = None
    return form.is_submitted() and not any(field.errors for field in form)


def _send_test(form: CampaignForm, project: Project) -> ResponseReturnValue:
    services.send_test_email(
        current_user,
        project,
        questionnaire_id=form.questionnaire_id.data,
        link_valid_days=form.link_valid_days.data,
        now=utcnow(),
    )
    flash(
        _(
            "E-mail de test envoyé à %(email)s (il ne compte pas comme une "
            "invitation). La campagne n'est pas encore enregistrée.",
            email=current_user.email,
        ),
        "success",
    )
    return _campaign_form_page(form, project)


@bp.route("/space/projects/<int:project_id>/campaigns/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def campaign_new(project_id: int) -> ResponseReturnValue:
    """The campaign form: "preview" shows the next sends, "test" sends the e-mail
    to oneself, "send_now" saves and queues the invitations at once, else the
    campaign is saved."""
    project = _own_project(project_id)
    form = _campaign_form(project)
    if request.method == "GET":
        _prefill(form, project)
        return _campaign_form_page(form, project)
    action = request.form.get("action", "save")
    schedule: dict[str, Any] = {}
    if _validate(form):
        now = utcnow()
        send_now = action == "send_now"
        try:
            if action == "test":
                return _send_test(form, project)
            if send_now and form.kind.data == "once":
                recurrence = Recurrence.once(now)  # the date field is not needed
            else:
                recurrence = _recurrence(form, project)
            schedule = _schedule(recurrence)
            if action == "preview":
                if not schedule["upcoming"]:
                    attach_error(
                        form,
                        services.schedule_field(recurrence.kind),
                        _("Ce calendrier ne prévoit aucun envoi à venir."),
                    )
                    return _campaign_form_page(form, project, 400, **schedule)
                return _campaign_form_page(form, project, **schedule)
            found = services.create_campaign(
                current_user,
                project,
                recurrence=recurrence,
                now=now,
                send_now=send_now,
                **_campaign_fields(form),
            )
        except services.RecurrenceError as error:
            attach_error(form, error.field or "kind", str(error))
        except services.BuilderError as error:
            show_refusal(form, error)
        else:
            if send_now:
                queued = services.send_campaign_now(found.id, now=now)
                flash(
                    ngettext(
                        "Campagne enregistrée : %(num)d invitation est partie.",
                        "Campagne enregistrée : %(num)d invitations sont parties.",
                        queued,
                    ),
                    "success",
                )
            else:
                flash(_("Campagne enregistrée."), "success")
            return redirect(url_for("satisfaction.campaign", campaign_id=found.id))
    return _campaign_form_page(form, project, status=400, **schedule)


@bp.get("/space/campaigns/<int:campaign_id>")
@roles_required(*STAFF)
def campaign(campaign_id: int) -> ResponseReturnValue:
    found = services.get_campaign(current_user.member_id, campaign_id) or abort(404)
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
