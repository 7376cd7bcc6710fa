"""The scheduler's jobs: deadline reminders and late flags once per deadline, the
end of suspensions, the purge of never-confirmed drafts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from core.extensions import db
from core.models import OutboxMessage
from mediation import jobs, services
from mediation.models import Attachment, Complaint, EventKind
from mediation.services import Actor
from mediation.workflow import Action, Decision, Role
from members import services as members_services
from members.models import MarkStatus
from tests.mediation.conftest import NOW

pytestmark = pytest.mark.usefixtures("app")


def test_a_suspension_ends_by_itself_at_its_date(make_case, mailbox) -> None:
    case = make_case("at_commission")
    services.perform(
        case.complaint,
        Action.DECIDE,
        actor=Actor.of_user(case.board[0], Role.BOARD),
        decision=Decision.SUSPENSION,
        suspension_until=date(2026, 4, 1),
        reason="Manquements.",
        now=NOW + timedelta(days=20),
    )
    assert case.member.mark_status is MarkStatus.SUSPENDED

    assert jobs.end_suspensions(NOW + timedelta(days=29)) == []  # 31 March
    ended = jobs.end_suspensions(NOW + timedelta(days=30))  # 1 April
    again = jobs.end_suspensions(NOW + timedelta(days=31))

    assert ended == ["R-2026-0001"]
    assert again == []
    db.session.expire_all()
    complaint = db.session.get(Complaint, case.id)
    assert complaint.member.mark_status is MarkStatus.ACTIVE
    assert complaint.member in members_services.registry_members()
    kinds = [e.kind for e in services.timeline(complaint, Role.MEMBER)]
    assert kinds.count(EventKind.SUSPENSION_ENDED) == 1


def test_a_suspension_end_leaves_a_later_exclusion_alone(make_case) -> None:
    first = make_case("at_commission")
    second = make_case("at_commission", member=first.member)
    services.perform(
        first.complaint,
        Action.DECIDE,
        actor=Actor.of_user(first.board[0], Role.BOARD),
        decision=Decision.SUSPENSION,
        suspension_until=date(2026, 4, 1),
        reason="Manquements.",
        now=NOW + timedelta(days=20),
    )
    services.perform(
        second.complaint,
        Action.DECIDE,
        actor=Actor.of_user(second.board[0], Role.BOARD),
        decision=Decision.EXCLUSION,
        reason="Récidive.",
        now=NOW + timedelta(days=25),
    )

    jobs.end_suspensions(NOW + timedelta(days=30))

    assert first.member.mark_status is MarkStatus.WITHDRAWN


def test_deadlines_remind_once_and_flag_late_cases_once(
    make_case, make_member, make_member_user
) -> None:
    member = make_member()
    user = make_member_user(member)
    case = make_case("awaiting_member", member=member)  # reply due 18 March
    due = db.session.get(Complaint, case.id).member_reply_due_on
    assert due == date(2026, 3, 18)

    def notices(now):
        report = jobs.watch_deadlines(now)
        return report.reminders, report.late

    assert notices(NOW + timedelta(days=10)) == ([], [])  # 12 March
    reminded, _ = notices(NOW + timedelta(days=13))  # 15 March
    assert reminded == [f"remind.member:{case.id}:2026-03-18"]
    assert notices(NOW + timedelta(days=14)) == ([], [])  # once per deadline
    _, late = notices(NOW + timedelta(days=17))  # 19 March
    assert late == [f"late.member:{case.id}:2026-03-18"]
    assert notices(NOW + timedelta(days=18)) == ([], [])

    keys = list(db.session.scalars(select(OutboxMessage.idempotency_key)))
    events = services.timeline(case.complaint, Role.SECRETARIAT)
    assert [e.kind for e in events if e.author_role is None] == [
        EventKind.REMINDER,
        EventKind.LATE,
    ]
    reminder, flag = [e for e in events if e.author_role is None]
    assert f"mediation.event:{reminder.id}:user:{user.id}" in keys
    assert f"mediation.event:{flag.id}:user:{case.secretary.id}" in keys
    assert services.is_late(case.complaint, now=NOW + timedelta(days=17))
    rows = services.list_cases(
        case.secretary, view="late", now=NOW + timedelta(days=17)
    )
    assert [r.complaint.id for r in rows] == [case.id]


def test_the_secretariat_is_reminded_to_rule_on_admissibility(make_case) -> None:
    case = make_case("submitted")  # registered 2 March: ruling due 12 March

    report = jobs.watch_deadlines(NOW + timedelta(days=8))
    late = jobs.watch_deadlines(NOW + timedelta(days=11))

    assert report.reminders == [f"remind.admissibility:{case.id}:2026-03-12"]
    assert late.late == [f"late.admissibility:{case.id}:2026-03-12"]


def test_expired_drafts_are_purged_with_their_files(make_case) -> None:
    draft = make_case("draft")
    kept = make_case("submitted")
    [name] = db.session.scalars(
        select(Attachment.storage_name).where(Attachment.complaint_id == draft.id)
    )
    from mediation.files import path_of

    assert path_of(name).exists()

    assert jobs.purge_drafts(NOW + timedelta(hours=47)) == 0
    assert jobs.purge_drafts(NOW + timedelta(days=4)) == 1

    assert db.session.get(Complaint, draft.id) is None
    assert db.session.get(Complaint, kept.id) is not None
    assert not path_of(name).exists()


def test_a_deadline_notice_is_given_once_per_deadline(make_case) -> None:
    case = make_case("submitted")  # registered 2 March: ruling due 12 March
    now = NOW + timedelta(days=8)

    first = services.give_deadline_notice(case.complaint, now=now)
    again = services.give_deadline_notice(case.complaint, now=now)

    assert services.deadline_notice(case.complaint, now=NOW) is None
    assert first is not None
    assert first.key == f"remind.admissibility:{case.id}:2026-03-12"
    assert first.kind is EventKind.REMINDER
    assert again is None
    events = services.timeline(case.complaint, Role.SECRETARIAT)
    assert [e.kind for e in events].count(EventKind.REMINDER) == 1


def test_a_suspension_ended_by_another_process_is_not_ended_twice(make_case) -> None:
    case = make_case("at_commission")
    services.perform(
        case.complaint,
        Action.DECIDE,
        actor=Actor.of_user(case.board[0], Role.BOARD),
        decision=Decision.SUSPENSION,
        suspension_until=date(2026, 4, 1),
        reason="Manquements.",
        now=NOW + timedelta(days=20),
    )
    now = NOW + timedelta(days=30)  # 1 April
    [complaint] = services.suspensions_due(now)
    db.session.execute(
        update(Complaint).where(Complaint.id == case.id).values(suspension_ended_at=now)
    )
    db.session.commit()

    assert services.end_suspension(complaint, now=now) is False
    assert case.member.mark_status is MarkStatus.SUSPENDED
    kinds = [e.kind for e in services.timeline(complaint, Role.SECRETARIAT)]
    assert EventKind.SUSPENSION_ENDED not in kinds


def test_the_files_of_long_closed_cases_are_deleted_the_record_stays(
    make_case, app
) -> None:
    from core.models import AuditLog
    from mediation.files import path_of

    closed = make_case("resolved")
    open_case = make_case("in_mediation")
    complaint = db.session.get(Complaint, closed.id)
    assert complaint.closed_at is not None
    names = {
        c: list(
            db.session.scalars(
                select(Attachment.storage_name).where(Attachment.complaint_id == c)
            )
        )
        for c in (closed.id, open_case.id)
    }
    days = app.config["MEDIATION_ATTACHMENT_RETENTION_DAYS"]

    assert jobs.purge_attachments(complaint.closed_at + timedelta(days=days - 1)) == 0
    later = complaint.closed_at + timedelta(days=days + 1)
    assert jobs.purge_attachments(later) == len(names[closed.id]) == 1

    assert not path_of(names[closed.id][0]).exists()
    assert path_of(names[open_case.id][0]).exists()  # an open case keeps its files
    assert db.session.get(Complaint, closed.id) is not None
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "complaint.attachments_purged")
    )
    assert entry.object_id == closed.id
    assert entry.detail["files"][0]["name"] == "devis.pdf"
    assert jobs.purge_attachments(later) == 0  # once
