"""The KPI API, ``/api/v1``: per-member bearer tokens, JSON in and out, errors as
``application/problem+json`` (RFC 9457), and an OpenAPI document generated from
the marshmallow schemas and the routes themselves by apispec."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, g, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from core.database import expect_writes
from core.errors import describe
from core.extensions import csrf
from core.inputs import DB_INT_MAX
from kpi import services
from kpi.services.api_writes import MAX_PER_PAGE, MeasurementInput
from members.services import list_projects

if TYPE_CHECKING:
    from marshmallow import ValidationError

# marshmallow, its schemas (kpi.api_schemas) and apispec are imported by the
# requests that use them: a web worker that never serves the API does not load
# them at start-up (issue 14's cold start). The OpenAPI operations name their
# schemas, which apispec finds in marshmallow's class registry.

bp = Blueprint("kpi_api", __name__, url_prefix="/api/v1")

F = TypeVar("F", bound=Callable[..., Any])
PROBLEM = "application/problem+json"
PROBLEM_TYPES = {
    "invalid-request": "urn:qualicharte:problem:invalid-request",
    "invalid-measurements": "urn:qualicharte:problem:invalid-measurements",
    "existing-values": "urn:qualicharte:problem:existing-values",
}


# ---------------------------------------------------------------- plumbing


def document(**operations: dict[str, Any]) -> Callable[[F], F]:
    """Attach OpenAPI operations (by HTTP method) to a view for the generated spec."""

    def decorator(view: F) -> F:
        view._openapi = operations  # type: ignore[attr-defined]
        return view

    return decorator


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    kind: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPES[kind] if kind else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _json(payload: Any, status: int = 200) -> Response:
    return current_app.response_class(
        json.dumps(payload, ensure_ascii=False),
        status=status,
        mimetype="application/json",
    )


def _marshmallow_messages() -> dict[str, str]:
    """marshmallow's own (English) messages in the reader's language.

    marshmallow has no translation hook of its own and builds its messages when the
    schemas are declared (at import, before any request); they are translated
    here, when the problem is written. Our own validators translate at call time.
    """
    return {
        "Missing data for required field.": _("Champ obligatoire."),
        "Field may not be null.": _("Ce champ ne peut pas être null."),
        "Invalid value.": _("Valeur invalide."),
        "Not a valid integer.": _("Nombre entier attendu."),
        "Number too large.": _("Nombre trop grand."),
        "Not a valid date.": _("Date attendue au format AAAA-MM-JJ."),
        "Not a valid list.": _("Liste attendue."),
        "Invalid type.": _("Objet JSON attendu."),
        "Invalid input type.": _("Objet JSON attendu."),
        "Unknown field.": _("Champ inconnu."),
    }


def _flatten(
    messages: Any, index: int | None = None, prefix: str = ""
) -> list[dict[str, Any]]:
    """marshmallow's nested messages as a flat list of per-item errors, in the
    reader's language."""
    items: list[dict[str, Any]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                items.extend(_flatten(value, key, ""))
            elif key == "measurements" and isinstance(value, dict):
                items.extend(_flatten(value, None, ""))
            else:
                items.extend(_flatten(value, index, f"{prefix}{key}"))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict | list):
                items.extend(_flatten(message, index, prefix))
            else:
                text = str(message)
                entry: dict[str, Any] = {
                    "field": prefix or None,
                    "detail": _marshmallow_messages().get(text, text),
                }
                if index is not None:
                    entry["index"] = index
                items.append(entry)
    return items


def _invalid(error: ValidationError, detail: str) -> Response:
    return problem(
        400,
        _("Requête invalide"),
        detail,
        kind="invalid-request",
        errors=_flatten(error.messages),
    )


def _member_id() -> int:
    return int(g.api_member_id)


