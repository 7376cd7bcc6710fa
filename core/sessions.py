"""Flask's signed-cookie sessions, cheaper to read and write.

The same cookies as Flask's (same salt, key derivation, HMAC-SHA1 signature,
JSON payload, lifetime): a cookie this module signs is read by Flask's own
interface and the other way round. Three costs of the light requests (the
questionnaire's answer POSTs, whose browsers all carry a session) are cut:

- Flask builds a new ``URLSafeTimedSerializer`` twice per request (to read the
  cookie and to write it), and building one serialises a test value: it is
  kept, and rebuilt when the secret key or its fallbacks change;
- Flask hands its signer a Python wrapper of ``hashlib.sha1`` (so that a FIPS
  build can import Flask), which sends every HMAC through the standard
  library's pure-Python HMAC; ``hashlib.sha1`` itself, looked up when the
  serializer is built, takes OpenSSL's;
- a browser sends the same cookie with every request until the session
  changes (opening the link, each page shown, each page saved): the cookies
  this process signed or verified are remembered (a bounded number) with
  their signing time, so that the next request with the same cookie checks
  only its age, not its signature. Only a cookie whose signature was checked,
  or that was signed here, with the same keys, is remembered; its payload is
  decoded anew for each request (a session is mutable).
"""

from __future__ import annotations

import hashlib
import time
from threading import Lock
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, bytes_to_int

# Cookies remembered per process (a few hundred bytes each).
REMEMBERED_COOKIES = 2048


class RememberingSerializer(URLSafeTimedSerializer):
    """Flask's session serializer, remembering the cookies it signed or verified."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # cookie → the time it was signed (its signature is known to be good)
        self._known: dict[str, int] = {}

    def _remember(self, cookie: str, timestamp: int) -> None:
        if len(self._known) >= REMEMBERED_COOKIES:
            self._known.clear()
        self._known[cookie] = timestamp

    def dumps(self, obj: Any, salt: str | bytes | None = None) -> Any:
        cookie = super().dumps(obj, salt)
        if salt is None and isinstance(cookie, str):
            self._remember(cookie, _parts(cookie)[1])
        return cookie

    def loads(  # type: ignore[override]
        self, s: str | bytes, max_age: int | None = None, salt: Any = None
    ) -> Any:
        if salt is not None or not isinstance(s, str) or s not in self._known:
            obj, signed_at = super().loads(
                s, max_age=max_age, return_timestamp=True, salt=salt
            )
            if salt is None and isinstance(s, str):
                self._remember(s, int(signed_at.timestamp()))
            return obj
        # The age checks of itsdangerous' TimestampSigner.unsign.
        age = int(time.time()) - self._known[s]
        if max_age is not None and age > max_age:
            raise SignatureExpired(f"Signature age {age} > {max_age} seconds")
        if age < 0:
            raise SignatureExpired(f"Signature age {age} < 0 seconds")
        return self.load_payload(_parts(s)[0])


def _parts(cookie: str) -> tuple[bytes, int]:
    """A signed cookie's payload and signing time ("payload.time.signature")."""
    payload, timestamp, _signature = cookie.rsplit(".", 2)
    return payload.encode("ascii"), bytes_to_int(base64_decode(timestamp))


class CachedSigningSessionInterface(SecureCookieSessionInterface):
    """Flask's default session interface, its signing serializer reused."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._key: tuple[object, ...] | None = None
        self._serializer: URLSafeTimedSerializer | None = None

    def _build(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's ``get_signing_serializer``, with OpenSSL's SHA-1."""
        if not app.secret_key:
            return None
        keys: list[str | bytes] = list(app.config["SECRET_KEY_FALLBACKS"] or ())
        keys.append(app.secret_key)  # itsdangerous expects the current key last
        return RememberingSerializer(
            keys,
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": hashlib.sha1,
            },
        )

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        with self._lock:
            if self._key == key:
                return self._serializer
        serializer = self._build(app)
        with self._lock:
            self._key, self._serializer = key, serializer
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = CachedSigningSessionInterface()
