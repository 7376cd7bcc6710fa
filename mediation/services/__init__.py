"""Use cases of the complaints feature, one module per part of the procedure.

Every change of a case's status goes through :func:`perform`, which asks
``workflow.apply`` first and writes nothing when it refuses. Each write service
commits once, at the end; files written before a failed commit are removed.
Callers use ``from mediation import services`` and ``services.<use case>``.
"""

from __future__ import annotations

from mediation.errors import (
    AttachmentRefused,
    FieldError,
    LinkInvalid,
    MediationError,
    TransitionRefused,
)
from mediation.services.access import (
    Actor,
    CaseAccess,
    CaseRow,
    Commissioner,
    attachment_for,
    case_for_complainant,
    case_for_user,
    commissioners_for,
    complaint_by_access_token,
    conflict_of,
    declare_conflict,
    is_late,
    list_cases,
    project_panel,
    role_of,
    seats_of,
    timeline,
)
from mediation.services.deadlines import (
    DeadlineReport,
    end_suspensions,
    purge_expired_drafts,
    watch_deadlines,
)
from mediation.services.delays import paris_today
from mediation.services.entries import ENTRY_KINDS, add_entry
from mediation.services.figures import complaint_figures
from mediation.services.filing import (
    Verified,
    complaint_targets,
    file_complaint,
    project_hint,
    resend_follow_link,
    verify_complaint,
)
from mediation.services.notifications import Audience
from mediation.services.procedure import add_commissioners, perform, recuse

__all__ = [
    "ENTRY_KINDS",
    "Actor",
    "AttachmentRefused",
    "Audience",
    "CaseAccess",
    "CaseRow",
    "Commissioner",
    "DeadlineReport",
    "FieldError",
    "LinkInvalid",
    "MediationError",
    "TransitionRefused",
    "Verified",
    "add_commissioners",
    "add_entry",
    "attachment_for",
    "case_for_complainant",
    "case_for_user",
    "commissioners_for",
    "complaint_by_access_token",
    "complaint_figures",
    "complaint_targets",
    "conflict_of",
    "declare_conflict",
    "end_suspensions",
    "file_complaint",
    "is_late",
    "list_cases",
    "paris_today",
    "perform",
    "project_hint",
    "project_panel",
    "purge_expired_drafts",
    "recuse",
    "resend_follow_link",
    "role_of",
    "seats_of",
    "timeline",
    "verify_complaint",
    "watch_deadlines",
]
