"""Campaigns: a questionnaire sent to a project's contacts on a schedule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit
from core.database import utcnow
from core.extensions import db
from members.models import Client, ClientContact, Project, ProjectStatus
from satisfaction.errors import BuilderError, RecurrenceError
from satisfaction.models import Campaign, Questionnaire, QuestionnaireVersion
from satisfaction.recurrence import (
    Recurrence,
    next_runs,
    paris_datetime,
    parse_cron,
)
from satisfaction.services.questionnaires import current_version

MAX_REMINDERS = 5
MAX_LINK_DAYS = 365

# The campaign form's fields each schedule reads (the others are ignored), the
# first being the one a refusal of its dates is shown next to.
SCHEDULE_FIELDS: dict[str, tuple[str, ...]] = {
    "once": ("run_on", "at"),
    "every_n_months": ("start_on", "months", "day_of_month", "at"),
    "at_project_end": ("at",),
    "hot_then_cold": ("accepted_on", "months", "at"),
    "cron": ("expression",),
}


def schedule_field(kind: str) -> str:
    """The form field a refused schedule of ``kind`` is shown next to."""
    if kind == "at_project_end":
        return "kind"
    return SCHEDULE_FIELDS.get(kind, ("kind",))[0]


def list_campaigns(
    member_id: int, *, project_id: int | None = None
) -> Sequence[Campaign]:
    query = select(Campaign).where(Campaign.member_id == member_id)
    if project_id is not None:
        query = query.where(Campaign.project_id == project_id)
    return db.session.scalars(query.order_by(Campaign.created_at, Campaign.id)).all()


def get_campaign(member_id: int, campaign_id: int) -> Campaign | None:
    """The member's campaign, or None (another member's is not found)."""
    return db.session.scalar(
        select(Campaign).where(
            Campaign.id == campaign_id, Campaign.member_id == member_id
        )
    )


def project_contacts(project: Project) -> Sequence[ClientContact]:
    """The contacts of the project's client (those a campaign may invite)."""
    return db.session.scalars(
        select(ClientContact)
        .where(ClientContact.client_id == project.client_id)
        .order_by(ClientContact.name)
    ).all()


def build_recurrence(
    *,
    kind: str,
    project: Project,
    run_on: date | None = None,
    at: time | None = None,
    months: int | None = None,
    day_of_month: int | None = None,
    start_on: date | None = None,
    accepted_on: date | None = None,
    expression: str | None = None,
) -> Recurrence:
    """A schedule from the campaign form's fields (Paris dates and times).

    :raises RecurrenceError: a field the kind needs is missing or wrong.
    """
    at = at or time(9, 0)
    if kind == "once":
        if run_on is None:
            raise RecurrenceError(_l("Indiquez la date d'envoi."), field="run_on")
        return Recurrence.once(paris_datetime(run_on, at))
    if kind == "every_n_months":
        if months is None or start_on is None:
            raise RecurrenceError(
                _l("Indiquez l'intervalle en mois et le début."),
                field="months" if months is None else "start_on",
            )
        return Recurrence.every_n_months(
            months,
            day_of_month=day_of_month or start_on.day,
            time_of_day=at,
            start_on=start_on,
        )
    if kind == "at_project_end":
        if project.ends_on is None:
            raise RecurrenceError(
                _l("Ce projet n'a pas de date de fin : indiquez-la d'abord.")
            )
        return Recurrence.at_project_end(project.ends_on, time_of_day=at)
    if kind == "hot_then_cold":
        if accepted_on is None or months is None:
            raise RecurrenceError(
                _l("Indiquez la date de recette et le délai de l'envoi « à froid »."),
                field="accepted_on" if accepted_on is None else "months",
            )
        return Recurrence.hot_then_cold(paris_datetime(accepted_on, at), months=months)
    if kind == "cron":
        return parse_cron((expression or "").strip())
    raise RecurrenceError(_l("Type de récurrence inconnu : %(kind)s.", kind=kind))


def upcoming_sends(
    recurrence: Recurrence, *, now: datetime, count: int = 5
) -> list[datetime]:
    return next_runs(recurrence, after=now, count=count)


def _check_policy(
    reminder_days: Sequence[int], max_reminders: int, link_valid_days: int
) -> list[int]:
    if not 0 <= max_reminders <= MAX_REMINDERS:
        raise BuilderError(
            _l("Entre 0 et %(max)d relances.", max=MAX_REMINDERS), field="max_reminders"
        )
    if not 1 <= link_valid_days <= MAX_LINK_DAYS:
        raise BuilderError(
            _l("Un lien reste valable de 1 à %(max)d jours.", max=MAX_LINK_DAYS),
            field="link_valid_days",
        )
    days = sorted(set(reminder_days))
    if any(day < 1 or day >= link_valid_days for day in days):
        raise BuilderError(
            _l(
                "Chaque relance part entre 1 jour après l'envoi et la fin de validité "
                "du lien."
            ),
            field="reminder_days",
        )
    if len(days) < max_reminders:
        raise BuilderError(
            _l("Indiquez un délai (en jours) pour chaque relance."),
            field="reminder_days",
        )
    return days[:max_reminders]


