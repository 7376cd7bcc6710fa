"""Removing a record typed by mistake. What the client was told stays: a price or
deadline change and a follow-up e-mailed to the client are evidence."""

from __future__ import annotations

from typing import cast

from flask_babel import lazy_gettext as _l

from core.extensions import db
from members.models import Project, User
from records.errors import RecordNotFound, RecordsError
from records.models import (
    BackupPlan,
    Change,
    ClientItem,
    Delivery,
    FollowUp,
    Licence,
    Technology,
)
from records.services.common import log

#: The kinds of record a URL names, and their models.
Removable = (
    ClientItem | Change | FollowUp | Delivery | Technology | BackupPlan | Licence
)
REMOVABLE: dict[str, type[Removable]] = {
    "items": ClientItem,
    "changes": Change,
    "follow-ups": FollowUp,
    "deliveries": Delivery,
    "technologies": Technology,
    "backups": BackupPlan,
    "licences": Licence,
}


def remove_record(actor: User, project: Project, kind: str, record_id: int) -> None:
    """Delete one of the project's records. :raises RecordsError:"""
    model = REMOVABLE.get(kind)
    record = (
        cast(Removable | None, db.session.get(model, record_id))
        if model is not None
        else None
    )
    if record is None or record.project_id != project.id:
        raise RecordNotFound(_l("Enregistrement introuvable."))
    if isinstance(record, Change):
        raise RecordsError(
            _l(
                "Un changement annoncé au client reste au dossier : enregistrez "
                "plutôt le changement qui le corrige."
            )
        )
    if isinstance(record, FollowUp) and record.sent_at is not None:
        raise RecordsError(_l("Ce suivi a été envoyé au client : il reste au dossier."))
    db.session.delete(record)
    log(
        actor,
        "record.remove",
        project,
        object_type=record.__tablename__,
        object_id=record_id,
    )
    db.session.commit()
