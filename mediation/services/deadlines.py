"""The scheduler's use cases: deadline reminders and late flags, the end of
suspensions, the purge of never-confirmed drafts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

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


@dataclass
class DeadlineReport:
    reminders: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)


def _deadline_notice(
    complaint: Complaint,
    *,
    key: str,
    kind: EventKind,
    what: str,
    due_on: date,
    audience: Audience,
    now: datetime,
) -> bool:
    if not _remember(complaint, key, now=now):
        return False
    event = record_event(
        complaint,
        actor=None,
        kind=kind,
        now=now,
        visibility=Visibility.INTERNAL,
        detail={"what": what, "due_on": due_on.isoformat()},
    )
    notify(complaint, event, audience, now=now, template="mediation/email/deadline")
    return True


def watch_deadlines(now: datetime) -> DeadlineReport:
    """Remind whoever must act before a deadline, and flag late cases to the
    secretariat — once per deadline (the ``Reminder`` keys make it idempotent)."""
    report = DeadlineReport()
    today = paris_today(now)
    before = timedelta(days=setting("MEDIATION_REMIND_DAYS_BEFORE", REMIND_DAYS_BEFORE))
    admissibility = timedelta(
        days=setting("MEDIATION_ADMISSIBILITY_DAYS", ADMISSIBILITY_DAYS)
    )
    commission = timedelta(days=setting("MEDIATION_COMMISSION_DAYS", COMMISSION_DAYS))
    open_cases = db.session.scalars(
        select(Complaint)
        .where(
            registered(),
            Complaint.status.in_(
                [Status.SUBMITTED, Status.AWAITING_MEMBER, Status.AT_COMMISSION]
            ),
        )
        .order_by(Complaint.id)
    ).all()
    for complaint in open_cases:
        notices: list[tuple[str, EventKind, str, date, Audience, list[str]]] = []
        if complaint.status == Status.SUBMITTED and complaint.verified_at:
            due = paris_today(complaint.verified_at + admissibility)
            stem = f"admissibility:{complaint.id}:{due.isoformat()}"
            if due - before <= today <= due:
                notices.append(
                    (
                        f"remind.{stem}",
                        EventKind.REMINDER,
                        "admissibility",
                        due,
                        Audience(secretariat=True),
                        report.reminders,
                    )
                )
            elif today > due:
                notices.append(
                    (
                        f"late.{stem}",
                        EventKind.LATE,
                        "admissibility",
                        due,
                        Audience(secretariat=True),
                        report.late,
                    )
                )
        elif (
            complaint.status == Status.AWAITING_MEMBER and complaint.member_reply_due_on
        ):
            due = complaint.member_reply_due_on
            stem = f"member:{complaint.id}:{due.isoformat()}"
            if due - before <= today <= due:
                notices.append(
                    (
                        f"remind.{stem}",
                        EventKind.REMINDER,
                        "member_reply",
                        due,
                        Audience(member=True),
                        report.reminders,
                    )
                )
            elif today > due:
                notices.append(
                    (
                        f"late.{stem}",
                        EventKind.LATE,
                        "member_reply",
                        due,
                        Audience(secretariat=True),
                        report.late,
                    )
                )
        elif complaint.status == Status.AT_COMMISSION and complaint.referred_at:
            due = paris_today(complaint.referred_at + commission)
            stem = f"commission:{complaint.id}:{due.isoformat()}"
            if due - before <= today <= due:
                notices.append(
                    (
                        f"remind.{stem}",
                        EventKind.REMINDER,
                        "commission",
                        due,
                        Audience(commission=True),
                        report.reminders,
                    )
                )
            elif today > due:
                notices.append(
                    (
                        f"late.{stem}",
                        EventKind.LATE,
                        "commission",
                        due,
                        Audience(secretariat=True, commission=True),
                        report.late,
                    )
                )
        for key, kind, what, due, audience, bucket in notices:
            try:
                if _deadline_notice(
                    complaint,
                    key=key,
                    kind=kind,
                    what=what,
                    due_on=due,
                    audience=audience,
                    now=now,
                ):
                    bucket.append(key)
                db.session.commit()
            except IntegrityError:
                # Another scheduler process gave this notice at the same moment.
                db.session.rollback()
                if key in bucket:
                    bucket.remove(key)
    return report


def end_suspensions(now: datetime) -> list[str]:
    """Give back the mark to members whose suspension has reached its end date.

    The mark comes back only if it is still suspended and no other case keeps
    it suspended; either way the case's timeline records the end.
    """
    today = paris_today(now)
    due = db.session.scalars(
        select(Complaint)
        .where(
            Complaint.decision == Decision.SUSPENSION,
            Complaint.suspension_until <= today,
            Complaint.suspension_ended_at.is_(None),
        )
        .order_by(Complaint.id)
    ).all()
    ended: list[str] = []
    for complaint in due:
        claimed = db.session.execute(
            update(Complaint)
            .where(
                Complaint.id == complaint.id, Complaint.suspension_ended_at.is_(None)
            )
            .values(suspension_ended_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            db.session.rollback()
            continue
        complaint.suspension_ended_at = now
        member = complaint.member
        still_suspended = db.session.scalar(
            select(func.count(Complaint.id)).where(
                Complaint.member_id == member.id,
                Complaint.id != complaint.id,
                Complaint.decision == Decision.SUSPENSION,
                Complaint.suspension_until > today,
                Complaint.suspension_ended_at.is_(None),
            )
        )
        restored = member.mark_status == MarkStatus.SUSPENDED and not still_suspended
        if restored:
            members_services.set_mark_status(
                None,
                member,
                status=MarkStatus.ACTIVE,
                reason=f"{complaint.reference} — fin de suspension",
                now=now,
                commit=False,
            )
        event = record_event(
            complaint,
            actor=None,
            kind=EventKind.SUSPENSION_ENDED,
            now=now,
            detail={
                "until": complaint.suspension_until.isoformat()
                if complaint.suspension_until
                else None,
                "restored": restored,
            },
        )
        notify(complaint, event, Audience(member=True, secretariat=True), now=now)
        audit.record(
            None,
            "complaint.suspension_end",
            object_type="complaint",
            object_id=complaint.id,
            member_id=member.id,
            detail={"restored": restored},
        )
        db.session.commit()
        ended.append(str(complaint.reference))
    return ended


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
