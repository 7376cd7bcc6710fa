"""Use cases of the complaints feature.

Every change of a case's status goes through :func:`perform`, which asks
``workflow.apply`` first and writes nothing when it refuses. Each write service
commits once, at the end; files written before a failed commit are removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Float,
    and_,
    case,
    cast,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from core import audit
from core.extensions import db
from core.mail import queue_email
from core.security import Role as UserRole
from core.security import hash_token, new_token
from core.urls import external_url
from mediation import files, workflow
from mediation.errors import FieldError, LinkInvalid, TransitionRefused
from mediation.models import (
    Attachment,
    CommissionSeat,
    Complaint,
    ComplaintEvent,
    ConflictOfInterest,
    EventKind,
    Reminder,
    Visibility,
)
from mediation.workflow import Action, Decision, Role, Status
from members import services as members_services
from members.models import MarkStatus, Member, Project, User

PARIS = ZoneInfo("Europe/Paris")
VERIFICATION_HOURS = 48
PENDING_DRAFTS_PER_EMAIL = 3
ADMISSIBILITY_DAYS = 10
COMMISSION_DAYS = 60
REMIND_DAYS_BEFORE = 3

_MARK_SEVERITY = {
    MarkStatus.ACTIVE: 0,
    MarkStatus.SUSPENDED: 1,
    MarkStatus.WITHDRAWN: 2,
}


def paris_today(now: datetime) -> date:
    """The association's calendar date at ``now``."""
    return now.astimezone(PARIS).date()


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


# ---------------------------------------------------------------- who acts


@dataclass(frozen=True)
class Actor:
    """Someone acting on a case, in the role the procedure knows them by."""

    role: Role
    user: User | None
    label: str

    @classmethod
    def of_user(cls, user: User, role: Role) -> Actor:
        return cls(role=role, user=user, label=user.full_name or user.email)

    @classmethod
    def complainant(cls, complaint: Complaint) -> Actor:
        return cls(role=Role.COMPLAINANT, user=None, label=complaint.complainant_name)


@dataclass(frozen=True)
class CaseAccess:
    complaint: Complaint
    actor: Actor

    @property
    def role(self) -> Role:
        return self.actor.role


def _registered() -> ColumnElement[bool]:
    return Complaint.verified_at.is_not(None)


def _is_seated(user: User, complaint_id: int) -> bool:
    return (
        db.session.scalar(
            select(CommissionSeat.id).where(
                CommissionSeat.complaint_id == complaint_id,
                CommissionSeat.user_id == user.id,
            )
        )
        is not None
    )


def role_of(user: User, complaint: Complaint) -> Role | None:
    """The role ``user`` holds on ``complaint``, or None if it is not a party.

    The member's staff see a complaint once it is admissible (the member is
    informed then, not before); board users only see the cases they sit on.
    """
    if not user.is_active or complaint.verified_at is None:
        return None
    if user.role == UserRole.SECRETARIAT:
        return Role.SECRETARIAT
    if user.role == UserRole.BOARD:
        return Role.BOARD if _is_seated(user, complaint.id) else None
    if (
        user.member_id is not None
        and user.member_id == complaint.member_id
        and complaint.admitted_at is not None
    ):
        return Role.MEMBER
    return None


def case_for_user(user: User, complaint_id: int) -> CaseAccess | None:
    """The case as ``user`` may see it, or None (not found, or not a party)."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        return None
    role = role_of(user, complaint)
    if role is None:
        return None
    return CaseAccess(complaint, Actor.of_user(user, role))


def case_for_complainant(
    allowed_ids: Iterable[int], complaint_id: int
) -> CaseAccess | None:
    """The case whose private link was opened in this browser, or None."""
    if complaint_id not in set(allowed_ids):
        return None
    complaint = db.session.scalar(
        select(Complaint).where(Complaint.id == complaint_id, _registered())
    )
    if complaint is None:
        return None
    return CaseAccess(complaint, Actor.complainant(complaint))


def complaint_by_access_token(token: str) -> Complaint | None:
    """The complaint whose private follow-up link carries ``token``."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(Complaint).where(
            Complaint.access_token_hash == hash_token(token), _registered()
        )
    )


# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class CaseRow:
    complaint: Complaint
    is_late: bool
    is_new: bool


def _late_clause(now: datetime) -> ColumnElement[bool]:
    today = paris_today(now)
    admissibility = timedelta(
        days=_setting("MEDIATION_ADMISSIBILITY_DAYS", ADMISSIBILITY_DAYS)
    )
    commission = timedelta(days=_setting("MEDIATION_COMMISSION_DAYS", COMMISSION_DAYS))
    return or_(
        and_(
            Complaint.status == Status.SUBMITTED,
            Complaint.verified_at < now - admissibility,
        ),
        and_(
            Complaint.status == Status.AWAITING_MEMBER,
            Complaint.member_reply_due_on < today,
        ),
        and_(
            Complaint.status == Status.AT_COMMISSION,
            Complaint.referred_at < now - commission,
        ),
    )


