"""The member's register: list, read, decide and close actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from core import audit
from core.database import utcnow
from core.dates import date_problem, local_today, years_after
from core.extensions import db
from core.security import Role
from improvement.errors import ImprovementError
from improvement.models import ActionState, ImprovementAction
from members.models import User

Which = Literal["open", "late", "closed", "all"]
WHICH: tuple[Which, ...] = ("open", "late", "closed", "all")
MAX_TEXT = 5000
#: A due date further ahead is a typing mistake.
DUE_YEARS_AHEAD = 5
#: Rows a page or an export shows at most.
LIMIT = 2000


def _query(member_id: int, which: Which, today: date) -> Select[Any]:
    query = select(ImprovementAction).where(ImprovementAction.member_id == member_id)
    not_closed = ImprovementAction.state != ActionState.CLOSED
    if which == "open":
        query = query.where(not_closed)
    elif which == "late":
        query = query.where(not_closed, ImprovementAction.due_on < today)
    elif which == "closed":
        query = query.where(ImprovementAction.state == ActionState.CLOSED)
    return query


def list_actions(
    member_id: int, *, which: Which = "open", today: date
) -> list[ImprovementAction]:
    """The member's actions: open (late first, then by due date), late, closed
    (latest first) or all."""
    query = _query(member_id, which, today)
    if which == "closed":
        query = query.order_by(
            ImprovementAction.closed_at.desc(), ImprovementAction.id.desc()
        )
    else:
        query = query.order_by(
            ImprovementAction.due_on.is_(None),
            ImprovementAction.due_on,
            ImprovementAction.opened_at,
            ImprovementAction.id,
        )
    return list(db.session.scalars(query.limit(LIMIT)))


def get_action(member_id: int, action_id: int) -> ImprovementAction | None:
    """The member's action, or None (another member's is not found)."""
    return db.session.scalar(
        select(ImprovementAction).where(
            ImprovementAction.id == action_id,
            ImprovementAction.member_id == member_id,
        )
    )


def member_summary(member_id: int, *, today: date) -> dict[str, int]:
    """How many of the member's actions are to decide, in progress, late."""
    rows = db.session.execute(
        select(ImprovementAction.state, ImprovementAction.due_on).where(
            ImprovementAction.member_id == member_id,
            ImprovementAction.state != ActionState.CLOSED,
        )
    ).all()
    return {
        "open": len(rows),
        "to_decide": sum(1 for s, _d in rows if s == ActionState.TO_DECIDE),
        "late": sum(1 for _s, d in rows if d is not None and d < today),
    }


def owner_choices(member_id: int) -> list[tuple[int, str]]:
    """The member's active staff, who may own an action: ``(id, name)``."""
    users = db.session.scalars(
        select(User)
        .where(
            User.member_id == member_id,
            User.is_active.is_(True),
            User.role.in_([Role.MEMBER_ADMIN, Role.MEMBER_USER]),
        )
        .order_by(User.full_name, User.email)
    )
    return [(u.id, u.full_name or u.email) for u in users]


def _text(value: str | None, field: str, *, required: LazyString | None) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ImprovementError(
            _l("Pas plus de %(max)d caractères.", max=MAX_TEXT), field=field
        )
    if required is not None and not text:
        raise ImprovementError(required, field=field)
    return text


def _check_date(
    day: date | None,
    field: str,
    *,
    opened_on: date,
    latest: date,
    today: date,
    missing: LazyString,
) -> date:
    if day is None:
        raise ImprovementError(missing, field=field)
    problem = date_problem(day, latest=latest, today=today)
    if problem is not None:
        raise ImprovementError(problem, field=field)
    if day < opened_on:
        raise ImprovementError(
            _l(
                "La date ne peut pas précéder l'ouverture de l'action (%(day)s).",
                day=opened_on.isoformat(),
            ),
            field=field,
        )
    return day


def decide_action(
    actor: User,
    action: ImprovementAction,
    *,
    cause: str | None,
    plan: str | None,
    owner_id: int | None,
    due_on: date | None,
    result: str | None = "",
    now: datetime | None = None,
) -> ImprovementAction:
    """Record the cause, the action, its owner and due date (and the result so
    far): an action to decide is then in progress; one in progress is updated.

    :raises ImprovementError: a closed action, a missing or too long text, an
        owner who is not an active user of the member, an implausible date.
    """
    now = now or utcnow()
    if action.state == ActionState.CLOSED:
        raise ImprovementError(_l("Cette action est close : elle ne change plus."))
    today = local_today(now)
    cause = _text(cause, "cause", required=_l("Indiquez la cause."))
    plan = _text(plan, "plan", required=_l("Indiquez l'action décidée."))
    result = _text(result, "result", required=None)
    if owner_id is None or owner_id not in dict(owner_choices(action.member_id)):
        raise ImprovementError(
            _l("Choisissez un responsable parmi les utilisateurs de l'adhérent."),
            field="owner_id",
        )
    due = _check_date(
        due_on,
        "due_on",
        opened_on=local_today(action.opened_at),
        latest=years_after(today, DUE_YEARS_AHEAD),
        today=today,
        missing=_l("Indiquez l'échéance."),
    )
    first = action.state == ActionState.TO_DECIDE
    action.cause, action.action, action.result = cause, plan, result
    # The relationship too: pages and reminders read ``action.owner``.
    action.owner, action.due_on = db.session.get(User, owner_id), due
    action.state = ActionState.IN_PROGRESS
    action.decided_at = action.decided_at or now
    action.updated_at = now
    audit.record(
        actor,
        "improvement.decided" if first else "improvement.updated",
        object_type="improvement_action",
        object_id=action.id,
        member_id=action.member_id,
        detail={"owner_id": owner_id, "due_on": due.isoformat()},
    )
    db.session.commit()
    return action


def close_action(
    actor: User,
    action: ImprovementAction,
    *,
    result: str | None,
    effect: str | None,
    effect_on: date | None,
    now: datetime | None = None,
) -> ImprovementAction:
    """Close an action in progress with its result and its effect (what
    changed, and when it was seen).

    :raises ImprovementError: an action not decided yet or already closed, a
        missing or too long text, an implausible or future date.
    """
    now = now or utcnow()
    if action.state != ActionState.IN_PROGRESS:
        raise ImprovementError(
            _l("Cette action est déjà close.")
            if action.state == ActionState.CLOSED
            else _l("Décidez d'abord l'action (cause, action, responsable, échéance).")
        )
    today = local_today(now)
    result = _text(result, "result", required=_l("Indiquez le résultat de l'action."))
    effect = _text(effect, "effect", required=_l("Indiquez l'effet constaté."))
    effect_on = _check_date(
        effect_on,
        "effect_on",
        opened_on=local_today(action.opened_at),
        latest=today,
        today=today,
        missing=_l("Indiquez la date de l'effet constaté."),
    )
    action.result, action.effect, action.effect_on = result, effect, effect_on
    action.state = ActionState.CLOSED
    action.closed_at = action.updated_at = now
    action.closed_by_id = actor.id
    audit.record(
        actor,
        "improvement.closed",
        object_type="improvement_action",
        object_id=action.id,
        member_id=action.member_id,
        detail={"effect_on": effect_on.isoformat()},
    )
    db.session.commit()
    return action
