"""Pages of the dashboards: the board's quality review, the member's cockpit, the
source rows behind each figure, the exports and the client portal."""

from __future__ import annotations

import io
import logging
import time
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from core import exports
from core.database import expect_writes, utcnow
from core.deferred import after_response
from core.errors import render_error
from core.extensions import limiter
from core.forms import attach_error, choices
from core.inputs import db_int_or_none
from core.security import ASSOCIATION_ROLES, MEMBER_ROLES, roles_required
from core.visitor import forget_visitor, remember_visitor
from dashboards import exports as dashboard_exports
from dashboards import pdf, services
from dashboards.figures import board_figures, indicator_figures, member_figures
from dashboards.forms import FilterForm, ListingForm, PortalRequestForm, QuestionForm
from members.models import SERVICE_LABELS
from satisfaction import margins, scoring
from satisfaction.models import COMMITMENT_LABELS

bp = Blueprint(
    "dashboards",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/dashboards/static",
)
BOARD = tuple(ASSOCIATION_ROLES)
STAFF = tuple(MEMBER_ROLES)
PORTAL_KEY = "portal_email"
PORTAL_STARTED = "portal_started"
log = logging.getLogger(__name__)


_translated: dict[str, dict[str, dict[Any, str]]] = {}


def _translated_labels() -> dict[str, dict[Any, str]]:
    """The labels the dashboards' cells show, translated once per language and
    process (this context processor runs for every page of the app, the
    client's answer pages included)."""
    locale = str(get_locale() or "fr")
    found = _translated.get(locale)
    if found is None:
        found = _translated[locale] = {
            "STATUS_LABELS": {k: str(v) for k, v in services.STATUS_LABELS.items()},
            "LIGHT_LABELS": {k: str(v) for k, v in services.LIGHT_LABELS.items()},
            "CRITERIA_LABELS": {k: str(v) for k, v in services.CRITERIA_LABELS.items()},
            "EXPORT_NAMES": {
                k: str(v) for k, v in dashboard_exports.TABLE_NAMES.items()
            },
        }
    return found


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        # Translated once per language, not once per cell (nor per page).
        **_translated_labels(),
        "MIN_ANSWERS": 5,
        "COMMITMENT_NAMES": {k.value: v for k, v in COMMITMENT_LABELS.items()},
        "SERVICE_NAMES": {k.value: v for k, v in SERVICE_LABELS.items()},
        "on_target_share": services.on_target_share,
        "view_names": current_app.view_functions,
        "METRIC_NAMES": {k: v for k, v in scoring.METRIC_LABELS.items()},
        "score_interval": margins.score_interval,
        "trend_changes": margins.trend_changes,
    }


def _today() -> date:
    return utcnow().date()


def _filters(
    *, member_id: int | None = None, strict: bool = False
) -> tuple[services.Filters, FilterForm]:
    """The page's filters from the query string.

    Bad dates on a page: the page shows the default period and the form says
    what to correct next to the field (``form.errors`` is set, the view answers
    400). ``strict`` (exports, which have no form): a 400 with the message.
    """
    form = FilterForm(request.args)
    # A member's pages have no department filter: no list of every member's.
    departments = services.departments() if member_id is None else []
    form.department.choices = choices([("", _("Tous"))] + [(d, d) for d in departments])
    form.service_type.choices = choices(
        [("", _("Toutes"))] + [(k.value, str(v)) for k, v in SERVICE_LABELS.items()]
    )
    clients = dict(services.member_clients(member_id) if member_id is not None else [])
    form.client.choices = choices(
        [("", _("Tous"))] + [(str(i), n) for i, n in clients.items()]
    )
    valid = form.validate()
    if not valid and strict:
        abort(400, _("Les filtres sont invalides : vérifiez les dates (AAAA-MM-JJ)."))
    for field in (form.since, form.until):
        if field.errors:  # WTForms' own words name no format
            field.errors = [_("Date invalide : indiquez-la sous la forme AAAA-MM-JJ.")]
    default_since, default_until = services.default_period(_today())
    since = form.since.data or default_since
    until = form.until.data or default_until
    try:
        services.check_period(since, until)
    except services.DashboardError as error:
        if strict:
            abort(400, str(error))
        form[error.field or "since"].errors = [str(error)]
        since, until = default_since, default_until
    if not form.errors:
        form.since.data, form.until.data = since, until
    service_type = form.service_type.data or None
    if service_type and service_type not in {k.value for k in SERVICE_LABELS}:
        abort(400, _("Type de prestation inconnu."))
    filters = services.Filters(
        since=since,
        until=until,
        department=(form.department.data or None) if member_id is None else None,
        service_type=service_type,
        client_id=_client_id(form.client.data, clients),
        member_id=member_id,
    )
    return filters, form


