"""Demo complaints in different states on the demo members (idempotent).

Nobody is excluded or suspended: the registry keeps every demo member.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.database import utcnow
from core.extensions import db
from core.security import Role as UserRole
from core.security import hash_token
from mediation import services
from mediation.models import Complaint, EventKind, Visibility
from mediation.services import Actor
from mediation.workflow import Action, Decision, Role
from members.demo import BOARD_EMAIL, MEMBERS, SECRETARIAT_EMAIL, _slug
from members.models import Member, User

# (complainant e-mail, member index, name, company, facts, expectations, stage)
COMPLAINTS = [
    (
        "sophie.blanc@boulangerie-vieux-gap.example",
        0,
        "Sophie Blanc",
        "Boulangerie du Vieux Gap",
        "Le site vitrine devait être livré en mars ; en juin il n'est toujours pas "
        "en ligne et nos relances restent sans réponse.",
        "Une date de mise en ligne ferme et un geste commercial.",
        "submitted",
    ),
    (
        "gerant@gites-blanche.example",
        1,
        "Marc Olivier",
        "Gîtes de la Blanche",
        "Trois coupures de l'hébergement en haute saison, sans information ni "
        "compte-rendu d'incident.",
        "Un compte-rendu des incidents et un avoir sur l'abonnement.",
        "in_mediation",
    ),
    (
        "direction@transports-roux.example",
        2,
        "Nadia Roux",
        "Transports Alpins Roux",
        "Le contrat de maintenance a été augmenté de 40 % sans préavis, contrairement "
        "à la charte (maîtrise des coûts).",
        "L'application du tarif convenu jusqu'à la fin du contrat.",
        "warning",
    ),
]


def load(scale: str) -> str:
    """Add the demo complaints that are missing; say what was done."""
    secretary = db.session.scalar(select(User).where(User.email == SECRETARIAT_EMAIL))
    board = db.session.scalar(select(User).where(User.email == BOARD_EMAIL))
    if secretary is None or board is None:
        return "skipped (load the members demo first)"
    created = 0
    now = utcnow() - timedelta(days=20)
    staff = Actor.of_user(secretary, Role.SECRETARIAT)
    for email, index, name, company, facts, expectations, stage in COMPLAINTS:
        member = _member_to_complain_about(email, index)
        if member is None:
            continue
        complaint = services.file_complaint(
            name=name,
            company=company,
            email=email,
            locale="fr",
            member_id=member.id,
            project_id=None,
            project_label="",
            facts=facts,
            expectations=expectations,
            now=now,
        )
        token = _demo_token(complaint)
        services.verify_complaint(token, now=now + timedelta(hours=1))
        created += 1
        if stage == "submitted":
            continue
        _mediate(complaint, member, staff=staff, now=now)
        if stage == "in_mediation":
            continue
        _decide(complaint, staff=staff, board=board, now=now)
    return f"{created} new complaints"


def _member_to_complain_about(email: str, index: int) -> Member | None:
    """The demo member of a complaint not loaded yet (None: loaded, or no member)."""
    exists = db.session.scalar(
        select(Complaint.id).where(Complaint.complainant_email == email)
    )
    if exists is not None:
        return None
    return db.session.scalar(select(Member).where(Member.name == MEMBERS[index][0]))


def _mediate(
    complaint: Complaint, member: Member, *, staff: Actor, now: datetime
) -> None:
    """Admissible, the member's arguments (or mediation opened), a meeting, a note."""
    services.perform(
        complaint,
        Action.DECLARE_ADMISSIBLE,
        actor=staff,
        reply_days=15,
        text="Plainte recevable : l'adhérent est invité à présenter ses arguments.",
        now=now + timedelta(days=2),
    )
    member_admin = db.session.scalar(
        select(User).where(
            User.email == f"admin@{_slug(member.name)}.example",
            User.role == UserRole.MEMBER_ADMIN,
        )
    )
    if member_admin is not None:
        services.perform(
            complaint,
            Action.SUBMIT_ARGUMENTS,
            actor=Actor.of_user(member_admin, Role.MEMBER),
            text="Nous reconnaissons un défaut d'information et proposons un "
            "échange pour trouver une solution.",
            now=now + timedelta(days=5),
        )
    else:
        services.perform(
            complaint,
            Action.START_MEDIATION,
            actor=staff,
            now=now + timedelta(days=5),
        )
    services.add_entry(
        complaint,
        actor=staff,
        kind=EventKind.MEETING,
        text="Réunion de médiation en visioconférence avec les deux parties.",
        occurred_on=(now + timedelta(days=8)).date(),
        now=now + timedelta(days=8),
    )
    services.add_entry(
        complaint,
        actor=staff,
        kind=EventKind.NOTE,
        visibility=Visibility.INTERNAL,
        text="Les deux parties semblent prêtes à un compromis.",
        now=now + timedelta(days=8, hours=1),
    )


def _decide(complaint: Complaint, *, staff: Actor, board: User, now: datetime) -> None:
    """Referred to the commission, which gives a warning."""
    services.perform(
        complaint,
        Action.REFER_TO_COMMISSION,
        actor=staff,
        seat_user_ids=[board.id],
        text="La médiation n'a pas abouti.",
        now=now + timedelta(days=12),
    )
    services.perform(
        complaint,
        Action.DECIDE,
        actor=Actor.of_user(board, Role.BOARD),
        decision=Decision.WARNING,
        reason="Hausse tarifaire sans préavis, contraire à la charte.",
        now=now + timedelta(days=18),
    )


def _demo_token(complaint: Complaint) -> str:
    """Give the demo draft a known verification token (its hash is what we store)."""
    token = f"demo-verify-{complaint.id}-{complaint.complainant_email}"
    complaint.verification_token_hash = hash_token(token)
    db.session.commit()
    return token
