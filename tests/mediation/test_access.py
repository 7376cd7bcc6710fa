"""Only the parties see a case: every route, every role, attachments included.

The case is before the commission; it carries a file every party may read (the
complaint's) and a file on an internal note (secretariat and commission only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.security import Role as UserRole
from mediation import services
from mediation.files import Upload
from mediation.models import EventKind
from mediation.services import Actor
from mediation.workflow import Role
from tests.conftest import TEST_PASSWORD
from tests.mediation.conftest import NOW, PDF, PNG


@dataclass
class World:
    case: Any
    other: Any
    users: dict[str, Any]
    shared_file: int
    internal_file: int


@pytest.fixture()
def world(make_case, make_member, make_member_user, make_staff) -> World:
    member_a = make_member(name="Agence A")
    member_b = make_member(name="Agence B")
    seated = make_staff(UserRole.BOARD, full_name="Juge assise")
    case = make_case("at_commission", member=member_a, board=[seated])
    other = make_case("submitted", member=member_b)
    note = services.add_entry(
        case.complaint,
        actor=Actor.of_user(case.secretary, Role.SECRETARIAT),
        kind=EventKind.NOTE,
        text="Note interne avec pièce.",
        uploads=[Upload("interne.png", "image/png", PNG)],
        now=NOW,
    )
    [filed] = [
        e
        for e in services.timeline(case.complaint, Role.SECRETARIAT)
        if e.kind is EventKind.FILED
    ]
    users = {
        "member_a_admin": make_member_user(member_a, role=UserRole.MEMBER_ADMIN),
        "member_a_user": make_member_user(member_a, role=UserRole.MEMBER_USER),
        "member_b_admin": make_member_user(member_b, role=UserRole.MEMBER_ADMIN),
        "secretariat": case.secretary,
        "board_seated": seated,
        "board_not_seated": make_staff(UserRole.BOARD, full_name="Juge absent"),
    }
    return World(case, other, users, filed.attachments[0].id, note.attachments[0].id)


def _client_for(app: Flask, world: World, persona: str) -> FlaskClient:
    client = app.test_client()
    if persona == "complainant":
        assert client.get(f"/complaints/follow/{world.case.token}").status_code == 302
    elif persona == "other_complainant":
        assert client.get(f"/complaints/follow/{world.other.token}").status_code == 302
    elif persona != "anonymous":
        user = world.users[persona]
        response = client.post(
            "/login", data={"email": user.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 302
    return client


def _routes(world: World) -> dict[str, tuple[str, str]]:
    cid = world.case.id
    return {
        "case": ("GET", f"/mediation/{cid}"),
        "file": ("GET", f"/mediation/{cid}/attachments/{world.shared_file}"),
        "internal file": ("GET", f"/mediation/{cid}/attachments/{world.internal_file}"),
        "admissibility": ("POST", f"/mediation/{cid}/admissibility"),
        "arguments": ("POST", f"/mediation/{cid}/arguments"),
        "entry": ("POST", f"/mediation/{cid}/entries"),
        "start mediation": ("POST", f"/mediation/{cid}/start-mediation"),
        "agreement": ("POST", f"/mediation/{cid}/agreement"),
        "refer": ("POST", f"/mediation/{cid}/commission"),
        "seats": ("POST", f"/mediation/{cid}/seats"),
        "decision": ("POST", f"/mediation/{cid}/decision"),
        "withdraw": ("POST", f"/mediation/{cid}/withdraw"),
        "recuse": ("POST", f"/mediation/{cid}/recuse"),
        "public case": ("GET", f"/complaints/{cid}"),
        "public file": ("GET", f"/complaints/{cid}/attachments/{world.shared_file}"),
        "public internal file": (
            "GET",
            f"/complaints/{cid}/attachments/{world.internal_file}",
        ),
        "public message": ("POST", f"/complaints/{cid}/messages"),
        "public withdraw": ("POST", f"/complaints/{cid}/withdraw"),
    }


STAFF_ROUTES = [
    "case",
    "file",
    "internal file",
    "admissibility",
    "arguments",
    "entry",
    "start mediation",
    "agreement",
    "refer",
    "seats",
    "decision",
    "withdraw",
    "recuse",
]
PUBLIC_ROUTES = [
    "public case",
    "public file",
    "public internal file",
    "public message",
    "public withdraw",
]
# Parties posting an empty form get a 400 (invalid form) or a 409 (the step is
# not possible for them, or not now) — never a 404 — and nothing changes; what
# each may do is tested in test_views.py.
PARTY_POSTS = {
    "admissibility": 400,
    "arguments": 400,
    "entry": 400,
    "start mediation": 409,
    "agreement": 400,
    "refer": 409,
    "seats": 409,
    "decision": 400,
    "withdraw": 409,
    "recuse": 400,
}


def expected(persona: str) -> dict[str, int]:
    login = 302  # to the sign-in page
    if persona in ("anonymous", "complainant", "other_complainant"):
        staff = dict.fromkeys(STAFF_ROUTES, login)
    elif persona in ("member_b_admin", "board_not_seated"):
        staff = dict.fromkeys(STAFF_ROUTES, 404)
    elif persona in ("member_a_admin", "member_a_user"):
        staff = {"case": 200, "file": 200, "internal file": 404, **PARTY_POSTS}
    else:  # secretariat, board_seated
        staff = {"case": 200, "file": 200, "internal file": 200, **PARTY_POSTS}
        if persona == "secretariat":
            staff["seats"] = 400  # may name commissioners, but named none
    if persona == "complainant":
        public = {
            "public case": 200,
            "public file": 200,
            "public internal file": 404,
            "public message": 400,  # neither text nor file
            "public withdraw": 409,  # before the commission: no longer possible
        }
    else:
        public = dict.fromkeys(PUBLIC_ROUTES, 404)
    return {**staff, **public}


PERSONAS = [
    "anonymous",
    "complainant",
    "other_complainant",
    "member_a_admin",
    "member_a_user",
    "member_b_admin",
    "secretariat",
    "board_seated",
    "board_not_seated",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_sees_only_what_it_should_on_every_route(
    app: Flask, world: World, persona: str
) -> None:
    client = _client_for(app, world, persona)
    seen: dict[str, int] = {}
    for name, (method, url) in _routes(world).items():
        response = client.open(url, method=method, data={})
        seen[name] = response.status_code
        if response.status_code == 404:
            body = response.get_data(as_text=True)
            assert world.case.complaint.complainant_name not in body
            assert "Agence A" not in body
        if response.status_code == 302 and name in STAFF_ROUTES:
            assert "/login" in response.headers["Location"]

    assert seen == expected(persona)


def test_a_member_does_not_see_a_complaint_before_it_is_admissible(
    app: Flask, make_case, make_member, make_member_user
) -> None:
    member = make_member()
    admin = make_member_user(member)
    case = make_case("submitted", member=member)
    client = app.test_client()
    client.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})

    assert client.get(f"/mediation/{case.id}").status_code == 404
    assert case.complaint.reference not in client.get("/mediation/?view=all").get_data(
        as_text=True
    )


def test_lists_show_each_role_its_own_cases(
    app: Flask, world: World, make_case
) -> None:
    reference = world.case.complaint.reference
    other = world.other.complaint.reference

    def listed(persona: str) -> tuple[bool, bool]:
        client = _client_for(app, world, persona)
        body = client.get("/mediation/?view=all").get_data(as_text=True)
        return reference in body, other in body

    assert listed("secretariat") == (True, True)
    assert listed("board_seated") == (True, False)
    assert listed("board_not_seated") == (False, False)
    assert listed("member_a_user") == (True, False)
    assert listed("member_b_admin") == (False, False)  # theirs is not admissible yet


def test_attachments_are_served_as_downloads_with_their_checked_type(
    app: Flask, world: World
) -> None:
    client = _client_for(app, world, "complainant")

    response = client.get(
        f"/complaints/{world.case.id}/attachments/{world.shared_file}"
    )

    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "devis.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]

    staff = _client_for(app, world, "secretariat")
    internal = staff.get(
        f"/mediation/{world.case.id}/attachments/{world.internal_file}"
    )
    assert internal.headers["Content-Type"] == "image/png"
    assert internal.data == PNG


def test_an_attachment_of_another_case_is_not_found_through_this_one(
    app: Flask, world: World
) -> None:
    [other_file] = [
        e.attachments[0].id
        for e in services.timeline(world.other.complaint, Role.SECRETARIAT)
        if e.attachments
    ]
    client = _client_for(app, world, "complainant")
    staff = _client_for(app, world, "secretariat")

    assert (
        client.get(f"/complaints/{world.case.id}/attachments/{other_file}").status_code
        == 404
    )
    assert (
        staff.get(f"/mediation/{world.case.id}/attachments/{other_file}").status_code
        == 404
    )


def test_the_private_link_is_exchanged_for_a_session_without_referrer(
    app: Flask, world: World
) -> None:
    client = app.test_client()

    response = client.get(f"/complaints/follow/{world.case.token}")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/complaints/{world.case.id}"
    assert world.case.token not in response.headers["Location"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = client.get(f"/complaints/{world.case.id}")
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Note interne avec pièce." not in page.get_data(as_text=True)
    assert world.case.complaint.reference in page.get_data(as_text=True)
    unknown = app.test_client().get("/complaints/follow/not-a-token")
    assert unknown.status_code == 404
    assert "Ce lien de suivi n&#39;est pas valable." in unknown.get_data(as_text=True)
