"""Reminders e-mailed to the client's contacts: a licence 30 days before its
renewal, an item the client must provide 7 days before its due date.

Once per licence and renewal date, once per item and due date: a reminder row
(unique) is claimed first, in the same transaction as the e-mails (whose outbox
keys are unique too), so that a second run or a second scheduler process queues
nothing (PITFALLS §1). A new renewal or due date is reminded again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.dates import local_today
from core.extensions import Model, db
from core.mail import queue_email
from members.models import Member, Project, ProjectStatus
from records.flags import ITEM_REMINDER_DAYS, LICENCE_REMINDER_DAYS
from records.models import (
    PAYER_LABELS,
    ClientItem,
    ClientItemReminder,
    Licence,
    LicenceReminder,
    Payer,
)
from records.services.common import log
from records.services.follow_up import client_contacts


@dataclass
class ReminderReport:
    """What one run of a reminder job did."""

    reminded: list[int] = field(default_factory=list)  # record ids
    emails: int = 0


def _remind(
    *,
    project_id: int,
    claim: Model,
    template: str,
    context: dict[str, Any],
    key: str,
    audit: tuple[str, str, int, dict[str, Any]],
    now: datetime,
) -> int:
    """Claim the reminder, queue it to each contact, audit, commit; the e-mails
    queued (0: nobody to write to, or another process reminded first)."""
    project = db.session.get(Project, project_id)
    if project is None:  # pragma: no cover - deleted meanwhile
        return 0
    contacts = client_contacts(project)
    if not contacts:
        db.session.rollback()
        return 0  # reminded once a contact exists, while still due
    db.session.add(claim)
    try:
        db.session.flush()  # the claim first: a process that lost the race stops
    except IntegrityError:
        db.session.rollback()
        return 0
    member = db.session.get(Member, project.member_id)
    for contact in contacts:
        queue_email(
            to=contact.email,
            template=template,
            context={
                "name": contact.name,
                "member": member.name if member else "",
                "project": project.title,
                **context,
            },
            locale=contact.locale or "fr",
            key=f"{key}:{contact.id}",
            now=now,
        )
    action, object_type, object_id, detail = audit
    log(
        None,
        action,
        project,
        object_type=object_type,
        object_id=object_id,
        detail={**detail, "emails": len(contacts)},
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return 0
    return len(contacts)


def _remind_each(
    ids: Sequence[int], model: type[Any], remind: Callable[[Any], int]
) -> ReminderReport:
    """Remind each record in turn (each reminder commits on its own, so one
    failure or one race lost costs that record only)."""
    report = ReminderReport()
    for record_id in ids:
        record = db.session.get(model, record_id)
        if record is not None and (sent := remind(record)):
            report.reminded.append(record_id)
            report.emails += sent
    db.session.rollback()  # end the read transaction
    return report


# ---------------------------------------------------------------- licences


def licences_to_remind(today: date) -> Sequence[Licence]:
    """Licences of active projects renewing within 30 days, not yet reminded of
    that renewal date."""
    reminded = select(LicenceReminder.id).where(
        LicenceReminder.licence_id == Licence.id,
        LicenceReminder.renews_on == Licence.renews_on,
    )
    return db.session.scalars(
        select(Licence)
        .join(Project, Project.id == Licence.project_id)
        .where(
            Project.status == ProjectStatus.ACTIVE,
            Licence.renews_on >= today,
            Licence.renews_on <= today + timedelta(days=LICENCE_REMINDER_DAYS),
            ~reminded.exists(),
        )
        .order_by(Licence.renews_on, Licence.id)
    ).all()


def remind_licence(licence: Licence, *, now: datetime) -> int:
    """E-mail the client's contacts about one renewal. Commits once."""
    renews_on = licence.renews_on
    return _remind(
        project_id=licence.project_id,
        claim=LicenceReminder(licence_id=licence.id, renews_on=renews_on, sent_at=now),
        template="records/email/licence_reminder",
        context={
            "licence": licence.name,
            "renews_on": renews_on,
            "paid_by": PAYER_LABELS[licence.paid_by],
            "client_pays": licence.paid_by == Payer.CLIENT,
        },
        key=f"records.licence:{licence.id}:{renews_on.isoformat()}",
        audit=(
            "licence.reminded",
            "records_licence",
            licence.id,
            {"renews_on": renews_on.isoformat()},
        ),
        now=now,
    )


def remind_licences(now: datetime) -> ReminderReport:
    """Remind the clients of every licence due within 30 days, once per renewal."""
    due = [licence.id for licence in licences_to_remind(local_today(now))]
    return _remind_each(due, Licence, lambda licence: remind_licence(licence, now=now))


# ---------------------------------------------------------------- client items


def items_to_remind(today: date) -> Sequence[ClientItem]:
    """Items of active projects not received, due within 7 days, not yet
    reminded of that due date."""
    reminded = select(ClientItemReminder.id).where(
        ClientItemReminder.item_id == ClientItem.id,
        ClientItemReminder.due_on == ClientItem.due_on,
    )
    return db.session.scalars(
        select(ClientItem)
        .join(Project, Project.id == ClientItem.project_id)
        .where(
            Project.status == ProjectStatus.ACTIVE,
            ClientItem.received_on.is_(None),
            ClientItem.due_on >= today,
            ClientItem.due_on <= today + timedelta(days=ITEM_REMINDER_DAYS),
            ~reminded.exists(),
        )
        .order_by(ClientItem.due_on, ClientItem.id)
    ).all()


def remind_client_item(item: ClientItem, *, now: datetime) -> int:
    """E-mail the client's contacts about an item to provide. Commits once."""
    due_on = item.due_on
    return _remind(
        project_id=item.project_id,
        claim=ClientItemReminder(item_id=item.id, due_on=due_on, sent_at=now),
        template="records/email/item_reminder",
        context={"item": item.label, "due_on": due_on, "critical": item.is_critical},
        key=f"records.item:{item.id}:{due_on.isoformat()}",
        audit=(
            "client_item.reminded",
            "records_client_item",
            item.id,
            {"due_on": due_on.isoformat()},
        ),
        now=now,
    )


def remind_client_items(now: datetime) -> ReminderReport:
    """Remind the clients of every item due within 7 days, once per due date."""
    due = [item.id for item in items_to_remind(local_today(now))]
    return _remind_each(due, ClientItem, lambda item: remind_client_item(item, now=now))
