"""Pages of the KPI feature: indicators, values, imports, API tokens, the project
panel with its charts, and the client's agreement page."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from core.database import expect_writes
from core.forms import ConfirmForm, attach_error, choices
from core.inputs import db_int_or_none
from core.security import Role, roles_required
from kpi import charts, services
from kpi.calculations import BUCKETS, Bucket, period_end_for
from kpi.forms import (
    AgreementAnswerForm,
    AgreementSendForm,
    IndicatorForm,
    MappingForm,
    MeasurementForm,
    PeriodForm,
    TokenForm,
    UploadForm,
)
from kpi.importers import FORMAT_LABELS, ColumnMapping
from kpi.models import (
    AGGREGATION_LABELS,
    AGREEMENT_STATUS_LABELS,
    DIRECTION_LABELS,
    FREQUENCY_LABELS,
    KIND_DEFAULTS,
    KIND_HELP,
    KIND_LABELS,
    SOURCE_LABELS,
    Aggregation,
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
)

bp = Blueprint(
    "kpi",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/kpi/static",
)

STAFF = (Role.MEMBER_ADMIN, Role.MEMBER_USER)
AGREEMENT_SESSION_KEY = "kpi_agreement_id"


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "KPI_KIND_LABELS": KIND_LABELS,
        "KPI_KIND_HELP": KIND_HELP,
        "KPI_DIRECTION_LABELS": DIRECTION_LABELS,
        "KPI_FREQUENCY_LABELS": FREQUENCY_LABELS,
        "KPI_AGGREGATION_LABELS": AGGREGATION_LABELS,
        "KPI_SOURCE_LABELS": SOURCE_LABELS,
        "KPI_AGREEMENT_STATUS_LABELS": AGREEMENT_STATUS_LABELS,
        "KPI_FORMAT_LABELS": FORMAT_LABELS,
    }


def _refused(form: Any, error: services.KpiError) -> None:
    if not attach_error(form, getattr(error, "field", None), str(error)):
        flash(str(error), "danger")


def _member_id() -> int:
    return int(current_user.member_id)


# ---------------------------------------------------------------- project panel


def _bucket() -> Bucket:
    chosen = request.args.get("kpi_period", "month")
    return chosen if chosen in BUCKETS else "month"


def chart_labels() -> dict[str, str]:
    return {
        "value": _("Valeur"),
        "target": _("Objectif"),
        "baseline": _("Point de départ"),
        "met": _("Objectif atteint"),
        "missed": _("Objectif non atteint"),
        "no_target": _("Sans objectif"),
        "no_data": _("Pas de valeur"),
        "separators": _(", "),
    }


def _figures(items: list[services.IndicatorSummary]) -> list[dict[str, Any]]:
    labels = chart_labels()
    return [
        charts.indicator_figure(
            item.table,
            unit=item.indicator.unit,
            target=item.indicator.target_value,
            baseline=item.indicator.baseline_value,
            labels=labels,
        )
        for item in items
    ]


def project_panel(project: Any) -> dict[str, Any]:
    """Context of the indicators panel on the project page (members' template)."""
    if not current_user.is_authenticated or current_user.member_id != project.member_id:
        return {"kpi_visible": False}
    bucket = _bucket()
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
        "kpi_figures": _figures(items),
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
    project = services.get_project(_member_id(), project_id) or abort(404)
    if request.method == "GET":
        kind = request.args.get("kind")
        if kind not in {k.value for k in IndicatorKind}:
            return render_template(
                "kpi/indicator_catalogue.html", project=project, defaults=KIND_DEFAULTS
            )
        form = IndicatorForm(
            formdata=None, data=services.defaults_for(IndicatorKind(kind))
        )
        return render_template(
            "kpi/indicator_form.html", form=form, project=project, indicator=None
        )
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            indicator = services.create_indicator(current_user, project, _fields(form))
        except services.KpiError as error:
            _refused(form, error)
        else:
            flash(_("Indicateur « %(name)s » ajouté.", name=indicator.name), "success")
            return redirect(url_for("kpi.indicator", indicator_id=indicator.id))
    return render_template(
        "kpi/indicator_form.html", form=form, project=project, indicator=None
    ), 400


def _indicator_page(
    indicator: Indicator, form: MeasurementForm | None = None, status: int = 200
) -> ResponseReturnValue:
    project = services.get_project(_member_id(), indicator.project_id) or abort(404)
    bucket = _bucket()
    [summary] = services.summaries([indicator], bucket)
    return render_template(
        "kpi/indicator.html",
        indicator=indicator,
        project=project,
        summary=summary,
        figure=_figures([summary])[0],
        bucket=bucket,
        buckets=BUCKETS,
        form=form or MeasurementForm(formdata=None),
        measurements=services.recent_measurements(indicator),
        delete_form=ConfirmForm(formdata=None),
    ), status


@bp.get("/space/indicators/<int:indicator_id>")
@roles_required(*STAFF)
def indicator(indicator_id: int) -> ResponseReturnValue:
    found = services.get_indicator(_member_id(), indicator_id) or abort(404)
    return _indicator_page(found)


@bp.route("/space/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def indicator_edit(indicator_id: int) -> ResponseReturnValue:
    found = services.get_indicator(_member_id(), indicator_id) or abort(404)
    project = services.get_project(_member_id(), found.project_id) or abort(404)
    if request.method == "GET":
        form = IndicatorForm(obj=found)
        return render_template(
            "kpi/indicator_form.html", form=form, project=project, indicator=found
        )
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            changed = services.update_indicator(
                current_user, found, _fields(form), is_active=form.is_active.data
            )
        except services.KpiError as error:
            _refused(form, error)
        else:
            flash(_("Modifications enregistrées."), "success")
            if changed and services.agreement_state(project).changed_since_agreement:
                flash(
                    _(
                        "Les indicateurs ont changé depuis leur validation par le "
                        "client : renvoyez-les-lui pour validation."
                    ),
                    "warning",
                )
            return redirect(url_for("kpi.indicator", indicator_id=found.id))
    return render_template(
        "kpi/indicator_form.html", form=form, project=project, indicator=found
    ), 400


@bp.post("/space/indicators/<int:indicator_id>/measurements")
@roles_required(*STAFF)
def measurement_add(indicator_id: int) -> ResponseReturnValue:
    found = services.get_indicator(_member_id(), indicator_id) or abort(404)
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
        )
    except services.KpiError as error:
        _refused(form, error)
        return _indicator_page(found, form, 400)
    flash(
        _("Mesure enregistrée.")
        if changed
        else _("Cette valeur était déjà enregistrée."),
        "success",
    )
    return redirect(url_for("kpi.indicator", indicator_id=found.id))


@bp.post("/space/measurements/<int:measurement_id>/delete")
@roles_required(*STAFF)
def measurement_delete(measurement_id: int) -> ResponseReturnValue:
    found = services.get_measurement(_member_id(), measurement_id) or abort(404)
    indicator = services.get_indicator(_member_id(), found.indicator_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        services.delete_measurement(current_user, indicator, found)
        flash(_("Mesure supprimée."), "success")
    return redirect(url_for("kpi.indicator", indicator_id=indicator.id))


# ---------------------------------------------------------------- imports


@bp.route("/space/projects/<int:project_id>/imports", methods=["GET", "POST"])
@roles_required(*STAFF)
def imports(project_id: int) -> ResponseReturnValue:
    project = services.get_project(_member_id(), project_id) or abort(404)
    form = UploadForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.file.data
            try:
                pending = services.start_upload(
                    current_user,
                    project,
                    data=upload.read(),
                    file_name=upload.filename or "",
                )
            except services.KpiError as error:
                attach_error(form, "file", str(error))
            else:
                return redirect(url_for("kpi.import_preview", upload_id=pending.id))
        status = 400
    return render_template(
        "kpi/imports.html",
        project=project,
        form=form,
        batches=services.list_imports(_member_id(), project.id),
    ), status


def _targets(source: MultiDict[str, str], keys: list[str]) -> dict[str, int | None]:
    targets: dict[str, int | None] = {}
    for position, key in enumerate(keys):
        raw = source.get(f"target-{position}", "")
        targets[key] = db_int_or_none(raw) if raw.isdigit() else None
    return targets


def _mapping_form(pending: services.PendingUpload) -> MappingForm:
    form = MappingForm()
    form.date_column.choices = choices((c, c) for c in pending.columns)
    form.value_columns.choices = choices((c, c) for c in pending.columns)
    return form


@bp.route("/space/imports/pending/<upload_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def import_preview(upload_id: str) -> ResponseReturnValue:
    pending = services.get_pending(_member_id(), upload_id) or abort(404)
    project = services.get_project(_member_id(), pending.project_id) or abort(404)
    action = request.form.get("action", "")
    mapping_form = _mapping_form(pending)
    period_form = PeriodForm()
    status = 200
    if request.method == "POST" and action == "cancel":
        if ConfirmForm().validate_on_submit():
            services.discard_upload(pending)
            flash(_("Import abandonné : rien n'a été enregistré."), "info")
        return redirect(url_for("kpi.imports", project_id=project.id))
    if request.method == "POST" and action == "mapping":
        if mapping_form.validate_on_submit():
            try:
                services.set_mapping(
                    pending,
                    ColumnMapping(
                        date_column=mapping_form.date_column.data,
                        value_columns=list(mapping_form.value_columns.data),
                        date_format=mapping_form.date_format.data or None,
                        decimal_separator=mapping_form.decimal_separator.data,
                        granularity=mapping_form.granularity.data,
                    ),
                )
            except services.KpiError as error:
                flash(str(error), "danger")
                status = 400
            else:
                return redirect(url_for("kpi.import_preview", upload_id=pending.id))
        else:
            status = 400
    if request.method == "POST" and action == "period":
        if period_form.validate_on_submit():
            start = period_form.month.data.replace(day=1)
            services.set_period(pending, start, period_end_for(start, "month"))
            return redirect(url_for("kpi.import_preview", upload_id=pending.id))
        status = 400
    if pending.needs_mapping:
        return render_template(
            "kpi/import_mapping.html",
            project=project,
            pending=pending,
            form=mapping_form,
            cancel_form=ConfirmForm(formdata=None),
        ), status if status != 200 or request.method == "GET" else 400
    try:
        export = services.parse_pending(pending)
    except services.KpiError as error:
        services.discard_upload(pending)
        flash(str(error), "danger")
        return redirect(url_for("kpi.imports", project_id=project.id))
    keys = [s.key for s in export.series]
    indicators = list(services.list_indicators(_member_id(), project.id))
    if request.method == "POST" and action == "confirm":
        targets = _targets(request.form, keys)
        if ConfirmForm().validate_on_submit():
            try:
                batch = services.confirm_upload(current_user, project, pending, targets)
            except services.KpiError as error:
                flash(str(error), "danger")
                status = 400
            else:
                flash(
                    _(
                        "Import enregistré : %(new)d nouvelle(s) valeur(s), %(changed)d "
                        "modifiée(s), %(unchanged)d inchangée(s), %(rejected)d ligne(s) "
                        "rejetée(s).",
                        new=batch.rows_stored,
                        changed=batch.rows_updated,
                        unchanged=batch.rows_unchanged,
                        rejected=batch.rows_rejected,
                    ),
                    "success",
                )
                return redirect(url_for("kpi.import_detail", batch_id=batch.id))
        else:
            status = 400
    elif "chosen" in request.args:
        targets = _targets(request.args, keys)
    else:
        targets = dict(services.propose_targets(export, indicators))
    preview = services.build_preview(project, export, targets, sha256=pending.sha256)
    return render_template(
        "kpi/import_preview.html",
        project=project,
        pending=pending,
        preview=preview,
        targets=targets,
        period_form=period_form,
        confirm_form=ConfirmForm(formdata=None),
        indicators=indicators,
    ), status


@bp.get("/space/imports/<int:batch_id>")
@roles_required(*STAFF)
def import_detail(batch_id: int) -> ResponseReturnValue:
    batch = services.get_import(_member_id(), batch_id) or abort(404)
    project = services.get_project(_member_id(), batch.project_id) or abort(404)
    return render_template(
        "kpi/import_detail.html",
        batch=batch,
        project=project,
        still_stored=services.measurements_of_import(batch),
        undo_form=ConfirmForm(formdata=None),
        indicators={
            i.id: i for i in services.list_indicators(_member_id(), project.id)
        },
    )


@bp.post("/space/imports/<int:batch_id>/undo")
@roles_required(*STAFF)
def import_undo(batch_id: int) -> ResponseReturnValue:
    batch = services.get_import(_member_id(), batch_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = services.undo_import(current_user, batch)
    except services.KpiError as error:
        flash(str(error), "danger")
    else:
        flash(
            _(
                "Import annulé : %(removed)d valeur(s) retirée(s), %(restored)d "
                "restaurée(s), %(kept)d modifiée(s) depuis et conservée(s).",
                **result,
            ),
            "success",
        )
    return redirect(url_for("kpi.import_detail", batch_id=batch.id))


# ---------------------------------------------------------------- API tokens


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
                    current_user, _member_id(), name=form.name.data
                )
            except services.KpiError as error:
                _refused(form, error)
                status = 400
            else:
                form = TokenForm(formdata=None)
        else:
            status = 400
    return render_template(
        "kpi/tokens.html",
        form=form,
        secret=secret,
        tokens=services.list_tokens(_member_id()),
        revoke_form=ConfirmForm(formdata=None),
    ), status


@bp.post("/space/api-tokens/<int:token_id>/revoke")
@roles_required(*STAFF)
def token_revoke(token_id: int) -> ResponseReturnValue:
    token = services.get_token(_member_id(), token_id) or abort(404)
    if not current_user.is_member_admin:
        abort(403)
    if ConfirmForm().validate_on_submit():
        services.revoke_token(current_user, token)
        flash(_("Jeton « %(name)s » révoqué.", name=token.name), "success")
    return redirect(url_for("kpi.tokens"))


# ---------------------------------------------------------------- agreement


@bp.post("/space/projects/<int:project_id>/agreement")
@roles_required(*STAFF)
def agreement_send(project_id: int) -> ResponseReturnValue:
    project = services.get_project(_member_id(), project_id) or abort(404)
    form = AgreementSendForm()
    form.contact_id.choices = choices(
        (c.id, c.email) for c in services.project_contacts(project)
    )
    if form.validate_on_submit():
        try:
            agreement = services.send_agreement(
                current_user, project, contact_id=form.contact_id.data
            )
        except services.KpiError as error:
            flash(str(error), "danger")
        else:
            flash(
                _(
                    "Indicateurs envoyés pour validation à %(email)s.",
                    email=agreement.contact.email,
                ),
                "success",
            )
    else:
        flash(_("Choisissez un contact de ce client."), "danger")
    return redirect(url_for("members.project", project_id=project.id) + "#kpi")


def _no_referrer(value: ResponseReturnValue) -> ResponseReturnValue:
    """Links carry a token: no page of this flow tells another site where it was."""
    response = make_response(value)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/kpi/agreement/<token>")
def agreement_open(token: str) -> ResponseReturnValue:
    """Exchange the e-mailed link for a session, then drop the token from the URL."""
    expect_writes()
    found = services.find_by_token(token)
    if found is None:
        return _no_referrer((render_template("kpi/agreement_invalid.html"), 404))
    services.mark_opened(found)
    session[AGREEMENT_SESSION_KEY] = found.id
    session["locale"] = found.contact.locale
    response = redirect(url_for("kpi.agreement_page"))
    return _no_referrer(response)


@bp.route("/kpi/agreement", methods=["GET", "POST"])
def agreement_page() -> ResponseReturnValue:
    agreement_id = session.get(AGREEMENT_SESSION_KEY)
    found = services.get_agreement(agreement_id) if agreement_id else None
    if found is None:
        return _no_referrer((render_template("kpi/agreement_invalid.html"), 404))
    form = AgreementAnswerForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.answer_agreement(
                    found,
                    acknowledge=bool(form.acknowledge.data),
                    comment=form.comment.data,
                )
            except services.KpiError as error:
                _refused(form, error)
                status = 400
            else:
                flash(
                    _("Merci, votre validation est enregistrée.")
                    if form.acknowledge.data
                    else _("Merci, votre commentaire est transmis."),
                    "success",
                )
                return redirect(url_for("kpi.agreement_page"))
        else:
            status = 400
    project = services.get_project(found.member_id, found.project_id) or abort(404)
    return _no_referrer(
        (
            render_template(
                "kpi/agreement.html", agreement=found, project=project, form=form
            ),
            status,
        )
    )