@bp.before_request
def authenticate() -> ResponseReturnValue | None:
    if request.endpoint == "kpi_api.openapi":
        return None
    expect_writes()  # noting when a token was used writes, even on GET
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    token = (
        services.authenticate_token(secret.strip())
        if scheme.lower() == "bearer" and secret.strip()
        else None
    )
    if token is None:
        return problem(
            401,
            _("Connexion requise"),
            _(
                "Jeton d'API absent, inconnu ou révoqué (en-tête Authorization: Bearer …)."
            ),
            headers={"WWW-Authenticate": 'Bearer realm="qualicharte"'},
        )
    g.api_member_id = token.member_id
    return None


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    title, detail = describe(status)
    return problem(status, title, detail)


def _not_found() -> Response:
    return problem(
        404,
        _("Introuvable"),
        _("Cette ressource n'existe pas ou vous n'y avez pas accès."),
    )


# ---------------------------------------------------------------- endpoints

_AUTH: list[dict[str, list[str]]] = [{"bearer": []}]


def _responses(ok: Any, *extra: int) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": ok}}},
        "401": {
            "description": "Missing, unknown or revoked token",
            "content": {PROBLEM: {"schema": "ProblemSchema"}},
        },
    }
    for status in extra:
        responses[str(status)] = {
            "description": {
                400: "Invalid request",
                404: "Not found",
                409: "Values already stored for these periods (send replace: true)",
                422: "Invalid items",
            }[status],
            "content": {PROBLEM: {"schema": "ProblemSchema"}},
        }
    return responses


@bp.get("/projects")
@document(
    get={
        "summary": "List the member's projects",
        "operationId": "listProjects",
        "security": _AUTH,
        "responses": _responses("ProjectListSchema"),
    }
)
def projects() -> ResponseReturnValue:
    from kpi.api_schemas import ProjectListSchema

    items = list_projects(_member_id())
    return _json(ProjectListSchema().dump({"items": items}))


