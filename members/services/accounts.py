"""Accounts: sign-in, invitations and password links, preferences, a member's team."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from core import audit
from core.database import utcnow
from core.extensions import db
from core.mail import queue_email
from core.security import Role, hash_token, new_token
from core.urls import external_url
from members.errors import MembersError
from members.models import AccountToken, Member, TokenPurpose, User


def hash_password(password: str) -> str:
    """Hash with the configured method (scrypt by default; tests use a cheap one)."""
    return generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )


def _dummy_hash() -> str:
    # Compared against when the account does not exist, so that a sign-in attempt
    # takes as long whether or not the e-mail is known.
    cache: dict[str, str] = current_app.extensions.setdefault("members.dummy_hash", {})
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in cache:
        cache[method] = generate_password_hash(
            "not-a-password-of-anyone", method=method
        )
    return cache[method]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def user_of_session(session_id: str) -> User | None:
    """The active user whose session (or remember-me cookie) holds ``session_id``
    (``User.get_id()``: "<id>:<session version>"), or None once that session ended."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 18:
        return None
    user = get_user(int(user_id))
    if user is None or not user.is_active or str(user.session_version) != version:
        return None
    return user


def _end_sessions(user: User) -> None:
    user.session_version = user.session_version + 1


def sign_out(user: User, *, everywhere: bool = False) -> None:
    """End the user's sessions: every one of them, on every device (the session
    cookie of a signed-out browser, once copied, would otherwise stay valid)."""
    _end_sessions(user)
    audit.record(
        user,
        "user.signed_out_everywhere" if everywhere else "user.signed_out",
        object_type="user",
        object_id=user.id,
        member_id=user.member_id,
    )
    db.session.commit()


def change_password(user: User, *, current: str, new: str) -> None:
    """Replace the password after checking the current one; every other session
    of the user ends (the caller signs this one in again).

    :raises MembersError: the current password is wrong.
    """
    if user.password_hash is None or not check_password_hash(
        user.password_hash, current
    ):
        raise MembersError(
            _l("Le mot de passe actuel est incorrect."), field="current_password"
        )
    user.password_hash = hash_password(new)
    _end_sessions(user)
    audit.record(
        user,
        "user.password_changed",
        object_type="user",
        object_id=user.id,
        member_id=user.member_id,
    )
    db.session.commit()


