"""Sécurité: the backup plan and the restore time promised, the licences to
renew and who pays them (their reminders are in ``reminders``)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from core.extensions import db
from members.models import Project, User
from records.errors import RecordsError
from records.models import (
    BackupFrequency,
    BackupPlan,
    Licence,
    Payer,
)
from records.services.common import check_planned, check_text, log, today_or

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
