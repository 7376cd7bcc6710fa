"""The case's timeline: events and their files, and the entries (messages,
notes, meetings, proposals, hearings) the parties add to an open case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import audit
from core.dates import date_problem
from core.extensions import db
from mediation import files, workflow
from mediation.errors import FieldError, TransitionRefused
from mediation.models import (
    Attachment,
    Complaint,
    ComplaintEvent,
    EventKind,
    Visibility,
)
from mediation.services.access import Actor
from mediation.services.delays import paris_today
from mediation.services.notifications import Audience, notify
from mediation.workflow import Role, Status


def record_event(
    complaint: Complaint,
    *,
    actor: Actor | None,
    kind: EventKind,
    now: datetime,
    text: str = "",
    visibility: Visibility = Visibility.PARTIES,
    occurred_on: date | None = None,
    detail: dict[str, Any] | None = None,
) -> ComplaintEvent:
    """Add an event to the case's timeline (flushed, for its id; no commit)."""
    event = ComplaintEvent(
        complaint_id=complaint.id,
        created_at=now,
        author_id=actor.user.id if actor and actor.user else None,
        author_label=actor.label if actor else "Qualicharte",
        author_role=actor.role if actor else None,
        kind=kind,
        visibility=visibility,
        text=text.strip(),
        occurred_on=occurred_on,
        detail=detail or {},
    )
    db.session.add(event)
    db.session.flush()
    return event


def store_files(
    complaint: Complaint,
    event: ComplaintEvent,
    checked: Sequence[files.CheckedFile],
    written: list[str],
    *,
    now: datetime,
) -> None:
    """Write checked files and attach them to ``event``; their names go to
    ``written`` so that the caller removes them if its commit fails."""
    for item in checked:
        name = files.new_storage_name()
        files.write(name, item.data)
        written.append(name)
        db.session.add(
            Attachment(
                complaint_id=complaint.id,
                event_id=event.id,
                storage_name=name,
                original_name=item.original_name,
                content_type=item.content_type,
                size=len(item.data),
                sha256=item.sha256,
                created_at=now,
            )
        )


def attachment_count(complaint: Complaint) -> int:
    """How many files the case holds (a case has a maximum)."""
    return int(
        db.session.scalar(
            select(func.count(Attachment.id)).where(
                Attachment.complaint_id == complaint.id
            )
        )
        or 0
    )


def ensure_open(complaint: Complaint) -> None:
    """:raises TransitionRefused: the case is closed."""
    if workflow.is_closed(complaint.status):
        raise TransitionRefused(
            _l(
                "Ce dossier est clos (%(status)s) : il ne peut plus être modifié.",
                status=workflow.STATUS_LABELS[complaint.status],
            )
        )


# Entries each role may add to an open case (outside status changes).
ENTRY_KINDS: dict[Role, tuple[EventKind, ...]] = {
    Role.COMPLAINANT: (EventKind.MESSAGE,),
    Role.MEMBER: (EventKind.MESSAGE,),
    Role.SECRETARIAT: (
        EventKind.MESSAGE,
        EventKind.NOTE,
        EventKind.MEETING,
        EventKind.PROPOSAL,
    ),
    Role.BOARD: (EventKind.NOTE, EventKind.HEARING),
}


def add_entry(
    complaint: Complaint,
    *,
    actor: Actor,
    kind: EventKind,
    text: str,
    visibility: Visibility = Visibility.PARTIES,
    occurred_on: date | None = None,
    uploads: Sequence[files.Upload] = (),
    now: datetime,
) -> ComplaintEvent:
    """Add a message, note, meeting, proposal or hearing to an open case.

    A note is always internal; the parties' messages are always seen by both.
    :raises MediationError: closed case, entry not for this role, missing text
        or date, refused file.
    """
    _check_entry(complaint, actor=actor, kind=kind, occurred_on=occurred_on, now=now)
    visibility = _entry_visibility(kind, actor=actor, asked=visibility)
    checked = files.check_all(list(uploads), already=attachment_count(complaint))
    if not text.strip() and not checked:
        raise FieldError(_l("Écrivez un texte ou joignez un fichier."), field="text")
    written: list[str] = []
    try:
        event = record_event(
            complaint,
            actor=actor,
            kind=kind,
            now=now,
            text=text,
            visibility=visibility,
            occurred_on=occurred_on,
        )
        store_files(complaint, event, checked, written, now=now)
        complaint.updated_at = now
        if visibility is Visibility.PARTIES:
            notify(complaint, event, _entry_audience(complaint, actor), now=now)
        audit.record(
            actor.user,
            f"complaint.entry.{kind.value}",
            object_type="complaint",
            object_id=complaint.id,
            member_id=complaint.member_id,
            detail={"event_id": event.id, "visibility": visibility.value},
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.remove(written)
        raise
    return event


def _check_entry(
    complaint: Complaint,
    *,
    actor: Actor,
    kind: EventKind,
    occurred_on: date | None,
    now: datetime,
) -> None:
    """:raises MediationError: closed case, entry not for this role or not at
    this stage, missing, future or
    implausible date."""
    ensure_open(complaint)
    if kind not in ENTRY_KINDS.get(actor.role, ()):
        raise TransitionRefused(_l("Vous ne pouvez pas ajouter ce type d'entrée."))
    if kind is EventKind.HEARING and complaint.status != Status.AT_COMMISSION:
        raise TransitionRefused(
            _l("Une audition ne s'enregistre que devant la commission.")
        )
    if kind in (EventKind.MEETING, EventKind.HEARING) and occurred_on is None:
        raise FieldError(_l("Indiquez la date."), field="occurred_on")
    if occurred_on is not None:
        today = paris_today(now)
        problem = date_problem(occurred_on, latest=today, today=today)
        if problem is not None:
            raise FieldError(problem, field="occurred_on")


def _entry_visibility(
    kind: EventKind, *, actor: Actor, asked: Visibility
) -> Visibility:
    """A note is always internal; the parties' messages are always seen by both."""
    if actor.role in (Role.COMPLAINANT, Role.MEMBER):
        return Visibility.PARTIES
    if kind is EventKind.NOTE:
        return Visibility.INTERNAL
    return asked


def _entry_audience(complaint: Complaint, actor: Actor) -> Audience:
    """Everyone on the case but the author (the commission once it sits)."""
    return Audience(
        complainant=actor.role is not Role.COMPLAINANT,
        member=actor.role is not Role.MEMBER,
        secretariat=actor.role is not Role.SECRETARIAT,
        commission=complaint.status == Status.AT_COMMISSION,
        exclude_user_id=actor.user.id if actor.user else None,
    )
