"""The board's pages: the quality review (filtered), a member seen by the
board, the review's exports and the annual report (HTML and PDF)."""

from __future__ import annotations

import io
import logging
from datetime import date

from flask import (
    abort,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from core import exports
from core.database import expect_writes, utcnow
from core.errors import render_error
from core.extensions import limiter
from core.security import roles_required
from dashboards import pdf, services
from dashboards.figures import board_figures, member_figures
from dashboards.views import common
from dashboards.views.common import (
    BOARD,
    FILTER_KEYS,
    LISTING_KEYS,
    _filters,
    _format,
    _listing,
    _status,
    bp,
)

log = logging.getLogger(__name__)


@bp.get("/board/review")
@roles_required(*BOARD)
def board_review() -> ResponseReturnValue:
    filters, form = _filters()
    listing, listing_form = _listing()
    review, compliance, as_of = services.board_review_page(
        filters, today=common.today(), listing=listing
    )
    query = {k: v for k, v in request.args.items() if k in FILTER_KEYS}
    return render_template(
        "dashboards/board_review.html",
        review=review,
        compliance=compliance,
        form=form,
        listing_form=listing_form,
        figures=board_figures(review),
        query=query,
        listing_query={
            **query,
            **{k: v for k, v in request.args.items() if k in LISTING_KEYS},
        },
        as_of=as_of,
    ), _status(form)


@bp.get("/board/review/members/<int:member_id>")
@roles_required(*BOARD)
def board_member(member_id: int) -> ResponseReturnValue:
    member = services.get_member(member_id) or abort(404)
    filters, form = _filters()
    dash = services.member_dashboard(member.id, filters, now=utcnow())
    commitments = services.member_commitments(member.id, filters, today=common.today())
    return render_template(
        "dashboards/member_dashboard.html",
        cockpit=dash,
        member=member,
        commitments=commitments,
        form=form,
        figures=member_figures(dash),
        board_view=True,
        query=request.args.to_dict(),
        as_of=services.figures_as_of(filters),
    ), _status(form)


@bp.get(
    "/board/review/export/<any(compliance, scores, indicators_by_service, response_rates):table>.<fmt>"
)
@roles_required(*BOARD)
def board_export(table: str, fmt: str) -> ResponseReturnValue:
    fmt = _format(fmt)
    expect_writes()  # the export is logged
    filters, _form = _filters(strict=True)
    rows = services.export_board_table(
        current_user, filters, table, fmt=fmt, today=common.today()
    )
    return exports.download(rows, fmt)


def _report_year() -> int:
    """The report's year from the query string (none: this year; bad: a 400)."""
    raw = request.args.get("year", "").strip()
    if not raw:
        return common.today().year
    if not raw.isdigit() or len(raw) != 4 or not 2000 <= int(raw) <= 2100:
        abort(400, _("Année invalide : indiquez une année entre 2000 et 2100."))
    return int(raw)


def _report_filters(year: int) -> tuple[services.Filters, date]:
    """The report's period and the day its figures are computed at."""
    filters = services.Filters(since=date(year, 1, 1), until=date(year, 12, 31))
    return filters, min(common.today(), filters.until)


def _report_page() -> int | None:
    """The page of the report's member table (none: the first; ``all``: every
    member, to print without the PDF; bad: a 400)."""
    raw = request.args.get("page", "").strip()
    if not raw:
        return 1
    if raw == "all":
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        abort(400, _("Page invalide : indiquez un nombre entier à partir de 1."))
    return int(raw)


def _report_html(year: int, *, page: int | None = None) -> str:
    """The report: on screen, its member table one page at a time (by name, as
    the review lists it); printed (``page`` None: the PDF, or the page to print
    when there is none), every member."""
    filters, today = _report_filters(year)
    compliance = None
    if page is None:
        review, _as_of = services.stored_board_review(filters, today=today)
    else:
        listing = services.Listing(
            order="name",
            page=page,
            per_page=int(current_app.config.get("DASHBOARDS_COMPLIANCE_PER_PAGE", 50)),
        )
        review, compliance, _as_of = services.board_review_page(
            filters, today=today, listing=listing
        )
    return render_template(
        "dashboards/annual_report.html",
        review=review,
        compliance=compliance,
        listing_query={"year": year},
        pager_endpoint="dashboards.annual_report",
        year=year,
        figures=board_figures(review),
    )


@bp.get("/board/report")
@roles_required(*BOARD)
def annual_report() -> ResponseReturnValue:
    return _report_html(_report_year(), page=_report_page())


def _pdf_limit() -> str:
    return str(current_app.config["PDF_RATE_LIMIT"])


def _report_pdf(year: int) -> bytes:
    """The report printed by Chromium; kept while its figures stay the same (the
    version of the stored figures says so; live figures are printed every time).

    :raises pdf.PdfUnavailable:
    """
    filters, today = _report_filters(year)
    version = (
        services.figures_version()
        if services.figures_as_of(filters) is not None
        else None
    )
    key = (year, str(get_locale()), version, today) if version is not None else None
    cache = pdf.cache_of(current_app)
    found = cache.get(key) if key is not None else None
    if found is not None:
        return found
    body = pdf.html_to_pdf(
        _report_html(year),
        fetch=pdf.static_fetcher(current_app._get_current_object()),  # type: ignore[attr-defined]
        chromium=pdf.find_chromium(current_app.config.get("PDF_CHROMIUM_PATH")),
        title=_("Rapport qualité %(year)d", year=year),
        footer=_("Page %(page)s / %(pages)s", page="{page}", pages="{pages}"),
        timeout=float(current_app.config["PDF_TIMEOUT_SECONDS"]),
    )
    if key is not None:
        cache.put(key, body)
    return body


@bp.get("/board/report.pdf")
@roles_required(*BOARD)
@limiter.limit(_pdf_limit)
def annual_report_pdf() -> ResponseReturnValue:
    year = _report_year()
    try:
        body = _report_pdf(year)
    except pdf.PdfUnavailable as error:
        log.error("annual report PDF for %d not made: %s", year, error)
        whole = url_for("dashboards.annual_report", year=year, page="all")
        if error.reason == "missing":
            message = _(
                "La génération du PDF n'est pas disponible sur ce serveur (Chromium introuvable) : imprimez le rapport complet (%(url)s) et choisissez « Enregistrer au format PDF ».",
                url=whole,
            )
        else:
            message = _(
                "La génération du PDF a échoué : imprimez le rapport complet (%(url)s) et choisissez « Enregistrer au format PDF ».",
                url=whole,
            )
        return render_error(503, message)
    return send_file(
        io.BytesIO(body),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=_("rapport-qualite-%(year)d.pdf", year=year),
    )


# ---------------------------------------------------------------- member
