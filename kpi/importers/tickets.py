"""Counting tickets (GLPI, Jira): per opening day, all types, incidents, and per type.

"Incident" is a ticket *type* (GLPI's ``Incident``/``Incidencia``/``Incidente``,
Jira Service Management's ``Incident``), read through the vocabulary; nothing else
is counted as one — a ``Bug`` is a type of its own. A file without a type column
gives the tickets of all types and says why there are no incidents.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers import vocabulary
from kpi.importers.base import ParsedExport, RejectedRow
from kpi.importers.cells import RowError, missing_cells_error
from kpi.importers.series import SeriesBuilder
from kpi.importers.tables import Record, reject
from kpi.kinds import IndicatorKind

_ONE = Decimal(1)
_SLUG_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class TicketColumns:
    """Where the type and the opening date of a ticket are (0-based)."""

    opened_at: int
    type_at: int | None


def header_columns(header: Sequence[str], *opened: str) -> TicketColumns | None:
    """The ticket columns of ``header`` (``opened``: the date concepts to try)."""
    opened_at = next(
        (
            position
            for concept in opened
            if (position := vocabulary.find(header, concept)) is not None
        ),
        None,
    )
    if opened_at is None:
        return None
    return TicketColumns(opened_at, vocabulary.find(header, "ticket:type"))


def _slug(text: str) -> str:
    return _SLUG_RE.sub("-", vocabulary.fold(text)).strip("-") or "sans-type"


def count_tickets(
    rows: Iterable[Record | RejectedRow],
    columns: TicketColumns,
    *,
    parse_opened: Callable[[str, int], date],
    export: ParsedExport,
    by_type: bool = False,
) -> list[SeriesBuilder]:
    """Count tickets, incidents and (``by_type``) each type per opening day."""
    incidents = SeriesBuilder(
        "incidents",
        _l("Incidents (tickets de type « Incident »)"),
        IndicatorKind.INCIDENTS,
        "",
        "day",
    )
    tickets = SeriesBuilder(
        "tickets", _l("Tickets (tous types)"), IndicatorKind.CUSTOM, "", "day"
    )
    types: dict[str, SeriesBuilder] = {}
    seen: Counter[str] = Counter()
    needed = max(columns.opened_at, columns.type_at or 0) + 1
    for item in rows:
        if isinstance(item, RejectedRow):
            export.rejected.append(item)
            continue
        try:
            if len(item.cells) < needed:
                raise missing_cells_error(item.line, len(item.cells), needed)
            day = parse_opened(item.get(columns.opened_at), item.line)
        except RowError as error:
            reject(export.rejected, item, error)
            continue
        tickets.add(day, _ONE, item.line)
        if columns.type_at is None:
            continue
        kind = " ".join(item.get(columns.type_at).split())
        seen[kind] += 1
        if vocabulary.is_word(kind, "type:incident"):
            incidents.add(day, _ONE, item.line)
        elif by_type:
            key = f"type-{_slug(kind)}"
            if key not in types:
                types[key] = SeriesBuilder(
                    key,
                    _l("Tickets de type « %(type)s »", type=kind or "—"),
                    IndicatorKind.CUSTOM,
                    "",
                    "day",
                )
            types[key].add(day, _ONE, item.line)
    export.warnings.extend(_explain(columns, seen, tickets.total()))
    return [incidents, tickets, *types.values()]


def _explain(columns: TicketColumns, seen: Counter[str], total: Decimal) -> list[str]:
    """What the preview must say about incidents."""
    if not total:
        return []
    if columns.type_at is None:
        return [
            str(
                _l(
                    "Ce fichier n'a pas de colonne « Type » : les incidents ne peuvent "
                    "pas être distingués des demandes, seuls les tickets (tous types) "
                    "sont comptés. Ajoutez la colonne Type à l'export pour compter "
                    "les incidents."
                )
            )
        ]
    counted = sum(
        n for kind, n in seen.items() if vocabulary.is_word(kind, "type:incident")
    )
    others = [
        (kind, n)
        for kind, n in seen.most_common()
        if not vocabulary.is_word(kind, "type:incident")
        and not vocabulary.is_word(kind, "type:request")
    ]
    if not others and counted:
        return []
    found = ", ".join(f"{kind or '—'} ({n})" for kind, n in seen.most_common(8))
    return [
        str(
            _l(
                "Incidents : seuls les tickets de type « Incident » sont comptés "
                "(%(counted)d sur %(total)d). Types trouvés : %(types)s.",
                counted=counted,
                total=int(total),
                types=found,
            )
        )
    ]
