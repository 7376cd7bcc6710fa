"""What a person sees: forms that refuse bad input next to the field, pages in
French and English, the registry, the badge, sign-in protections."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.security import Role
from members.models import Client, Member, Project, User


@pytest.fixture()
def secretary(make_staff):
    return make_staff(Role.SECRETARIAT)


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', html)
    assert match, f"no error shown for {field}"
    return unescape(match.group(1))


def test_onboarding_form_refuses_bad_input_next_to_each_field_and_stores_nothing(
    client, auth, secretary
) -> None:
    auth.login(secretary)
    response = client.post(
        "/admin/members/new",
        data={
            "name": "",
            "siret": "12345678901234",
            "department": "99",
            "town": "Gap",
            "website": "pas une adresse",
            "services": [],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "clé de contrôle" in _field_error(html, "siret")
    assert _field_error(html, "name")
    assert "Adresse web invalide" in _field_error(html, "website")
    assert "au moins un service" in _field_error(html, "services")
    assert _field_error(html, "department")
    assert db.session.scalar(select(func.count()).select_from(Member)) == 0


def test_onboarding_a_member_then_a_duplicate_siret_is_refused_on_the_field(
    client, auth, secretary
) -> None:
    auth.login(secretary)
    data = {
        "name": "Verdon Web",
        "siret": "732 829 320 00074",
        "department": "04",
        "town": "Riez",
        "website": "https://verdon.example",
        "services": ["website"],
        "is_public": "y",
    }
    response = client.post("/admin/members/new", data=data)
    assert response.status_code == 302
    again = client.post("/admin/members/new", data={**data, "name": "Autre"})
    assert again.status_code == 400
    assert "existe déjà" in _field_error(again.get_data(as_text=True), "siret")
    assert db.session.scalar(select(func.count()).select_from(Member)) == 1


def test_errors_are_shown_in_english_to_an_english_speaking_user(
    client, auth, make_staff
) -> None:
    secretary = make_staff(Role.SECRETARIAT, locale="en")
    auth.login(secretary)
    response = client.post("/admin/members/new", data={"siret": "1"})
    html = response.get_data(as_text=True)
    assert "check digit" in _field_error(html, "siret")
    assert "The form has errors" in html


def test_a_client_over_250_staff_asks_for_confirmation(
    client, auth, make_member, make_member_user
) -> None:
    auth.login(make_member_user(make_member()))
    data = {"name": "Grand Hôtel", "kind": "tpe_pme", "headcount": "300", "town": "Gap"}
    refused = client.post("/space/clients/new", data=data)
    assert refused.status_code == 400
    assert "plus de 250 salariés" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Client)) == 0
    accepted = client.post(
        "/space/clients/new", data={**data, "confirm_over_limit": "y"}
    )
    assert accepted.status_code == 302
    assert db.session.scalar(select(Client.headcount)) == 300


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("headcount", "-3", "Effectif invalide"),
        ("headcount", "beaucoup", "N'est pas un entier valide."),
        ("kind", "multinationale", "N'est pas un choix valide."),
    ],
)
def test_client_form_refuses_wrong_values(
    client, auth, make_member, make_member_user, field, value, message
) -> None:
    auth.login(make_member_user(make_member()))
    data = {"name": "Client", "kind": "tpe_pme", "headcount": "3", field: value}
    response = client.post("/space/clients/new", data=data)
    assert response.status_code == 400
    assert message in _field_error(response.get_data(as_text=True), field)
    assert db.session.scalar(select(func.count()).select_from(Client)) == 0


def test_project_form_refuses_an_end_before_the_start_and_another_members_client(
    client, auth, make_member, make_member_user, make_client
) -> None:
    member, other = make_member(), make_member()
    mine, theirs = make_client(member), make_client(other, name="Secret")
    auth.login(make_member_user(member))
    data = {
        "client_id": str(mine.id),
        "title": "Site",
        "service_type": "website",
        "starts_on": "2025-05-01",
        "ends_on": "2025-04-01",
        "status": "active",
    }
    response = client.post("/space/projects/new", data=data)
    assert response.status_code == 400
    assert "La fin ne peut pas précéder le début." in _field_error(
        response.get_data(as_text=True), "ends_on"
    )
    stolen = client.post(
        "/space/projects/new", data={**data, "ends_on": "", "client_id": str(theirs.id)}
    )
    assert stolen.status_code == 400
    assert "Secret" not in stolen.get_data(as_text=True)
    bad_date = client.post(
        "/space/projects/new", data={**data, "starts_on": "31/02/2025", "ends_on": ""}
    )
    assert bad_date.status_code == 400
    assert _field_error(bad_date.get_data(as_text=True), "starts_on")
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


def test_a_member_user_cannot_invite_colleagues_but_an_admin_can(
    client, auth, make_member, make_member_user, mailbox
) -> None:
    member = make_member()
    user = make_member_user(member, Role.MEMBER_USER)
    auth.login(user)
    assert (
        client.post(
            "/space/team",
            data={"email": "new@member.example", "role": "member_user", "locale": "fr"},
        ).status_code
        == 403
    )
    auth.logout()
    auth.login(make_member_user(member))
    response = client.post(
        "/space/team",
        data={"email": "new@member.example", "role": "member_user", "locale": "fr"},
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(
            select(User.member_id).where(User.email == "new@member.example")
        )
        == member.id
    )


def test_sign_in_failure_says_so_without_telling_which_part_was_wrong(
    client, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    wrong_password = client.post(
        "/login", data={"email": user.email, "password": "nope"}
    )
    unknown = client.post(
        "/login", data={"email": "ghost@member.example", "password": "nope"}
    )
    for response in (wrong_password, unknown):
        assert response.status_code == 400
        assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(
            as_text=True
        )


def test_sign_in_attempts_are_rate_limited(client) -> None:
    statuses = [
        client.post(
            "/login", data={"email": "x@member.example", "password": "bad"}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    page = client.post("/login", data={"email": "x@member.example", "password": "bad"})
    assert "Trop de tentatives" in page.get_data(as_text=True)


def test_after_sign_in_only_local_next_urls_are_followed(
    client, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": "correct-horse-battery"},
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post(
        "/login?next=/space/clients",
        data={"email": user.email, "password": "correct-horse-battery"},
    )
    assert response.headers["Location"] == "/space/clients"


def test_the_session_cookie_is_httponly_and_samesite_lax(
    client, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    response = client.post(
        "/login", data={"email": user.email, "password": "correct-horse-battery"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_stale_csrf_token_gets_a_clear_400_page(
    app, client, make_member, make_member_user
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/login",
        data={"email": "a@member.example", "password": "x", "csrf_token": "stale"},
    )
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)


def test_the_language_choice_is_remembered_on_the_account(
    client, auth, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    auth.login(user)
    response = client.post("/language", data={"locale": "en", "next": "/space/clients"})
    assert response.headers["Location"] == "/space/clients"
    assert db.session.scalar(select(User.locale).where(User.id == user.id)) == "en"
    assert "Your clients" in client.get("/space/clients").get_data(as_text=True)
    # A new session on another device starts in English too.
    auth.logout()
    auth.login(user)
    assert '<html lang="en">' in client.get("/space/clients").get_data(as_text=True)


def test_an_unknown_language_or_an_outside_redirect_is_refused(client) -> None:
    assert client.post("/language", data={"locale": "de"}).status_code == 400
    response = client.post("/language", data={"locale": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_unknown_pages_get_the_404_page_in_the_visitors_language(client) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    client.post("/language", data={"locale": "en"})
    english = client.get("/nowhere")
    assert "Page not found" in english.get_data(as_text=True)


def test_pages_carry_security_headers(client) -> None:
    response = client.get("/registry")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_verification_page_and_badge_follow_the_mark(
    client, make_member, make_staff
) -> None:
    from members import services
    from members.models import MarkStatus

    member = make_member("Briançon Pixels")
    page = client.get(f"/registry/{member.id}").get_data(as_text=True)
    assert "est autorisé à utiliser la marque" in page
    badge = client.get(f"/registry/{member.id}/badge.svg")
    assert badge.mimetype == "image/svg+xml"
    assert "Marque active" in badge.get_data(as_text=True)
    assert "Briançon Pixels" in badge.get_data(as_text=True)
    assert "Mark active" in client.get(
        f"/registry/{member.id}/badge.svg?lang=en"
    ).get_data(as_text=True)

    services.set_mark_status(
        make_staff(), member, status=MarkStatus.SUSPENDED, reason="sanction"
    )
    assert "Marque suspendue" in client.get(
        f"/registry/{member.id}/badge.svg"
    ).get_data(as_text=True)
    assert "n'est pas autorisé" in client.get(f"/registry/{member.id}").get_data(
        as_text=True
    )
    assert "Briançon Pixels" not in client.get("/registry").get_data(as_text=True)


def test_the_badge_of_an_unsigned_or_unknown_member_is_not_found(
    client, make_member
) -> None:
    unsigned = make_member(signed=False)
    assert client.get(f"/registry/{unsigned.id}/badge.svg").status_code == 404
    assert client.get("/registry/987654/badge.svg").status_code == 404
    assert client.get("/registry/abc").status_code == 404


def test_marking_a_member_needs_a_reason(client, auth, make_member, make_staff) -> None:
    member = make_member()
    auth.login(make_staff(Role.BOARD))
    response = client.post(
        f"/admin/members/{member.id}/mark",
        data={"mark_status": "suspended", "reason": ""},
    )
    assert response.status_code == 400
    db.session.refresh(member)
    assert member.mark_status.value == "active"
    ok = client.post(
        f"/admin/members/{member.id}/mark",
        data={"mark_status": "suspended", "reason": "décision du CA", "confirmed": "1"},
    )
    assert ok.status_code == 302
    db.session.refresh(member)
    assert member.mark_status.value == "suspended"


def test_a_signed_in_user_lands_on_the_first_entry_of_their_menu(
    client, auth, make_member, make_member_user, make_staff
) -> None:
    auth.login(make_member_user(make_member()))
    assert client.get("/").headers["Location"] == "/dashboard"
    auth.logout()
    auth.login(make_staff(Role.BOARD))
    assert client.get("/").headers["Location"] == "/board/review"