def _sendable_version(project: Project, questionnaire_id: int) -> QuestionnaireVersion:
    """The current version of one of the member's questionnaires, with questions.

    :raises BuilderError:
    """
    questionnaire = db.session.scalar(
        select(Questionnaire).where(
            Questionnaire.id == questionnaire_id,
            Questionnaire.member_id == project.member_id,
        )
    )
    if questionnaire is None:
        raise BuilderError(_l("Questionnaire inconnu."), field="questionnaire_id")
    version = current_version(questionnaire)
    if not version.questions:
        raise BuilderError(
            _l("Ce questionnaire n'a pas encore de question."),
            field="questionnaire_id",
        )
    return version


def _project_contacts(
    project: Project, contact_ids: Sequence[int]
) -> list[ClientContact]:
    """The contacts asked for, all of the project's client (at least one).

    :raises BuilderError:
    """
    contacts = db.session.scalars(
        select(ClientContact)
        .join(Client)
        .where(
            ClientContact.id.in_(list(contact_ids)),
            ClientContact.client_id == project.client_id,
            Client.member_id == project.member_id,
        )
    ).all()
    if not contact_ids or len(contacts) != len(set(contact_ids)):
        raise BuilderError(
            _l("Choisissez au moins un contact du client du projet."),
            field="contact_ids",
        )
    return list(contacts)


def create_campaign(
    actor: Any,
    project: Project,
    *,
    name: str,
    questionnaire_id: int,
    contact_ids: Sequence[int],
    recurrence: Recurrence,
    reminder_days: Sequence[int] = (7, 14),
    max_reminders: int = 2,
    link_valid_days: int = 30,
    now: datetime | None = None,
    send_now: bool = False,
) -> Campaign:
    """Set a questionnaire to be sent to some of the project's contacts.

    ``send_now``: the first send is due at once (the schedule's own dates
    follow), even if the schedule has none to come.

    :raises BuilderError: unknown questionnaire or contact, bad policy, closed
        project, or a schedule with no send to come.
    """
    now = now or utcnow()
    name = name.strip()
    if not name:
        raise BuilderError(_l("Donnez un nom à la campagne."), field="name")
    if project.status == ProjectStatus.CLOSED:
        raise BuilderError(_l("Ce projet est clos : aucun questionnaire ne partira."))
    version = _sendable_version(project, questionnaire_id)
    contacts = _project_contacts(project, contact_ids)
    days = _check_policy(reminder_days, max_reminders, link_valid_days)
    first = [now] if send_now else next_runs(recurrence, after=now, count=1)
    if not first:
        raise BuilderError(
            _l(
                "Ce calendrier ne prévoit aucun envoi à venir : choisissez une date "
                "à venir, ou « Envoyer maintenant »."
            ),
            field=schedule_field(recurrence.kind),
        )
    campaign = Campaign(
        member_id=project.member_id,
        project_id=project.id,
        version_id=version.id,
        name=name,
        recurrence=recurrence.to_dict(),
        next_run_at=first[0],
        reminder_days=days,
        max_reminders=max_reminders,
        link_valid_days=link_valid_days,
        is_paused=False,
        created_at=now,
        created_by_id=getattr(actor, "id", None),
    )
    campaign.contacts = list(contacts)
    db.session.add(campaign)
    db.session.flush()
    audit.record(
        actor,
        "campaign.create",
        object_type="campaign",
        object_id=campaign.id,
        member_id=project.member_id,
        detail={"project_id": project.id, "recurrence": campaign.recurrence},
    )
    db.session.commit()
    return campaign


def campaign_recurrence(campaign: Campaign) -> Recurrence:
    return Recurrence.from_dict(campaign.recurrence)


def set_paused(actor: Any, campaign: Campaign, *, paused: bool) -> None:
    """Pause or resume. Sends missed while paused are caught up once, at the next
    tick after the resume (the job then moves to the next date to come)."""
    if campaign.is_paused == paused:
        return
    campaign.is_paused = paused
    audit.record(
        actor,
        "campaign.pause" if paused else "campaign.resume",
        object_type="campaign",
        object_id=campaign.id,
        member_id=campaign.member_id,
    )
    db.session.commit()


def use_latest_version(actor: Any, campaign: Campaign) -> None:
    """Send the questionnaire's latest version from the next cycle on."""
    latest = current_version(campaign.version.questionnaire)
    if latest.id == campaign.version_id:
        return
    if not latest.questions:
        raise BuilderError(_l("Ce questionnaire n'a pas encore de question."))
    campaign.version_id = latest.id
    campaign.version = latest
    audit.record(
        actor,
        "campaign.version",
        object_type="campaign",
        object_id=campaign.id,
        member_id=campaign.member_id,
        detail={"version": latest.number},
    )
    db.session.commit()
