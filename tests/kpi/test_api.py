"""The /api/v1 API: bearer tokens, reads, batch writes, problem+json, OpenAPI."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from core.extensions import db
from kpi import services
from kpi.models import Measurement, Source

PROBLEM = "application/problem+json"


@pytest.fixture()
def api(agency, make_indicator):
    a = agency()
    visits = make_indicator(a.project, "audience", target_value="100")
    cpc = make_indicator(a.project, "cost_per_click")
    _token, secret = services.create_token(a.admin, a.member.id, name="script")
    return a, visits, cpc, {"Authorization": f"Bearer {secret}"}


def test_the_openapi_document_is_valid_and_lists_every_route(client, app) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    documented = {
        (path, method) for path, ops in spec["paths"].items() for method in ops
    }
    routes = {
        (rule.rule.replace("<int:", "{").replace(">", "}"), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("kpi_api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented
    batch = spec["components"]["schemas"]["MeasurementBatch"]
    assert batch["properties"]["measurements"]["maxItems"] == 10_000


def test_requests_without_a_valid_token_get_401_problems(client, api) -> None:
    _a, _visits, _cpc, _headers = api
    for extra in (
        {},
        {"Authorization": "Bearer qck_nope"},
        {"Authorization": "Basic x"},
    ):
        response = client.get("/api/v1/projects", headers=extra)
        assert response.status_code == 401
        assert response.mimetype == PROBLEM
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        body = response.get_json()
        assert body["status"] == 401 and body["type"] == "about:blank" and body["title"]


def test_a_revoked_token_gets_401(client, api) -> None:
    a, _visits, _cpc, headers = api
    assert client.get("/api/v1/projects", headers=headers).status_code == 200
    token = services.list_tokens(a.member.id)[0]
    services.revoke_token(a.admin, token)
    assert client.get("/api/v1/projects", headers=headers).status_code == 401


def test_lists_projects_and_indicators(client, api) -> None:
    a, visits, cpc, headers = api
    projects = client.get("/api/v1/projects", headers=headers).get_json()["items"]
    assert [p["id"] for p in projects] == [a.project.id]
    assert projects[0]["client"] == a.client.name
    indicators = client.get(
        f"/api/v1/projects/{a.project.id}/indicators", headers=headers
    ).get_json()["items"]
    assert [(i["id"], i["kind"], i["is_ratio"]) for i in indicators] == [
        (visits.id, "audience", False),
        (cpc.id, "cost_per_click", True),
    ]
    assert indicators[0]["target_value"] == "100.0000"
    one = client.get(f"/api/v1/indicators/{cpc.id}", headers=headers).get_json()
    assert one["direction"] == "lower"


def test_batch_writes_are_idempotent_and_all_or_nothing(client, api) -> None:
    _a, visits, cpc, headers = api
    body = {
        "measurements": [
            {"indicator_id": visits.id, "period_start": "2024-01-01", "value": 1234.5},
            {"indicator_id": visits.id, "period_start": "2024-02-01", "value": "99"},
            {
                "indicator_id": cpc.id,
                "period_start": "2024-01-01",
                "numerator": 4203.15,
                "denominator": 9388,
            },
        ]
    }
    first = client.post("/api/v1/measurements", json=body, headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.get_json() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "warnings": [],
    }
    again = client.post("/api/v1/measurements", json=body, headers=headers)
    assert again.get_json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "warnings": [],
    }
    stored = db.session.scalar(
        select(Measurement).where(Measurement.indicator_id == cpc.id)
    )
    assert stored.value == Decimal("0.4477") and stored.source == Source.API

    body["measurements"][0]["value"] = 2000
    body["measurements"].append(
        {"indicator_id": visits.id, "period_start": "2024-03-15", "value": 1}
    )
    body["measurements"].append(
        {"indicator_id": cpc.id, "period_start": "2024-02-01", "value": 1}
    )
    refused = client.post("/api/v1/measurements", json=body, headers=headers)
    assert refused.status_code == 422 and refused.mimetype == PROBLEM
    errors = refused.get_json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [
        (3, "period_start"),
        (4, "numerator"),
    ]
    # All or nothing: the valid change of item 0 was not written.
    value = db.session.scalar(
        select(Measurement.value).where(
            Measurement.indicator_id == visits.id,
            Measurement.period_start == date(2024, 1, 1),
        )
    )
    assert value == Decimal("1234.5")


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (b'{"measurements": []}', 422),
        (
            b'{"measurements": [{"indicator_id": "x", "period_start": "2024-13-01"}]}',
            422,
        ),
        (
            b'{"measurements": [{"indicator_id": 1, "period_start": "2024-01-01", "value": true}]}',
            422,
        ),
        (
            b'{"measurements": [{"indicator_id": 1, "period_start": "2024-01-01", "value": 1e20}]}',
            422,
        ),
        (b"\xff\xfe", 400),
    ],
)
def test_bad_bodies_get_problems_never_500(client, api, payload, status) -> None:
    _a, _visits, _cpc, headers = api
    response = client.post(
        "/api/v1/measurements",
        data=payload,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    assert json.loads(response.get_data())["status"] == status


def test_more_than_ten_thousand_items_are_refused(client, api) -> None:
    _a, visits, _cpc, headers = api
    items = [
        {"indicator_id": visits.id, "period_start": "2024-01-01", "value": 1}
    ] * 10_001
    response = client.post(
        "/api/v1/measurements", json={"measurements": items}, headers=headers
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0


def test_ten_thousand_items_are_written_in_one_request(
    client, api, make_indicator
) -> None:
    a, _visits, _cpc, headers = api
    # Two daily indicators of 5,000 days each: 10,000 days would not fit
    # between 2000 (the earliest period accepted) and today.
    daily = make_indicator(a.project, "audience", frequency="day", name="Jour")
    other = make_indicator(a.project, "clicks", frequency="day", name="Clics")
    start = date(2010, 1, 1).toordinal()
    items = [
        {
            "indicator_id": indicator.id,
            "period_start": date.fromordinal(start + n).isoformat(),
            "value": n,
        }
        for indicator in (other, daily)
        for n in range(5_000)
    ]
    response = client.post(
        "/api/v1/measurements", json={"measurements": items}, headers=headers
    )
    result = response.get_json()
    assert (result["created"], result["updated"], result["unchanged"]) == (
        10_000,
        0,
        0,
    )
    # Stored, and flagged: most of those days are before the project (2024).
    assert [w.split(" : ")[0] for w in result["warnings"]] == ["« Clics »", "« Jour »"]
    # 2010-01-01 + 4,999 days is 2023-09-09: every day is before the project.
    for warning in result["warnings"]:
        assert "5000 valeur(s) hors de la période du projet (du 2024-01-01" in warning
    # The bulk path stores exactly what the ORM would.
    last = db.session.scalar(
        select(Measurement).where(
            Measurement.indicator_id == daily.id,
            Measurement.period_start == date.fromordinal(start + 4_999),
        )
    )
    assert last.value == Decimal("4999") and last.source == Source.API
    assert last.updated_at.tzinfo is not None
    again = client.post(
        "/api/v1/measurements", json={"measurements": items}, headers=headers
    )
    assert again.get_json()["unchanged"] == 10_000
    assert again.get_json()["warnings"] == []  # nothing written, nothing flagged


def test_measurements_are_paginated_and_filtered_by_period(client, api) -> None:
    _a, visits, _cpc, headers = api
    for month in range(1, 7):
        services.record_measurement(
            None, visits, day=date(2024, month, 1), value=str(month)
        )
    url = f"/api/v1/indicators/{visits.id}/measurements"
    page = client.get(
        f"{url}?from=2024-02-01&to=2024-05-31&per_page=3", headers=headers
    )
    body = page.get_json()
    assert body["total"] == 4 and body["page"] == 1
    assert [m["value"] for m in body["items"]] == ["2.0000", "3.0000", "4.0000"]
    following = client.get(body["next"], headers=headers).get_json()
    assert [m["period_start"] for m in following["items"]] == ["2024-05-01"]
    assert following["next"] is None
    bad = client.get(f"{url}?per_page=5000&from=yesterday", headers=headers)
    assert bad.status_code == 400 and bad.mimetype == PROBLEM
    assert {e["field"] for e in bad.get_json()["errors"]} == {"per_page", "from"}


def test_another_members_data_answers_404(client, api, agency, make_indicator) -> None:
    _a, _visits, _cpc, headers = api
    theirs = agency("Agence Voisine")
    their_indicator = make_indicator(theirs.project, "audience")
    for url in (
        f"/api/v1/projects/{theirs.project.id}/indicators",
        f"/api/v1/indicators/{their_indicator.id}",
        f"/api/v1/indicators/{their_indicator.id}/measurements",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.mimetype == PROBLEM
    write = client.post(
        "/api/v1/measurements",
        json={
            "measurements": [
                {
                    "indicator_id": their_indicator.id,
                    "period_start": "2024-01-01",
                    "value": 1,
                }
            ]
        },
        headers=headers,
    )
    assert write.status_code == 422
    assert write.get_json()["errors"][0]["field"] == "indicator_id"
    projects = client.get("/api/v1/projects", headers=headers).get_json()["items"]
    assert theirs.project.id not in [p["id"] for p in projects]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            {
                (0, "indicator_id"): "Nombre entier attendu.",
                (0, "period_start"): "Champ obligatoire.",
                (1, "period_start"): "Date attendue au format AAAA-MM-JJ.",
                (1, "colour"): "Champ inconnu.",
            },
        ),
        (
            "en",
            {
                (0, "indicator_id"): "A whole number is expected.",
                (0, "period_start"): "This field is required.",
                (1, "period_start"): "A date is expected, as YYYY-MM-DD.",
                (1, "colour"): "Unknown field.",
            },
        ),
    ],
)
def test_refusals_explain_each_field_in_the_readers_language(
    client, api, language, expected
) -> None:
    _a, visits, _cpc, headers = api
    body = {
        "measurements": [
            {"indicator_id": "x"},
            {
                "indicator_id": visits.id,
                "period_start": "2024-13-01",
                "value": 1,
                "colour": "red",
            },
        ]
    }
    response = client.post(
        "/api/v1/measurements",
        json=body,
        headers={**headers, "Accept-Language": language},
    )
    assert response.status_code == 422
    details = {(e["index"], e["field"]): e["detail"] for e in response.json["errors"]}
    assert details == expected


def test_query_parameters_out_of_range_are_explained(client, api) -> None:
    _a, visits, _cpc, headers = api
    response = client.get(
        f"/api/v1/indicators/{visits.id}/measurements?per_page=5000&page=0",
        headers={**headers, "Accept-Language": "fr"},
    )
    assert response.status_code == 400
    details = {e["field"]: e["detail"] for e in response.json["errors"]}
    assert details == {"per_page": "Entre 1 et 1000.", "page": "Au moins 1."}
    too_many = client.post(
        "/api/v1/measurements",
        json={"measurements": []},
        headers={**headers, "Accept-Language": "en"},
    )
    assert too_many.json["errors"] == [
        {"field": "measurements", "detail": "From 1 to 10000 items (0 received)."}
    ]
