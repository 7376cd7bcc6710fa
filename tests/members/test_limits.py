"""Per-account limits: sign-in guesses and reset e-mails counted per account,
whatever the address they come from, with a wait said in the reader's language."""

from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from core.models import OutboxMessage


def _from(address: str) -> dict[str, dict[str, str]]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_reset_e_mails_to_one_account_are_limited_whatever_the_address(
    client, make_member, make_member_user
) -> None:
    user = make_member_user(make_member())
    statuses = [
        client.post(
            "/password/forgot", data={"email": user.email}, **_from(f"10.0.0.{i}")
        ).status_code
        for i in range(1, 6)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert sent == 3
    # Another account is not affected.
    other = client.post(
        "/password/forgot", data={"email": "autre@member.example"}, **_from("10.0.1.1")
    )
    assert other.status_code == 302


def test_sign_in_guesses_on_one_account_are_limited_but_successes_do_not_count(
    client, make_member, make_member_user
) -> None:
    from tests.conftest import TEST_PASSWORD

    user = make_member_user(make_member())
    for i in range(5):
        good = client.post(
            "/login",
            data={"email": user.email, "password": TEST_PASSWORD},
            **_from(f"10.1.0.{i}"),
        )
        assert good.status_code == 302
        client.post("/logout")
    guesses = [
        client.post(
            "/login",
            data={"email": user.email, "password": "devine"},
            **_from(f"10.2.0.{i}"),
        )
        for i in range(11)
    ]
    assert [r.status_code for r in guesses] == [400] * 10 + [429]
    page = guesses[-1].get_data(as_text=True)
    assert "Patientez 15 minutes puis réessayez." in page
    with client.session_transaction() as session:
        session["locale"] = "en"  # what the language switch stores
    english = client.post(
        "/login", data={"email": user.email, "password": "devine"}, **_from("10.3.0.1")
    )
    assert english.status_code == 429
    assert "Wait 15 minutes and try again." in english.get_data(as_text=True)


def test_a_reset_request_is_answered_before_the_address_is_even_looked_up(
    client, make_member, make_member_user
) -> None:
    """The answer cannot take longer for a known address: the lookup and the
    e-mail happen once it has left (when the server closes the response)."""
    user = make_member_user(make_member())
    for email, queued in ((user.email, 1), ("inconnu@member.example", 0)):
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.commit()
        response = client.post(
            "/password/forgot", data={"email": email}, buffered=False
        )
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/login")
        count = select(func.count()).select_from(OutboxMessage)
        assert db.session.scalar(count) == 0  # answered: nothing looked up yet
        db.session.commit()  # the test's transaction ends, as the browser's would
        response.close()
        assert db.session.scalar(count) == queued
