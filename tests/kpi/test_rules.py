"""One set of rules for every way a value enters (kpi.rules): the form, a file
import (the service the upload page confirms through, and ``flask kpi import``)
and the API refuse the same values with the same message, and replacing a
stored value asks first and keeps the old one in the history."""

from __future__ import annotations

import hashlib
import html
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.dates import local_today
from core.extensions import db
from kpi import rules, services
from kpi.importers import ColumnMapping, parse_export
from kpi.models import Measurement, MeasurementRevision, Source
from tests.kpi.conftest import export_bytes

NEGATIVE = "Valeur négative refusée : ce nombre se compte à partir de 0."
FUTURE = (
    "La période 2090-01 n'a pas encore commencé : une valeur se saisit pour la "
    "période en cours ou une période passée."
)
TOO_OLD = "La période 1999-12 est antérieure à 2000-01 : vérifiez l'année."
YEAR_ONE = "La période 0001-02 est antérieure à 2000-01 : vérifiez l'année."

#: (what is typed, the rule's message) — for a monthly audience indicator.
REFUSED = [
    pytest.param("2024-03-01", "-5", NEGATIVE, id="negative-count"),
    pytest.param("2090-01-15", "5", FUTURE, id="future-period"),
    pytest.param("1999-12-15", "5", TOO_OLD, id="before-2000"),
]


