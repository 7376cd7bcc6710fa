"""Propriété des services: deliveries at each significant step, and the source
code at closing (handed over, deposited with a trusted third party, or excluded
by a clause of the contract)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from members.models import Project, User
from records.errors import RecordsError
from records.models import Delivery, Handover, HandoverMode
from records.services.common import check_past, check_text, log, today_or


def add_delivery(
    actor: User,
    project: Project,
    *,
    label: str,
    delivered_on: date,
    today: date | None = None,
) -> Delivery:
    """Record work handed to the client. :raises RecordsError:"""
    delivery = Delivery(
        project_id=project.id,
        member_id=project.member_id,
        label=check_text(label, "label", limit=300),
        delivered_on=check_past(delivered_on, "delivered_on", today=today_or(today)),
    )
    db.session.add(delivery)
    db.session.flush()
    log(
        actor,
        "delivery.add",
        project,
        object_type="records_delivery",
        object_id=delivery.id,
        detail={"label": delivery.label},
    )
    db.session.commit()
    return delivery


def handover_of(project: Project) -> Handover | None:
    return db.session.scalar(select(Handover).where(Handover.project_id == project.id))


def set_handover(
    actor: User,
    project: Project,
    *,
    mode: HandoverMode,
    handed_on: date | None,
    recipient: str,
    clause: str,
    today: date | None = None,
) -> Handover:
    """Record what became of the source code. :raises RecordsError:"""
    recipient = check_text(
        recipient, "recipient", limit=200, required=mode == HandoverMode.THIRD_PARTY
    )
    clause = check_text(
        clause, "clause", limit=1000, required=mode == HandoverMode.EXCLUDED
    )
    if mode != HandoverMode.EXCLUDED:
        if handed_on is None:
            raise RecordsError(
                _l("Indiquez la date de remise des codes sources."), field="handed_on"
            )
        check_past(handed_on, "handed_on", today=today_or(today))
    handover = handover_of(project)
    if handover is None:
        handover = Handover(
            project_id=project.id, member_id=project.member_id, mode=mode
        )
        db.session.add(handover)
    handover.mode = mode
    handover.handed_on = handed_on if mode != HandoverMode.EXCLUDED else None
    handover.recipient = recipient if mode == HandoverMode.THIRD_PARTY else ""
    handover.clause = clause if mode == HandoverMode.EXCLUDED else ""
    db.session.flush()
    log(
        actor,
        "handover.set",
        project,
        object_type="records_handover",
        object_id=handover.id,
        detail={"mode": mode.value},
    )
    db.session.commit()
    return handover
