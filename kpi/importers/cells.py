"""Cells of a row and the messages about them: row errors, storable amounts,
and the warnings an export can carry (French source strings, translated in
messages.po)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from flask_babel import lazy_gettext as _l

from kpi.importers.base import MAX_ABS_VALUE, MAX_DECIMALS, QUANTUM
from kpi.importers.numbers import parse_duration, parse_number
from kpi.rules import negative_refused


def fmt_decimal(value: Decimal) -> str:
    """A short human rendering of a Decimal (no exponent, trailing zeros trimmed)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class RowError(Exception):
    """A row cannot be kept; ``str(error)`` is the translated reason."""


def unreadable_value(line: int, value: str, column: str) -> RowError:
    return RowError(
        str(
            _l(
                "Ligne %(line)d : valeur « %(value)s » illisible dans la colonne "
                "%(column)s.",
                line=line,
                value=shorten(value),
                column=column,
            )
        )
    )


def shorten(value: str, limit: int = 60) -> str:
    """Cut a value quoted in a message so that messages stay readable."""
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def check_storable(
    value: Decimal, *, line: int, raw: str, column: str, quantize: bool = False
) -> Decimal:
    """Return ``value`` if the measurement column can store it.

    With ``quantize`` (full-precision floats such as GA4's) the value is rounded
    half-even to :data:`MAX_DECIMALS`; otherwise more decimals are refused.
    :raises RowError:
    """
    if not value.is_finite():
        raise unreadable_value(line, raw, column)
    if quantize:
        value = value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
    if abs(value) >= MAX_ABS_VALUE:
        raise RowError(
            str(
                _l(
                    "Ligne %(line)d : valeur « %(value)s » trop grande dans la "
                    "colonne %(column)s (maximum : 10^11).",
                    line=line,
                    value=shorten(raw),
                    column=column,
                )
            )
        )
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise RowError(
            str(
                _l(
                    "Ligne %(line)d : valeur « %(value)s » trop précise dans la "
                    "colonne %(column)s (%(decimals)d décimales au plus).",
                    line=line,
                    value=shorten(raw),
                    column=column,
                    decimals=MAX_DECIMALS,
                )
            )
        )
    return value


def number_cell(
    text: str,
    *,
    line: int,
    column: str,
    decimal: str | None = None,
    allow_negative: bool = False,
    quantize: bool = False,
    duration: bool = False,
) -> Decimal:
    """Parse and check one numeric cell of a source row.  :raises RowError:"""
    if not text.strip():
        raise RowError(
            str(
                _l(
                    "Ligne %(line)d : valeur manquante dans la colonne %(column)s.",
                    line=line,
                    column=column,
                )
            )
        )
    try:
        value = (
            parse_duration(text) if duration else parse_number(text, decimal=decimal)
        )
    except ValueError:
        raise unreadable_value(line, text, column) from None
    if value < 0 and not allow_negative:
        # The message of kpi.rules, the same as the form's and the API's.
        raise RowError(
            str(
                _l(
                    "Ligne %(line)d, colonne %(column)s, « %(value)s » : %(reason)s",
                    line=line,
                    value=shorten(text),
                    column=column,
                    reason=negative_refused(),
                )
            )
        )
    return check_storable(value, line=line, raw=text, column=column, quantize=quantize)


def date_error(line: int, value: str) -> RowError:
    return RowError(
        str(
            _l(
                "Ligne %(line)d : date illisible « %(value)s ».",
                line=line,
                value=shorten(value),
            )
        )
    )


def missing_cells_error(line: int, found: int, expected: int) -> RowError:
    return RowError(
        str(
            _l(
                "Ligne %(line)d : %(found)d colonnes au lieu d'au moins %(expected)d.",
                line=line,
                found=found,
                expected=expected,
            )
        )
    )


def encoding_reason(line: int) -> str:
    return str(
        _l(
            "Ligne %(line)d : caractères illisibles (encodage du fichier incohérent).",
            line=line,
        )
    )


def malformed_reason(line: int) -> str:
    return str(
        _l(
            "Ligne %(line)d : ligne mal formée (guillemets ou séparateurs incorrects).",
            line=line,
        )
    )


def mismatch_warning(label: str, total: Decimal, computed: Decimal) -> str:
    return str(
        _l(
            "« %(label)s » : le total du fichier (%(total)s) ne correspond pas à la "
            "somme des lignes (%(sum)s).",
            label=label,
            total=fmt_decimal(total),
            sum=fmt_decimal(computed),
        )
    )


def needs_period_warning() -> str:
    return str(
        _l(
            "Le fichier n'indique pas sa période : précisez-la pour importer ces "
            "valeurs."
        )
    )


def is_blank(text: str) -> bool:
    """Empty or a ``--`` placeholder (Google Ads prints `` --``)."""
    return text.strip() in ("", "--", "-")
