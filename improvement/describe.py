"""An action's trigger in words, in the reader's language (pages and exports)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

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


RECORD_SOURCES = frozenset(
    {
        SourceType.LATE_ITEM,
        SourceType.SHORT_NOTICE,
        SourceType.COMPONENT,
        SourceType.LICENCE,
    }
)


def _record(source: SourceType, detail: dict[str, Any], project: str) -> str:
    """A flagged record of the project, in one sentence."""
    if source == SourceType.LATE_ITEM:
        return _(
            "Élément critique « %(label)s » attendu du client le %(due)s, non "
            "fourni — projet %(project)s",
            label=detail.get("label") or "–",
            due=_day(detail.get("due_on")),
            project=project,
        )
    if source == SourceType.SHORT_NOTICE:
        announced, effective = detail.get("announced_on"), detail.get("effective_on")
        try:
            notice = (
                date.fromisoformat(str(effective)) - date.fromisoformat(str(announced))
            ).days
        except ValueError:
            notice = 0
        return _(
            "Changement « %(summary)s » annoncé le %(announced)s pour le "
            "%(effective)s (%(days)s jours de préavis) — projet %(project)s",
            summary=detail.get("summary") or "–",
            announced=_day(announced),
            effective=_day(effective),
            days=notice,
            project=project,
        )
    if source == SourceType.COMPONENT:
        name = " ".join(
            part for part in (detail.get("name"), detail.get("version")) if part
        )
        return _(
            "%(component)s : fin de support le %(end)s, client non prévenu — "
            "projet %(project)s",
            component=name or "–",
            end=_day(detail.get("end_of_support_on")),
            project=project,
        )
    return _(
        "Licence « %(name)s » renouvelée le %(renews)s sans rappel au client — "
        "projet %(project)s",
        name=detail.get("name") or "–",
        renews=_day(detail.get("renews_on")),
        project=project,
    )


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
    if action.source_type in RECORD_SOURCES:
        return _record(action.source_type, detail, project)
    reference = detail.get("reference") or "–"
    if detail.get("project"):
        return _(
            "Plainte %(reference)s déclarée recevable — projet %(project)s",
            reference=reference,
            project=project,
        )
    return _("Plainte %(reference)s déclarée recevable", reference=reference)
