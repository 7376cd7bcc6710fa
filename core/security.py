"""Roles, access decorators and single-use tokens."""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeGuard, TypeVar, cast
from urllib.parse import urlsplit

import flask_login
from flask import abort
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])


class Role(enum.StrEnum):
    BOARD = "board"
    SECRETARIAT = "secretariat"
    MEMBER_ADMIN = "member_admin"
    MEMBER_USER = "member_user"


ASSOCIATION_ROLES = frozenset({Role.BOARD, Role.SECRETARIAT})
MEMBER_ROLES = frozenset({Role.MEMBER_ADMIN, Role.MEMBER_USER})


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Only signed-in users with one of ``roles``; others get 403 (anonymous: login)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from core.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def login_required(view: F) -> F:
    """Flask-Login's ``login_required``, typed: the view keeps its signature for mypy."""
    return cast(F, flask_login.login_required(view))


def new_token() -> tuple[str, str]:
    """A random URL-safe token (256 bits) and the SHA-256 hash we store."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only same-site relative paths may be redirected to after sign-in."""
    if not target:
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
    )
