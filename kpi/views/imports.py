"""File imports of a project: the upload, then one endpoint per step of the
pending upload (its preview, the column mapping, the period, confirm, cancel),
and the stored imports with their undo."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from core.database import utcnow
from core.deferred import after_response
from core.errors import render_error
from core.forms import (
    ConfirmForm,
    attach_error,
    choices,
    confirm_page,
    is_confirmed,
    upload_limit_mb,
)
from core.inputs import db_int_or_none
from core.security import roles_required
from kpi import services
from kpi.forms import MappingForm, PeriodForm, UploadForm
from kpi.importers import MAX_BYTES, ColumnMapping, ParsedExport
from kpi.models import ImportBatch
from kpi.periods import period_end_for
from kpi.views.common import STAFF, bp, member_id
from members.models import Project

PENDING = "/space/imports/pending/<upload_id>"


@bp.route("/space/projects/<int:project_id>/imports", methods=["GET", "POST"])
@roles_required(*STAFF)
def imports(project_id: int) -> ResponseReturnValue:
    project = services.get_project(member_id(), project_id) or abort(404)
    form = UploadForm()
    if request.method == "POST" and form.validate_on_submit():
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
            return _to_preview(pending)
    return _imports_page(project, form, 400 if request.method == "POST" else 200)


def _parse_after(response: Response, pending: services.PendingUpload) -> Response:
    """Parse a big upload once the response has left (the scheduler's
    ``kpi.parse_uploads`` job takes it if this worker dies)."""
    if pending.is_parsing and current_app.config.get("KPI_PARSE_AFTER_RESPONSE", True):
        response.call_on_close(after_response(services.run_parse, pending.id))
    return response


def _imports_page(
    project: Project, form: UploadForm, status: int
) -> ResponseReturnValue:
    return render_template(
        "kpi/imports.html",
        project=project,
        form=form,
        batches=services.list_imports(member_id(), project.id),
        waiting=services.list_pending(member_id(), project.id),
    ), status


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A file past the request's limit: the import form says so next to its
    field, with the limit (elsewhere in the feature: the usual 413 page)."""
    project_id = (request.view_args or {}).get("project_id")
    found = None
    # The body was refused before the view (and its role check) ran.
    if (
        request.endpoint == "kpi.imports"
        and isinstance(project_id, int)
        and current_user.is_authenticated
        and current_user.role in STAFF
    ):
        found = services.get_project(member_id(), project_id)
    if found is None:
        return render_error(413)
    form = UploadForm(formdata=None)
    attach_error(
        form,
        "file",
        _(
            "Ce fichier dépasse la taille autorisée (%(size)d Mo au plus) : rien "
            "n'a été importé. Exportez une période plus courte ou compressez-le "
            "en ZIP.",
            size=upload_limit_mb(MAX_BYTES),
        ),
    )
    return _imports_page(found, form, 413)


# ---------------------------------------------------------------- a pending upload


def _load(upload_id: str) -> tuple[services.PendingUpload, Project]:
    pending = services.get_pending(member_id(), upload_id) or abort(404)
    project = services.get_project(member_id(), pending.project_id) or abort(404)
    return pending, project


def _to_preview(pending: services.PendingUpload) -> Response:
    response = redirect(url_for("kpi.import_preview", upload_id=pending.id))
    return _parse_after(response, pending)


def _to_imports(project: Project) -> Response:
    return redirect(url_for("kpi.imports", project_id=project.id))


def _parsed(pending: services.PendingUpload) -> ParsedExport | None:
    """The upload read, or None once it is discarded with the reason flashed."""
    try:
        return services.parse_pending(pending)
    except services.KpiError as error:
        services.discard_upload(pending)
        flash(str(error), "danger")
        return None


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


def _mapping_page(
    project: Project, pending: services.PendingUpload, form: MappingForm, status: int
) -> ResponseReturnValue:
    return render_template(
        "kpi/import_mapping.html",
        project=project,
        pending=pending,
        form=form,
        cancel_form=ConfirmForm(formdata=None),
    ), status


