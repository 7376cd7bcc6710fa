"""The scheduler's use cases: deadline reminders and late flags, the end of
suspensions, the purge of never-confirmed drafts.

The jobs (``mediation/jobs.py``) call the per-case use cases here, each of which
commits on its own: one case that fails does not lose the others' work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core import audit
from core.extensions import db
from mediation import files
from mediation.models import Attachment, Complaint, EventKind, Reminder, Visibility
from mediation.services.access import registered
from mediation.services.delays import (
    ADMISSIBILITY_DAYS,
    COMMISSION_DAYS,
    REMIND_DAYS_BEFORE,
    paris_today,
    setting,
)
from mediation.services.entries import record_event
from mediation.services.notifications import Audience, notify
from mediation.workflow import Decision, Status
from members import services as members_services
from members.models import MarkStatus


def _remember(complaint: Complaint, key: str, *, now: datetime) -> bool:
    """Record that the notice ``key`` was given; False if it already was."""
    exists = db.session.scalar(select(Reminder.id).where(Reminder.key == key))
    if exists is not None:
        return False
    db.session.add(Reminder(complaint_id=complaint.id, key=key, created_at=now))
    db.session.flush()
    return True


# ---------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class Deadline:
    """The deadline of a case's current stage: who is reminded before it, who is
    told once it has passed."""

    what: str  # admissibility, member_reply or commission
    stem: str  # what the notices' keys are made of: one deadline, one of each
    due_on: date
    remind: Audience
    late: Audience


@dataclass(frozen=True)
class DeadlineNotice:
    """A reminder before a deadline, or a late flag after it."""

    key: str
    kind: EventKind
    what: str
    due_on: date
    audience: Audience


@dataclass
class DeadlineReport:
    """The keys of the notices given by one run of the deadline job."""

    reminders: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)

    def add(self, notice: DeadlineNotice | None) -> None:
        """Count a notice that was given (None: none was)."""
        if notice is not None:
            bucket = self.late if notice.kind is EventKind.LATE else self.reminders
            bucket.append(notice.key)


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=setting(name, default))


def _deadline_of(complaint: Complaint) -> Deadline | None:
    """The deadline of the case's current stage, if that stage has one."""
    if complaint.status == Status.SUBMITTED and complaint.verified_at:
        due = paris_today(
            complaint.verified_at
            + _days("MEDIATION_ADMISSIBILITY_DAYS", ADMISSIBILITY_DAYS)
        )
        return Deadline(
            what="admissibility",
            stem=f"admissibility:{complaint.id}:{due.isoformat()}",
            due_on=due,
            remind=Audience(secretariat=True),
            late=Audience(secretariat=True),
        )
    if complaint.status == Status.AWAITING_MEMBER and complaint.member_reply_due_on:
        due = complaint.member_reply_due_on
        return Deadline(
            what="member_reply",
            stem=f"member:{complaint.id}:{due.isoformat()}",
            due_on=due,
            remind=Audience(member=True),
            late=Audience(secretariat=True),
        )
    if complaint.status == Status.AT_COMMISSION and complaint.referred_at:
        due = paris_today(
            complaint.referred_at + _days("MEDIATION_COMMISSION_DAYS", COMMISSION_DAYS)
        )
        return Deadline(
            what="commission",
            stem=f"commission:{complaint.id}:{due.isoformat()}",
            due_on=due,
            remind=Audience(commission=True),
            late=Audience(secretariat=True, commission=True),
        )
    return None


def deadline_notice(complaint: Complaint, *, now: datetime) -> DeadlineNotice | None:
    """The notice the case's deadline calls for at ``now``: a reminder in the
    days before it, a late flag once it has passed; None otherwise."""
    deadline = _deadline_of(complaint)
    if deadline is None:
        return None
    today = paris_today(now)
    before = _days("MEDIATION_REMIND_DAYS_BEFORE", REMIND_DAYS_BEFORE)
    if deadline.due_on - before <= today <= deadline.due_on:
        key, kind, audience = "remind", EventKind.REMINDER, deadline.remind
    elif today > deadline.due_on:
        key, kind, audience = "late", EventKind.LATE, deadline.late
    else:
        return None
    return DeadlineNotice(
        key=f"{key}.{deadline.stem}",
        kind=kind,
        what=deadline.what,
        due_on=deadline.due_on,
        audience=audience,
    )


def cases_with_deadlines() -> Sequence[Complaint]:
    """The registered cases at a stage that has a deadline, oldest first."""
    return db.session.scalars(
        select(Complaint)
        .where(
            registered(),
            Complaint.status.in_(
                [Status.SUBMITTED, Status.AWAITING_MEMBER, Status.AT_COMMISSION]
            ),
        )
        .order_by(Complaint.id)
    ).all()


def give_deadline_notice(
    complaint: Complaint, *, now: datetime
) -> DeadlineNotice | None:
    """Give the notice the case's deadline calls for, once per deadline (the
    ``Reminder`` keys make it idempotent): an internal event, e-mails; committed.

    The notice given, or None: none due, already given, or given at the same
    moment by another scheduler process.
    """
    notice = deadline_notice(complaint, now=now)
    if notice is None:
        return None
    try:
        given = _remember(complaint, notice.key, now=now)
        if given:
            _record_notice(complaint, notice, now=now)
        db.session.commit()
    except IntegrityError:
        # Another scheduler process gave this notice at the same moment.
        db.session.rollback()
        return None
    return notice if given else None


