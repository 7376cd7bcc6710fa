"""Filing a complaint: the public form's draft, its e-mail verification that
registers it, and the private follow-up link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core import audit
from core.extensions import db
from core.mail import queue_email
from core.security import hash_token, new_token
from core.urls import external_url
from mediation import files
from mediation.errors import FieldError, LinkInvalid
from mediation.models import Complaint, EventKind
from mediation.services.access import Actor, registered
from mediation.services.delays import paris_today
from mediation.services.entries import record_event, store_files
from mediation.services.notifications import mail_user, secretariat_users
from mediation.workflow import Status
from members import services as members_services
from members.models import MarkStatus, Member, Project

VERIFICATION_HOURS = 48
PENDING_DRAFTS_PER_EMAIL = 3


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
    _check_pending_drafts(email, now=now)
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
        event = record_event(
            complaint,
            actor=Actor.complainant(complaint),
            kind=EventKind.FILED,
            now=now,
        )
        store_files(complaint, event, checked, written, now=now)
        _send_verification(complaint, member, token, now=now)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.remove(written)
        raise
    return complaint


def _check_pending_drafts(email: str, *, now: datetime) -> None:
    """:raises FieldError: too many complaints from ``email`` await confirmation."""
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


def _send_verification(
    complaint: Complaint, member: Member, token: str, *, now: datetime
) -> None:
    queue_email(
        to=complaint.complainant_email,
        template="mediation/email/verify",
        context={
            "complaint": complaint,
            "member": member,
            "link": external_url("mediation.verify", token=token),
            "hours": VERIFICATION_HOURS,
        },
        locale=complaint.complainant_locale,
        key=f"mediation.verify:{complaint.verification_token_hash}",
        now=now,
    )


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
    complaint = _by_verification_token(token, now=now)
    if complaint.verified_at is not None:
        return Verified(complaint, None, already=True)
    for attempt in range(3):
        access_token = _claim_registration(complaint, now=now)
        if access_token is None:
            return Verified(complaint, None, already=True)
        try:
            _acknowledge(complaint, access_token, now=now)
            audit.record(
                None,
                "complaint.verify",
                object_type="complaint",
                object_id=complaint.id,
                member_id=complaint.member_id,
                detail={"reference": complaint.reference},
            )
            db.session.commit()
        except IntegrityError:
            # Another complaint took this reference at the same moment: the
            # registration is tried again (a new transaction) with the next one.
            db.session.rollback()
            db.session.refresh(complaint)
            if attempt == 2:
                raise
            continue
        return Verified(complaint, access_token)
    raise AssertionError("unreachable")  # pragma: no cover


def _by_verification_token(token: str, *, now: datetime) -> Complaint:
    """The complaint whose verification link carries ``token`` (registered or a
    draft whose link is still valid). :raises LinkInvalid:"""
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
        return complaint
    assert complaint.verification_expires_at is not None
    if complaint.verification_expires_at <= now:
        raise LinkInvalid(
            _l("Ce lien de confirmation a expiré : déposez à nouveau votre plainte.")
        )
    return complaint


def _claim_registration(complaint: Complaint, *, now: datetime) -> str | None:
    """Give the draft its reference and a follow-up link (not committed); the
    link's token, or None when the link was used meanwhile (rolled back)."""
    access_token, access_hash = new_token()
    reference = _next_reference(now)
    # The conditional UPDATE is the guard against the link opened twice at once.
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
        return None
    complaint.verified_at = now
    complaint.reference = reference
    complaint.access_token_hash = access_hash
    complaint.updated_at = now
    return access_token


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
    for user in secretariat_users():
        mail_user(
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
            registered(),
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
