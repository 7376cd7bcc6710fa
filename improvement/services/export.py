"""The member's register as CSV: ``;`` and a BOM for French spreadsheets,
words not codes, formulas neutralised (PITFALLS.md §17)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from flask_babel import gettext as _

from core import audit
from core.dates import PARIS
from core.extensions import db
from improvement.describe import describe
from improvement.models import SOURCE_LABELS, STATE_LABELS, ImprovementAction
from improvement.services.actions import Which, list_actions
from members.models import User

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_csv(
    actor: User,
    member_id: int,
    *,
    which: Which,
    today: date,
    locale: str,
) -> bytes:
    """The listed actions, one line each in the reader's language; the export
    is recorded in the audit log."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if locale == "fr" else ",")
    writer.writerow(
        [
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
    )
    for action in list_actions(member_id, which=which, today=today):
        writer.writerow(_cell(v) for v in _row(action, today))
    audit.record(
        actor,
        "improvement.exported",
        object_type="improvement_action",
        object_id=None,
        member_id=member_id,
        detail={"which": which},
    )
    db.session.commit()
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _local(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")


def _row(action: ImprovementAction, today: date) -> list[object]:
    owner = action.owner
    return [
        action.id,
        _local(action.opened_at),
        str(SOURCE_LABELS[action.source_type]),
        describe(action),
        str(STATE_LABELS[action.state]),
        _("oui") if action.is_late(today) else _("non"),
        action.cause,
        action.action,
        "" if owner is None else (owner.full_name or owner.email),
        "" if action.due_on is None else action.due_on.isoformat(),
        action.result,
        action.effect,
        "" if action.effect_on is None else action.effect_on.isoformat(),
        _local(action.closed_at),
    ]
