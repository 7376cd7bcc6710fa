"""The dashboards blueprint and what its pages share: the labels for the
templates, the filters of the review and the listing, the export formats."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    request,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from core import exports
from core.database import utcnow
from core.forms import choices
from core.inputs import db_int_or_none
from core.security import ASSOCIATION_ROLES, MEMBER_ROLES
from dashboards import commitments as rules
from dashboards import exports as dashboard_exports
from dashboards import services
from dashboards.forms import FilterForm, ListingForm
from dashboards.views.cells import cells, member_links
from members import services as members_services
from members.models import SERVICE_LABELS
from satisfaction import margins, scoring
from satisfaction.commitments import lazy_labels

# Named after the feature package, so that its templates/ and static/ are found.
bp = Blueprint(
    "dashboards",
    "dashboards",
    template_folder="templates",
    static_folder="static",
    static_url_path="/dashboards/static",
)
BOARD = tuple(ASSOCIATION_ROLES)
STAFF = tuple(MEMBER_ROLES)
PORTAL_KEY = "portal_email"
PORTAL_STARTED = "portal_started"


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
            "COMMITMENT_RULES": {k.value: str(v) for k, v in rules.RULES.items()},
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
        "COMMITMENT_NAMES": lazy_labels(),
        # The titles of the charter in force (a new version may reword them).
        "COMMITMENT_TITLES": members_services.lazy_titles(),
        "SERVICE_NAMES": {k.value: v for k, v in SERVICE_LABELS.items()},
        "on_target_share": services.on_target_share,
        "view_names": current_app.view_functions,
        "METRIC_NAMES": {k: v for k, v in scoring.METRIC_LABELS.items()},
        "score_interval": margins.score_interval,
        "trend_changes": margins.trend_changes,
        "cells": cells,
        "member_links": member_links,
    }


def today() -> date:
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
    default_since, default_until = services.default_period(today())
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
LISTING_KEYS = ("search", "light", "commitment", "order")


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
    form.commitment.choices = choices(
        [("", _("Tous les engagements")), *members_services.current_titles().items()]
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
        commitment=form.commitment.data or "",
        search=(form.search.data or "").strip(),
        page=form.page.data or 1,
        per_page=int(current_app.config.get("DASHBOARDS_COMPLIANCE_PER_PAGE", 50)),
    )
    form.order.data, form.light.data = listing.order, listing.light
    form.commitment.data = listing.commitment
    return listing, form
