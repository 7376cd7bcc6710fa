"""Use cases of the satisfaction feature. Each write service commits once, at the end."""

from __future__ import annotations

from satisfaction.errors import (
    AlreadyAnsweredError,
    AnswersRefusedError,
    BuilderError,
    LinkError,
    RecurrenceError,
    SurveyError,
)
from satisfaction.services.alerts import follow_up_alert, get_alert, list_alerts
from satisfaction.services.answering import save_answers
from satisfaction.services.campaigns import (
    SCHEDULE_FIELDS,
    build_recurrence,
    campaign_recurrence,
    create_campaign,
    get_campaign,
    list_campaigns,
    project_contacts,
    schedule_field,
    set_paused,
    upcoming_sends,
    use_latest_version,
)
from satisfaction.services.opt_out import (
    get_invitation,
    invitation_for_unsubscribe,
    unsubscribe,
)
from satisfaction.services.questionnaires import (
    add_question,
    charter_template,
    create_questionnaire,
    current_version,
    ensure_charter_template,
    find_question,
    get_questionnaire,
    get_questionnaire_for,
    list_questionnaires,
    move_question,
    remove_question,
    rename_questionnaire,
    update_question,
    version_count,
)
from satisfaction.services.reminders import send_reminders
from satisfaction.services.sending import send_due_invitations
from satisfaction.services.settings import fatigue_days, set_fatigue_days
from satisfaction.services.stats import (
    CampaignStats,
    board_comments,
    campaign_stats,
    get_response,
    invitations_of,
    open_alert_count,
)
from satisfaction.services.survey import (
    OpenInvitation,
    SurveyPage,
    answered_invitation,
    first_missing_page,
    invitation_for_session,
    open_link,
    page_of,
    saved_form,
)
from satisfaction.services.trial import (
    send_campaign_now,
    send_test_email,
)

__all__ = [
    "SCHEDULE_FIELDS",
    "AlreadyAnsweredError",
    "AnswersRefusedError",
    "BuilderError",
    "CampaignStats",
    "LinkError",
    "OpenInvitation",
    "RecurrenceError",
    "SurveyError",
    "SurveyPage",
    "add_question",
    "answered_invitation",
    "board_comments",
    "build_recurrence",
    "campaign_recurrence",
    "campaign_stats",
    "charter_template",
    "create_campaign",
    "create_questionnaire",
    "current_version",
    "ensure_charter_template",
    "fatigue_days",
    "find_question",
    "first_missing_page",
    "follow_up_alert",
    "get_alert",
    "get_campaign",
    "get_invitation",
    "get_questionnaire",
    "get_questionnaire_for",
    "get_response",
    "invitation_for_session",
    "invitation_for_unsubscribe",
    "invitations_of",
    "list_alerts",
    "list_campaigns",
    "list_questionnaires",
    "move_question",
    "open_alert_count",
    "open_link",
    "page_of",
    "project_contacts",
    "remove_question",
    "rename_questionnaire",
    "save_answers",
    "saved_form",
    "schedule_field",
    "send_campaign_now",
    "send_due_invitations",
    "send_reminders",
    "send_test_email",
    "set_fatigue_days",
    "set_paused",
    "unsubscribe",
    "upcoming_sends",
    "update_question",
    "use_latest_version",
    "version_count",
]
