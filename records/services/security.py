"""Sécurité: the backup plan and the restore time promised, the licences to
renew and who pays them, and the client's reminder before each renewal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.dates import local_today
from core.extensions import db
from core.mail import queue_email
from members.models import Member, Project, ProjectStatus, User
from records.errors import RecordsError
from records.flags import LICENCE_REMINDER_DAYS
from records.models import (
    PAYER_LABELS,
    BackupFrequency,
    BackupPlan,
    Licence,
    LicenceReminder,
    Payer,
)
from records.services.common import check_planned, check_text, log, today_or
from records.services.follow_up import client_contacts

#: A promised restore time longer than a year is a typing mistake.
MAX_RESTORE_HOURS = 24 * 365


def add_backup_plan(
    actor: User,
    project: Project,
    *,
    scope: str,
    frequency: BackupFrequency,
    location: str,
    restore_hours: int,
) -> BackupPlan:
    """Record what is backed up, how often, where, and the restore time promised.

    :raises RecordsError:
    """
    if (
        not isinstance(restore_hours, int)
        or not 1 <= restore_hours <= MAX_RESTORE_HOURS
    ):
        raise RecordsError(
            _l(
                "Un délai de restauration de 1 à %(max)s heures.",
                max=MAX_RESTORE_HOURS,
            ),
            field="restore_hours",
        )
    plan = BackupPlan(
        project_id=project.id,
        member_id=project.member_id,
        scope=check_text(scope, "scope", limit=300),
        frequency=frequency,
        location=check_text(location, "location", limit=300),
        restore_hours=restore_hours,
    )
    db.session.add(plan)
    db.session.flush()
    log(
        actor,
        "backup_plan.add",
        project,
        object_type="records_backup_plan",
        object_id=plan.id,
        detail={"frequency": frequency.value, "restore_hours": restore_hours},
    )
    db.session.commit()
    return plan


def add_licence(
    actor: User,
    project: Project,
    *,
    name: str,
    renews_on: date,
    paid_by: Payer,
    today: date | None = None,
) -> Licence:
    """List a licence the client must renew. :raises RecordsError:"""
    licence = Licence(
        project_id=project.id,
        member_id=project.member_id,
        name=check_text(name, "name", limit=200),
        renews_on=check_planned(renews_on, "renews_on", today=today_or(today)),
        paid_by=paid_by,
    )
    db.session.add(licence)
    db.session.flush()
    log(
        actor,
        "licence.add",
        project,
        object_type="records_licence",
        object_id=licence.id,
        detail={"name": licence.name, "renews_on": licence.renews_on.isoformat()},
    )
    db.session.commit()
    return licence


# ---------------------------------------------------------------- reminders


@dataclass
class ReminderReport:
    """What one run of the licence reminders did."""

    reminded: list[int] = field(default_factory=list)  # licence ids
    emails: int = 0


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
    """E-mail the client's contacts about one renewal; the e-mails queued.

    Commits once. The reminder row (unique per licence and renewal date) and the
    outbox keys make a second run, or a second process, queue nothing.
    """
    project = db.session.get(Project, licence.project_id)
    if project is None:  # pragma: no cover - deleted meanwhile
        return 0
    contacts = client_contacts(project)
    if not contacts:
        db.session.rollback()
        return 0  # reminded once a contact exists, while still due
    member = db.session.get(Member, project.member_id)
    db.session.add(
        LicenceReminder(licence_id=licence.id, renews_on=licence.renews_on, sent_at=now)
    )
    try:
        # The claim first: a process that lost the race stops here.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return 0
    for contact in contacts:
        queue_email(
            to=contact.email,
            template="records/email/licence_reminder",
            context={
                "name": contact.name,
                "member": member.name if member else "",
                "project": project.title,
                "licence": licence.name,
                "renews_on": licence.renews_on,
                "paid_by": PAYER_LABELS[licence.paid_by],
                "client_pays": licence.paid_by == Payer.CLIENT,
            },
            locale=contact.locale or "fr",
            key=f"records.licence:{licence.id}:{licence.renews_on.isoformat()}:{contact.id}",
            now=now,
        )
    log(
        None,
        "licence.reminded",
        project,
        object_type="records_licence",
        object_id=licence.id,
        detail={"renews_on": licence.renews_on.isoformat(), "emails": len(contacts)},
    )
    try:
        db.session.commit()
    except IntegrityError:
        # Another scheduler process reminded of this renewal first.
        db.session.rollback()
        return 0
    return len(contacts)


def remind_licences(now: datetime) -> ReminderReport:
    """Remind the clients of every licence due within 30 days, once per renewal."""
    report = ReminderReport()
    for licence_id in [licence.id for licence in licences_to_remind(local_today(now))]:
        licence = db.session.get(Licence, licence_id)
        if licence is None:  # pragma: no cover - deleted meanwhile
            continue
        sent = remind_licence(licence, now=now)
        if sent:
            report.reminded.append(licence_id)
            report.emails += sent
    db.session.rollback()  # end the read transaction
    return report
