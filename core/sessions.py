"""Flask's signed-cookie sessions, with the signing serializer built once.

Flask builds a new ``URLSafeTimedSerializer`` twice per request (to read the
cookie and to write it), and building one serialises a test value to learn
whether the serializer speaks text: measurable on the light requests (the
questionnaire's answer POSTs). The serializer only depends on the secret key
and its fallbacks, so it is kept and rebuilt when they change.
"""

from __future__ import annotations

from threading import Lock

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CachedSigningSessionInterface(SecureCookieSessionInterface):
    """Flask's default session interface, its signing serializer reused."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._key: tuple[object, ...] | None = None
        self._serializer: URLSafeTimedSerializer | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        with self._lock:
            if self._key == key:
                return self._serializer
        serializer = super().get_signing_serializer(app)
        with self._lock:
            self._key, self._serializer = key, serializer
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = CachedSigningSessionInterface()
