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
import hmac
from collections.abc import Iterable

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from itsdangerous.encoding import want_bytes

from core.security import hash_token

_UNSUBSCRIBE_SALT = "satisfaction.unsubscribe"


def invitation_token(campaign_id: int, contact_id: int, cycle: int) -> str:
    """The answer link's token of one invitation."""
    return invitation_tokens(campaign_id, cycle, [contact_id])[contact_id]


def invitation_tokens(
    campaign_id: int, cycle: int, contact_ids: Iterable[int]
) -> dict[int, str]:
    """The answer links' tokens of one cycle's invitations (contact id → token),
    the key read once: a campaign of 10,000 contacts costs 10,000 HMACs, no more."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    prefix = f"satisfaction.invitation:{campaign_id}:"
    suffix = f":{cycle}"
    encode = base64.urlsafe_b64encode
    return {
        contact_id: encode(
            hmac.digest(key, f"{prefix}{contact_id}{suffix}".encode(), "sha256")
        )
        .rstrip(b"=")
        .decode()
        for contact_id in contact_ids
    }


def invitation_token_hash(campaign_id: int, contact_id: int, cycle: int) -> str:
    return hash_token(invitation_token(campaign_id, contact_id, cycle))


def unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token(
    invitation_id: int, serializer: URLSafeSerializer | None = None
) -> str:
    """A signed, non-expiring token naming the invitation to unsubscribe from."""
    return str((serializer or unsubscribe_serializer()).dumps(invitation_id))


def unsubscribe_tokens(invitation_ids: Iterable[int]) -> dict[int, str]:
    """``unsubscribe_token`` of many invitations, byte for byte the same, with the
    signing key derived once (itsdangerous derives it again, and tries to
    compress the payload, on every ``dumps``). An int's JSON payload is its
    digits; up to 12 of them, zlib (11 bytes at least) is never chosen."""
    serializer = unsubscribe_serializer()
    signer = serializer.make_signer()
    key = signer.derive_key()
    separator = want_bytes(signer.sep)
    # hmac.digest's one-shot C path needs the digest's name (sha1 by default).
    digest = signer.digest_method().name
    encode = base64.urlsafe_b64encode
    tokens = {}
    for invitation_id in invitation_ids:
        digits = str(int(invitation_id))
        payload = (
            encode(digits.encode()).rstrip(b"=")
            if len(digits) <= 12
            else want_bytes(serializer.dump_payload(invitation_id))
        )
        signature = encode(hmac.digest(key, payload, digest)).rstrip(b"=")
        tokens[invitation_id] = (payload + separator + signature).decode()
    return tokens


def read_unsubscribe_token(token: str) -> int | None:
    """The invitation id an unsubscribe token names, or None if forged."""
    try:
        value = unsubscribe_serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
