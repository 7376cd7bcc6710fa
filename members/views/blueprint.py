"""The members blueprint, the roles its pages are for, the labels its templates use
and the fields of the invitation form (posted from two pages)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from core.security import ASSOCIATION_ROLES, Role
from members.forms import InviteUserForm
from members.models import (
    CLIENT_KIND_LABELS,
    MARK_STATUS_LABELS,
    PROJECT_STATUS_LABELS,
    ROLE_LABELS,
    SERVICE_LABELS,
)

# Named after the package, not this module: the templates are in members/templates.
bp = Blueprint("members", "members", template_folder="templates")

STAFF = (Role.MEMBER_ADMIN, Role.MEMBER_USER)
ASSOCIATION = tuple(ASSOCIATION_ROLES)


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "SERVICE_LABELS": SERVICE_LABELS,
        "CLIENT_KIND_LABELS": CLIENT_KIND_LABELS,
        "PROJECT_STATUS_LABELS": PROJECT_STATUS_LABELS,
        "MARK_STATUS_LABELS": MARK_STATUS_LABELS,
        "ROLE_LABELS": ROLE_LABELS,
    }


def invite_fields(form: InviteUserForm) -> dict[str, Any]:
    return {
        "email": form.email.data,
        "role": Role(form.role.data),
        "full_name": form.full_name.data,
        "locale": form.locale.data,
    }
