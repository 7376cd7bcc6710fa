"""Helpers shared by the KPI services: amounts, periods, tenancy look-ups."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from kpi.importers import MAX_ABS_VALUE, MAX_DECIMALS, parse_number
from kpi.models import Indicator
from kpi.periods import period_start_for
from kpi.rules import (
    negative_refused,
    outside_project,
)
from kpi.rules import (
    outside_project_warning as _warning,
)
from kpi.services.errors import KpiInputError
from members.models import Project
from members.services import get_project

__all__ = [
    "check_amount",
    "get_indicator",
    "get_project",
    "outside_project_warning",
    "parse_amount",
]

_ORDER = {"day": 0, "week": 1, "month": 2}


def finer_or_equal(source: str, target: str) -> bool:
    """True when periods of ``source`` fit inside periods of ``target``."""
    return _ORDER[source] <= _ORDER[target]


def check_amount(
    value: Decimal, *, field: str | None = None, allow_negative: bool = True
) -> Decimal:
    """``value`` if a measurement column can hold it exactly.  :raises KpiInputError:"""
    if not value.is_finite():
        raise KpiInputError(_l("Ce nombre n'est pas lisible."), field=field)
    if abs(value) >= MAX_ABS_VALUE:
        raise KpiInputError(
            _l(
                "Nombre trop grand : un indicateur enregistre des valeurs inférieures "
                "à 100 milliards."
            ),
            field=field,
        )
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        # Trailing zeros are not decimals: 1.50000 is 1.5.
        exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise KpiInputError(
            _l(
                "Trop de décimales : %(max)d au plus (rien n'est arrondi en silence).",
                max=MAX_DECIMALS,
            ),
            field=field,
        )
    if value < 0 and not allow_negative:
        raise KpiInputError(negative_refused(), field=field)
    return value


def parse_amount(
    text: str | None, *, field: str | None = None, allow_negative: bool = True
) -> Decimal | None:
    """A number typed as ``1 234,5`` or ``1,234.5``; None when blank.

    :raises KpiInputError: unreadable, too large or too precise.
    """
    if text is None or not str(text).strip():
        return None
    try:
        value = parse_number(str(text))
    except ValueError:
        raise KpiInputError(
            _l(
                "« %(text)s » n'est pas un nombre lisible (exemples : 1 234,5 ou "
                "1,234.5).",
                text=str(text)[:40],
            ),
            field=field,
        ) from None
    return check_amount(value, field=field, allow_negative=allow_negative)


def get_indicator(member_id: int | None, indicator_id: int) -> Indicator | None:
    """The member's indicator, or None (another member's indicator is not found)."""
    if member_id is None:
        return None
    return db.session.scalar(
        select(Indicator).where(
            Indicator.id == indicator_id, Indicator.member_id == member_id
        )
    )


def project_of(indicator: Indicator) -> Project:
    project = db.session.get(Project, indicator.project_id)
    assert project is not None
    return project


def in_project_span(project: Project, period_start: date, frequency: str) -> bool:
    """True when the period overlaps the project's dates."""
    return not outside_project(
        period_start, frequency, starts_on=project.starts_on, ends_on=project.ends_on
    )


def outside_project_warning(indicator: Indicator, days: Iterable[date]) -> str | None:
    """The warning of :mod:`kpi.rules` when some of these periods are outside the
    project's dates (the values are stored anyway), else None."""
    project = project_of(indicator)
    frequency = indicator.frequency.value
    outside = sorted(
        start
        for start in {period_start_for(day, frequency) for day in days}
        if outside_project(
            start, frequency, starts_on=project.starts_on, ends_on=project.ends_on
        )
    )
    if not outside:
        return None
    return str(
        _warning(
            indicator.name,
            outside,
            frequency,
            starts_on=project.starts_on,
            ends_on=project.ends_on,
        )
    )
