"""The facts behind the compliance table's commitment lights, per member: two
grouped statements whatever the number of members or records (projects and
what they keep; the records the charter's rules flag), and one on the members'
profiles (skills, trainings, watch sources)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from dashboards.commitments import (
    FOLLOW_UP_DAYS,
    LICENCE_LATE_REMINDER_DAYS,
    TRAINING_MONTHS,
    FlagFacts,
    ProjectFacts,
    expertise,
    watch,
)
from dashboards.queries.common import Filters, scope
from members.commitments import CommitmentCode
from members.models import (
    Member,
    Project,
    ProjectStatus,
    ServiceType,
    Skill,
    Training,
    WatchSource,
)
from records.models import (
    BackupPlan,
    Budget,
    Change,
    ClientItem,
    Delivery,
    FollowUp,
    Handover,
    Licence,
    Technology,
)
from records.queries import (
    ageing_uninformed,
    late_critical_items,
    missed_licences,
    short_notice_changes,
    unreminded_licences,
)

#: The service types whose projects the member hosts or maintains (a backup plan).
SECURED_SERVICES = (ServiceType.HOSTING, ServiceType.IT_MAINTENANCE)
#: The window of the flags that age out (changes, renewals, closed projects).
YEAR = timedelta(days=365)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _has(model: Any, *where: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(model.project_id == Project.id, *where)


def project_facts(filters: Filters, *, today: date) -> dict[int, ProjectFacts]:
    """Per member: its active projects and those that keep each record, its
    projects closed in the last year and those handed over (one statement)."""
    active = Project.status == ProjectStatus.ACTIVE
    closed = and_(
        Project.status == ProjectStatus.CLOSED,
        or_(Project.ends_on.is_(None), Project.ends_on >= today - YEAR),
    )
    secured = and_(active, Project.service_type.in_(SECURED_SERVICES))
    rows = db.session.execute(
        select(
            Project.member_id,
            _count(active),
            _count(
                and_(active, or_(Project.deliverables != "", Project.exclusions != ""))
            ),
            _count(and_(active, _has(Budget, Budget.deadline_on.is_not(None)))),
            _count(
                and_(
                    active,
                    _has(
                        FollowUp,
                        FollowUp.held_on >= today - timedelta(days=FOLLOW_UP_DAYS),
                    ),
                )
            ),
            _count(and_(active, _has(Technology))),
            _count(and_(active, _has(Delivery))),
            _count(closed),
            _count(and_(closed, _has(Handover))),
            _count(secured),
            _count(and_(secured, _has(BackupPlan))),
        )
        .join(Member, Member.id == Project.member_id)
        .where(
            Project.status.in_([ProjectStatus.ACTIVE, ProjectStatus.CLOSED]),
            *scope(filters),
        )
        .group_by(Project.member_id)
    ).all()
    return {row[0]: ProjectFacts(*(int(n) for n in row[1:])) for row in rows}


def flag_facts(
    filters: Filters, *, today: date, notice_minimum: int
) -> dict[int, FlagFacts]:
    """Per member: the records its rules flag — late critical items and ageing
    components the client was not told of (active projects), short-notice
    changes and licences renewed unreminded of the last year, licences renewing
    within days still unreminded (one statement)."""
    not_closed = Project.status != ProjectStatus.CLOSED

    def part(name: str, model: Any, *where: ColumnElement[bool]) -> Any:
        return (
            select(Project.member_id, literal(name), func.count(model.id))
            .select_from(model)
            .join(Project, Project.id == model.project_id)
            .join(Member, Member.id == Project.member_id)
            .where(*where, *scope(filters))
            .group_by(Project.member_id)
        )

    ended = Technology.end_of_support_on <= today
    parts = [
        part(
            "late_critical_items",
            ClientItem,
            Project.status == ProjectStatus.ACTIVE,
            *late_critical_items(today),
        ),
        part(
            "short_notice_changes",
            Change,
            Change.announced_on >= today - YEAR,
            *short_notice_changes(notice_minimum),
        ),
        part(
            "ended_uninformed",
            Technology,
            Project.status == ProjectStatus.ACTIVE,
            ended,
            *ageing_uninformed(today),
        ),
        part(
            "ending_uninformed",
            Technology,
            Project.status == ProjectStatus.ACTIVE,
            ~ended,
            *ageing_uninformed(today),
        ),
        part(
            "missed_licences",
            Licence,
            not_closed,
            Licence.renews_on >= today - YEAR,
            *missed_licences(today),
        ),
        part(
            "unreminded_licences_due",
            Licence,
            not_closed,
            *unreminded_licences(today, within=LICENCE_LATE_REMINDER_DAYS),
        ),
    ]
    found: dict[int, dict[str, int]] = {}
    for member_id, name, n in db.session.execute(union_all(*parts)):
        found.setdefault(member_id, {})[name] = int(n)
    return {member_id: FlagFacts(**counts) for member_id, counts in found.items()}


def profile_lights(filters: Filters, *, today: date) -> dict[int, dict[str, str]]:
    """Per member, the lights of the commitments its profile proves: expertise
    (its team's skills, ``members_skill``, and its trainings of the last
    :data:`TRAINING_MONTHS` months, ``members_training``) and watch (its watch
    sources, ``members_watch_source``), keyed by commitment code (one statement,
    public or not: the board judges what is kept, the public page shows what the
    member chose)."""
    since = today - timedelta(days=TRAINING_MONTHS * 31)
    rows = db.session.execute(
        select(
            Member.id,
            exists().where(Skill.member_id == Member.id),
            exists().where(
                Training.member_id == Member.id, Training.completed_on >= since
            ),
            exists().where(WatchSource.member_id == Member.id),
        ).where(
            Member.signed_on.is_not(None),
            *([Member.department == filters.department] if filters.department else []),
            *([Member.id == filters.member_id] if filters.member_id else []),
        )
    ).all()
    return {
        member_id: {
            CommitmentCode.EXPERTISE: expertise(bool(skills), bool(trained)),
            CommitmentCode.WATCH: watch(bool(sources)),
        }
        for member_id, skills, trained, sources in rows
    }
