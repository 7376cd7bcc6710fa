"""The client agrees to a project's indicator set through an e-mailed link."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from core import audit
from core.database import utcnow
from core.extensions import db
from core.mail import queue_email
from core.security import hash_token, new_token
from core.urls import external_url
from kpi.models import Agreement, AgreementStatus, Indicator
from kpi.services.errors import KpiInputError
from kpi.services.indicators import list_indicators
from members.models import ClientContact, Member, Project, User
from members.services import get_contact

AGREEMENT_VALID_DAYS = 30
COMMENT_MAX = 4000


def set_signature(indicators: Sequence[Indicator]) -> str:
    """A fingerprint of the active set: which indicators, in which version."""
    text = ";".join(
        f"{i.id}:{i.version}" for i in sorted(indicators, key=lambda i: i.id)
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Decimal | None) -> str | None:
    """``1500``, ``0.45``: no trailing zeros, no exponent."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def describe(indicator: Indicator) -> dict[str, Any]:
    """What the client sees of an indicator (frozen in the agreement)."""
    return {
        "id": indicator.id,
        "version": indicator.version,
        "kind": indicator.kind.value,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction.value,
        "frequency": indicator.frequency.value,
        "is_ratio": indicator.is_ratio,
        "numerator_label": indicator.numerator_label,
        "denominator_label": indicator.denominator_label,
        "baseline_on": indicator.baseline_on.isoformat()
        if indicator.baseline_on
        else None,
        "baseline_value": _plain(indicator.baseline_value),
        "target_value": _plain(indicator.target_value),
    }


@dataclass
class AgreementState:
    """Where the project's set stands with the client."""

    latest: Agreement | None
    acknowledged: Agreement | None
    is_current: bool  # the acknowledged set is the set as it is now
    has_indicators: bool

    @property
    def changed_since_agreement(self) -> bool:
        return self.acknowledged is not None and not self.is_current


def agreement_state(project: Project) -> AgreementState:
    indicators = list_indicators(project.member_id, project.id, active_only=True)
    latest = db.session.scalar(
        select(Agreement)
        .where(Agreement.project_id == project.id)
        .order_by(Agreement.set_version.desc())
        .limit(1)
    )
    acknowledged = db.session.scalar(
        select(Agreement)
        .where(
            Agreement.project_id == project.id,
            Agreement.status == AgreementStatus.ACKNOWLEDGED,
        )
        .order_by(Agreement.set_version.desc())
        .limit(1)
    )
    current = acknowledged is not None and acknowledged.set_signature == set_signature(
        indicators
    )
    return AgreementState(latest, acknowledged, current, bool(indicators))


def list_agreements(project: Project) -> Sequence[Agreement]:
    return db.session.scalars(
        select(Agreement)
        .where(Agreement.project_id == project.id)
        .order_by(Agreement.set_version.desc())
    ).all()


def project_contacts(project: Project) -> Sequence[ClientContact]:
    return db.session.scalars(
        select(ClientContact)
        .where(
            ClientContact.client_id == project.client_id,
            ClientContact.opted_out_at.is_(None),
        )
        .order_by(ClientContact.name)
    ).all()


