"""Plausible dates, one rule for every date a person types or a program sends.

A project that starts on ``0001-01-01``, a charter signed in 1899 or a mediation
meeting held in 1900 are typing mistakes: every feature refuses them with the
same message, and refuses dates too far ahead. Pure: dates in, a translated
reason (or None) out; the features raise it as their own error.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

#: No date the application records (projects, signatures, mediation, values of
#: indicators) comes before this one: the association and its charter are younger.
EARLIEST = date(2000, 1, 1)
#: The association's calendar.
PARIS = ZoneInfo("Europe/Paris")


def local_today(now: datetime | None = None) -> date:
    """The association's calendar date at ``now`` (the clock when None)."""
    return (now or datetime.now(PARIS)).astimezone(PARIS).date()


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def date_problem(day: date, *, latest: date | None, today: date) -> LazyString | None:
    """Why ``day`` is not a plausible date, or None when it is.

    ``latest`` is the last date accepted (``today`` for what has already
    happened, a few years ahead for what is planned, None for no limit).
    """
    if day < EARLIEST:
        return _l(
            "Date peu plausible (%(day)s) : les dates antérieures au %(floor)s "
            "sont refusées, vérifiez l'année.",
            day=day.isoformat(),
            floor=EARLIEST.isoformat(),
        )
    if latest is not None and day > latest:
        if latest <= today:
            return _l("La date ne peut pas être dans le futur.")
        return _l(
            "Date trop lointaine (%(day)s) : au plus le %(latest)s, vérifiez l'année.",
            day=day.isoformat(),
            latest=latest.isoformat(),
        )
    return None