@bp.get("/projects/<int:project_id>/indicators")
@document(
    get={
        "summary": "List a project's indicators",
        "operationId": "listIndicators",
        "security": _AUTH,
        "parameters": [
            {
                "name": "project_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            }
        ],
        "responses": _responses("IndicatorListSchema", 404),
    }
)
def project_indicators(project_id: int) -> ResponseReturnValue:
    from kpi.api_schemas import IndicatorListSchema

    project = services.get_project(_member_id(), project_id)
    if project is None:
        return _not_found()
    items = services.list_indicators(_member_id(), project.id)
    return _json(IndicatorListSchema().dump({"items": items}))


@bp.get("/indicators/<int:indicator_id>")
@document(
    get={
        "summary": "Read one indicator",
        "operationId": "getIndicator",
        "security": _AUTH,
        "parameters": [
            {
                "name": "indicator_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            }
        ],
        "responses": _responses("IndicatorSchema", 404),
    }
)
def indicator(indicator_id: int) -> ResponseReturnValue:
    from kpi.api_schemas import IndicatorSchema

    found = services.get_indicator(_member_id(), indicator_id)
    if found is None:
        return _not_found()
    return _json(IndicatorSchema().dump(found))


@bp.get("/indicators/<int:indicator_id>/measurements")
@document(
    get={
        "summary": "Read an indicator's measurements, oldest first, page by page",
        "operationId": "listMeasurements",
        "security": _AUTH,
        "parameters": [
            {
                "name": "indicator_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            },
            {
                "name": "from",
                "in": "query",
                "schema": {"type": "string", "format": "date"},
            },
            {
                "name": "to",
                "in": "query",
                "schema": {"type": "string", "format": "date"},
            },
            {
                "name": "page",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
            },
            {
                "name": "per_page",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            },
        ],
        "responses": _responses("MeasurementPageSchema", 400, 404),
    }
)
def measurements(indicator_id: int) -> ResponseReturnValue:
    from marshmallow import ValidationError

    from kpi.api_schemas import MeasurementPageSchema, MeasurementQuerySchema

    found = services.get_indicator(_member_id(), indicator_id)
    if found is None:
        return _not_found()
    try:
        query = MeasurementQuerySchema().load(request.args.to_dict())
    except ValidationError as error:
        return _invalid(error, _("Paramètres de requête invalides."))
    page, per_page = query["page"], query["per_page"]
    items, total = services.list_measurements(
        found,
        start=query["start"],
        end=query["end"],
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    following = None
    if page * per_page < total:
        args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
        following = url_for(
            "kpi_api.measurements", indicator_id=found.id, page=page + 1, **args
        )
    return _json(
        MeasurementPageSchema().dump(
            {
                "items": items,
                "total": total,
                "page": page,
                "per_page": per_page,
                "next": following,
            }
        )
    )


@bp.post("/measurements")
@document(
    post={
        "summary": "Write measurements: up to 10,000 per request, all or nothing, "
        "idempotent per indicator and period; replacing a stored value needs "
        '"replace": true (else 409)',
        "operationId": "writeMeasurements",
        "security": _AUTH,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": "MeasurementBatchSchema"}},
        },
        "responses": _responses("BatchResultSchema", 400, 409, 422),
    }
)
def write_measurements() -> ResponseReturnValue:
    from marshmallow import ValidationError

    from kpi.api_schemas import BatchResultSchema, MeasurementBatchSchema

    try:
        payload = json.loads(request.get_data(), parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        return problem(
            400,
            _("Requête invalide"),
            _("Le corps de la requête n'est pas du JSON valide."),
            kind="invalid-request",
        )
    if not isinstance(payload, dict):
        return problem(
            400,
            _("Requête invalide"),
            _('Objet JSON attendu : {"measurements": [...]}.'),
            kind="invalid-request",
        )
    try:
        data = MeasurementBatchSchema().load(payload)
    except ValidationError as error:
        return problem(
            422,
            _("Mesures refusées"),
            _("Des mesures sont invalides : rien n'a été enregistré."),
            kind="invalid-measurements",
            errors=_flatten(error.messages),
        )
    items = [MeasurementInput(**item) for item in data["measurements"]]
    try:
        counts = services.write_measurements(
            _member_id(), items, replace=data["replace"]
        )
    except services.BatchConflict as conflict:
        return problem(
            409,
            _("Valeurs déjà enregistrées"),
            str(conflict),
            kind="existing-values",
            errors=conflict.errors,
        )
    except services.BatchRefused as refusal:
        return problem(
            422,
            _("Mesures refusées"),
            str(refusal),
            kind="invalid-measurements",
            errors=refusal.errors,
        )
    return _json(BatchResultSchema().dump(counts))


# ---------------------------------------------------------------- OpenAPI


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3 document of every documented ``/api/v1`` route."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    from kpi.api_schemas import Amount

    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="Qualicharte — API des indicateurs",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={
            "description": "Projects, indicators and measurements of the member that "
            "owns the bearer token. Errors are application/problem+json (RFC 9457)."
        },
        servers=[{"url": "/"}],
    )
    # apispec leaves this method unannotated (its other methods are typed).
    plugin.map_to_openapi_type(Amount, "string", "decimal")  # type: ignore[no-untyped-call]
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "qck_…"}
    )
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("kpi_api."):
            continue
        operations = getattr(app.view_functions[rule.endpoint], "_openapi", None)
        if operations is None:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
@document(
    get={
        "summary": "This document",
        "operationId": "getOpenApi",
        "responses": {"200": {"description": "The OpenAPI 3 document"}},
    }
)
def openapi() -> ResponseReturnValue:
    document_ = current_app.extensions.get("kpi.openapi")
    if document_ is None:
        document_ = build_spec(current_app._get_current_object())  # type: ignore[attr-defined]
        current_app.extensions["kpi.openapi"] = document_
    return _json(document_)


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
