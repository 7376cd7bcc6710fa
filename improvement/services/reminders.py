"""One e-mail to the owner of an action when its due date has passed.

Each action is claimed with a conditional UPDATE (``reminded_due_on`` set to
its due date only if it was not already): two scheduler processes remind it
once (PITFALLS.md §1); the outbox key guards the message as well. A new due
date that passes in turn is reminded once more.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from core import audit
from core.dates import local_today
from core.extensions import db
from core.mail import queue_email
from core.security import Role
from core.urls import external_url
from improvement.describe import describe
from improvement.models import ActionState, ImprovementAction
from members.models import User

BATCH = 200


def _recipients(action: ImprovementAction) -> list[User]:
    """The owner if still active, else the member's administrators."""
    owner = None if action.owner_id is None else db.session.get(User, action.owner_id)
    if owner is not None and owner.is_active:
        return [owner]
    return list(
        db.session.scalars(
            select(User).where(
                User.member_id == action.member_id,
                User.is_active.is_(True),
                User.role == Role.MEMBER_ADMIN,
            )
        )
    )


def _claim(action: ImprovementAction) -> bool:
    """Mark the action reminded for its due date; False if another did."""
    claimed = db.session.execute(
        update(ImprovementAction)
        .where(
            ImprovementAction.id == action.id,
            ImprovementAction.due_on == action.due_on,
            or_(
                ImprovementAction.reminded_due_on.is_(None),
                ImprovementAction.reminded_due_on != ImprovementAction.due_on,
            ),
        )
        .values(reminded_due_on=ImprovementAction.due_on)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def remind_overdue(now: datetime) -> int:
    """Queue the reminders of the actions that passed their due date; returns
    how many e-mails were queued."""
    today = local_today(now)
    actions = db.session.scalars(
        select(ImprovementAction)
        .where(
            ImprovementAction.state != ActionState.CLOSED,
            ImprovementAction.due_on < today,
            or_(
                ImprovementAction.reminded_due_on.is_(None),
                ImprovementAction.reminded_due_on != ImprovementAction.due_on,
            ),
        )
        .order_by(ImprovementAction.id)
        .limit(BATCH)
    ).all()
    queued = 0
    try:
        for action in actions:
            if not _claim(action):
                continue
            for user in _recipients(action):
                _queue(action, user, now=now)
                queued += 1
            audit.record(
                None,
                "improvement.reminded",
                object_type="improvement_action",
                object_id=action.id,
                member_id=action.member_id,
                detail={"due_on": action.due_on.isoformat() if action.due_on else ""},
            )
        db.session.commit()
    except IntegrityError:
        # Another process queued the same reminder first.
        db.session.rollback()
        return 0
    return queued


def _queue(action: ImprovementAction, user: User, *, now: datetime) -> None:
    due = action.due_on.isoformat() if action.due_on else ""
    with force_locale(user.locale or "fr"):
        trigger = describe(action)
    queue_email(
        to=user.email,
        template="improvement/email/overdue",
        context={
            "action": action,
            "trigger": trigger,
            "link": external_url("improvement.action", action_id=action.id),
        },
        locale=user.locale or "fr",
        key=f"improvement.overdue:{action.id}:{due}:{user.id}",
        now=now,
    )
