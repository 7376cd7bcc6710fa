"""An action's trigger in words, in the reader's language (pages and exports)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import format_date, format_decimal, gettext

from improvement.models import ImprovementAction, SourceType


def _number(text: object) -> str:
    try:
        return str(format_decimal(Decimal(str(text))))
    except (InvalidOperation, ValueError):
        return "–"


def _day(text: object) -> str:
    try:
        return str(format_date(date.fromisoformat(str(text))))
    except ValueError:
        return "–"


def _(text: str, **values: object) -> str:
    return str(gettext(text, **values))


def describe(action: ImprovementAction) -> str:
    """What opened ``action``, in one sentence."""
    detail = action.source_detail or {}
    project = detail.get("project") or "–"
    if action.source_type == SourceType.DETRACTOR:
        if detail.get("score") is None:
            return _("Réponse détractrice — projet %(project)s", project=project)
        return _(
            "Réponse détractrice (recommandation %(score)s sur 10) — projet %(project)s",
            score=detail["score"],
            project=project,
        )
    if action.source_type == SourceType.INDICATOR:
        periods = list(detail.get("periods") or ["", ""])
        values = list(detail.get("values") or [None, None])
        unit = detail.get("unit") or ""
        return _(
            "%(indicator)s — projet %(project)s : %(first)s puis %(second)s %(unit)s "
            "(périodes du %(start)s et du %(end)s) pour une cible de %(target)s",
            indicator=detail.get("indicator") or "–",
            project=project,
            first=_number(values[0]),
            second=_number(values[-1]),
            unit=unit,
            start=_day(periods[0]),
            end=_day(periods[-1]),
            target=_number(detail.get("target")),
        ).replace("  ", " ")
    reference = detail.get("reference") or "–"
    if detail.get("project"):
        return _(
            "Plainte %(reference)s déclarée recevable — projet %(project)s",
            reference=reference,
            project=project,
        )
    return _("Plainte %(reference)s déclarée recevable", reference=reference)