def list_cases(user: User, *, view: str = "open", now: datetime) -> list[CaseRow]:
    """The cases ``user`` may see: ``open``, ``late`` or ``all``."""
    late = _late_clause(now)
    query = select(Complaint, late.label("is_late")).where(_registered())
    if user.role == UserRole.SECRETARIAT:
        pass
    elif user.role == UserRole.BOARD:
        query = query.join(
            CommissionSeat,
            and_(
                CommissionSeat.complaint_id == Complaint.id,
                CommissionSeat.user_id == user.id,
            ),
        )
    elif user.member_id is not None:
        query = query.where(
            Complaint.member_id == user.member_id, Complaint.admitted_at.is_not(None)
        )
    else:
        return []
    if view == "open":
        query = query.where(Complaint.status.not_in(workflow.CLOSED_STATUSES))
    elif view == "late":
        query = query.where(late)
    query = query.order_by(Complaint.verified_at.desc(), Complaint.id.desc())
    return [
        CaseRow(
            complaint=complaint,
            is_late=bool(is_late),
            is_new=complaint.status == Status.SUBMITTED,
        )
        for complaint, is_late in db.session.execute(query.limit(500))
    ]


def is_late(complaint: Complaint, *, now: datetime) -> bool:
    return bool(
        db.session.scalar(select(_late_clause(now)).where(Complaint.id == complaint.id))
    )


def timeline(complaint: Complaint, role: Role) -> Sequence[ComplaintEvent]:
    """The events ``role`` may read, oldest first, with their files and authors."""
    query = (
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id)
        .options(
            selectinload(ComplaintEvent.attachments),
            selectinload(ComplaintEvent.author),
        )
        .order_by(ComplaintEvent.created_at, ComplaintEvent.id)
    )
    if role in (Role.COMPLAINANT, Role.MEMBER):
        query = query.where(ComplaintEvent.visibility == Visibility.PARTIES)
    return db.session.scalars(query).all()


def attachment_for(
    access: CaseAccess, attachment_id: int
) -> tuple[Attachment, bytes] | None:
    """An attachment of the case that ``access`` may read, with its bytes."""
    query = (
        select(Attachment)
        .join(ComplaintEvent)
        .where(
            Attachment.id == attachment_id,
            Attachment.complaint_id == access.complaint.id,
        )
    )
    if access.role in (Role.COMPLAINANT, Role.MEMBER):
        query = query.where(ComplaintEvent.visibility == Visibility.PARTIES)
    attachment = db.session.scalar(query)
    if attachment is None:
        return None
    try:
        data = files.path_of(attachment.storage_name).read_bytes()
    except (OSError, ValueError):
        return None
    return attachment, data


def seats_of(complaint: Complaint) -> Sequence[CommissionSeat]:
    return db.session.scalars(
        select(CommissionSeat)
        .where(CommissionSeat.complaint_id == complaint.id)
        .order_by(CommissionSeat.id)
    ).all()


def project_panel(project: Project) -> dict[str, Any]:
    """The admissible complaints about a project, for its page in the member space."""
    return {
        "project_complaints": db.session.scalars(
            select(Complaint)
            .where(
                Complaint.project_id == project.id,
                Complaint.member_id == project.member_id,
                Complaint.admitted_at.is_not(None),
            )
            .order_by(Complaint.verified_at.desc())
        ).all()
    }


# ---------------------------------------------------------------- conflicts


def _domain(host: str) -> str:
    host = host.lower().strip(".")
    return host[4:] if host.startswith("www.") else host


def conflict_of(user: User, member: Member) -> str | None:
    """Why ``user`` may not judge ``member`` (a translated reason), or None.

    A board user is linked to a member when a conflict of interest was declared
    (by the secretariat, or by the user's own recusal), or when the user's e-mail
    address belongs to the domain of the member's website (the member's staff).
    """
    declared = db.session.scalar(
        select(ConflictOfInterest.id).where(
            ConflictOfInterest.user_id == user.id,
            ConflictOfInterest.member_id == member.id,
        )
    )
    if declared is not None:
        return str(_l("conflit d'intérêts déclaré avec cet adhérent"))
    if member.website:
        site = _domain(urlsplit(member.website).hostname or "")
        mail_domain = _domain(user.email.rpartition("@")[2])
        if site and (mail_domain == site or mail_domain.endswith("." + site)):
            return str(_l("son adresse e-mail est du domaine de l'adhérent"))
    return None


