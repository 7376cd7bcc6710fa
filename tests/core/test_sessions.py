"""Signed-cookie sessions with the signing serializer kept between requests."""

from __future__ import annotations

from flask import Flask, session

from core import sessions


def test_a_cookie_signed_with_a_replaced_key_is_no_longer_read() -> None:
    app = Flask(__name__)
    app.secret_key = "test-secret-key"
    sessions.init_app(app)

    @app.get("/_test/session/<value>")
    def keep(value: str) -> str:
        if value != "read":
            session["kept"] = value
        return str(session.get("kept", ""))

    client = app.test_client()
    assert client.get("/_test/session/blue").get_data(as_text=True) == "blue"
    assert client.get("/_test/session/read").get_data(as_text=True) == "blue"
    secret = app.secret_key
    assert isinstance(app.session_interface, sessions.CachedSigningSessionInterface)
    try:
        # The serializer is rebuilt for the new key: the old cookie is refused.
        app.secret_key = "another-secret-key"
        assert client.get("/_test/session/read").get_data(as_text=True) == ""
        # A key moved to the fallbacks still reads what it signed.
        app.config["SECRET_KEY_FALLBACKS"] = [secret]
        assert client.get("/_test/session/read").get_data(as_text=True) == "blue"
    finally:
        app.secret_key = secret