def _preview_page(
    project: Project,
    pending: services.PendingUpload,
    export: ParsedExport,
    *,
    chosen: MultiDict[str, str] | None = None,
    period_form: PeriodForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The preview; the targets are those chosen, else the proposed ones."""
    indicators = list(services.list_indicators(member_id(), project.id))
    if chosen is not None:
        targets = _targets(chosen, [s.key for s in export.series])
    else:
        targets = dict(services.propose_targets(export, indicators))
    preview = services.build_preview(project, export, targets, sha256=pending.sha256)
    return render_template(
        "kpi/import_preview.html",
        project=project,
        pending=pending,
        preview=preview,
        targets=targets,
        period_form=period_form or PeriodForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        indicators=indicators,
    ), status


def _step_page(
    project: Project, pending: services.PendingUpload, **preview: Any
) -> ResponseReturnValue:
    """The page a refused step shows again (400): the mapping or the preview."""
    if pending.needs_mapping:
        return _mapping_page(project, pending, _mapping_form(pending), 400)
    export = _parsed(pending)
    if export is None:
        return _to_imports(project)
    return _preview_page(project, pending, export, status=400, **preview)


def _progress_page(
    project: Project, pending: services.PendingUpload
) -> ResponseReturnValue:
    """A big upload still parsing (202, the page refreshes itself), or failed."""
    failed = pending.has_failed
    if pending.is_parsing and services.is_stale(pending, utcnow()):
        failed = True
    return render_template(
        "kpi/import_progress.html",
        project=project,
        pending=pending,
        progress=services.read_progress(pending),
        failure=services.failure_message(pending) if failed else None,
        form=ConfirmForm(formdata=None),
    ), (200 if failed else 202)


@bp.get(PENDING)
@roles_required(*STAFF)
def import_preview(upload_id: str) -> ResponseReturnValue:
    pending, project = _load(upload_id)
    if pending.is_parsing or pending.has_failed:
        return _progress_page(project, pending)
    if pending.needs_mapping:
        return _mapping_page(project, pending, _mapping_form(pending), 200)
    export = _parsed(pending)
    if export is None:
        return _to_imports(project)
    chosen = request.args if "chosen" in request.args else None
    return _preview_page(project, pending, export, chosen=chosen)


def _column_mapping(form: MappingForm) -> ColumnMapping:
    return ColumnMapping(
        date_column=form.date_column.data,
        value_columns=list(form.value_columns.data),
        date_format=form.date_format.data or None,
        decimal_separator=form.decimal_separator.data,
        granularity=form.granularity.data,
    )


@bp.post(f"{PENDING}/mapping")
@roles_required(*STAFF)
def import_mapping(upload_id: str) -> ResponseReturnValue:
    pending, project = _load(upload_id)
    if pending.is_parsing or pending.has_failed:
        return _to_preview(pending)
    form = _mapping_form(pending)
    if form.validate_on_submit():
        try:
            services.set_mapping(pending, _column_mapping(form))
        except services.KpiError as error:
            flash(str(error), "danger")
        else:
            return _to_preview(pending)
    if pending.needs_mapping:
        return _mapping_page(project, pending, form, 400)
    return _step_page(project, pending)


@bp.post(f"{PENDING}/period")
@roles_required(*STAFF)
def import_period(upload_id: str) -> ResponseReturnValue:
    pending, project = _load(upload_id)
    if pending.is_parsing or pending.has_failed:
        return _to_preview(pending)
    form = PeriodForm()
    if not form.validate_on_submit():
        return _step_page(project, pending, period_form=form)
    start = form.month.data.replace(day=1)
    services.set_period(pending, start, period_end_for(start, "month"))
    return _to_preview(pending)


@bp.post(f"{PENDING}/confirm")
@roles_required(*STAFF)
def import_confirm(upload_id: str) -> ResponseReturnValue:
    pending, project = _load(upload_id)
    if pending.is_parsing or pending.has_failed:
        return _to_preview(pending)
    if pending.needs_mapping:
        return _step_page(project, pending)
    export = _parsed(pending)
    if export is None:
        return _to_imports(project)
    targets = _targets(request.form, [s.key for s in export.series])
    if ConfirmForm().validate_on_submit():
        try:
            batch = services.confirm_upload(
                current_user, project, pending, targets, export=export
            )
        except services.KpiError as error:
            flash(str(error), "danger")
        else:
            _flash_stored(batch)
            return redirect(url_for("kpi.import_detail", batch_id=batch.id))
    return _preview_page(project, pending, export, chosen=request.form, status=400)


def _flash_stored(batch: ImportBatch) -> None:
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


@bp.post(f"{PENDING}/retry")
@roles_required(*STAFF)
def import_retry(upload_id: str) -> ResponseReturnValue:
    pending, _project = _load(upload_id)
    if ConfirmForm().validate_on_submit() and (
        pending.has_failed or services.is_stale(pending, utcnow())
    ):
        services.retry_parse(pending)
    return _to_preview(pending)


@bp.post(f"{PENDING}/cancel")
@roles_required(*STAFF)
def import_cancel(upload_id: str) -> ResponseReturnValue:
    pending, project = _load(upload_id)
    if ConfirmForm().validate_on_submit():
        services.discard_upload(pending)
        flash(_("Import abandonné : rien n'a été enregistré."), "info")
    return _to_imports(project)


# ---------------------------------------------------------------- stored imports


@bp.get("/space/imports/<int:batch_id>")
@roles_required(*STAFF)
def import_detail(batch_id: int) -> ResponseReturnValue:
    batch = services.get_import(member_id(), batch_id) or abort(404)
    project = services.get_project(member_id(), batch.project_id) or abort(404)
    return render_template(
        "kpi/import_detail.html",
        batch=batch,
        project=project,
        still_stored=services.measurements_of_import(batch),
        undo_form=ConfirmForm(formdata=None),
        indicators={i.id: i for i in services.list_indicators(member_id(), project.id)},
    )


@bp.post("/space/imports/<int:batch_id>/undo")
@roles_required(*STAFF)
def import_undo(batch_id: int) -> ResponseReturnValue:
    batch = services.get_import(member_id(), batch_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not is_confirmed():
        return confirm_page(
            title=_("Annuler un import"),
            question=_(
                "Êtes-vous sûr de vouloir annuler l'import du fichier « %(name)s » ?",
                name=batch.file_name,
            ),
            details=[
                _(
                    "Les valeurs qu'il a ajoutées seront retirées et celles qu'il a "
                    "remplacées, restaurées ; celles modifiées depuis sont conservées."
                )
            ],
            confirm_label=_("Oui, annuler l'import"),
            cancel_url=url_for("kpi.import_detail", batch_id=batch.id),
        )
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
