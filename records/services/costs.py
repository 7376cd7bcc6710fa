"""Maîtrise des coûts et des délais: the budget and deadline the client was given,
and every price or deadline change with its notice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.database import utcnow
from core.extensions import db
from members.models import Project, User
from records.models import Budget, Change, ChangeKind, RecurringPeriod
from records.services.common import (
    check_amount,
    check_past,
    check_planned,
    check_text,
    log,
    today_or,
)


def budget_of(project: Project) -> Budget | None:
    return db.session.scalar(select(Budget).where(Budget.project_id == project.id))


def set_budget(
    actor: User,
    project: Project,
    *,
    setup_cost: Decimal | None,
    recurring_cost: Decimal | None,
    recurring_period: RecurringPeriod,
    third_party_cost: Decimal | None,
    deadline_on: date | None,
    today: date | None = None,
) -> Budget:
    """Record (or correct) the project's budget and deadline. :raises RecordsError:"""
    today = today_or(today)
    amounts = {
        "setup_cost": check_amount(setup_cost, "setup_cost"),
        "recurring_cost": check_amount(recurring_cost, "recurring_cost"),
        "third_party_cost": check_amount(third_party_cost, "third_party_cost"),
    }
    deadline = (
        None
        if deadline_on is None
        else check_planned(deadline_on, "deadline_on", today=today)
    )
    budget = budget_of(project)
    if budget is None:
        budget = Budget(project_id=project.id, member_id=project.member_id)
        db.session.add(budget)
    budget.setup_cost = amounts["setup_cost"]
    budget.recurring_cost = amounts["recurring_cost"]
    budget.third_party_cost = amounts["third_party_cost"]
    budget.recurring_period = recurring_period
    budget.deadline_on = deadline
    budget.updated_at = utcnow()
    db.session.flush()
    log(
        actor,
        "budget.set",
        project,
        object_type="records_budget",
        object_id=budget.id,
        detail={
            **{name: str(value) for name, value in amounts.items()},
            "recurring_period": recurring_period.value,
            "deadline_on": deadline.isoformat() if deadline else None,
        },
    )
    db.session.commit()
    return budget


def record_change(
    actor: User,
    project: Project,
    *,
    kind: ChangeKind,
    summary: str,
    announced_on: date,
    effective_on: date,
    today: date | None = None,
) -> Change:
    """Record a price or deadline change and when the client heard of it.

    A change that applies before (or too soon after) its announcement is kept
    as it happened: the page flags it. :raises RecordsError:
    """
    today = today_or(today)
    change = Change(
        project_id=project.id,
        member_id=project.member_id,
        kind=kind,
        summary=check_text(summary, "summary", limit=500),
        announced_on=check_past(announced_on, "announced_on", today=today),
        effective_on=check_planned(effective_on, "effective_on", today=today),
    )
    db.session.add(change)
    db.session.flush()
    log(
        actor,
        "change.add",
        project,
        object_type="records_change",
        object_id=change.id,
        detail={
            "kind": kind.value,
            "announced_on": change.announced_on.isoformat(),
            "effective_on": change.effective_on.isoformat(),
        },
    )
    db.session.commit()
    return change
