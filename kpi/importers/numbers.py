"""Numbers and durations as exports print them: separators, signs, percents,
currencies, ``h:mm:ss`` durations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

_SPACES = " \u00a0\u202f\u2009\u2007"
_GROUP_MARKS = _SPACES + "'\u2019"
_SYMBOLS_RE = re.compile(r"^[€£$¥%\s]+|[€£$¥%\s]+$")
_NUMBER_CHARS_RE = re.compile(r"[+-]?\d[\d.,'\u2019" + _SPACES + r"]*")
_DIGITS_RE = re.compile(r"\d+")


def _grouped_ok(integer: str, marks: str) -> str | None:
    """Return the digits of ``integer`` if its grouping is valid, else None."""
    used = {ch for ch in integer if ch in marks}
    if not used:
        return integer if _DIGITS_RE.fullmatch(integer) else None
    if len(used) > 1 and not used <= set(_SPACES):
        return None
    parts = re.split("[" + re.escape(marks) + "]", integer)
    if not (1 <= len(parts[0]) <= 3) or not all(p.isdigit() for p in parts):
        return None
    if any(len(p) != 3 for p in parts[1:]):
        return None
    return "".join(parts)


def parse_number(text: str, *, decimal: str | None = None) -> Decimal:
    """Parse a number as printed by exports or typed by a person.

    Accepts ``1 234,5``, ``1 234,50 €`` (with U+00A0 or U+202F), ``1,234.5``,
    ``45,2 %`` (45.2), ``"1,204"``, ``£0.00``, ``0.45``. ``decimal`` forces the
    decimal separator; without it a single ``,`` followed by exactly three digits
    is a thousands separator (``1,204`` = 1204, as English UIs print) and a ``.``
    is the decimal point unless repeated.  :raises ValueError: garbage or ambiguous.
    """
    sign, s = _split_sign(_bare_number(text))
    if decimal not in (None, ",", "."):
        raise ValueError(decimal)
    mark = _decimal_mark(s, decimal, text)
    integer, fraction = _split_fraction(s, mark, text)
    digits = _grouped_ok(integer, _GROUP_MARKS + _group_mark(s, decimal, mark))
    if digits is None or not digits.isascii():
        raise ValueError(text)
    try:
        return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")
    except InvalidOperation as error:
        raise ValueError(text) from error


def _bare_number(text: str) -> str:
    """The number without quotes, currency or percent signs.  :raises ValueError:"""
    s = text.strip().replace("\u2212", "-")  # the typographic minus
    if len(s) >= 2 and s[0] == s[-1] == '"':
        s = s[1:-1]
    s = _SYMBOLS_RE.sub("", s)
    if len(s) > 64 or not _NUMBER_CHARS_RE.fullmatch(s):
        raise ValueError(text)
    return s


def _split_sign(s: str) -> tuple[str, str]:
    """``("-", digits)`` for a negative number, ``("", digits)`` otherwise."""
    if s[0] in "+-":
        return ("-" if s[0] == "-" else ""), s[1:]
    return "", s


def _decimal_mark(s: str, decimal: str | None, text: str) -> str | None:
    """The decimal separator used in ``s``, or None for a whole number."""
    dots, commas = s.count("."), s.count(",")
    if decimal is not None:
        mark = decimal if decimal in s else None
    elif dots and commas:
        mark = "." if s.rfind(".") > s.rfind(",") else ","
    elif dots:
        return "." if dots == 1 else None
    elif commas == 1:
        return None if _is_english_grouping(s) else ","
    else:
        return None
    if mark is not None and s.count(mark) > 1:
        raise ValueError(text)
    return mark


def _is_english_grouping(s: str) -> bool:
    """``1,204``: one comma then three digits, not after a leading 0."""
    head, tail = s.split(",")
    grouped = len(tail) == 3 and 1 <= len(head.lstrip(_GROUP_MARKS)) <= 3
    return grouped and not head.startswith("0")


def _split_fraction(s: str, mark: str | None, text: str) -> tuple[str, str]:
    """The integer part and the fraction's digits.  :raises ValueError:"""
    if mark is None:
        return s, ""
    integer, fraction = s.rsplit(mark, 1)
    if not fraction.isdigit() or not fraction.isascii():
        raise ValueError(text)
    return integer, fraction


def _group_mark(s: str, decimal: str | None, mark: str | None) -> str:
    """The separator that may group thousands besides spaces and apostrophes."""
    if decimal is not None:
        return "." if decimal == "," else ","
    if mark is not None:
        return "." if mark == "," else ","
    return "," if "," in s else "."


_DURATION_RE = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)")


def parse_duration(text: str) -> Decimal:
    """Parse ``hh:mm:ss`` (or ``mm:ss``, or plain seconds) into seconds.

    :raises ValueError: not a duration.
    """
    s = text.strip()
    match = _DURATION_RE.fullmatch(s)
    if match is None:
        value = parse_number(s, decimal=".")
        if value < 0:
            raise ValueError(text)
        return value
    hours = int(match.group(1) or 0)
    minutes = int(match.group(2))
    seconds = Decimal(match.group(3).replace(",", "."))
    if (match.group(1) is not None and minutes >= 60) or seconds >= 60:
        raise ValueError(text)
    return Decimal(hours * 3600 + minutes * 60) + seconds


_COMMA_DECIMAL_RE = re.compile(
    r"\d,(\d{1,2}|\d{4,})\D*$|\d\.\d{3}(\.\d{3})*,\d|^\D*0,\d"
)
_DOT_DECIMAL_RE = re.compile(
    r"\d\.(\d{1,2}|\d{4,})\D*$|\d,\d{3}(,\d{3})*\.\d|^\D*0\.\d"
)


def column_decimal(values: Iterable[str]) -> str | None:
    """The decimal separator a column of numbers uses, read from all its cells.

    ``1.234,5`` and ``12,5`` (German, French, Spanish, Portuguese, Italian) say
    ``,``; ``1,234.5`` and ``12.5`` say ``.``. None when no cell tells (whole
    numbers only, or ``1.234`` alone): :func:`parse_number` then decides per cell.
    """
    for value in values:
        text = value.strip()
        if _COMMA_DECIMAL_RE.search(text):
            return ","
        if _DOT_DECIMAL_RE.search(text):
            return "."
    return None
