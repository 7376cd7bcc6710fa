"""Input the database cannot hold is refused, never a 500: ids beyond an integer
column in the path or the query string, NUL and control characters in text."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound

from core.inputs import DB_INT_MAX, db_int, has_forbidden_characters
from core.security import Role
from tests.conftest import Auth

# PostgreSQL's integer overflows at the first, SQLite's 64 bits at the second.
OUT_OF_RANGE = (2**31, 2**63)
INT_ARGUMENT = re.compile(r"<int:[^>]+>")
ANY_ARGUMENT = re.compile(r"<any\(([^,)]+)[^>]*>")
OTHER_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?[^<>]+>")


def _int_rules(app: Flask) -> list[Any]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if INT_ARGUMENT.search(rule.rule)),
        key=lambda rule: rule.rule,
    )


def _path(rule: Any, number: int) -> str:
    path = ANY_ARGUMENT.sub(r"\1", INT_ARGUMENT.sub(str(number), rule.rule))
    return OTHER_ARGUMENT.sub("x", path)


# ---------------------------------------------------------------- pure


def test_db_int_accepts_the_integer_range_and_refuses_beyond() -> None:
    assert db_int("2147483647") == DB_INT_MAX
    assert db_int("-2147483648") == -(2**31)
    for value in ("2147483648", "-2147483649", "9" * 30, "abc", ""):
        with pytest.raises(ValueError):
            db_int(value)


def test_control_characters_are_forbidden_but_tabs_and_line_ends_are_text() -> None:
    assert not has_forbidden_characters("Ligne 1\r\n\tLigne 2 — émoji 🎉 עברית")
    for char in ("\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800"):
        assert has_forbidden_characters(f"avant{char}après"), repr(char)


# ---------------------------------------------------------------- ids in the path


def test_every_int_route_matches_an_id_at_the_top_of_the_range(app: Flask) -> None:
    adapter = app.url_map.bind("qualicharte.test")
    rules = _int_rules(app)
    assert len(rules) >= 50
    for rule in rules:
        method = "GET" if "GET" in rule.methods else "POST"
        endpoint, _args = adapter.match(_path(rule, DB_INT_MAX), method=method)
        assert endpoint == rule.endpoint


def test_every_int_route_is_a_404_beyond_the_integer_range(
    client: FlaskClient,
    auth: Auth,
    make_staff: Callable[..., Any],
    make_member: Callable[..., Any],
    make_member_user: Callable[..., Any],
    app: Flask,
) -> None:
    users = [
        None,
        make_staff(Role.SECRETARIAT),
        make_staff(Role.BOARD),
        make_member_user(make_member()),
    ]
    checked = 0
    for user in users:
        if user is not None:
            auth.login(user)
        for rule in _int_rules(app):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for number in OUT_OF_RANGE:
                    path = _path(rule, number)
                    response = client.open(path, method=method)
                    assert response.status_code == 404, (method, path, user)
                    checked += 1
        if user is not None:
            auth.logout()
    assert checked >= 4 * 2 * 57


def test_the_route_map_no_longer_matches_an_out_of_range_id(app: Flask) -> None:
    adapter = app.url_map.bind("qualicharte.test")
    with pytest.raises(NotFound):
        adapter.match(f"/registry/{2**31}", method="GET")


# ---------------------------------------------------------------- ids in the query


def _plain_get_rules(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and not rule.endpoint.endswith("static")
    )


QUERY_NUMBERS = ("page", "per_page", "member", "project", "client_id", "client", "year")


def test_huge_numbers_in_the_query_string_are_never_a_server_error(
    client: FlaskClient,
    auth: Auth,
    make_staff: Callable[..., Any],
    make_member: Callable[..., Any],
    make_member_user: Callable[..., Any],
    app: Flask,
) -> None:
    member = make_member()
    users = [None, make_staff(Role.SECRETARIAT), make_member_user(member)]
    checked = 0
    for user in users:
        if user is not None:
            auth.login(user)
        for path in _plain_get_rules(app):
            for number in (*OUT_OF_RANGE, -(2**63), "9" * 5000):
                query = "&".join(f"{name}={number}" for name in QUERY_NUMBERS)
                response = client.get(f"{path}?{query}")
                assert response.status_code < 500, (path, number, user)
                checked += 1
        if user is not None:
            auth.logout()
    assert checked >= 3 * 4 * 20


def test_a_complaint_link_naming_an_out_of_range_member_shows_the_empty_form(
    client: FlaskClient,
) -> None:
    response = client.get(f"/complaints/new?member={2**31}&project={2**63}")
    assert response.status_code == 200
    assert "Vos nom et prénom" in response.get_data(as_text=True)


# ---------------------------------------------------------------- control characters

REFUSAL_FR = "contient des caractères de contrôle"
REFUSAL_EN = "contains control characters"


def _complaint(member_id: int, **changes: str) -> dict[str, Any]:
    data = {
        "name": "Jeanne Martin",
        "company": "Boulangerie",
        "email": "jeanne@client.example",
        "locale": "fr",
        "member_id": str(member_id),
        "project_id": "",
        "project_label": "",
        "facts": "Le site n'a jamais été livré malgré trois relances.",
        "expectations": "La livraison du site.",
    }
    data.update(changes)
    return data


def _complaints() -> int:
    from sqlalchemy import func, select

    from core.extensions import db
    from mediation.models import Complaint

    return int(db.session.scalar(select(func.count()).select_from(Complaint)) or 0)


@pytest.mark.parametrize("field", ["name", "company", "facts", "project_label"])
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f"])
def test_a_control_character_in_the_complaint_form_is_refused_in_french(
    client: FlaskClient, make_member: Callable[..., Any], field: str, char: str
) -> None:
    member = make_member()
    data = _complaint(member.id)
    data[field] = f"{data[field] or 'x'}{char}suite"
    response = client.post("/complaints/new", data=data)
    assert response.status_code == 400
    assert REFUSAL_FR in response.get_data(as_text=True)
    assert _complaints() == 0


def test_the_refusal_is_in_english_for_an_english_reader(
    client: FlaskClient, make_member: Callable[..., Any]
) -> None:
    member = make_member()
    client.post("/language", data={"locale": "en"})
    response = client.post("/complaints/new", data=_complaint(member.id, name="a\x00"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert REFUSAL_EN in page and REFUSAL_FR not in page
    assert _complaints() == 0


def test_tabs_and_line_ends_are_ordinary_text(
    client: FlaskClient, make_member: Callable[..., Any]
) -> None:
    member = make_member()
    facts = "Premier point :\r\n\tle site n'a jamais été livré.\nDeuxième : rien."
    response = client.post("/complaints/new", data=_complaint(member.id, facts=facts))
    assert response.status_code == 302
    assert _complaints() == 1


def test_control_characters_in_the_path_and_query_are_refused(
    client: FlaskClient,
) -> None:
    for path in ("/complaints/verify/ab%00cd", "/registry?q=%00", "/s/ab%01"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert REFUSAL_FR in response.get_data(as_text=True)


def test_a_nul_inside_api_json_is_a_problem_in_the_callers_language(
    client: FlaskClient, make_member: Callable[..., Any], make_member_user: Any
) -> None:
    from kpi import services

    member = make_member()
    admin = make_member_user(member)
    _token, secret = services.create_token(admin, member.id, name="script")
    response = client.post(
        "/api/v1/measurements",
        json={"measurements": [{"indicator_id": 1, "note\x00": "a\x00b"}]},
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert REFUSAL_EN in response.get_json()["detail"]