def _record_notice(
    complaint: Complaint, notice: DeadlineNotice, *, now: datetime
) -> None:
    event = record_event(
        complaint,
        actor=None,
        kind=notice.kind,
        now=now,
        visibility=Visibility.INTERNAL,
        detail={"what": notice.what, "due_on": notice.due_on.isoformat()},
    )
    notify(
        complaint, event, notice.audience, now=now, template="mediation/email/deadline"
    )


# ---------------------------------------------------------------- suspensions


def suspensions_due(now: datetime) -> Sequence[Complaint]:
    """The cases whose suspension has reached its end date and is not ended yet."""
    return db.session.scalars(
        select(Complaint)
        .where(
            Complaint.decision == Decision.SUSPENSION,
            Complaint.suspension_until <= paris_today(now),
            Complaint.suspension_ended_at.is_(None),
        )
        .order_by(Complaint.id)
    ).all()


def end_suspension(complaint: Complaint, *, now: datetime) -> bool:
    """End the suspension of ``complaint``: the member gets the mark back if it is
    still suspended and no other case keeps it suspended; either way the case's
    timeline records the end. Committed.

    False when another scheduler process ended it first (nothing is written).
    """
    claimed = db.session.execute(
        update(Complaint)
        .where(Complaint.id == complaint.id, Complaint.suspension_ended_at.is_(None))
        .values(suspension_ended_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        return False
    complaint.suspension_ended_at = now
    member = complaint.member
    restored = member.mark_status == MarkStatus.SUSPENDED and not _suspended_elsewhere(
        complaint, today=paris_today(now)
    )
    if restored:
        members_services.set_mark_status(
            None,
            member,
            status=MarkStatus.ACTIVE,
            reason=f"{complaint.reference} — fin de suspension",
            now=now,
            commit=False,
        )
    _record_suspension_end(complaint, restored=restored, now=now)
    db.session.commit()
    return True


def _suspended_elsewhere(complaint: Complaint, *, today: date) -> bool:
    """Whether another case keeps the same member suspended after ``today``."""
    return bool(
        db.session.scalar(
            select(func.count(Complaint.id)).where(
                Complaint.member_id == complaint.member_id,
                Complaint.id != complaint.id,
                Complaint.decision == Decision.SUSPENSION,
                Complaint.suspension_until > today,
                Complaint.suspension_ended_at.is_(None),
            )
        )
    )


def _record_suspension_end(
    complaint: Complaint, *, restored: bool, now: datetime
) -> None:
    until = complaint.suspension_until
    event = record_event(
        complaint,
        actor=None,
        kind=EventKind.SUSPENSION_ENDED,
        now=now,
        detail={"until": until.isoformat() if until else None, "restored": restored},
    )
    notify(complaint, event, Audience(member=True, secretariat=True), now=now)
    audit.record(
        None,
        "complaint.suspension_end",
        object_type="complaint",
        object_id=complaint.id,
        member_id=complaint.member_id,
        detail={"restored": restored},
    )


# ---------------------------------------------------------------- drafts


def purge_expired_drafts(now: datetime, *, grace: timedelta = timedelta(days=1)) -> int:
    """Delete complaints never confirmed, and their files, once their link expired."""
    drafts = db.session.scalars(
        select(Complaint).where(
            Complaint.verified_at.is_(None),
            Complaint.verification_expires_at < now - grace,
        )
    ).all()
    if not drafts:
        return 0
    ids = [d.id for d in drafts]
    names = list(
        db.session.scalars(
            select(Attachment.storage_name).where(Attachment.complaint_id.in_(ids))
        )
    )
    for draft in drafts:
        db.session.delete(draft)
    db.session.commit()
    files.remove(names)
    return len(ids)


def purge_old_attachments(now: datetime) -> int:
    """The retention rule for evidence: the files of cases closed more than
    MEDIATION_ATTACHMENT_RETENTION_DAYS ago are deleted (the case's record stays,
    with each file's name, size and checksum in the audit log). Files deleted."""
    days = int(current_app.config.get("MEDIATION_ATTACHMENT_RETENTION_DAYS") or 0)
    if days <= 0:
        return 0
    old = db.session.scalars(
        select(Attachment)
        .join(Complaint, Complaint.id == Attachment.complaint_id)
        .where(Complaint.closed_at < now - timedelta(days=days))
        .order_by(Attachment.complaint_id, Attachment.id)
    ).all()
    by_case: dict[int, list[Attachment]] = {}
    for attachment in old:
        by_case.setdefault(attachment.complaint_id, []).append(attachment)
    for complaint_id, attachments in by_case.items():
        audit.record(
            None,
            "complaint.attachments_purged",
            object_type="complaint",
            object_id=complaint_id,
            detail={
                "retention_days": days,
                "files": [
                    {"name": a.original_name, "size": a.size, "sha256": a.sha256}
                    for a in attachments
                ],
            },
        )
        for attachment in attachments:
            db.session.delete(attachment)
    db.session.commit()
    files.remove([a.storage_name for a in old])
    return len(old)
