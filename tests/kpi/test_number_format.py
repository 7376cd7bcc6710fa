"""``kpi_number`` writes what babel's ``format_decimal`` writes, in each language."""

from __future__ import annotations

import random
from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal

from kpi import kpi_number

NARROW_SPACE = "\u202f"


def _babel(value: object, locale: Locale) -> str:
    """The reference: the two patterns ``kpi_number`` stands for."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return format_decimal(int(number), format="#,##0", locale=locale)
    return format_decimal(number, format="#,##0.####", locale=locale)


def test_numbers_read_as_in_the_readers_language() -> None:
    fr, en = Locale.parse("fr"), Locale.parse("en")
    assert kpi_number(Decimal("1234.56785"), locale=fr) == f"1{NARROW_SPACE}234,5678"
    assert kpi_number(Decimal("1234.56785"), locale=en) == "1,234.5678"
    assert kpi_number(Decimal("1.5000"), locale=fr) == "1,5"
    assert kpi_number(Decimal("700.0000"), locale=fr) == "700"
    assert kpi_number(Decimal("-1234567"), locale=en) == "-1,234,567"
    assert kpi_number(Decimal("0.00015"), locale=en) == "0.0002"  # half to even
    assert kpi_number(Decimal("0.00025"), locale=en) == "0.0002"
    assert kpi_number(Decimal("999.99995"), locale=en) == "1,000"
    assert kpi_number(None, locale=en) == "—"
    assert kpi_number(float("nan"), locale=en) == "—"


def test_every_number_is_written_as_babel_writes_it() -> None:
    rng = random.Random(14)
    values: list[object] = [
        0,
        Decimal("-0"),
        Decimal("-0.00001"),  # babel keeps the sign: "-0"
        Decimal("1E+3"),
        Decimal("12.30"),
        1.5,
        0.1,
        1e20,
        "3.14159",
    ]
    values += [
        Decimal(rng.randint(-(10**9), 10**9)) / Decimal(10) ** rng.randint(0, 8)
        for _ in range(2000)
    ]
    values += [Decimal(rng.randint(0, 10**6)) / Decimal(10**5) * 5 for _ in range(500)]
    values += [rng.uniform(-1e6, 1e6) for _ in range(500)]
    # de_CH groups with an apostrophe, which babel's patterns read as quoting.
    for name in ("fr", "en", "fr_CH", "en_IN", "de_CH"):
        locale = Locale.parse(name)
        for value in values:
            assert kpi_number(value, locale=locale) == _babel(value, locale), (
                name,
                value,
            )
