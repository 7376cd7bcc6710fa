"""The complaint procedure: every change of a case's status goes through
:func:`perform`, which asks ``workflow.apply`` first and writes nothing when it
refuses; the commission's seats; the effects of each step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from core import audit
from core.extensions import db
from core.security import Role as UserRole
from mediation import files, workflow
from mediation.errors import FieldError, TransitionRefused
from mediation.models import (
    CommissionSeat,
    Complaint,
    ComplaintEvent,
    EventKind,
    Visibility,
)
from mediation.services.access import Actor, conflict_of, declare_conflict, seats_of
from mediation.services.delays import paris_today
from mediation.services.entries import (
    attachment_count,
    ensure_open,
    record_event,
    store_files,
)
from mediation.services.notifications import Audience, notify
from mediation.workflow import Action, Decision, Role, Status
from members import services as members_services
from members.models import MarkStatus, User

_MARK_SEVERITY = {
    MarkStatus.ACTIVE: 0,
    MarkStatus.SUSPENDED: 1,
    MarkStatus.WITHDRAWN: 2,
}


def perform(
    complaint: Complaint,
    action: Action | str,
    *,
    actor: Actor,
    now: datetime,
    text: str = "",
    reason: str | None = None,
    decision: Decision | str | None = None,
    suspension_until: date | None = None,
    reply_days: int | None = None,
    seat_user_ids: Sequence[int] = (),
    uploads: Sequence[files.Upload] = (),
) -> Complaint:
    """Move ``complaint`` one step along the procedure — the only way to do so.

    ``workflow.apply`` decides whether the step is allowed; then the step's
    effects (timeline, deadline, seats, the member's mark, e-mails, audit) are
    written in one transaction. A refused step writes nothing.

    :raises MediationError: the procedure, the role or the data refuse it, or
        someone changed the case in the meantime.
    """
    target = workflow.apply(
        complaint.status,
        str(action),
        actor_role=actor.role,
        decision=decision,
        suspension_until=suspension_until,
        reason=reason,
        today=paris_today(now),
    )
    chosen = Action(action)
    seats, reply_days = _check_step(
        complaint, chosen, text=text, reply_days=reply_days, seat_user_ids=seat_user_ids
    )
    checked = files.check_all(list(uploads), already=attachment_count(complaint))
    previous = _move(complaint, target, now=now)
    written: list[str] = []
    try:
        event = _EFFECTS[chosen](
            complaint,
            actor=actor,
            now=now,
            text=text,
            reason=(reason or "").strip(),
            decision=Decision(decision) if decision else None,
            suspension_until=suspension_until,
            reply_days=reply_days,
            seats=seats,
        )
        store_files(complaint, event, checked, written, now=now)
        if workflow.is_closed(target):
            complaint.closed_at = now
        _audit_step(
            complaint, chosen, actor=actor, previous=previous, decision=decision
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.remove(written)
        raise
    return complaint


def _audit_step(
    complaint: Complaint,
    chosen: Action,
    *,
    actor: Actor,
    previous: Status,
    decision: Decision | str | None,
) -> None:
    audit.record(
        actor.user,
        f"complaint.{chosen.value}",
        object_type="complaint",
        object_id=complaint.id,
        member_id=complaint.member_id,
        detail={
            "from": previous.value,
            "to": complaint.status.value,
            **({"decision": str(decision)} if decision else {}),
        },
    )


def _check_step(
    complaint: Complaint,
    chosen: Action,
    *,
    text: str,
    reply_days: int | None,
    seat_user_ids: Sequence[int],
) -> tuple[list[User], int | None]:
    """Check what the step needs beyond the procedure's rules: the seats it
    names, its text, the member's reply delay (defaulted). :raises FieldError:"""
    seats: list[User] = []
    if chosen is Action.REFER_TO_COMMISSION:
        seats = _check_seats(complaint, seat_user_ids)
    if chosen is Action.SUBMIT_ARGUMENTS and not text.strip():
        raise FieldError(_l("Présentez vos arguments."), field="text")
    if chosen is Action.RECORD_AGREEMENT and not text.strip():
        raise FieldError(_l("Décrivez l'accord trouvé."), field="text")
    if chosen is Action.DECLARE_ADMISSIBLE:
        reply_days = reply_days or workflow.MEMBER_REPLY_DAYS
        if not 1 <= reply_days <= 90:
            raise FieldError(
                _l("Le délai de réponse va de 1 à 90 jours."), field="reply_days"
            )
    return seats, reply_days


def _move(complaint: Complaint, target: Status, *, now: datetime) -> Status:
    """Set the case's new status (not committed); its previous one.

    :raises TransitionRefused: someone changed the case in the meantime.
    """
    previous = complaint.status
    # The conditional UPDATE is the guard against a concurrent change.
    moved = db.session.execute(
        update(Complaint)
        .where(Complaint.id == complaint.id, Complaint.status == previous)
        .values(status=target, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise TransitionRefused(
            _l("Ce dossier vient d'être modifié : rechargez la page et recommencez.")
        )
    complaint.status = target
    complaint.updated_at = now
    return previous


def _check_seats(complaint: Complaint, user_ids: Sequence[int]) -> list[User]:
    wanted = sorted(set(user_ids))
    if not wanted:
        raise FieldError(
            _l("Désignez au moins un membre du conseil pour siéger."), field="seats"
        )
    users = db.session.scalars(
        select(User).where(
            User.id.in_(wanted), User.role == UserRole.BOARD, User.is_active.is_(True)
        )
    ).all()
    if len(users) != len(wanted):
        raise FieldError(
            _l("Seuls des membres actifs du conseil peuvent siéger."), field="seats"
        )
    for user in users:
        reason = conflict_of(user, complaint.member)
        if reason is not None:
            raise FieldError(
                _l(
                    "%(name)s ne peut pas siéger pour cette plainte : %(reason)s.",
                    name=user.full_name or user.email,
                    reason=reason,
                ),
                field="seats",
            )
    return list(users)


def _seat(
    complaint: Complaint, users: Sequence[User], *, actor: Actor, now: datetime
) -> list[User]:
    already = {seat.user_id for seat in seats_of(complaint)}
    added = [user for user in users if user.id not in already]
    for user in added:
        db.session.add(
            CommissionSeat(
                complaint_id=complaint.id,
                user_id=user.id,
                seated_at=now,
                seated_by_id=actor.user.id if actor.user else None,
            )
        )
    db.session.flush()
    return added


def add_commissioners(
    complaint: Complaint, *, actor: Actor, user_ids: Sequence[int], now: datetime
) -> list[User]:
    """Name more board users to sit on a case before the commission.

    :raises MediationError: not the secretariat, not before the commission,
        conflicted or unknown board user.
    """
    ensure_open(complaint)
    if actor.role is not Role.SECRETARIAT:
        raise TransitionRefused(_l("Seul le secrétariat désigne la commission."))
    if complaint.status != Status.AT_COMMISSION:
        raise TransitionRefused(
            _l("La commission ne se compose qu'une fois saisie de la plainte.")
        )
    users = _check_seats(complaint, user_ids)
    added = _seat(complaint, users, actor=actor, now=now)
    if added:
        event = record_event(
            complaint,
            actor=actor,
            kind=EventKind.SEATED,
            now=now,
            visibility=Visibility.INTERNAL,
            detail={"names": [u.full_name or u.email for u in added]},
        )
        notify(complaint, event, Audience(users=added), now=now)
        audit.record(
            actor.user,
            "complaint.seat",
            object_type="complaint",
            object_id=complaint.id,
            member_id=complaint.member_id,
            detail={"user_ids": [u.id for u in added]},
        )
    db.session.commit()
    return added


def recuse(complaint: Complaint, *, actor: Actor, note: str, now: datetime) -> None:
    """A seated board user steps down; the conflict is remembered for the member.

    :raises MediationError: closed case, or the actor does not sit on it.
    """
    ensure_open(complaint)
    if actor.role is not Role.BOARD or actor.user is None:
        raise TransitionRefused(_l("Seul un membre de la commission peut se déporter."))
    seat = db.session.scalar(
        select(CommissionSeat).where(
            CommissionSeat.complaint_id == complaint.id,
            CommissionSeat.user_id == actor.user.id,
        )
    )
    if seat is None:
        raise TransitionRefused(_l("Vous ne siégez pas pour cette plainte."))
    db.session.delete(seat)
    declare_conflict(
        actor.user, user=actor.user, member=complaint.member, note=note, now=now
    )
    event = record_event(
        complaint,
        actor=actor,
        kind=EventKind.RECUSED,
        now=now,
        text=note,
        visibility=Visibility.INTERNAL,
    )
    notify(complaint, event, Audience(secretariat=True), now=now)
    audit.record(
        actor.user,
        "complaint.recuse",
        object_type="complaint",
        object_id=complaint.id,
        member_id=complaint.member_id,
    )
    db.session.commit()


# --- the effects of each step (called by perform only; no commit)


def _on_admissible(
    complaint: Complaint, *, actor: Actor, now: datetime, text: str, **details: Any
) -> ComplaintEvent:
    days = int(details["reply_days"])
    complaint.admitted_at = now
    complaint.member_reply_due_on = workflow.member_reply_deadline(
        paris_today(now), days=days
    )
    event = record_event(
        complaint,
        actor=actor,
        kind=EventKind.ADMISSIBLE,
        now=now,
        text=text,
        detail={"due_on": complaint.member_reply_due_on.isoformat()},
    )
    notify(complaint, event, Audience(complainant=True, member=True), now=now)
    return event


def _on_inadmissible(
    complaint: Complaint, *, actor: Actor, now: datetime, reason: str, **_: Any
) -> ComplaintEvent:
    complaint.reasons = reason
    event = record_event(
        complaint, actor=actor, kind=EventKind.INADMISSIBLE, now=now, text=reason
    )
    notify(complaint, event, Audience(complainant=True), now=now)
    return event


def _on_arguments(
    complaint: Complaint, *, actor: Actor, now: datetime, text: str, **_: Any
) -> ComplaintEvent:
    event = record_event(
        complaint, actor=actor, kind=EventKind.ARGUMENTS, now=now, text=text
    )
    notify(
        complaint,
        event,
        Audience(
            complainant=True,
            secretariat=True,
            member=True,
            exclude_user_id=actor.user.id if actor.user else None,
        ),
        now=now,
    )
    return event


def _on_mediation_opened(
    complaint: Complaint, *, actor: Actor, now: datetime, text: str, **_: Any
) -> ComplaintEvent:
    event = record_event(
        complaint, actor=actor, kind=EventKind.MEDIATION_OPENED, now=now, text=text
    )
    notify(complaint, event, Audience(complainant=True, member=True), now=now)
    return event


def _on_agreement(
    complaint: Complaint, *, actor: Actor, now: datetime, text: str, **_: Any
) -> ComplaintEvent:
    event = record_event(
        complaint, actor=actor, kind=EventKind.AGREEMENT, now=now, text=text
    )
    notify(
        complaint,
        event,
        Audience(
            complainant=True,
            member=True,
            secretariat=True,
            exclude_user_id=actor.user.id if actor.user else None,
        ),
        now=now,
    )
    return event


def _on_referred(
    complaint: Complaint,
    *,
    actor: Actor,
    now: datetime,
    text: str,
    seats: list[User],
    **_: Any,
) -> ComplaintEvent:
    complaint.referred_at = now
    event = record_event(
        complaint, actor=actor, kind=EventKind.REFERRED, now=now, text=text
    )
    added = _seat(complaint, seats, actor=actor, now=now)
    record_event(
        complaint,
        actor=actor,
        kind=EventKind.SEATED,
        now=now,
        visibility=Visibility.INTERNAL,
        detail={"names": [u.full_name or u.email for u in added]},
    )
    notify(
        complaint,
        event,
        Audience(complainant=True, member=True, users=list(added)),
        now=now,
    )
    return event


def _on_decision(
    complaint: Complaint,
    *,
    actor: Actor,
    now: datetime,
    reason: str,
    decision: Decision,
    suspension_until: date | None,
    **_: Any,
) -> ComplaintEvent:
    complaint.decision = decision
    complaint.reasons = reason or None
    complaint.suspension_until = suspension_until
    member = complaint.member
    previous_mark = member.mark_status
    wanted = MarkStatus(workflow.mark_status_after(decision))
    # A decision never lightens a sanction that another case imposed: "no
    # sanction" on this case leaves a suspension decided elsewhere in place.
    if _MARK_SEVERITY[wanted] > _MARK_SEVERITY[member.mark_status]:
        members_services.set_mark_status(
            actor.user,
            member,
            status=wanted,
            reason=f"{complaint.reference} — {workflow.DECISION_LABELS[decision]}",
            now=now,
            commit=False,
        )
    event = record_event(
        complaint,
        actor=actor,
        kind=EventKind.DECISION,
        now=now,
        text=reason,
        detail={
            "decision": decision.value,
            "until": suspension_until.isoformat() if suspension_until else None,
            "mark_before": previous_mark.value,
            "mark_after": member.mark_status.value,
        },
    )
    notify(
        complaint,
        event,
        Audience(
            complainant=True,
            member=True,
            secretariat=True,
            commission=True,
            exclude_user_id=actor.user.id if actor.user else None,
        ),
        now=now,
    )
    return event


def _on_withdrawn(
    complaint: Complaint, *, actor: Actor, now: datetime, text: str, **_: Any
) -> ComplaintEvent:
    event = record_event(
        complaint, actor=actor, kind=EventKind.WITHDRAWN, now=now, text=text
    )
    notify(
        complaint,
        event,
        Audience(
            complainant=actor.role is not Role.COMPLAINANT,
            member=complaint.admitted_at is not None,
            secretariat=actor.role is not Role.SECRETARIAT,
        ),
        now=now,
    )
    return event


_EFFECTS: dict[Action, Any] = {
    Action.DECLARE_ADMISSIBLE: _on_admissible,
    Action.DECLARE_INADMISSIBLE: _on_inadmissible,
    Action.SUBMIT_ARGUMENTS: _on_arguments,
    Action.START_MEDIATION: _on_mediation_opened,
    Action.RECORD_AGREEMENT: _on_agreement,
    Action.REFER_TO_COMMISSION: _on_referred,
    Action.DECIDE: _on_decision,
    Action.WITHDRAW: _on_withdrawn,
}
