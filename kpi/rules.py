"""The rules a value of an indicator must meet, whatever way it enters: the
form, a file import (web or ``flask kpi import``) and the API all call these
functions, so that a value refused by one is refused by all, with the same
message.

- **Sign per kind**: audiences, incidents and clicks are counts; the components
  of a ratio are money, durations and counts: none can be negative. Only a
  custom indicator (a balance, a variation…) may be.
- **Periods**: not after the current period (a value for 2031 would then drive
  the indicator's status), not before :data:`core.dates.EARLIEST`; outside the
  project's dates is only flagged (a warning, not a refusal).

Pure: no Flask app needed beyond translated messages, no database.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import LazyString, format_decimal
from flask_babel import lazy_gettext as _l

from core.dates import EARLIEST
from kpi.kinds import IndicatorKind
from kpi.periods import period_end_for, period_start_for

#: Kinds whose value is a count (never negative). Ratio kinds (cost per click,
#: reading time) have non-negative components; a custom indicator may be negative.
COUNT_KINDS = frozenset(
    {IndicatorKind.AUDIENCE, IndicatorKind.INCIDENTS, IndicatorKind.CLICKS}
)


def negative_refused() -> LazyString:
    """The one message for a negative count, amount or duration."""
    return _l("Valeur négative refusée : ce nombre se compte à partir de 0.")


def may_be_negative(kind: IndicatorKind, *, is_ratio: bool) -> bool:
    """True when a value of this kind of indicator may be below 0."""
    return not is_ratio and kind not in COUNT_KINDS


def sign_problem(
    kind: IndicatorKind,
    *,
    is_ratio: bool,
    value: Decimal | None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
) -> tuple[str, LazyString] | None:
    """The field and the reason when a number has the wrong sign, else None."""
    if is_ratio:
        for name, number in (("numerator", numerator), ("denominator", denominator)):
            if number is not None and number < 0:
                return name, negative_refused()
        return None
    if value is not None and value < 0 and kind in COUNT_KINDS:
        return "value", negative_refused()
    return None


def period_label(start: date, frequency: str) -> str:
    """How a period is named in messages: ``2026-03`` for a month, else its day."""
    if frequency == "month":
        return f"{start.year:04d}-{start.month:02d}"  # strftime writes year 1 as "1"
    return start.isoformat()


def period_problem(start: date, frequency: str, *, today: date) -> LazyString | None:
    """Why no value can be stored for the period starting on ``start``, or None.

    The current period is accepted (a value to date); a later one is not.
    """
    label = period_label(start, frequency)
    if start > period_start_for(today, frequency):
        return _l(
            "La période %(period)s n'a pas encore commencé : une valeur se saisit "
            "pour la période en cours ou une période passée.",
            period=label,
        )
    if period_end_for(start, frequency) < EARLIEST:
        return _l(
            "La période %(period)s est antérieure à %(floor)s : vérifiez l'année.",
            period=label,
            floor=period_label(EARLIEST, "month"),
        )
    return None


def outside_project(
    start: date, frequency: str, *, starts_on: date, ends_on: date | None
) -> bool:
    """True when the period does not overlap the project's dates."""
    if period_end_for(start, frequency) < starts_on:
        return True
    return ends_on is not None and start > ends_on


def outside_project_warning(
    name: str,
    starts: list[date],
    frequency: str,
    *,
    starts_on: date,
    ends_on: date | None,
) -> LazyString:
    """The one warning for values outside the project's dates (stored anyway)."""
    return _l(
        "« %(name)s » : %(count)d valeur(s) hors de la période du projet "
        "(du %(start)s au %(end)s), par exemple %(example)s. Elles sont "
        "enregistrées ; vérifiez la période.",
        name=name,
        count=len(starts),
        start=starts_on.isoformat(),
        end=ends_on.isoformat() if ends_on else "…",
        example=period_label(starts[0], frequency),
    )


def shown_number(value: Decimal | None) -> str:
    """A stored number as a person reads it in messages (``1 234,5`` in French)."""
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return str(format_decimal(int(value), format="#,##0"))
    return str(format_decimal(value, format="#,##0.####"))


def value_exists(
    start: date,
    frequency: str,
    *,
    value: Decimal | None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
) -> LazyString:
    """The one message for a period that already has a different value."""
    shown = shown_number(value)
    if numerator is not None or denominator is not None:
        shown = f"{shown} = {shown_number(numerator)} ÷ {shown_number(denominator)}"
    return _l(
        "Une valeur existe déjà pour %(period)s (%(value)s).",
        period=period_label(start, frequency),
        value=shown,
    )