@dataclass(frozen=True)
class Commissioner:
    user: User
    conflict: str | None
    seated: bool


def commissioners_for(complaint: Complaint) -> list[Commissioner]:
    """Active board users, each with what would stop them sitting on this case."""
    seated = {seat.user_id for seat in seats_of(complaint)}
    users = db.session.scalars(
        select(User)
        .where(User.role == UserRole.BOARD, User.is_active.is_(True))
        .order_by(User.full_name, User.email)
    ).all()
    return [
        Commissioner(user, conflict_of(user, complaint.member), user.id in seated)
        for user in users
    ]


def declare_conflict(
    actor: User, *, user: User, member: Member, note: str, now: datetime
) -> None:
    """Record that a board user may not judge a member (no commit: caller's)."""
    exists = db.session.scalar(
        select(ConflictOfInterest.id).where(
            ConflictOfInterest.user_id == user.id,
            ConflictOfInterest.member_id == member.id,
        )
    )
    if exists is None:
        db.session.add(
            ConflictOfInterest(
                user_id=user.id,
                member_id=member.id,
                note=note,
                declared_at=now,
                declared_by_id=actor.id,
            )
        )


# ---------------------------------------------------------------- filing


def complaint_targets() -> Sequence[Member]:
    """Members a complaint may be filed against: signatories still in the scheme."""
    return db.session.scalars(
        select(Member)
        .where(
            Member.signed_on.is_not(None),
            Member.is_public.is_(True),
            Member.mark_status != MarkStatus.WITHDRAWN,
        )
        .order_by(Member.name)
    ).all()


def _target(member_id: int) -> Member:
    member = db.session.scalar(
        select(Member).where(
            Member.id == member_id,
            Member.signed_on.is_not(None),
            Member.is_public.is_(True),
            Member.mark_status != MarkStatus.WITHDRAWN,
        )
    )
    if member is None:
        raise FieldError(
            _l("Choisissez un adhérent signataire de la charte."), field="member_id"
        )
    return member


def project_hint(member_id: int | None, project_id: int | None) -> Project | None:
    """The project a link named, when it belongs to that member (else nothing)."""
    if member_id is None or project_id is None:
        return None
    return members_services.get_project(member_id, project_id)


