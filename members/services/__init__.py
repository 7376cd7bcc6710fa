"""Use cases of the members feature. Each write service commits once, at the end.

One module per section: ``accounts`` (sign-in, invitations, team), ``members``
(onboarding), ``charter`` (signature, mark, registry), ``clients`` (and their
contacts) and ``projects``. Everything public is re-exported here, so that callers
write ``from members import services`` and ``services.create_client(...)``.
"""

from __future__ import annotations

from members.errors import MembersError
from members.services.accounts import (
    authenticate,
    change_password,
    create_user,
    find_token,
    get_colleague,
    get_user,
    hash_password,
    invite_user,
    normalise_email,
    request_password_reset,
    set_language,
    set_password_with_token,
    set_user_active,
    sign_out,
    team_of,
    update_account,
    user_of_session,
)
from members.services.audit import (
    AuditFilter,
    audit_actions,
    audit_member_names,
    audit_page,
    export_audit,
)
from members.services.charter import (
    public_member,
    record_signature,
    registry_members,
    set_mark_status,
)
from members.services.clients import (
    add_contact,
    contacts_of,
    create_client,
    get_client,
    get_contact,
    list_clients,
    update_client,
    update_contact,
)
from members.services.members import (
    count_by_member,
    get_member,
    list_members,
    onboard_member,
    update_member,
)
from members.services.privacy import (
    erase_contact,
    erase_expired_contacts,
    export_contact_data,
    is_erased,
)
from members.services.projects import (
    create_project,
    get_project,
    list_projects,
    update_project,
)

__all__ = [
    "AuditFilter",
    "MembersError",
    "add_contact",
    "audit_actions",
    "audit_member_names",
    "audit_page",
    "authenticate",
    "change_password",
    "contacts_of",
    "count_by_member",
    "create_client",
    "create_project",
    "create_user",
    "erase_contact",
    "erase_expired_contacts",
    "export_audit",
    "export_contact_data",
    "find_token",
    "get_client",
    "get_colleague",
    "get_contact",
    "get_member",
    "get_project",
    "get_user",
    "hash_password",
    "invite_user",
    "is_erased",
    "list_clients",
    "list_members",
    "list_projects",
    "normalise_email",
    "onboard_member",
    "public_member",
    "record_signature",
    "registry_members",
    "request_password_reset",
    "set_language",
    "set_mark_status",
    "set_password_with_token",
    "set_user_active",
    "sign_out",
    "team_of",
    "update_account",
    "update_client",
    "update_contact",
    "update_member",
    "update_project",
    "user_of_session",
]