def send_agreement(
    actor: User,
    project: Project,
    *,
    contact_id: int,
    now: datetime | None = None,
) -> Agreement:
    """E-mail the current set to a client contact for agreement.

    :raises KpiInputError: no active indicator, or not a contact of this client.
    """
    now = now or utcnow()
    contact = get_contact(project.member_id, contact_id)
    if contact is None or contact.client_id != project.client_id:
        raise KpiInputError(
            _l("Choisissez un contact de ce client."), field="contact_id"
        )
    if contact.opted_out_at is not None:
        raise KpiInputError(
            _l("Ce contact ne souhaite plus recevoir de messages."), field="contact_id"
        )
    indicators = list_indicators(project.member_id, project.id, active_only=True)
    if not indicators:
        raise KpiInputError(_l("Ajoutez d'abord au moins un indicateur actif."))
    db.session.execute(
        update(Agreement)
        .where(
            Agreement.project_id == project.id,
            Agreement.status == AgreementStatus.PENDING,
        )
        .values(status=AgreementStatus.SUPERSEDED)
    )
    version = (
        db.session.scalar(
            select(func.max(Agreement.set_version)).where(
                Agreement.project_id == project.id
            )
        )
        or 0
    ) + 1
    token, token_hash = new_token()
    agreement = Agreement(
        member_id=project.member_id,
        project_id=project.id,
        contact_id=contact.id,
        set_version=version,
        set_signature=set_signature(indicators),
        snapshot=[describe(i) for i in indicators],
        token_hash=token_hash,
        status=AgreementStatus.PENDING,
        sent_by_id=actor.id,
        sent_at=now,
        expires_at=now + timedelta(days=AGREEMENT_VALID_DAYS),
    )
    db.session.add(agreement)
    db.session.flush()
    member = db.session.get(Member, project.member_id)
    queue_email(
        to=contact.email,
        template="kpi/email/agreement",
        context={
            "contact": contact,
            "member": member,
            "project": project,
            "sender": actor,
            "count": len(indicators),
            "link": external_url("kpi.agreement_open", token=token),
            "days": AGREEMENT_VALID_DAYS,
        },
        locale=contact.locale,
        key=f"kpi.agreement:{token_hash}",
        now=now,
    )
    audit.record(
        actor,
        "agreement.send",
        object_type="agreement",
        object_id=agreement.id,
        member_id=project.member_id,
        detail={"project_id": project.id, "version": version, "contact_id": contact.id},
    )
    db.session.commit()
    return agreement


def find_by_token(token: str, *, now: datetime | None = None) -> Agreement | None:
    """The agreement this link opens, or None (unknown, expired or replaced)."""
    now = now or utcnow()
    if len(token) > 200:
        return None
    found = db.session.scalar(
        select(Agreement).where(Agreement.token_hash == hash_token(token))
    )
    if found is None or found.status == AgreementStatus.SUPERSEDED:
        return None
    if found.expires_at <= now and found.status == AgreementStatus.PENDING:
        return None
    return found


def get_agreement(agreement_id: int) -> Agreement | None:
    found = db.session.get(Agreement, agreement_id)
    if found is None or found.status == AgreementStatus.SUPERSEDED:
        return None
    return found


def mark_opened(agreement: Agreement, *, now: datetime | None = None) -> None:
    if agreement.opened_at is None:
        agreement.opened_at = now or utcnow()
        db.session.commit()


def answer_agreement(
    agreement: Agreement,
    *,
    acknowledge: bool,
    comment: str | None,
    now: datetime | None = None,
) -> None:
    """Record the client's acknowledgement or comment (one answer per sending).

    :raises KpiInputError: already answered, or a comment is needed.
    """
    now = now or utcnow()
    if agreement.status != AgreementStatus.PENDING:
        raise KpiInputError(_l("Votre réponse est déjà enregistrée. Merci !"))
    if agreement.expires_at <= now:
        raise KpiInputError(_l("Ce lien a expiré : demandez un nouvel envoi."))
    text = (comment or "").strip()[:COMMENT_MAX] or None
    if not acknowledge and text is None:
        raise KpiInputError(
            _l("Écrivez votre commentaire avant de l'envoyer."), field="comment"
        )
    agreement.comment = text
    if acknowledge:
        agreement.status = AgreementStatus.ACKNOWLEDGED
        agreement.acknowledged_at = now
    else:
        agreement.status = AgreementStatus.COMMENTED
        agreement.commented_at = now
    audit.record(
        None,
        "agreement.acknowledge" if acknowledge else "agreement.comment",
        object_type="agreement",
        object_id=agreement.id,
        member_id=agreement.member_id,
        detail={"contact_id": agreement.contact_id, "version": agreement.set_version},
    )
    db.session.commit()