def _text(response) -> str:
    """The page as a person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def _count(model=Measurement) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


# ---------------------------------------------------------------- pure rules


def test_counts_money_and_durations_cannot_be_negative_a_custom_value_can() -> None:
    from kpi.models import IndicatorKind

    for kind in ("audience", "incidents", "clicks"):
        assert rules.sign_problem(
            IndicatorKind(kind), is_ratio=False, value=Decimal(-1)
        ) == ("value", rules.negative_refused())
        assert (
            rules.sign_problem(IndicatorKind(kind), is_ratio=False, value=Decimal(0))
            is None
        )
    assert (
        rules.sign_problem(IndicatorKind.CUSTOM, is_ratio=False, value=Decimal(-3))
        is None
    )
    cost, clicks = Decimal("-2"), Decimal("10")
    assert rules.sign_problem(
        IndicatorKind.COST_PER_CLICK,
        is_ratio=True,
        value=None,
        numerator=cost,
        denominator=clicks,
    ) == ("numerator", rules.negative_refused())


def test_the_current_period_is_accepted_the_next_one_is_not(app) -> None:
    today = date(2026, 3, 17)
    assert rules.period_problem(date(2026, 3, 1), "month", today=today) is None
    assert rules.period_problem(date(2026, 3, 16), "week", today=today) is None
    assert rules.period_problem(date(2026, 3, 17), "day", today=today) is None
    assert "2026-04" in str(
        rules.period_problem(date(2026, 4, 1), "month", today=today)
    )
    assert "2026-03-23" in str(
        rules.period_problem(date(2026, 3, 23), "week", today=today)
    )
    assert "2026-03-18" in str(
        rules.period_problem(date(2026, 3, 18), "day", today=today)
    )
    # The floor: the week of 2000-01-01 starts in 1999 and is accepted.
    assert rules.period_problem(date(1999, 12, 27), "week", today=today) is None
    assert str(rules.period_problem(date(1999, 12, 1), "month", today=today)) == (
        TOO_OLD
    )


# ---------------------------------------------------------------- every path


def _form(client, indicator, day: str, value: str, **extra: str):
    return client.post(
        f"/space/indicators/{indicator.id}/measurements",
        data={"day": day, "value": value, **extra},
    )


def _api(client, headers, indicator, day: str, value: str, **extra):
    return client.post(
        "/api/v1/measurements",
        json={
            "measurements": [
                {"indicator_id": indicator.id, "period_start": day, "value": value}
            ],
            **extra,
        },
        headers=headers,
    )


def _csv(day: str, value: str) -> bytes:
    return f"date;visites\n2024-02-10;10\n{day};{value}\n".encode()


MAPPING = ColumnMapping(
    date_column="date", value_columns=["visites"], allow_negative=False
)


def _import(project, indicator, data: bytes, *, now: datetime | None = None):
    export = parse_export(data, "valeurs.csv", mapping=MAPPING)
    return services.store_import(
        None,
        project,
        export,
        {export.series[0].key: indicator.id},
        file_name="valeurs.csv",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        now=now,
    )


@pytest.fixture()
def setup(agency, make_indicator):
    a = agency()
    visits = make_indicator(a.project, "audience")
    _token, secret = services.create_token(a.admin, a.member.id, name="script")
    return a, visits, {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(("day", "value", "message"), REFUSED)
def test_a_value_the_form_refuses_is_refused_by_the_import_the_api_and_the_cli(
    client, auth, runner, tmp_path, setup, day, value, message
) -> None:
    a, visits, headers = setup
    # The form: next to its field, nothing stored.
    auth.login(a.admin)
    page = _form(client, visits, day, value)
    assert page.status_code == 400
    assert message in _text(page)
    field = "value" if message == NEGATIVE else "day"
    assert f'id="{field}-error"' in _text(page)
    assert _count() == 0

    # The API: 422, the same message on the item, nothing stored.
    start = date.fromisoformat(day).replace(day=1).isoformat()
    answer = _api(client, headers, visits, start, value)
    assert answer.status_code == 422
    [error] = answer.get_json()["errors"]
    assert error["detail"] == message and error["index"] == 0
    assert _count() == 0

    # The import (what the upload page confirms): the row is rejected with the
    # same message, the good row is stored.
    data = _csv(day, value)
    _batch, preview = _import(a.project, visits, data)
    [rejected] = preview.rejected
    assert rejected.line == 3 and rejected.reason.endswith(message)
    assert [
        (m.period_start, m.value) for m in db.session.scalars(select(Measurement))
    ] == [(date(2024, 2, 1), Decimal(10))]

    # flask kpi import: the same rejection, printed with its line.
    path = tmp_path / "valeurs.csv"
    path.write_bytes(data)
    result = runner.invoke(
        args=[
            "kpi",
            "import",
            str(path),
            "--indicator",
            str(visits.id),
            "--date-column",
            "date",
            "--column",
            "visites",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["rejected"] == [{"line": 3, "reason": rejected.reason}]
    assert output["unchanged"] == 1 and output["new"] == 0
    assert _count() == 1


def test_year_one_is_refused_by_the_form_and_the_api_with_one_message(
    client, auth, setup
) -> None:
    a, visits, headers = setup
    auth.login(a.admin)
    page = _form(client, visits, "0001-02-01", "5")
    assert page.status_code == 400 and YEAR_ONE in _text(page)
    answer = _api(client, headers, visits, "0001-02-01", "5")
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["detail"] == YEAR_ONE
    assert _count() == 0


def test_the_api_says_it_in_english_when_asked(client, setup) -> None:
    _a, visits, headers = setup
    answer = _api(
        client, {**headers, "Accept-Language": "en"}, visits, "2024-03-01", "-5"
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["detail"] == (
        "Negative value refused: this number counts from 0."
    )


def test_a_custom_indicator_may_be_negative_on_every_path(
    client, auth, setup, make_indicator
) -> None:
    a, _visits, headers = setup
    balance = make_indicator(a.project, "custom", name="Solde")
    auth.login(a.admin)
    assert _form(client, balance, "2024-03-01", "-5").status_code == 302
    assert _api(client, headers, balance, "2024-04-01", "-7").status_code == 200
    stored = db.session.scalars(
        select(Measurement.value).where(Measurement.indicator_id == balance.id)
    ).all()
    assert sorted(stored) == [Decimal(-7), Decimal(-5)]


def test_the_current_period_is_accepted_on_every_path(
    client, auth, agency, make_indicator
) -> None:
    a = agency(ends_on=None)  # the current period is inside the project
    visits = make_indicator(a.project, "audience")
    _token, secret = services.create_token(a.admin, a.member.id, name="script")
    headers = {"Authorization": f"Bearer {secret}"}
    this_month = local_today().replace(day=1)
    auth.login(a.admin)
    assert _form(client, visits, this_month.isoformat(), "5").status_code == 302
    answer = _api(client, headers, visits, this_month.isoformat(), "5")
    assert answer.get_json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "warnings": [],
    }


def test_a_negative_cost_is_refused_by_the_form_and_the_api_alike(
    client, auth, setup, make_indicator
) -> None:
    a, _visits, headers = setup
    cpc = make_indicator(a.project, "cost_per_click")
    auth.login(a.admin)
    page = client.post(
        f"/space/indicators/{cpc.id}/measurements",
        data={"day": "2024-03-01", "numerator": "-2", "denominator": "10"},
    )
    assert page.status_code == 400 and NEGATIVE in _text(page)
    answer = client.post(
        "/api/v1/measurements",
        json={
            "measurements": [
                {
                    "indicator_id": cpc.id,
                    "period_start": "2024-03-01",
                    "numerator": "-2",
                    "denominator": "10",
                }
            ]
        },
        headers=headers,
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == [
        {"index": 0, "field": "numerator", "detail": NEGATIVE}
    ]


def test_values_outside_the_project_are_stored_and_flagged(
    client, auth, agency, make_indicator
) -> None:
    a = agency(starts_on=date(2024, 6, 1), ends_on=date(2024, 12, 31))
    visits = make_indicator(a.project, "audience")
    auth.login(a.admin)
    response = _form(client, visits, "2024-03-10", "5")
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "1 valeur(s) hors de la période du projet (du 2024-06-01 au 2024-12-31)" in (
        page
    )
    _batch, preview = _import(a.project, visits, _csv("2024-07-01", "4"))
    [warning] = [w for t in preview.targets for w in t.warnings]
    assert "1 valeur(s) hors de la période du projet" in warning  # 2024-02
    _token, secret = services.create_token(a.admin, a.member.id, name="script")
    answer = _api(
        client, {"Authorization": f"Bearer {secret}"}, visits, "2025-01-01", "9"
    )
    assert answer.status_code == 200
    assert answer.get_json()["warnings"] == [
        "« Visites du site » : 1 valeur(s) hors de la période du projet (du "
        "2024-06-01 au 2024-12-31), par exemple 2025-01. Elles sont enregistrées ; "
        "vérifiez la période."
    ]
    assert _count() == 4


# ---------------------------------------------------------------- replacing


def test_the_form_asks_before_replacing_and_the_history_keeps_the_old_value(
    client, auth, setup
) -> None:
    a, visits, _headers = setup
    auth.login(a.admin)
    assert _form(client, visits, "2026-03-01", "120").status_code == 302
    asked = _form(client, visits, "2026-03-20", "130")
    page = _text(asked)
    assert asked.status_code == 200
    assert "Une valeur existe déjà pour 2026-03 (120). La remplacer ?" in page
    assert 'name="replace" value="1"' in page
    assert db.session.scalar(select(Measurement.value)) == Decimal(120)
    assert _count(MeasurementRevision) == 0
    # The same value again is no question.
    assert _form(client, visits, "2026-03-05", "120").status_code == 302

    confirmed = _form(client, visits, "2026-03-20", "130", replace="1")
    assert confirmed.status_code == 302
    assert db.session.scalar(select(Measurement.value)) == Decimal(130)
    [revision] = db.session.scalars(select(MeasurementRevision)).all()
    assert (revision.period_start, revision.value, revision.source) == (
        date(2026, 3, 1),
        Decimal(120),
        Source.MANUAL,
    )
    assert revision.replaced_by_source == Source.MANUAL
    assert revision.replaced_by_id == a.admin.id
    page = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "Valeurs remplacées" in page and 'data-testid="kpi-revisions"' in page


def test_the_form_asks_in_english_too(client, auth, setup) -> None:
    a, visits, _headers = setup
    a.admin.locale = "en"
    db.session.commit()
    auth.login(a.admin)
    _form(client, visits, "2026-03-01", "120")
    page = _text(_form(client, visits, "2026-03-01", "130"))
    assert "A value already exists for 2026-03 (120). Replace it?" in page


def test_the_api_refuses_a_replacement_with_409_unless_replace_is_true(
    client, setup
) -> None:
    _a, visits, headers = setup
    assert _api(client, headers, visits, "2026-03-01", "120").status_code == 200
    same = _api(client, headers, visits, "2026-03-01", "120")
    assert same.get_json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "warnings": [],
    }

    conflict = _api(client, headers, visits, "2026-03-01", "130")
    assert conflict.status_code == 409
    assert conflict.mimetype == "application/problem+json"
    body = conflict.get_json()
    assert body["type"] == "urn:qualicharte:problem:existing-values"
    assert '"replace": true' in body["detail"]
    assert body["errors"] == [
        {
            "index": 0,
            "field": "period_start",
            "detail": "Une valeur existe déjà pour 2026-03 (120).",
        }
    ]
    assert db.session.scalar(select(Measurement.value)) == Decimal(120)

    replaced = _api(client, headers, visits, "2026-03-01", "130", replace=True)
    assert replaced.get_json() == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "warnings": [],
    }
    [revision] = db.session.scalars(select(MeasurementRevision)).all()
    assert (revision.value, revision.source, revision.replaced_by_source) == (
        Decimal(120),
        Source.API,
        Source.API,
    )


def test_the_openapi_document_describes_replace_and_the_409(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    batch = spec["components"]["schemas"]["MeasurementBatch"]
    assert batch["properties"]["replace"]["type"] == "boolean"
    assert "409" in batch["properties"]["replace"]["description"]
    responses = spec["paths"]["/api/v1/measurements"]["post"]["responses"]
    assert "409" in responses


def test_the_import_says_what_it_replaces_and_keeps_the_old_value(setup) -> None:
    a, visits, _headers = setup
    services.record_measurement(None, visits, day=date(2024, 2, 1), value="7")
    batch, preview = _import(a.project, visits, _csv("2024-03-05", "3"))
    assert preview.counts == {"new": 1, "changed": 1, "unchanged": 0, "rejected": 0}
    [revision] = db.session.scalars(select(MeasurementRevision)).all()
    assert (revision.period_start, revision.value, revision.source) == (
        date(2024, 2, 1),
        Decimal(7),
        Source.MANUAL,
    )
    assert revision.replaced_by_source == Source.IMPORT
    # Undoing the import still restores the value it replaced.
    assert batch is not None
    services.undo_import(None, batch)
    assert db.session.scalar(select(Measurement.value)) == Decimal(7)


def test_the_upload_preview_says_which_values_it_replaces(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    clicks = make_indicator(a.project, "audience", name="Clics", frequency="day")
    services.record_measurement(None, clicks, day=date(2024, 3, 1), value="1")
    auth.login(a.admin)
    name = "google-search-console_performance_dates.csv"
    uploaded = client.post(
        f"/space/projects/{a.project.id}/imports",
        data={"file": (io.BytesIO(export_bytes(name)), name)},
        content_type="multipart/form-data",
    )
    page = _text(client.get(uploaded.headers["Location"]))
    assert (
        "1 valeur(s) déjà enregistrée(s) seront remplacées par celles du fichier"
        in page
    )
    assert page.count("remplace la valeur actuelle") == 1
