"""The demo shows the records alive: most projects kept as the charter asks, one
with every flag."""

from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from members.models import Member, Project, ProjectStatus
from records import services
from records.demo import FLAGGED_MEMBER
from records.models import Budget


def test_the_demo_has_exemplary_projects_and_one_that_is_flagged(app) -> None:
    loaders = app.extensions["qualicharte.demo"]
    loaders["members"]("small")
    assert loaders["records"]("small").startswith("records on ")
    budgets = db.session.scalar(select(func.count(Budget.id)))
    assert loaders["records"]("small") == "records on 0 projects"  # idempotent
    assert db.session.scalar(select(func.count(Budget.id))) == budgets

    flagged, exemplary = [], []
    for project in db.session.scalars(
        select(Project).where(Project.status != ProjectStatus.PROPOSAL)
    ):
        records = services.project_records(
            project.id, is_closed=project.status == ProjectStatus.CLOSED
        )
        assert records.budget is not None and records.follow_ups
        (flagged if records.has_flags else exemplary).append(project)
    assert len(exemplary) > 5 * len(flagged)
    [project] = flagged
    member = db.session.get(Member, project.member_id)
    assert member is not None and member.name == FLAGGED_MEMBER
    records = services.project_records(project.id, is_closed=False)
    assert len(records.late_critical_items) == 1
    assert len(records.short_notice_changes) == 1
    assert [t.name for t in records.uninformed_technologies] == ["Windows Server"]
    assert [lic.name for lic in records.licences_due] == ["Antivirus (20 postes)"]
