"""The improvement-action register: what a trigger (a detractor response, an
indicator off track two periods running, an admissible complaint, a record a
charter commitment's rule flags) opened, what the member decided about it, and
the effect it recorded when closing it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import UTCDateTime, utcnow
from core.extensions import Model
from core.models import enum_column
from members.models import User


class ActionState(enum.StrEnum):
    TO_DECIDE = "to_decide"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


STATE_LABELS = {
    ActionState.TO_DECIDE: _l("À décider"),
    ActionState.IN_PROGRESS: _l("En cours"),
    ActionState.CLOSED: _l("Clos"),
}


class SourceType(enum.StrEnum):
    """What opened the action; ``source_id`` is that row's id."""

    DETRACTOR = "detractor"  # satisfaction_alert.id (a detractor's response)
    INDICATOR = "indicator"  # kpi_measurement.id (the second period off track)
    COMPLAINT = "complaint"  # mediation_complaint.id (declared admissible)
    # A record a charter commitment's rule flags (``records.flags``):
    LATE_ITEM = "late_item"  # records_client_item.id (critical, not provided in time)
    SHORT_NOTICE = "short_notice"  # records_change.id (announced too late)
    COMPONENT = "component"  # records_technology.id (end of support, client not told)
    LICENCE = "licence"  # records_licence.id (renewal passed without a reminder)


SOURCE_LABELS = {
    SourceType.DETRACTOR: _l("Réponse détractrice"),
    SourceType.INDICATOR: _l("Indicateur hors trajectoire deux périodes de suite"),
    SourceType.COMPLAINT: _l("Plainte recevable"),
    SourceType.LATE_ITEM: _l("Élément critique du client en retard"),
    SourceType.SHORT_NOTICE: _l("Changement de prix ou de délai à court préavis"),
    SourceType.COMPONENT: _l("Composant en fin de support, client non prévenu"),
    SourceType.LICENCE: _l("Licence renouvelée sans rappel au client"),
}


class ImprovementAction(Model):
    """One action of a member's register, opened once per trigger."""

    __tablename__ = "improvement_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE")
    )
    # UNIQUE and NOT NULL together: a trigger opens one action, even with two
    # scheduler processes (PITFALLS.md §1).
    source_type: Mapped[SourceType] = mapped_column(
        enum_column(SourceType, "improvement_source")
    )
    source_id: Mapped[int]
    # Facts of the trigger kept as data (project title, indicator, periods,
    # complaint reference…), rendered in the reader's language. Never a
    # contact's name or address.
    source_detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_project.id", ondelete="SET NULL")
    )
    state: Mapped[ActionState] = mapped_column(
        enum_column(ActionState, "improvement_state"), default=ActionState.TO_DECIDE
    )
    cause: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )
    due_on: Mapped[date | None]
    result: Mapped[str] = mapped_column(Text, default="")
    effect: Mapped[str] = mapped_column(Text, default="")
    effect_on: Mapped[date | None]
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members_user.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The due date whose overdue reminder was queued (a new due date that
    # passes in turn is reminded once more).
    reminded_due_on: Mapped[date | None]

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")

    __table_args__ = (
        UniqueConstraint("source_type", "source_id"),
        Index("ix_improvement_action_member_state", "member_id", "state"),
        Index("ix_improvement_action_due", "state", "due_on"),
    )

    @property
    def is_closed(self) -> bool:
        return self.state == ActionState.CLOSED

    def is_late(self, today: date) -> bool:
        """Not closed and its due date has passed."""
        return (
            self.state != ActionState.CLOSED
            and self.due_on is not None
            and self.due_on < today
        )