def file_complaint(
    *,
    name: str,
    company: str,
    email: str,
    locale: str,
    member_id: int,
    project_id: int | None,
    project_label: str,
    facts: str,
    expectations: str,
    uploads: Sequence[files.Upload] = (),
    now: datetime,
) -> Complaint:
    """Store a draft complaint and e-mail its author a verification link.

    The complaint is registered (and gets a reference) only once the link is
    opened. :raises MediationError: unknown member, too many pending drafts,
    refused attachment.
    """
    member = _target(member_id)
    email = members_services.normalise_email(email)
    pending = db.session.scalar(
        select(func.count(Complaint.id)).where(
            Complaint.complainant_email == email,
            Complaint.verified_at.is_(None),
            Complaint.verification_expires_at > now,
        )
    )
    if (pending or 0) >= PENDING_DRAFTS_PER_EMAIL:
        raise FieldError(
            _l(
                "Plusieurs plaintes attendent déjà la confirmation de cette adresse : "
                "ouvrez le lien reçu par e-mail."
            ),
            field="email",
        )
    checked = files.check_all(list(uploads))
    project = project_hint(member.id, project_id)
    token, token_hash = new_token()
    complaint = Complaint(
        complainant_name=name,
        complainant_company=company,
        complainant_email=email,
        complainant_locale=locale if locale in ("fr", "en") else "fr",
        member_id=member.id,
        project_id=project.id if project else None,
        project_label=project.title if project else project_label,
        facts=facts,
        expectations=expectations,
        status=Status.SUBMITTED,
        verification_token_hash=token_hash,
        verification_expires_at=now + timedelta(hours=VERIFICATION_HOURS),
        created_at=now,
        updated_at=now,
    )
    db.session.add(complaint)
    db.session.flush()
    written: list[str] = []
    try:
        event = _event(
            complaint,
            actor=Actor.complainant(complaint),
            kind=EventKind.FILED,
            now=now,
        )
        _store_files(complaint, event, checked, written, now=now)
        queue_email(
            to=email,
            template="mediation/email/verify",
            context={
                "complaint": complaint,
                "member": member,
                "link": external_url("mediation.verify", token=token),
                "hours": VERIFICATION_HOURS,
            },
            locale=complaint.complainant_locale,
            key=f"mediation.verify:{token_hash}",
            now=now,
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.remove(written)
        raise
    return complaint


def _next_reference(now: datetime) -> str:
    year = paris_today(now).year
    prefix = f"R-{year}-"
    count = db.session.scalar(
        select(func.count(Complaint.id)).where(Complaint.reference.like(prefix + "%"))
    )
    return f"{prefix}{(count or 0) + 1:04d}"


@dataclass
class Verified:
    complaint: Complaint
    access_token: str | None  # None: the link had already been used
    already: bool = False


def verify_complaint(token: str, *, now: datetime) -> Verified:
    """Register the complaint whose verification link carries ``token``.

    It gets its reference and a private follow-up link, e-mailed with an
    acknowledgement; the secretariat is told. :raises LinkInvalid:
    """
    complaint = (
        db.session.scalar(
            select(Complaint).where(
                Complaint.verification_token_hash == hash_token(token)
            )
        )
        if token and len(token) <= 200
        else None
    )
    if complaint is None:
        raise LinkInvalid(_l("Ce lien de confirmation n'est pas valable."))
    if complaint.verified_at is not None:
        return Verified(complaint, None, already=True)
    assert complaint.verification_expires_at is not None
    if complaint.verification_expires_at <= now:
        raise LinkInvalid(
            _l("Ce lien de confirmation a expiré : déposez à nouveau votre plainte.")
        )
    for attempt in range(3):
        access_token, access_hash = new_token()
        reference = _next_reference(now)
        claimed = db.session.execute(
            update(Complaint)
            .where(Complaint.id == complaint.id, Complaint.verified_at.is_(None))
            .values(
                verified_at=now,
                reference=reference,
                access_token_hash=access_hash,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            db.session.rollback()
            db.session.refresh(complaint)
            return Verified(complaint, None, already=True)
        complaint.verified_at = now
        complaint.reference = reference
        complaint.access_token_hash = access_hash
        complaint.updated_at = now
        try:
            _acknowledge(complaint, access_token, now=now)
            audit.record(
                None,
                "complaint.verify",
                object_type="complaint",
                object_id=complaint.id,
                member_id=complaint.member_id,
                detail={"reference": reference},
            )
            db.session.commit()
        except IntegrityError:
            # Another complaint took this reference at the same moment.
            db.session.rollback()
            db.session.refresh(complaint)
            if attempt == 2:
                raise
            continue
        return Verified(complaint, access_token)
    raise AssertionError("unreachable")  # pragma: no cover


def _acknowledge(complaint: Complaint, access_token: str, *, now: datetime) -> None:
    queue_email(
        to=complaint.complainant_email,
        template="mediation/email/acknowledgement",
        context={
            "complaint": complaint,
            "link": external_url("mediation.follow", token=access_token),
        },
        locale=complaint.complainant_locale,
        key=f"mediation.ack:{complaint.id}",
        now=now,
    )
    for user in _secretariat():
        _mail_user(
            user,
            complaint,
            template="mediation/email/update",
            key=f"mediation.new:{complaint.id}:{user.id}",
            context={"kind": EventKind.FILED, "event": None},
            now=now,
        )


def resend_follow_link(*, reference: str, email: str, now: datetime) -> None:
    """E-mail a new private link to the complainant of ``reference`` (silently
    nothing when the pair does not match: the page says the same either way)."""
    complaint = db.session.scalar(
        select(Complaint).where(
            Complaint.reference == reference.strip().upper(),
            Complaint.complainant_email == members_services.normalise_email(email),
            _registered(),
        )
    )
    if complaint is None:
        return
    access_token, access_hash = new_token()
    complaint.access_token_hash = access_hash
    queue_email(
        to=complaint.complainant_email,
        template="mediation/email/acknowledgement",
        context={
            "complaint": complaint,
            "link": external_url("mediation.follow", token=access_token),
            "renewed": True,
        },
        locale=complaint.complainant_locale,
        key=f"mediation.link:{access_hash}",
        now=now,
    )
    db.session.commit()


# ---------------------------------------------------------------- notifications


def _secretariat() -> Sequence[User]:
    return db.session.scalars(
        select(User)
        .where(User.role == UserRole.SECRETARIAT, User.is_active.is_(True))
        .order_by(User.id)
    ).all()


def _member_staff(member_id: int) -> Sequence[User]:
    return db.session.scalars(
        select(User)
        .where(User.member_id == member_id, User.is_active.is_(True))
        .order_by(User.id)
    ).all()


def _seated_users(complaint: Complaint) -> list[User]:
    return [seat.user for seat in seats_of(complaint) if seat.user.is_active]


def _context(complaint: Complaint, **extra: Any) -> dict[str, Any]:
    return {
        "complaint": complaint,
        "member": complaint.member,
        "status_label": workflow.STATUS_LABELS[complaint.status],
        **extra,
    }


def _mail_user(
    user: User,
    complaint: Complaint,
    *,
    template: str,
    key: str,
    context: dict[str, Any],
    now: datetime,
) -> None:
    queue_email(
        to=user.email,
        template=template,
        context=_context(
            complaint,
            link=external_url("mediation.case", complaint_id=complaint.id),
            audience="staff",
            recipient_role=user.role.value,
            **context,
        ),
        locale=user.locale or "fr",
        key=key,
        now=now,
    )


def _mail_complainant(
    complaint: Complaint,
    *,
    template: str,
    key: str,
    context: dict[str, Any],
    now: datetime,
) -> None:
    queue_email(
        to=complaint.complainant_email,
        template=template,
        context=_context(
            complaint,
            link=external_url("mediation.recover"),
            audience="complainant",
            **context,
        ),
        locale=complaint.complainant_locale,
        key=key,
        now=now,
    )


@dataclass
class Audience:
    complainant: bool = False
    member: bool = False
    secretariat: bool = False
    commission: bool = False
    exclude_user_id: int | None = None
    users: list[User] = field(default_factory=list)


def _notify(
    complaint: Complaint,
    event: ComplaintEvent,
    audience: Audience,
    *,
    now: datetime,
    template: str = "mediation/email/update",
) -> None:
    """Tell the parties named in ``audience`` about ``event`` (idempotent keys)."""
    context = {"kind": event.kind, "event": event}
    if audience.complainant:
        _mail_complainant(
            complaint,
            template=template,
            key=f"mediation.event:{event.id}:complainant",
            context=context,
            now=now,
        )
    users: dict[int, User] = {user.id: user for user in audience.users}
    if audience.member:
        users.update({u.id: u for u in _member_staff(complaint.member_id)})
    if audience.secretariat:
        users.update({u.id: u for u in _secretariat()})
    if audience.commission:
        users.update({u.id: u for u in _seated_users(complaint)})
    users.pop(audience.exclude_user_id or 0, None)
    for user in users.values():
        _mail_user(
            user,
            complaint,
            template=template,
            key=f"mediation.event:{event.id}:user:{user.id}",
            context=context,
            now=now,
        )


# ---------------------------------------------------------------- timeline


def _event(
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


def _store_files(
    complaint: Complaint,
    event: ComplaintEvent,
    checked: Sequence[files.CheckedFile],
    written: list[str],
    *,
    now: datetime,
) -> None:
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


def _attachment_count(complaint: Complaint) -> int:
    return int(
        db.session.scalar(
            select(func.count(Attachment.id)).where(
                Attachment.complaint_id == complaint.id
            )
        )
        or 0
    )


def _ensure_open(complaint: Complaint) -> None:
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
    _ensure_open(complaint)
    if kind not in ENTRY_KINDS.get(actor.role, ()):
        raise TransitionRefused(_l("Vous ne pouvez pas ajouter ce type d'entrée."))
    if kind is EventKind.NOTE:
        visibility = Visibility.INTERNAL
    if actor.role in (Role.COMPLAINANT, Role.MEMBER):
        visibility = Visibility.PARTIES
    if kind is EventKind.HEARING and complaint.status != Status.AT_COMMISSION:
        raise TransitionRefused(
            _l("Une audition ne s'enregistre que devant la commission.")
        )
    if kind in (EventKind.MEETING, EventKind.HEARING) and occurred_on is None:
        raise FieldError(_l("Indiquez la date."), field="occurred_on")
    if occurred_on is not None and occurred_on > paris_today(now):
        raise FieldError(
            _l("La date ne peut pas être dans le futur."), field="occurred_on"
        )
    checked = files.check_all(list(uploads), already=_attachment_count(complaint))
    if not text.strip() and not checked:
        raise FieldError(_l("Écrivez un texte ou joignez un fichier."), field="text")
    written: list[str] = []
    try:
        event = _event(
            complaint,
            actor=actor,
            kind=kind,
            now=now,
            text=text,
            visibility=visibility,
            occurred_on=occurred_on,
        )
        _store_files(complaint, event, checked, written, now=now)
        complaint.updated_at = now
        if visibility is Visibility.PARTIES:
            _notify(
                complaint,
                event,
                Audience(
                    complainant=actor.role is not Role.COMPLAINANT,
                    member=actor.role is not Role.MEMBER,
                    secretariat=actor.role is not Role.SECRETARIAT,
                    commission=complaint.status == Status.AT_COMMISSION,
                    exclude_user_id=actor.user.id if actor.user else None,
                ),
                now=now,
            )
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


# ---------------------------------------------------------------- the procedure


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
    today = paris_today(now)
    target = workflow.apply(
        complaint.status,
        str(action),
        actor_role=actor.role,
        decision=decision,
        suspension_until=suspension_until,
        reason=reason,
        today=today,
    )
    chosen = Action(action)
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
    checked = files.check_all(list(uploads), already=_attachment_count(complaint))

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
        _store_files(complaint, event, checked, written, now=now)
        if workflow.is_closed(target):
            complaint.closed_at = now
        audit.record(
            actor.user,
            f"complaint.{chosen.value}",
            object_type="complaint",
            object_id=complaint.id,
            member_id=complaint.member_id,
            detail={
                "from": previous.value,
                "to": target.value,
                **({"decision": str(decision)} if decision else {}),
            },
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.remove(written)
        raise
    return complaint


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
    _ensure_open(complaint)
    if actor.role is not Role.SECRETARIAT:
        raise TransitionRefused(_l("Seul le secrétariat désigne la commission."))
    if complaint.status != Status.AT_COMMISSION:
        raise TransitionRefused(
            _l("La commission ne se compose qu'une fois saisie de la plainte.")
        )
    users = _check_seats(complaint, user_ids)
    added = _seat(complaint, users, actor=actor, now=now)
    if added:
        event = _event(
            complaint,
            actor=actor,
            kind=EventKind.SEATED,
            now=now,
            visibility=Visibility.INTERNAL,
            detail={"names": [u.full_name or u.email for u in added]},
        )
        _notify(complaint, event, Audience(users=added), now=now)
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
    _ensure_open(complaint)
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
    event = _event(
        complaint,
        actor=actor,
        kind=EventKind.RECUSED,
        now=now,
        text=note,
        visibility=Visibility.INTERNAL,
    )
    _notify(complaint, event, Audience(secretariat=True), now=now)
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
    event = _event(
        complaint,
        actor=actor,
        kind=EventKind.ADMISSIBLE,
        now=now,
        text=text,
        detail={"due_on": complaint.member_reply_due_on.isoformat()},
    )
    _notify(complaint, event, Audience(complainant=True, member=True), now=now)
    return event


def _on_inadmissible(
    complaint: Complaint, *, actor: Actor, now: datetime, reason: str, **_: Any
) -> ComplaintEvent:
    complaint.reasons = reason
    event = _event(
        complaint, actor=actor, kind=EventKind.INADMISSIBLE, now=now, text=reason
    )
    _notify(complaint, event, Audience(complainant=True), now=now)
    return event


def _on_arguments(
    complaint: Complaint, *, actor: Actor, now: datetime, text: str, **_: Any
) -> ComplaintEvent:
    event = _event(complaint, actor=actor, kind=EventKind.ARGUMENTS, now=now, text=text)
    _notify(
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
    event = _event(
        complaint, actor=actor, kind=EventKind.MEDIATION_OPENED, now=now, text=text
    )
    _notify(complaint, event, Audience(complainant=True, member=True), now=now)
    return event


def _on_agreement(
    complaint: Complaint, *, actor: Actor, now: datetime, text: str, **_: Any
) -> ComplaintEvent:
    event = _event(complaint, actor=actor, kind=EventKind.AGREEMENT, now=now, text=text)
    _notify(
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
    event = _event(complaint, actor=actor, kind=EventKind.REFERRED, now=now, text=text)
    added = _seat(complaint, seats, actor=actor, now=now)
    _event(
        complaint,
        actor=actor,
        kind=EventKind.SEATED,
        now=now,
        visibility=Visibility.INTERNAL,
        detail={"names": [u.full_name or u.email for u in added]},
    )
    _notify(
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
    event = _event(
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
    _notify(
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
    event = _event(complaint, actor=actor, kind=EventKind.WITHDRAWN, now=now, text=text)
    _notify(
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


# ---------------------------------------------------------------- scheduler


def _remember(complaint: Complaint, key: str, *, now: datetime) -> bool:
    """Record that the notice ``key`` was given; False if it already was."""
    exists = db.session.scalar(select(Reminder.id).where(Reminder.key == key))
    if exists is not None:
        return False
    db.session.add(Reminder(complaint_id=complaint.id, key=key, created_at=now))
    db.session.flush()
    return True


@dataclass
class DeadlineReport:
    reminders: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)


def _deadline_notice(
    complaint: Complaint,
    *,
    key: str,
    kind: EventKind,
    what: str,
    due_on: date,
    audience: Audience,
    now: datetime,
) -> bool:
    if not _remember(complaint, key, now=now):
        return False
    event = _event(
        complaint,
        actor=None,
        kind=kind,
        now=now,
        visibility=Visibility.INTERNAL,
        detail={"what": what, "due_on": due_on.isoformat()},
    )
    _notify(complaint, event, audience, now=now, template="mediation/email/deadline")
    return True


def watch_deadlines(now: datetime) -> DeadlineReport:
    """Remind whoever must act before a deadline, and flag late cases to the
    secretariat — once per deadline (the ``Reminder`` keys make it idempotent)."""
    report = DeadlineReport()
    today = paris_today(now)
    before = timedelta(
        days=_setting("MEDIATION_REMIND_DAYS_BEFORE", REMIND_DAYS_BEFORE)
    )
    admissibility = timedelta(
        days=_setting("MEDIATION_ADMISSIBILITY_DAYS", ADMISSIBILITY_DAYS)
    )
    commission = timedelta(days=_setting("MEDIATION_COMMISSION_DAYS", COMMISSION_DAYS))
    open_cases = db.session.scalars(
        select(Complaint)
        .where(
            _registered(),
            Complaint.status.in_(
                [Status.SUBMITTED, Status.AWAITING_MEMBER, Status.AT_COMMISSION]
            ),
        )
        .order_by(Complaint.id)
    ).all()
    for complaint in open_cases:
        notices: list[tuple[str, EventKind, str, date, Audience, list[str]]] = []
        if complaint.status == Status.SUBMITTED and complaint.verified_at:
            due = paris_today(complaint.verified_at + admissibility)
            stem = f"admissibility:{complaint.id}:{due.isoformat()}"
            if due - before <= today <= due:
                notices.append(
                    (
                        f"remind.{stem}",
                        EventKind.REMINDER,
                        "admissibility",
                        due,
                        Audience(secretariat=True),
                        report.reminders,
                    )
                )
            elif today > due:
                notices.append(
                    (
                        f"late.{stem}",
                        EventKind.LATE,
                        "admissibility",
                        due,
                        Audience(secretariat=True),
                        report.late,
                    )
                )
        elif (
            complaint.status == Status.AWAITING_MEMBER and complaint.member_reply_due_on
        ):
            due = complaint.member_reply_due_on
            stem = f"member:{complaint.id}:{due.isoformat()}"
            if due - before <= today <= due:
                notices.append(
                    (
                        f"remind.{stem}",
                        EventKind.REMINDER,
                        "member_reply",
                        due,
                        Audience(member=True),
                        report.reminders,
                    )
                )
            elif today > due:
                notices.append(
                    (
                        f"late.{stem}",
                        EventKind.LATE,
                        "member_reply",
                        due,
                        Audience(secretariat=True),
                        report.late,
                    )
                )
        elif complaint.status == Status.AT_COMMISSION and complaint.referred_at:
            due = paris_today(complaint.referred_at + commission)
            stem = f"commission:{complaint.id}:{due.isoformat()}"
            if due - before <= today <= due:
                notices.append(
                    (
                        f"remind.{stem}",
                        EventKind.REMINDER,
                        "commission",
                        due,
                        Audience(commission=True),
                        report.reminders,
                    )
                )
            elif today > due:
                notices.append(
                    (
                        f"late.{stem}",
                        EventKind.LATE,
                        "commission",
                        due,
                        Audience(secretariat=True, commission=True),
                        report.late,
                    )
                )
        for key, kind, what, due, audience, bucket in notices:
            try:
                if _deadline_notice(
                    complaint,
                    key=key,
                    kind=kind,
                    what=what,
                    due_on=due,
                    audience=audience,
                    now=now,
                ):
                    bucket.append(key)
                db.session.commit()
            except IntegrityError:
                # Another scheduler process gave this notice at the same moment.
                db.session.rollback()
                if key in bucket:
                    bucket.remove(key)
    return report


def end_suspensions(now: datetime) -> list[str]:
    """Give back the mark to members whose suspension has reached its end date.

    The mark comes back only if it is still suspended and no other case keeps
    it suspended; either way the case's timeline records the end.
    """
    today = paris_today(now)
    due = db.session.scalars(
        select(Complaint)
        .where(
            Complaint.decision == Decision.SUSPENSION,
            Complaint.suspension_until <= today,
            Complaint.suspension_ended_at.is_(None),
        )
        .order_by(Complaint.id)
    ).all()
    ended: list[str] = []
    for complaint in due:
        claimed = db.session.execute(
            update(Complaint)
            .where(
                Complaint.id == complaint.id, Complaint.suspension_ended_at.is_(None)
            )
            .values(suspension_ended_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            db.session.rollback()
            continue
        complaint.suspension_ended_at = now
        member = complaint.member
        still_suspended = db.session.scalar(
            select(func.count(Complaint.id)).where(
                Complaint.member_id == member.id,
                Complaint.id != complaint.id,
                Complaint.decision == Decision.SUSPENSION,
                Complaint.suspension_until > today,
                Complaint.suspension_ended_at.is_(None),
            )
        )
        restored = member.mark_status == MarkStatus.SUSPENDED and not still_suspended
        if restored:
            members_services.set_mark_status(
                None,
                member,
                status=MarkStatus.ACTIVE,
                reason=f"{complaint.reference} — fin de suspension",
                now=now,
                commit=False,
            )
        event = _event(
            complaint,
            actor=None,
            kind=EventKind.SUSPENSION_ENDED,
            now=now,
            detail={
                "until": complaint.suspension_until.isoformat()
                if complaint.suspension_until
                else None,
                "restored": restored,
            },
        )
        _notify(complaint, event, Audience(member=True, secretariat=True), now=now)
        audit.record(
            None,
            "complaint.suspension_end",
            object_type="complaint",
            object_id=complaint.id,
            member_id=member.id,
            detail={"restored": restored},
        )
        db.session.commit()
        ended.append(str(complaint.reference))
    return ended


def purge_expired_drafts(now: datetime, *, grace: timedelta = timedelta(days=1)) -> int:
    """Delete complaints never confirmed, and their files, once their link expired."""
    drafts = db.session.scalars(
        select(Complaint).where(
            Complaint.verified_at.is_(None),
            Complaint.verification_expires_at < now - grace,
        )
    ).all()
    if not drafts:
        return 0
    ids = [d.id for d in drafts]
    names = list(
        db.session.scalars(
            select(Attachment.storage_name).where(Attachment.complaint_id.in_(ids))
        )
    )
    for draft in drafts:
        db.session.delete(draft)
    db.session.commit()
    files.remove(names)
    return len(ids)


# ---------------------------------------------------------------- figures


def _days_between(start: Any, end: Any) -> ColumnElement[Any]:
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return cast(func.julianday(end) - func.julianday(start), Float)


def complaint_figures(
    *, since: date, until: date, member_id: int | None = None
) -> dict[str, Any]:
    """Complaint figures for the board's quality review, computed in SQL.

    The cohort is the complaints registered (e-mail verified) between ``since``
    and ``until`` inclusive (UTC days), optionally for one member; each figure
    counts what became of them. ``median_days_to_resolution`` is the median
    time from registration to closing, for the cases closed by an agreement or
    a decision (None when there is none).
    """
    start = datetime.combine(since, time.min).replace(tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time.min).replace(tzinfo=UTC)
    cohort = [
        Complaint.verified_at.is_not(None),
        Complaint.verified_at >= start,
        Complaint.verified_at < end,
    ]
    if member_id is not None:
        cohort.append(Complaint.member_id == member_id)

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            func.count(Complaint.id),
            count_if(Complaint.admitted_at.is_not(None)),
            count_if(Complaint.status == Status.INADMISSIBLE),
            count_if(Complaint.status == Status.RESOLVED),
            count_if(Complaint.referred_at.is_not(None)),
            count_if(Complaint.status == Status.WITHDRAWN),
            count_if(Complaint.status.not_in(workflow.CLOSED_STATUSES)),
        ).where(*cohort)
    ).one()
    sanctions = {decision.value: 0 for decision in Decision}
    for decision, n in db.session.execute(
        select(Complaint.decision, func.count(Complaint.id))
        .where(*cohort, Complaint.decision.is_not(None))
        .group_by(Complaint.decision)
    ):
        sanctions[Decision(str(decision)).value] = int(n)

    # The median, in SQL: number the durations, keep the middle one or two.
    days = _days_between(Complaint.verified_at, Complaint.closed_at).label("days")
    durations = (
        select(
            days,
            func.row_number().over(order_by=days).label("position"),
            func.count().over().label("total"),
        )
        .where(
            *cohort,
            Complaint.status.in_([Status.RESOLVED, Status.DECIDED]),
            Complaint.closed_at.is_not(None),
        )
        .subquery()
    )
    total = durations.c.total
    position = durations.c.position
    median = db.session.scalar(
        select(func.avg(durations.c.days)).where(
            or_(position == (total + 1) // 2, position == (total + 2) // 2)
        )
    )
    received, admissible, inadmissible, resolved, referred, withdrawn, open_ = row
    return {
        "since": since,
        "until": until,
        "member_id": member_id,
        "received": int(received),
        "admissible": int(admissible),
        "inadmissible": int(inadmissible),
        "resolved_by_mediation": int(resolved),
        "sent_to_commission": int(referred),
        "withdrawn": int(withdrawn),
        "open": int(open_),
        "decisions": sanctions,
        "sanctions": sum(sanctions[d.value] for d in workflow.SANCTIONS),
        "median_days_to_resolution": round(float(median), 1)
        if median is not None
        else None,
    }
