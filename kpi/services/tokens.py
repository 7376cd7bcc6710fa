"""Per-member API tokens: shown once, stored hashed, revocable."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from core import audit
from core.database import utcnow
from core.extensions import db
from core.security import hash_token
from kpi.models import ApiToken
from kpi.services.errors import KpiInputError
from members.models import MarkStatus, Member, User

TOKEN_PREFIX = "qck_"
#: ``last_used_at`` is written at most this often (a GET should rarely write).
USAGE_RESOLUTION = timedelta(minutes=1)


def list_tokens(member_id: int) -> Sequence[ApiToken]:
    return db.session.scalars(
        select(ApiToken)
        .where(ApiToken.member_id == member_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    ).all()


def get_token(member_id: int | None, token_id: int) -> ApiToken | None:
    """The member's token, or None."""
    if member_id is None:
        return None
    return db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.member_id == member_id)
    )


def create_token(
    actor: User, member_id: int, *, name: str, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token; the clear text is returned once and never stored."""
    now = now or utcnow()
    name = name.strip()
    if not name:
        raise KpiInputError(_l("Donnez un nom à ce jeton."), field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        member_id=member_id,
        name=name[:100],
        token_hash=hash_token(secret),
        prefix=secret[:10],
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        actor,
        "api_token.create",
        object_type="api_token",
        object_id=token.id,
        member_id=member_id,
        detail={"name": token.name},
    )
    db.session.commit()
    return token, secret


def revoke_token(actor: User, token: ApiToken, *, now: datetime | None = None) -> None:
    """Revoke a token (idempotent)."""
    now = now or utcnow()
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record(
            actor,
            "api_token.revoke",
            object_type="api_token",
            object_id=token.id,
            member_id=token.member_id,
        )
    db.session.commit()


def authenticate_token(secret: str, *, now: datetime | None = None) -> ApiToken | None:
    """The active token with this clear text, or None; notes when it was used.

    A member whose mark is withdrawn keeps read access to nothing: its tokens fail.
    """
    now = now or utcnow()
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret))
        .execution_options(populate_existing=True)
    )
    if token is None or token.revoked_at is not None:
        return None
    member = db.session.get(Member, token.member_id)
    if member is None or member.mark_status == MarkStatus.WITHDRAWN:
        return None
    if token.last_used_at is None or now - token.last_used_at >= USAGE_RESOLUTION:
        db.session.execute(
            update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
        )
        token.last_used_at = now
        db.session.commit()
    return token
