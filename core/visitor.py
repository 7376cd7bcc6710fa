"""Who a visitor without an account said they are, once a feature has checked
it (the client portal's magic link): other features' public forms prefill
from it. Held in the session, dropped when the portal session ends."""

from __future__ import annotations

from flask import session

VISITOR_KEY = "known_visitor"
FIELDS = ("name", "email", "company")


def remember_visitor(details: dict[str, str]) -> None:
    session[VISITOR_KEY] = {k: str(details[k]) for k in FIELDS if details.get(k)}


def known_visitor() -> dict[str, str]:
    """The visitor's checked name, e-mail and company (those known), or {}."""
    found = session.get(VISITOR_KEY)
    if not isinstance(found, dict):
        return {}
    return {k: v for k, v in found.items() if k in FIELDS and isinstance(v, str)}


def forget_visitor() -> None:
    session.pop(VISITOR_KEY, None)
