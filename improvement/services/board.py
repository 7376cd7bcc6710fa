"""The board's view: how many actions each member has open and late (counts
only: no action's text, no contact's data)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select

from core.extensions import db
from improvement.models import ActionState, ImprovementAction
from members.models import Member


def board_counts(today: date) -> list[dict[str, Any]]:
    """Per member (every member, most late first): actions open, late, to
    decide, closed (one GROUP BY)."""
    not_closed = ImprovementAction.state != ActionState.CLOSED

    def count_if(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    late = count_if(and_(not_closed, ImprovementAction.due_on < today))
    opened = count_if(not_closed)
    rows = db.session.execute(
        select(
            Member.id,
            Member.name,
            opened.label("open"),
            late.label("late"),
            count_if(ImprovementAction.state == ActionState.TO_DECIDE),
            count_if(ImprovementAction.state == ActionState.CLOSED),
        )
        .outerjoin(ImprovementAction, ImprovementAction.member_id == Member.id)
        .group_by(Member.id, Member.name)
        .order_by(late.desc(), opened.desc(), Member.name, Member.id)
    ).all()
    return [
        {
            "member_id": r[0],
            "name": r[1],
            "open": int(r[2]),
            "late": int(r[3]),
            "to_decide": int(r[4]),
            "closed": int(r[5]),
        }
        for r in rows
    ]
