"""Before and at the first send: the questionnaire e-mail sent as a test to the
member's own address, and a campaign's invitations queued at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date

from core.extensions import db
from core.mail import queue_email
from core.models import OutboxMessage
from core.urls import external_url
from members.models import Member, Project
from satisfaction.services.campaigns import _sendable_version
from satisfaction.services.outbox import INVITATION_TEMPLATE
from satisfaction.services.sending import run_campaign_cycle


def send_test_email(
    actor: Any,
    project: Project,
    *,
    questionnaire_id: int,
    link_valid_days: int,
    now: datetime,
) -> OutboxMessage:
    """Queue the invitation e-mail of the questionnaire to ``actor``'s own
    address, marked as a test, its link opening the questionnaire's preview: no
    invitation is created, nothing counts in the campaign's figures.

    :raises BuilderError: unknown questionnaire or one without questions.
    """
    version = _sendable_version(project, questionnaire_id)
    locale = actor.locale if actor.locale in current_app.config["LANGUAGES"] else "fr"
    with force_locale(locale):
        expires_on = format_date(now + timedelta(days=link_valid_days), "long")
    message = queue_email(
        to=actor.email,
        template=INVITATION_TEMPLATE,
        context={
            "is_test": True,
            "contact_name": actor.full_name or actor.email,
            "member_name": getattr(
                db.session.get(Member, project.member_id), "name", ""
            ),
            "project_title": project.title,
            "association_name": current_app.config["ASSOCIATION_NAME"],
            "expires_on": expires_on,
            "link": external_url(
                "satisfaction.preview",
                questionnaire_id=version.questionnaire_id,
                lang=locale,
            ),
            "unsubscribe_link": external_url("satisfaction.questionnaires"),
        },
        locale=locale,
        key=f"satisfaction.test:{actor.id}:{now.isoformat()}",
        now=now,
    )
    db.session.commit()
    return message


def send_campaign_now(campaign_id: int, *, now: datetime) -> int:
    """Queue a campaign's invitations now (one cycle); the number queued."""
    return run_campaign_cycle(campaign_id, now=now)
