"""The records the charter's rules flag, as triggers of the register's scan: a
critical item the client has not provided by its due date, a price or deadline
change announced with less notice than the association asks, a component past
or near its end of support the client was not told of, a licence whose renewal
passed without a reminder. One action per flagged record, once (the register's
unique ``(source_type, source_id)``): correcting the record later does not open
another. The conditions are those of the compliance table's lights
(:mod:`records.queries`).
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core.extensions import db
from improvement.models import ImprovementAction, SourceType
from members.models import Project, ProjectStatus
from records.models import Change, ClientItem, Licence, Technology
from records.queries import (
    ageing_uninformed,
    late_critical_items,
    missed_licences,
    short_notice_changes,
)
from records.services.common import notice_minimum


def _not_opened(source: SourceType, model: Any) -> ColumnElement[bool]:
    return ~exists().where(
        ImprovementAction.source_type == source,
        ImprovementAction.source_id == model.id,
    )


def _flagged(
    source: SourceType,
    model: Any,
    facts: dict[str, Any],
    *where: ColumnElement[bool],
) -> list[dict[str, Any]]:
    """The records of ``model`` matching ``where`` without an action yet (one
    statement), with ``facts`` (name -> column) kept in the action's detail."""
    names = list(facts)
    rows = db.session.execute(
        select(model.id, model.member_id, model.project_id, Project.title)
        .add_columns(*facts.values())
        .join(Project, Project.id == model.project_id)
        .where(*where, _not_opened(source, model))
        .order_by(model.id)
    ).all()
    return [
        {
            "source_type": source,
            "source_id": row[0],
            "member_id": row[1],
            "project_id": row[2],
            "source_detail": {
                "project": row[3],
                **{
                    name: _plain(value)
                    for name, value in zip(names, row[4:], strict=True)
                },
            },
        }
        for row in rows
    ]


def _plain(value: Any) -> Any:
    """A value as JSON keeps it (dates as ISO text, enums as their code)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def record_triggers(today: date, *, since: date) -> list[dict[str, Any]]:
    """Flagged records of the period since ``since`` without an action yet
    (four statements). An item or component counts on a project still
    running; a change or a licence whatever became of the project."""
    running = Project.status != ProjectStatus.CLOSED
    created_since = datetime.combine(since, time.min, UTC)
    return [
        *_flagged(
            SourceType.LATE_ITEM,
            ClientItem,
            {"label": ClientItem.label, "due_on": ClientItem.due_on},
            running,
            ClientItem.due_on >= since,
            *late_critical_items(today),
        ),
        *_flagged(
            SourceType.SHORT_NOTICE,
            Change,
            {
                "kind": Change.kind,
                "summary": Change.summary,
                "announced_on": Change.announced_on,
                "effective_on": Change.effective_on,
            },
            Change.announced_on >= since,
            *short_notice_changes(notice_minimum()),
        ),
        *_flagged(
            SourceType.COMPONENT,
            Technology,
            {
                "name": Technology.name,
                "version": Technology.version,
                "end_of_support_on": Technology.end_of_support_on,
            },
            running,
            or_(
                Technology.end_of_support_on >= since,
                Technology.created_at >= created_since,
            ),
            *ageing_uninformed(today),
        ),
        *_flagged(
            SourceType.LICENCE,
            Licence,
            {"name": Licence.name, "renews_on": Licence.renews_on},
            Licence.renews_on >= since,
            *missed_licences(today),
        ),
    ]
