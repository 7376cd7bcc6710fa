"""Indicators of a project and their values: the panel on the project page,
the catalogue, the indicator's page, its form, and values added or deleted."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from core.forms import ConfirmForm, choices, confirm_page, is_confirmed
from core.security import roles_required
from kpi import services
from kpi.calculations import BUCKETS
from kpi.forms import AgreementSendForm, IndicatorForm, MeasurementForm
from kpi.models import (
    KIND_DEFAULTS,
    Aggregation,
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
)
from kpi.views.common import (
    STAFF,
    bp,
    chosen_bucket,
    figures,
    member_id,
    refused,
)
from members.models import Project

# ---------------------------------------------------------------- project panel


def project_panel(project: Any) -> dict[str, Any]:
    """Context of the indicators panel on the project page (members' template)."""
    if not current_user.is_authenticated or current_user.member_id != project.member_id:
        return {"kpi_visible": False}
    bucket = chosen_bucket()
    indicators = list(services.list_indicators(project.member_id, project.id))
    items = services.summaries(indicators, bucket)
    send_form = AgreementSendForm(formdata=None)
    send_form.contact_id.choices = choices(
        (c.id, f"{c.name} <{c.email}>") for c in services.project_contacts(project)
    )
    return {
        "kpi_visible": True,
        "kpi_bucket": bucket,
        "kpi_buckets": BUCKETS,
        "kpi_items": items,
        "kpi_figures": figures(items),
        "kpi_agreement": services.agreement_state(project),
        "kpi_send_form": send_form,
    }


# ---------------------------------------------------------------- indicators


def _fields(form: IndicatorForm) -> services.IndicatorFields:
    return services.IndicatorFields(
        kind=IndicatorKind(form.kind.data),
        name=form.name.data or "",
        unit=form.unit.data or "",
        direction=Direction(form.direction.data),
        frequency=Frequency(form.frequency.data),
        aggregation=Aggregation(form.aggregation.data),
        baseline_on=form.baseline_on.data,
        baseline_value=services.parse_amount(
            form.baseline_value.data, field="baseline_value"
        ),
        target_value=services.parse_amount(
            form.target_value.data, field="target_value"
        ),
    )


@bp.route("/space/projects/<int:project_id>/indicators/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def indicator_new(project_id: int) -> ResponseReturnValue:
    project = services.get_project(member_id(), project_id) or abort(404)
    if request.method == "GET":
        return _catalogue_or_form(project, request.args.get("kind"))
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            indicator = services.create_indicator(current_user, project, _fields(form))
        except services.KpiError as error:
            refused(form, error)
        else:
            flash(_("Indicateur « %(name)s » ajouté.", name=indicator.name), "success")
            return redirect(url_for("kpi.indicator", indicator_id=indicator.id))
    return _form_page(form, project, None, 400)


def _catalogue_or_form(project: Project, kind: str | None) -> ResponseReturnValue:
    """The catalogue of kinds, or the form filled with the chosen kind's defaults."""
    if kind not in {k.value for k in IndicatorKind}:
        return render_template(
            "kpi/indicator_catalogue.html", project=project, defaults=KIND_DEFAULTS
        )
    form = IndicatorForm(formdata=None, data=services.defaults_for(IndicatorKind(kind)))
    return _form_page(form, project, None)


def _form_page(
    form: IndicatorForm,
    project: Project,
    indicator: Indicator | None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "kpi/indicator_form.html", form=form, project=project, indicator=indicator
    ), status


def _indicator_page(
    indicator: Indicator,
    form: MeasurementForm | None = None,
    status: int = 200,
    *,
    confirm_replace: str | None = None,
) -> ResponseReturnValue:
    project = services.get_project(member_id(), indicator.project_id) or abort(404)
    bucket = chosen_bucket()
    [summary] = services.summaries([indicator], bucket)
    return render_template(
        "kpi/indicator.html",
        indicator=indicator,
        project=project,
        summary=summary,
        figure=figures([summary])[0],
        bucket=bucket,
        buckets=BUCKETS,
        form=form or MeasurementForm(formdata=None),
        measurements=services.recent_measurements(indicator),
        revisions=services.replaced_values(indicator),
        delete_form=ConfirmForm(formdata=None),
        confirm_replace=confirm_replace,
    ), status


@bp.get("/space/indicators/<int:indicator_id>")
@roles_required(*STAFF)
def indicator(indicator_id: int) -> ResponseReturnValue:
    found = services.get_indicator(member_id(), indicator_id) or abort(404)
    return _indicator_page(found)


@bp.route("/space/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def indicator_edit(indicator_id: int) -> ResponseReturnValue:
    found = services.get_indicator(member_id(), indicator_id) or abort(404)
    project = services.get_project(member_id(), found.project_id) or abort(404)
    if request.method == "GET":
        return _form_page(IndicatorForm(obj=found), project, found)
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            changed = services.update_indicator(
                current_user, found, _fields(form), is_active=form.is_active.data
            )
        except services.KpiError as error:
            refused(form, error)
        else:
            _flash_saved(project, changed=changed)
            return redirect(url_for("kpi.indicator", indicator_id=found.id))
    return _form_page(form, project, found, 400)


def _flash_saved(project: Project, *, changed: bool) -> None:
    """Saved; and a reminder when the client had agreed to what changed."""
    flash(_("Modifications enregistrées."), "success")
    if changed and services.agreement_state(project).changed_since_agreement:
        flash(
            _(
                "Les indicateurs ont changé depuis leur validation par le "
                "client : renvoyez-les-lui pour validation."
            ),
            "warning",
        )


@bp.post("/space/indicators/<int:indicator_id>/measurements")
@roles_required(*STAFF)
def measurement_add(indicator_id: int) -> ResponseReturnValue:
    found = services.get_indicator(member_id(), indicator_id) or abort(404)
    form = MeasurementForm()
    if not form.validate_on_submit():
        return _indicator_page(found, form, 400)
    try:
        _measurement, changed = services.record_measurement(
            current_user,
            found,
            day=form.day.data,
            value=form.value.data,
            numerator=form.numerator.data,
            denominator=form.denominator.data,
            replace=form.replace.data == "1",
        )
    except services.ValueExists as exists:
        question = _("%(reason)s La remplacer ?", reason=str(exists))
        return _indicator_page(found, form, 200, confirm_replace=question)
    except services.KpiError as error:
        if error.field == "period_start":
            error.field = "day"
        refused(form, error)
        return _indicator_page(found, form, 400)
    flash(
        _("Mesure enregistrée.")
        if changed
        else _("Cette valeur était déjà enregistrée."),
        "success",
    )
    _flash_outside_project(found, form.day.data)
    return redirect(url_for("kpi.indicator", indicator_id=found.id))


def _flash_outside_project(indicator: Indicator, day: date) -> None:
    """Flag (not refuse) a value entered outside the project's dates."""
    warning = services.outside_project_warning(indicator, [day])
    if warning is not None:
        flash(warning, "warning")


@bp.post("/space/measurements/<int:measurement_id>/delete")
@roles_required(*STAFF)
def measurement_delete(measurement_id: int) -> ResponseReturnValue:
    found = services.get_measurement(member_id(), measurement_id) or abort(404)
    indicator = services.get_indicator(member_id(), found.indicator_id) or abort(404)
    back = url_for("kpi.indicator", indicator_id=indicator.id)
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    if not is_confirmed():
        return confirm_page(
            title=_("Supprimer une mesure"),
            question=_("Êtes-vous sûr de vouloir supprimer cette mesure ?"),
            details=[
                _(
                    "%(indicator)s, période du %(period)s : %(value)s. Elle ne "
                    "pourra pas être rétablie (saisissez-la de nouveau au besoin).",
                    indicator=indicator.name,
                    period=format_date(found.period_start, "long"),
                    value=format_decimal(found.value)
                    if found.value is not None
                    else "—",
                )
            ],
            confirm_label=_("Oui, supprimer la mesure"),
            cancel_url=back,
        )
    services.delete_measurement(current_user, indicator, found)
    flash(_("Mesure supprimée."), "success")
    return redirect(back)
