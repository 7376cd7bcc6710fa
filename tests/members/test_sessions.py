"""Sessions end: a session or remember-me cookie copied before a sign-out, a
password change or reset, or "sign out of all devices" no longer opens the account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.database import utcnow
from core.extensions import db
from core.mail import deliver_due
from core.models import AuditLog
from members import services
from tests.conftest import TEST_PASSWORD
from tests.members.test_services import _token_from

ACCOUNT = "/account"


def _sign_in(app: Flask, user: Any, *, remember: bool = False) -> FlaskClient:
    browser = app.test_client()
    data = {"email": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert browser.post("/login", data=data).status_code == 302
    assert browser.get(ACCOUNT).status_code == 200
    return browser


def _copy(app: Flask, browser: FlaskClient, *names: str) -> FlaskClient:
    """Another browser holding copies of ``browser``'s cookies (what a thief has)."""
    thief = app.test_client()
    for name in names:
        cookie = browser.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        thief.set_cookie(name, cookie.value)
    return thief


def _signed_in(browser: FlaskClient) -> bool:
    response = browser.get(ACCOUNT)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_copied_session_cookie_dies_with_the_sign_out(
    app, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    browser = _sign_in(app, user)
    thief = _copy(app, browser, "session")
    assert _signed_in(thief)

    browser.post("/logout")

    assert not _signed_in(browser)
    assert not _signed_in(thief)
    # Signing in again works, with a fresh session.
    assert _signed_in(_sign_in(app, user))


def test_a_copied_remember_me_cookie_dies_with_the_sign_out(
    app, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    browser = _sign_in(app, user, remember=True)
    # Only the year-long cookie: the browser was closed, the session forgotten.
    thief = _copy(app, browser, "remember_token")
    assert _signed_in(thief)

    browser.post("/logout")

    assert not _signed_in(thief)


def test_a_password_reset_ends_every_session(
    app, make_member, make_member_user, mailbox
) -> None:
    user = make_member_user(make_member())
    laptop = _sign_in(app, user, remember=True)
    stolen = _copy(app, laptop, "session", "remember_token")

    services.request_password_reset(user.email, locale="fr")
    deliver_due(utcnow() + timedelta(minutes=1))
    token = _token_from(mailbox.text_of(mailbox.messages[-1]))
    phone = app.test_client()
    response = phone.post(
        f"/password/reset/{token}",
        data={"password": "un-nouveau-secret", "confirm": "un-nouveau-secret"},
    )
    assert response.status_code == 302

    assert _signed_in(phone)  # the browser that reset it is signed in
    assert not _signed_in(laptop)
    assert not _signed_in(stolen)


def test_changing_the_password_keeps_this_browser_and_ends_the_others(
    app, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    laptop = _sign_in(app, user)
    phone = _sign_in(app, user, remember=True)

    refused = laptop.post(
        "/account/password",
        data={
            "current_password": "pas-le-bon",
            "password": "un-nouveau-secret",
            "confirm": "un-nouveau-secret",
        },
    )
    assert refused.status_code == 400
    assert "Le mot de passe actuel est incorrect." in refused.get_data(as_text=True)
    assert _signed_in(phone)  # nothing changed

    changed = laptop.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "password": "un-nouveau-secret",
            "confirm": "un-nouveau-secret",
        },
    )
    assert changed.status_code == 302
    assert _signed_in(laptop)
    assert not _signed_in(phone)
    db.session.expire_all()  # the requests committed in their own sessions
    assert services.authenticate(user.email, "un-nouveau-secret") is not None


def test_signing_out_of_all_devices_ends_every_session_this_one_included(
    app, make_staff
) -> None:
    user = make_staff()
    laptop = _sign_in(app, user)
    phone = _sign_in(app, user, remember=True)
    stolen = _copy(app, phone, "remember_token")

    response = laptop.post("/account/sign-out-everywhere")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    for browser in (laptop, phone, stolen):
        assert not _signed_in(browser)


def test_a_deactivated_account_reactivated_later_does_not_revive_old_cookies(
    app, make_member, make_member_user
) -> None:
    member = make_member()
    admin = make_member_user(member)
    colleague = make_member_user(member)
    stolen = _copy(app, _sign_in(app, colleague, remember=True), "remember_token")

    services.set_user_active(admin, colleague, active=False)
    services.set_user_active(admin, colleague, active=True)

    assert not _signed_in(stolen)


@pytest.mark.parametrize(
    "session_id", ["", "1", "1:", ":1", "x:1", "1:x", "99999999999999999999999:1"]
)
def test_a_malformed_session_id_is_anonymous(app, session_id: str) -> None:
    assert services.user_of_session(session_id) is None


def test_sign_out_and_password_change_are_in_the_audit_log(
    app, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    browser = _sign_in(app, user)
    browser.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "password": "un-nouveau-secret",
            "confirm": "un-nouveau-secret",
        },
    )
    browser.post("/logout")
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.actor_id == user.id)
    ).all()
    assert actions[-2:] == ["user.password_changed", "user.signed_out"]
