"""The monthly digest: each member administrator and board user gets last month's
figures in their language, once per month (the outbox key makes it idempotent)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from core.extensions import db
from core.mail import queue_email
from core.models import OutboxMessage
from core.security import Role
from core.urls import external_url
from dashboards.queries import member as member_queries
from dashboards.queries.common import Filters
from dashboards.services.board import BoardReview, board_review
from dashboards.services.member import member_dashboard
from members.models import User


def previous_month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    last = first - timedelta(days=1)
    return last.replace(day=1), last


def digest_key(user_id: int, month: date) -> str:
    return f"dashboards.digest:{user_id}:{month:%Y-%m}"


def send_monthly_digest(now: datetime) -> int:
    """Queue last month's digest to each recipient not yet served; returns how
    many. Commits once."""
    since, until = previous_month(now.date())
    recipients = member_queries.digest_recipients()
    keys = {digest_key(user.id, since): user for user in recipients}
    done = set(
        db.session.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key.in_(list(keys))
            )
        )
    )
    filters = Filters(since=since, until=until)
    board: BoardReview | None = None
    queued = 0
    for key, user in keys.items():
        if key in done:
            continue
        if user.role == Role.BOARD:
            board = board or board_review(filters, today=until)
            context = _board_context(board, since)
        else:
            context = _member_context(user, filters, now=now)
        queue_email(
            to=user.email,
            template="dashboards/email/digest",
            context={**context, "name": user.full_name or user.email},
            locale=user.locale,
            key=key,
            now=now,
        )
        queued += 1
    db.session.commit()
    return queued


def _board_context(board: BoardReview, month: date) -> dict[str, object]:
    return {
        "board": board,
        "member": None,
        "month": month,
        "url": external_url("dashboards.board_review"),
    }


def _member_context(
    user: User, filters: Filters, *, now: datetime
) -> dict[str, object]:
    assert user.member_id is not None
    return {
        "board": None,
        "member": member_dashboard(user.member_id, filters, now=now),
        "month": filters.since,
        "url": external_url("dashboards.member_dashboard"),
    }
