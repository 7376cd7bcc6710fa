"""The member's pages: the dashboard, its exports, a project's figures and the
source rows behind each figure."""

from __future__ import annotations

from flask import (
    abort,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from core import exports
from core.database import expect_writes, utcnow
from core.security import roles_required
from dashboards import services
from dashboards.figures import indicator_figures, member_figures
from dashboards.views.common import (
    STAFF,
    _filters,
    _format,
    _status,
    bp,
    today,
)


@bp.get("/dashboard")
@roles_required(*STAFF)
def member_dashboard() -> ResponseReturnValue:
    filters, form = _filters(member_id=current_user.member_id)
    dash = services.member_dashboard(current_user.member_id, filters, now=utcnow())
    return render_template(
        "dashboards/member_dashboard.html",
        cockpit=dash,
        member=current_user.member,
        commitments=services.own_commitments(current_user.member_id, today=today()),
        form=form,
        figures=member_figures(dash),
        board_view=False,
        query=request.args.to_dict(),
        as_of=services.figures_as_of(filters),
    ), _status(form)


@bp.get("/dashboard/export/<any(indicators, scores, response_rates):table>.<fmt>")
@roles_required(*STAFF)
def member_export(table: str, fmt: str) -> ResponseReturnValue:
    fmt = _format(fmt)
    expect_writes()  # the export is logged
    filters, _form = _filters(member_id=current_user.member_id, strict=True)
    rows = services.export_member_table(
        current_user, current_user.member_id, filters, table, fmt=fmt
    )
    return exports.download(rows, fmt)


@bp.get("/dashboard/projects/<int:project_id>")
@roles_required(*STAFF)
def project(project_id: int) -> ResponseReturnValue:
    found = services.get_project(current_user.member_id, project_id) or abort(404)
    filters, form = _filters(member_id=current_user.member_id)
    page = services.project_page(found, filters)
    return render_template(
        "dashboards/project.html",
        project=found,
        page=page,
        form=form,
        figures=indicator_figures(page["summaries"]),
        query=request.args.to_dict(),
        as_of=services.figures_as_of(filters.for_member(found.member_id)),
    ), _status(form)


@bp.get("/dashboard/indicators/<int:indicator_id>/rows")
@roles_required(*STAFF)
def indicator_rows(indicator_id: int) -> ResponseReturnValue:
    fmt = request.args.get("format")
    if fmt:
        _format(fmt)
        expect_writes()  # the export is logged
    indicator = services.get_indicator(current_user.member_id, indicator_id) or abort(
        404
    )
    # A file has no form to show its errors on: bad filters are a 400 there.
    filters, form = _filters(member_id=current_user.member_id, strict=bool(fmt))
    if fmt:
        table = services.export_measurements(current_user, indicator, filters, fmt=fmt)
        return exports.download(table, fmt)
    rows = services.measurement_rows(current_user.member_id, indicator.id, filters)
    summaries = services.project_summaries([indicator])
    return render_template(
        "dashboards/indicator_rows.html",
        indicator=indicator,
        rows=rows,
        summary=summaries[0],
        form=form,
        figures=indicator_figures(summaries),
        query=request.args.to_dict(),
    ), _status(form)


@bp.get("/dashboard/answers")
@roles_required(*STAFF)
def answer_rows() -> ResponseReturnValue:
    fmt = request.args.get("format")
    if fmt:
        _format(fmt)
        expect_writes()  # the export is logged
    metric = request.args.get("metric", "nps")
    commitment = request.args.get("commitment") or None
    if metric not in {"nps", "csat", "ces", "rating_1_5"}:
        abort(400, _("Score inconnu."))
    filters, form = _filters(member_id=current_user.member_id, strict=bool(fmt))
    try:
        if fmt:
            table = services.export_answers(
                current_user,
                current_user.member_id,
                filters,
                metric=metric,
                commitment=commitment,
                fmt=fmt,
            )
            return exports.download(table, fmt)
        rows = services.answer_rows(filters, metric=metric, commitment=commitment)
    except (ValueError, LookupError):
        abort(400, _("Engagement inconnu."))
    return render_template(
        "dashboards/answer_rows.html",
        rows=rows,
        metric=metric,
        commitment=commitment,
        score=services.score_of_rows(metric, rows),
        form=form,
        query=request.args.to_dict(),
    ), _status(form)


# ---------------------------------------------------------------- client portal
