"""Dates as exports print them: formats, month names in several languages,
text dates and ranges."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from kpi.importers.base import MAX_YEAR, MIN_YEAR

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv janvier enero ene januar jän gennaio gen janeiro",
        "february feb février févr fevrier fevr febrero februar febbraio fev fevereiro",
        "march mar mars marzo märz mär março",
        "april apr avril avr abril abr aprile",
        "may mai mayo may maggio mag maio",
        "june jun juin junio juni giugno giu junho",
        "july jul juillet juil julio juli luglio lug julho",
        "august aug août aout agosto ago",
        "september sep sept septembre septiembre set settembre setembro",
        "october oct octobre octubre okt oktober ottobre ott outubro out",
        "november nov novembre noviembre novembro",
        "december dec décembre decembre déc diciembre dic dezember dez dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS.setdefault(_name, _number)


def month_number(name: str) -> int | None:
    """Month number of a (possibly abbreviated, localised) month name."""
    return MONTHS.get(name.strip().strip(".").casefold())


def check_date(value: date) -> date:
    """Return ``value`` if plausible for a KPI.  :raises ValueError:"""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(value.isoformat())
    return value


def parse_date(text: str, formats: Sequence[str]) -> date:
    """Parse ``text`` with the first matching ``strptime`` format.

    :raises ValueError: no format matches or the year is implausible.
    """
    s = text.strip()
    for fmt in formats:
        try:
            return check_date(datetime.strptime(s, fmt).date())
        except ValueError:
            continue
    raise ValueError(text)


_TEXT_DATE_RES = (
    re.compile(r"(?P<month>[^\W\d_]+)\.? (?P<day>\d{1,2}),? (?P<year>\d{4})"),
    re.compile(r"(?P<day>\d{1,2})(?:er)?\.? (?P<month>[^\W\d_]+)\.? (?P<year>\d{4})"),
)


def parse_text_date(text: str) -> date:
    """Parse ``March 1, 2024``, ``Mar 1, 2024`` or ``1 mars 2024``.  :raises ValueError:"""
    s = " ".join(text.replace("\u00a0", " ").split())
    for pattern in _TEXT_DATE_RES:
        match = pattern.fullmatch(s)
        if match is None:
            continue
        month = month_number(match.group("month"))
        if month is None:
            continue
        return check_date(
            date(int(match.group("year")), month, int(match.group("day")))
        )
    raise ValueError(text)


_TEXT_RANGE_RE = re.compile(r"(.+?\d{4})\s*[-–—]\s*(.+?\d{4})")


def parse_text_range(text: str) -> tuple[date, date] | None:
    """Parse ``March 1, 2024 - March 31, 2024`` (or ``Mar 1, 2024-Mar 31, 2024``)."""
    match = _TEXT_RANGE_RE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        start, end = parse_text_date(match.group(1)), parse_text_date(match.group(2))
    except ValueError:
        return None
    return (start, end) if start <= end else None


def compact_range(start_text: str, end_text: str) -> tuple[date, date] | None:
    """Parse two ``YYYYMMDD`` dates into a range, or None."""
    try:
        start = parse_date(start_text, ("%Y%m%d",))
        end = parse_date(end_text, ("%Y%m%d",))
    except ValueError:
        return None
    return (start, end) if start <= end else None


_NUMERIC_DATE_RE = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b")


def slash_order(values: Iterable[str]) -> str | None:
    """``"mdy"`` or ``"dmy"`` for a column of ``a/b/yyyy`` dates, as its values
    show (a ``b`` above 12 is a day: month first; an ``a`` above 12, day first);
    None when no value tells."""
    firsts, seconds = False, False
    for value in values:
        match = _NUMERIC_DATE_RE.match(value)
        if match is not None:
            firsts = firsts or int(match.group(1)) > 12
            seconds = seconds or int(match.group(2)) > 12
    if seconds and not firsts:
        return "mdy"
    if firsts and not seconds:
        return "dmy"
    return None


def month_first(values: Iterable[str]) -> bool:
    """True when a column of ``a/b/yyyy`` dates is month-first (US); day-first
    otherwise, as in most of Europe."""
    return slash_order(values) == "mdy"
