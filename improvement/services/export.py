"""The member's register as a file's rows (the dialect, dates and formula
guard are :mod:`core.exports`'); every export is logged."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from core import audit
from core.exports import Table, Value
from core.extensions import db
from improvement.describe import describe
from improvement.models import SOURCE_LABELS, STATE_LABELS, ImprovementAction
from improvement.services.actions import Which, list_actions
from members.models import User


def export_table(
    actor: User, member_id: int, *, which: Which, today: date, fmt: str
) -> Table:
    """The listed actions, one row each in the reader's words; the export is
    recorded in the audit log."""
    rows = [_row(a, today) for a in list_actions(member_id, which=which, today=today)]
    audit.record(
        actor,
        "improvement.exported",
        object_type="improvement_action",
        object_id=None,
        member_id=member_id,
        detail={"which": which, "format": fmt},
    )
    db.session.commit()
    return Table(name=f"actions-amelioration-{which}", headers=_headers(), rows=rows)


def _headers() -> list[str]:
    return [
        _("N°"),
        _("Ouverte le"),
        _("Origine"),
        _("Déclencheur"),
        _("État"),
        _("En retard"),
        _("Cause"),
        _("Action"),
        _("Responsable"),
        _("Échéance"),
        _("Résultat"),
        _("Effet constaté"),
        _("Date de l'effet"),
        _("Close le"),
    ]


def _row(action: ImprovementAction, today: date) -> list[Value]:
    owner = action.owner
    return [
        action.id,
        action.opened_at,
        str(SOURCE_LABELS[action.source_type]),
        describe(action),
        str(STATE_LABELS[action.state]),
        action.is_late(today),
        action.cause,
        action.action,
        "" if owner is None else (owner.full_name or owner.email),
        action.due_on,
        action.result,
        action.effect,
        action.effect_on,
        action.closed_at,
    ]
