"""What the records say about a project, with their flags: one read model for the
member's records page, the panel of its project page and the client's portal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from core.dates import local_today
from core.extensions import db
from members.models import Project, ProjectStatus
from records import flags
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
from records.services.common import notice_minimum


@dataclass
class Records:
    """A project's records and the flags a person must see."""

    project_id: int
    is_closed: bool
    today: date
    notice_days: int
    items: list[ClientItem] = field(default_factory=list)
    budget: Budget | None = None
    changes: list[Change] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    handover: Handover | None = None
    technologies: list[Technology] = field(default_factory=list)
    backups: list[BackupPlan] = field(default_factory=list)
    licences: list[Licence] = field(default_factory=list)

    # ---- flags, per record

    def item_late(self, item: ClientItem) -> bool:
        return flags.item_is_late(item.due_on, item.received_on, today=self.today)

    def change_short(self, change: Change) -> bool:
        return flags.is_short_notice(
            change.announced_on, change.effective_on, minimum=self.notice_days
        )

    def change_notice(self, change: Change) -> int:
        return flags.notice_days(change.announced_on, change.effective_on)

    def support(self, technology: Technology) -> str:
        return flags.support_status(technology.end_of_support_on, today=self.today)

    def licence_due(self, licence: Licence) -> bool:
        return flags.licence_reminder_due(licence.renews_on, today=self.today)

    # ---- what the project's page and the portal put first

    @property
    def late_critical_items(self) -> list[ClientItem]:
        return [
            i
            for i in self.items
            if i.is_critical and i.received_on is None and self.item_late(i)
        ]

    @property
    def short_notice_changes(self) -> list[Change]:
        return [c for c in self.changes if self.change_short(c)]

    @property
    def ageing_technologies(self) -> list[Technology]:
        return [t for t in self.technologies if self.support(t) in ("ended", "ending")]

    @property
    def uninformed_technologies(self) -> list[Technology]:
        return [t for t in self.ageing_technologies if t.client_informed_on is None]

    @property
    def licences_due(self) -> list[Licence]:
        return [lic for lic in self.licences if self.licence_due(lic)]

    @property
    def handover_missing(self) -> bool:
        return self.is_closed and self.handover is None

    @property
    def count(self) -> int:
        return (
            len(self.items)
            + len(self.changes)
            + len(self.follow_ups)
            + len(self.deliveries)
            + len(self.technologies)
            + len(self.backups)
            + len(self.licences)
            + (self.budget is not None)
            + (self.handover is not None)
        )

    @property
    def has_flags(self) -> bool:
        return bool(
            self.late_critical_items
            or self.short_notice_changes
            or self.uninformed_technologies
            or self.licences_due
            or self.handover_missing
        )


def _all(model: Any, project_id: int, *order: Any) -> list[Any]:
    return list(
        db.session.scalars(
            select(model).where(model.project_id == project_id).order_by(*order)
        )
    )


def project_records(
    project_id: int, *, is_closed: bool, today: date | None = None
) -> Records:
    """Every record of the project (the caller checked who may see it)."""
    return Records(
        project_id=project_id,
        is_closed=is_closed,
        today=today or local_today(),
        notice_days=notice_minimum(),
        items=_all(ClientItem, project_id, ClientItem.due_on, ClientItem.id),
        budget=db.session.scalar(select(Budget).where(Budget.project_id == project_id)),
        changes=_all(Change, project_id, Change.announced_on.desc(), Change.id.desc()),
        follow_ups=_all(
            FollowUp, project_id, FollowUp.held_on.desc(), FollowUp.id.desc()
        ),
        deliveries=_all(
            Delivery, project_id, Delivery.delivered_on.desc(), Delivery.id.desc()
        ),
        handover=db.session.scalar(
            select(Handover).where(Handover.project_id == project_id)
        ),
        technologies=_all(Technology, project_id, Technology.name, Technology.id),
        backups=_all(BackupPlan, project_id, BackupPlan.id),
        licences=_all(Licence, project_id, Licence.renews_on, Licence.id),
    )


def project_panel(project: Project) -> dict[str, Any]:
    """The charter's section on the member's project page."""
    return {
        "records": project_records(
            project.id, is_closed=project.status == ProjectStatus.CLOSED
        )
    }


def portal_panel(project: dict[str, Any]) -> dict[str, Any]:
    """The records a client contact sees on the portal (the portal checked that
    the project is one of its client's)."""
    return {
        "records": project_records(
            int(project["id"]), is_closed=project.get("status") == "closed"
        )
    }
