"""The links e-mailed to a client contact: the answer link and the unsubscribe link.

The answer token is a keyed hash (HMAC-SHA256 under ``SECRET_KEY``, 256 bits,
URL-safe) of the invitation's (campaign, contact, cycle): unguessable without the
secret key, bound to its invitation, and computable again when a reminder must
carry the same link, so that the database stores only its SHA-256
(``Invitation.token_hash``) and never the token itself. Changing ``SECRET_KEY``
invalidates the links already sent (a reminder then re-keys its invitation).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from core.security import hash_token

_UNSUBSCRIBE_SALT = "satisfaction.unsubscribe"


def invitation_token(campaign_id: int, contact_id: int, cycle: int) -> str:
    """The answer link's token of one invitation."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"satisfaction.invitation:{campaign_id}:{contact_id}:{cycle}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def invitation_token_hash(campaign_id: int, contact_id: int, cycle: int) -> str:
    return hash_token(invitation_token(campaign_id, contact_id, cycle))


def unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token(
    invitation_id: int, serializer: URLSafeSerializer | None = None
) -> str:
    """A signed, non-expiring token naming the invitation to unsubscribe from."""
    return str((serializer or unsubscribe_serializer()).dumps(invitation_id))


def read_unsubscribe_token(token: str) -> int | None:
    """The invitation id an unsubscribe token names, or None if forged."""
    try:
        value = unsubscribe_serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