def authenticate(
    email: str, password: str, *, now: datetime | None = None
) -> User | None:
    """The active user with these credentials, or None (same cost either way)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(), password)
        _record_sign_in(user, "user.sign_in_failed", typed=email)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        _record_sign_in(user, "user.sign_in_failed", typed=email)
        return None
    user.last_login_at = now or utcnow()
    _record_sign_in(user, "user.signed_in", typed=email)
    return user


def _record_sign_in(user: User | None, action: str, *, typed: str) -> None:
    audit.record(
        user,
        action,
        object_type="user",
        object_id=user.id if user is not None else None,
        member_id=user.member_id if user is not None else None,
        label=None if user is not None else normalise_email(typed) or "?",
    )
    db.session.commit()


def _check_email_free(email: str) -> None:
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise MembersError(
            _l("Un compte existe déjà pour cette adresse."), field="email"
        )


def create_user(
    *,
    email: str,
    role: Role,
    password: str | None,
    full_name: str = "",
    member: Member | None = None,
    locale: str = "fr",
) -> User:
    """Create an account directly (command line, demo data). :raises MembersError:"""
    email = normalise_email(email)
    _check_email_free(email)
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        member_id=member.id if member else None,
        password_hash=hash_password(password) if password else None,
        locale=locale,
        is_active=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        None,
        "user.create",
        object_type="user",
        object_id=user.id,
        member_id=user.member_id,
        detail={"role": role.value},
    )
    db.session.commit()
    return user


def _issue_token(
    user: User,
    purpose: TokenPurpose,
    *,
    valid: timedelta,
    created_by: User | None,
    now: datetime,
) -> str:
    token, token_hash = new_token()
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + valid,
            created_by_id=created_by.id if created_by else None,
        )
    )
    return token


def _send_invitation(actor: User, member: Member, user: User, *, now: datetime) -> None:
    """Issue the invitation link and queue the e-mail that carries it."""
    days = current_app.config["INVITATION_VALID_DAYS"]
    token = _issue_token(
        user,
        TokenPurpose.INVITATION,
        valid=timedelta(days=days),
        created_by=actor,
        now=now,
    )
    queue_email(
        to=user.email,
        template="members/email/invitation",
        context={
            "member": member,
            "inviter": actor,
            "user": user,
            "link": external_url("members.accept_invitation", token=token),
            "days": days,
        },
        locale=user.locale,
        key=f"members.invitation:{hash_token(token)}",
        now=now,
    )


def invite_user(
    actor: User,
    member: Member,
    *,
    email: str,
    role: Role,
    full_name: str = "",
    locale: str = "fr",
    now: datetime | None = None,
) -> User:
    """Create a member's account without password and e-mail an invitation link.

    :raises MembersError: the address already has an account.
    """
    now = now or utcnow()
    if role not in (Role.MEMBER_ADMIN, Role.MEMBER_USER):
        raise MembersError(_l("Rôle invalide."), field="role")
    email = normalise_email(email)
    _check_email_free(email)
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        member_id=member.id,
        locale=locale,
        is_active=True,
    )
    db.session.add(user)
    db.session.flush()
    _send_invitation(actor, member, user, now=now)
    audit.record(
        actor,
        "user.invite",
        object_type="user",
        object_id=user.id,
        member_id=member.id,
        detail={"email": email, "role": role.value},
    )
    db.session.commit()
    return user


def find_token(
    token: str, purpose: TokenPurpose, *, now: datetime | None = None
) -> AccountToken | None:
    """The unused, unexpired token of this purpose, or None."""
    now = now or utcnow()
    found = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == hash_token(token),
            AccountToken.purpose == purpose,
        )
    )
    if found is None or found.used_at is not None or found.expires_at <= now:
        return None
    if not found.user.is_active:
        return None
    return found


def set_password_with_token(
    token: str,
    purpose: TokenPurpose,
    *,
    password: str,
    full_name: str | None = None,
    now: datetime | None = None,
) -> User:
    """Consume an invitation or reset link and set the password.

    :raises MembersError: the link is unknown, used or expired.
    """
    now = now or utcnow()
    found = find_token(token, purpose, now=now)
    if found is None:
        raise MembersError(_l("Ce lien n'est plus valable. Demandez-en un nouveau."))
    # The conditional UPDATE consumes the token once, even under concurrent clicks.
    consumed = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == found.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if consumed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise MembersError(_l("Ce lien n'est plus valable. Demandez-en un nouveau."))
    user = found.user
    user.password_hash = hash_password(password)
    _end_sessions(user)
    if full_name:
        user.full_name = full_name
    audit.record(
        user,
        f"user.{purpose.value}_used",
        object_type="user",
        object_id=user.id,
        member_id=user.member_id,
    )
    db.session.commit()
    return user


def request_password_reset(
    email: str, *, locale: str, now: datetime | None = None
) -> None:
    """E-mail a reset link if the account exists; say nothing either way."""
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return
    hours = current_app.config["PASSWORD_RESET_VALID_HOURS"]
    token = _issue_token(
        user,
        TokenPurpose.PASSWORD_RESET,
        valid=timedelta(hours=hours),
        created_by=None,
        now=now,
    )
    queue_email(
        to=user.email,
        template="members/email/password_reset",
        context={
            "user": user,
            "link": external_url("members.reset_password", token=token),
            "hours": hours,
        },
        locale=user.locale or locale,
        key=f"members.password_reset:{hash_token(token)}",
        now=now,
    )
    audit.record(
        None,
        "user.password_reset_requested",
        object_type="user",
        object_id=user.id,
        member_id=user.member_id,
    )
    db.session.commit()


def update_account(user: User, *, full_name: str, locale: str) -> None:
    user.full_name = full_name
    user.locale = locale
    audit.record(
        user,
        "user.account_updated",
        object_type="user",
        object_id=user.id,
        member_id=user.member_id,
    )
    db.session.commit()


def set_language(user: User, locale: str) -> None:
    """Remember the interface language the user switched to on their account."""
    if user.locale == locale:
        return
    user.locale = locale
    db.session.commit()


def team_of(member: Member) -> Sequence[User]:
    return db.session.scalars(
        select(User).where(User.member_id == member.id).order_by(User.email)
    ).all()


def get_colleague(actor: User, user_id: int) -> User | None:
    """A user of the actor's own member, or None."""
    user = db.session.get(User, user_id)
    if user is None or actor.member_id is None or user.member_id != actor.member_id:
        return None
    return user


def set_user_active(actor: User, user: User, *, active: bool) -> None:
    """Deactivate or reactivate a colleague. :raises MembersError:"""
    if user.id == actor.id:
        raise MembersError(_l("Vous ne pouvez pas désactiver votre propre compte."))
    user.is_active = active
    if not active:
        _end_sessions(user)  # a later reactivation does not revive old cookies
    audit.record(
        actor,
        "user.activate" if active else "user.deactivate",
        object_type="user",
        object_id=user.id,
        member_id=user.member_id,
    )
    db.session.commit()
