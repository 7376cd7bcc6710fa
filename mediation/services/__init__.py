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
    DeadlineNotice,
    DeadlineReport,
    cases_with_deadlines,
    deadline_notice,
    end_suspension,
    give_deadline_notice,
    purge_expired_drafts,
    purge_old_attachments,
    suspensions_due,
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
    "DeadlineNotice",
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
    "cases_with_deadlines",
    "commissioners_for",
    "complaint_by_access_token",
    "complaint_figures",
    "complaint_targets",
    "conflict_of",
    "deadline_notice",
    "declare_conflict",
    "end_suspension",
    "file_complaint",
    "give_deadline_notice",
    "is_late",
    "list_cases",
    "paris_today",
    "perform",
    "project_hint",
    "project_panel",
    "purge_expired_drafts",
    "purge_old_attachments",
    "recuse",
    "resend_follow_link",
    "role_of",
    "seats_of",
    "suspensions_due",
    "timeline",
    "verify_complaint",
]
