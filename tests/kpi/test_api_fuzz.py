"""schemathesis against the API's own OpenAPI document, offline through the WSGI
app: no server error and every answer as the document describes it, for a fixed,
derandomized number of examples per operation (valid and invalid requests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from core.extensions import db
from kpi import services

EXAMPLES_PER_OPERATION = 25
# Some checks ask more than the document promises: a schema-valid batch that
# names an indicator the token's member does not own is refused with the
# documented 422, not accepted.
EXCLUDED = {"writeMeasurements": [positive_data_acceptance]}
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture()
def bearer(agency: Callable[..., Any], make_indicator: Callable[..., Any]) -> str:
    """A token of a member with a project and two indicators (ids 1, 2… exist)."""
    a = agency()
    make_indicator(a.project, "audience", target_value="100")
    make_indicator(a.project, "cost_per_click")
    _token, secret = services.create_token(a.admin, a.member.id, name="fuzz")
    db.session.commit()
    return f"Bearer {secret}"


def _run(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> int:
    calls = 0

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def one(case: Any) -> None:
        nonlocal calls
        calls += 1
        response = case.call(headers=headers)
        case.validate_response(
            response,
            headers=headers,
            excluded_checks=EXCLUDED.get(
                operation.definition.raw.get("operationId"), []
            ),
        )

    one()
    return calls


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_api_operation_survives_schemathesis(
    app: Flask, bearer: str, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    calls = 0
    for operation in operations:
        # The test client hands back the bytes as sent: no compression.
        headers = {"Authorization": bearer, "Accept-Encoding": "identity"}
        calls += _run(operation, mode, headers)
    # Each operation ran its share (an operation without parameters is
    # exhausted sooner: hypothesis stops when every case has been tried).
    assert calls >= 3 * EXAMPLES_PER_OPERATION


def test_an_undocumented_method_is_a_405_that_names_the_allowed_ones(
    client: FlaskClient, bearer: str
) -> None:
    for path in ("/api/v1/projects", "/api/v1/measurements", "/registry", "/login"):
        response = client.open(path, method="PATCH", headers={"Authorization": bearer})
        assert response.status_code == 405, path
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert allowed & {"GET", "POST"}, (path, allowed)


@pytest.mark.parametrize("page", [2**31, 2**62, 2**63, 10**40])
def test_a_page_far_beyond_the_last_is_never_a_server_error(
    client: FlaskClient, bearer: str, page: int
) -> None:
    response = client.get(
        f"/api/v1/indicators/1/measurements?page={page}&per_page=1000",
        headers={"Authorization": bearer},
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"][0]["field"] == "page"


@pytest.mark.parametrize("indicator_id", [2**31, 2**63, -(2**63) - 1])
def test_an_out_of_range_indicator_in_a_batch_is_refused_not_a_server_error(
    client: FlaskClient, bearer: str, indicator_id: int
) -> None:
    item = {"indicator_id": indicator_id, "period_start": "2024-01-01", "value": "1"}
    response = client.post(
        "/api/v1/measurements",
        json={"measurements": [item]},
        headers={"Authorization": bearer},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "indicator_id"
