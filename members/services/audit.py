"""The audit log, read: who did what and when, filtered for the secretariat and
the board, and exported (the export is itself an entry)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from core import audit
from core.exports import Table
from core.extensions import db
from core.models import AuditLog
from members.models import Member, User

PARIS = ZoneInfo("Europe/Paris")
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditFilter:
    member_id: int | None = None
    user: str = ""  # part of the e-mail of whoever acted
    action: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: Sequence[AuditLog]
    total: int
    page: int
    pages: int


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, PARIS).astimezone(UTC)


def _query(chosen: AuditFilter) -> Select[AuditLog]:
    query = select(AuditLog)
    if chosen.member_id is not None:
        query = query.where(AuditLog.member_id == chosen.member_id)
    if chosen.user:
        needle = chosen.user.strip().lower()
        query = query.where(func.lower(AuditLog.actor_label).contains(needle))
    if chosen.action:
        query = query.where(AuditLog.action == chosen.action)
    if chosen.since is not None:
        query = query.where(AuditLog.created_at >= _start_of(chosen.since))
    if chosen.until is not None:
        query = query.where(
            AuditLog.created_at < _start_of(chosen.until + timedelta(days=1))
        )
    return query


def audit_page(chosen: AuditFilter, *, page: int = 1, per_page: int = 50) -> AuditPage:
    """One page of the entries, newest first; a page past the end is the last."""
    total = db.session.scalar(
        select(func.count()).select_from(_query(chosen).subquery())
    )
    pages = max(1, -(-(total or 0) // per_page))
    page = min(max(page, 1), pages)
    entries = db.session.scalars(
        _query(chosen)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return AuditPage(entries, total or 0, page, pages)


def audit_actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action))
    )


def audit_member_names() -> dict[int, str]:
    return {
        row.id: row.name for row in db.session.execute(select(Member.id, Member.name))
    }


def export_audit(actor: User, chosen: AuditFilter, *, headers: Sequence[str]) -> Table:
    """The filtered entries as a file's rows, oldest first (the file's dialect,
    dates and formula guard are :mod:`core.exports`'); the export is logged."""
    names = audit_member_names()
    entries = db.session.scalars(
        _query(chosen).order_by(AuditLog.created_at, AuditLog.id).limit(EXPORT_LIMIT)
    )
    rows = [
        (
            entry.created_at,
            entry.actor_label,
            entry.action,
            entry.object_type,
            entry.object_id,
            names.get(entry.member_id or 0, ""),
            ", ".join(f"{k}={v}" for k, v in sorted((entry.detail or {}).items())),
        )
        for entry in entries
    ]
    audit.record(
        actor,
        "audit.exported",
        object_type="audit_log",
        object_id=None,
        detail={k: str(v) for k, v in vars(chosen).items() if v not in (None, "")},
    )
    db.session.commit()
    return Table(name="journal", headers=headers, rows=rows)