def _status(form: FilterForm) -> int:
    """A page whose filters were refused answers 400 (with the form)."""
    return 400 if form.errors else 200


def _client_id(raw: str | None, clients: dict[int, str]) -> int | None:
    """The client filter: one of the member's clients (another: a 400)."""
    if not raw:
        return None
    chosen = db_int_or_none(raw)
    if not raw.isdigit() or chosen is None or chosen not in clients:
        abort(400, _("Client inconnu."))
    return chosen


def _format(fmt: str) -> str:
    if fmt not in exports.FORMATS:
        abort(404)
    return fmt


# ---------------------------------------------------------------- board


FILTER_KEYS = ("since", "until", "department", "service_type")
LISTING_KEYS = ("search", "light", "order")


def _listing() -> tuple[services.Listing, ListingForm]:
    """How to list the compliance table, from the query string (bad: a 400)."""
    form = ListingForm(request.args)
    form.light.choices = choices(
        [
            ("all", _("Tous les adhérents")),
            ("red", _("Au moins un critère non conforme")),
            ("attention", _("Au moins un critère à améliorer ou non conforme")),
            ("compliant", _("Conformes sur tous les critères")),
        ]
    )
    form.order.choices = choices(
        [
            ("worst", _("Les moins conformes d'abord")),
            ("name", _("Nom")),
            ("rate", _("Taux de réponse (le plus bas d'abord)")),
            ("alerts", _("Alertes ouvertes (le plus d'abord)")),
            ("nps", _("NPS (le plus bas d'abord)")),
        ]
    )
    if not form.validate():
        abort(400, _("Les options du tableau sont invalides."))
    listing = services.Listing(
        order=form.order.data or "worst",
        light=form.light.data or "all",
        search=(form.search.data or "").strip(),
        page=form.page.data or 1,
        per_page=int(current_app.config.get("DASHBOARDS_COMPLIANCE_PER_PAGE", 50)),
    )
    form.order.data, form.light.data = listing.order, listing.light
    return listing, form


@bp.get("/board/review")
@roles_required(*BOARD)
def board_review() -> ResponseReturnValue:
    filters, form = _filters()
    listing, listing_form = _listing()
    review, compliance, as_of = services.board_review_page(
        filters, today=_today(), listing=listing
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
    return render_template(
        "dashboards/member_dashboard.html",
        cockpit=dash,
        member=member,
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
        current_user, filters, table, fmt=fmt, today=_today()
    )
    return exports.download(rows, fmt)


def _report_year() -> int:
    """The report's year from the query string (none: this year; bad: a 400)."""
    raw = request.args.get("year", "").strip()
    if not raw:
        return _today().year
    if not raw.isdigit() or len(raw) != 4 or not 2000 <= int(raw) <= 2100:
        abort(400, _("Année invalide : indiquez une année entre 2000 et 2100."))
    return int(raw)


def _report_filters(year: int) -> tuple[services.Filters, date]:
    """The report's period and the day its figures are computed at."""
    filters = services.Filters(since=date(year, 1, 1), until=date(year, 12, 31))
    return filters, min(_today(), filters.until)


def _report_html(year: int) -> str:
    filters, today = _report_filters(year)
    review, _as_of = services.stored_board_review(filters, today=today)
    return render_template(
        "dashboards/annual_report.html",
        review=review,
        year=year,
        figures=board_figures(review),
    )


@bp.get("/board/report")
@roles_required(*BOARD)
def annual_report() -> ResponseReturnValue:
    return _report_html(_report_year())


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
        if error.reason == "missing":
            message = _(
                "La génération du PDF n'est pas disponible sur ce serveur (Chromium introuvable) : imprimez la page et choisissez « Enregistrer au format PDF »."
            )
        else:
            message = _(
                "La génération du PDF a échoué : imprimez la page et choisissez « Enregistrer au format PDF »."
            )
        return render_error(503, message)
    return send_file(
        io.BytesIO(body),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=_("rapport-qualite-%(year)d.pdf", year=year),
    )


# ---------------------------------------------------------------- member


@bp.get("/dashboard")
@roles_required(*STAFF)
def member_dashboard() -> ResponseReturnValue:
    filters, form = _filters(member_id=current_user.member_id)
    dash = services.member_dashboard(current_user.member_id, filters, now=utcnow())
    return render_template(
        "dashboards/member_dashboard.html",
        cockpit=dash,
        member=current_user.member,
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
