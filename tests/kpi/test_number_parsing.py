"""Numbers, durations and storable limits (pure tests)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpi.importers import MAX_ABS_VALUE, MAX_DECIMALS, parse_duration, parse_number
from kpi.importers.cells import RowError, number_cell


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,5", "1234.5"),
        ("1\u00a0234,50\u00a0€", "1234.50"),
        ("1\u202f234,50 €", "1234.50"),
        ("1,234.5", "1234.5"),
        ("45,2 %", "45.2"),
        ("45,2\u00a0%", "45.2"),
        ('"1,204"', "1204"),
        ("1,204", "1204"),
        ("£0.00", "0"),
        ("0.45", "0.45"),
        ("0,45", "0.45"),
        ("-3", "-3"),
        ("\u22123,5", "-3.5"),
        ("12", "12"),
        ("42.14%", "42.14"),
        ("1.234.567", "1234567"),
        ("1.234,56", "1234.56"),
        ("2.0749874182184196", "2.0749874182184196"),
    ],
)
def test_parse_number_accepts_real_world_spellings(text: str, expected: str) -> None:
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1,204", ",", "1.204"),
        ("1.204", ",", "1204"),
        ("1 204,5", ",", "1204.5"),
        ("1,204", ".", "1204"),
        ("15,00", ",", "15"),
    ],
)
def test_an_explicit_decimal_separator_settles_ambiguity(
    text: str, decimal: str, expected: str
) -> None:
    assert parse_number(text, decimal=decimal) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "--",
        " --",
        "1,2,3.4.5",
        "1.234,5,6",
        "12 34",
        "1,5",
        "1e5",
        "nan",
        "inf",
        "1 2",
        "(12)",
        "€",
        "%",
        "1..2",
        "١٢",
        "12abc",
        "1,2345.6",
    ],
)
def test_parse_number_refuses_garbage_and_ambiguity(text: str) -> None:
    decimal = "." if text == "1,5" else None
    with pytest.raises(ValueError):
        parse_number(text, decimal=decimal)


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("+1.5", None, "1.5"),  # an explicit plus sign
        ("01,234", None, "1.234"),  # a leading 0: a decimal comma, not grouping
        ("1'234.5", None, "1234.5"),  # Swiss grouping
        ("1\u2019234,5", None, "1234.5"),  # typographic apostrophe
        ("1.234.567,5", None, "1234567.5"),  # dots group, the comma is decimal
        ("12", ",", "12"),  # the forced separator absent: a whole number
    ],
)
def test_each_step_of_number_parsing_has_a_case(
    text: str, decimal: str | None, expected: str
) -> None:
    assert parse_number(text, decimal=decimal) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "decimal"),
    [
        ("1.2.3", "."),  # the forced separator twice
        ("1,5", ";"),  # not a decimal separator
        ("1,", None),  # no digit after the separator
    ],
)
def test_number_parsing_refuses_a_repeated_or_unknown_separator(
    text: str, decimal: str | None
) -> None:
    with pytest.raises(ValueError):
        parse_number(text, decimal=decimal)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:01:23", 83),
        ("00:00:00", 0),
        ("01:02:03", 3723),
        ("2:05", 125),
        ("125:00:00", 450000),
        ("83", 83),
        ("12.5", Decimal("12.5")),
    ],
)
def test_parse_duration_reads_seconds(text: str, seconds: int | Decimal) -> None:
    assert parse_duration(text) == Decimal(seconds)


@pytest.mark.parametrize(
    "text", ["", "aa:bb:cc", "00:61:00", "00:00:75", "-5", "1:2:3:4"]
)
def test_parse_duration_refuses_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_storable_limits_are_what_both_databases_hold_exactly() -> None:
    assert Decimal(10) ** 11 == MAX_ABS_VALUE
    assert MAX_DECIMALS == 4


def test_a_value_too_large_is_rejected_not_wrapped() -> None:
    with pytest.raises(RowError, match="Ligne 7 : valeur « 100000000000 » trop grande"):
        number_cell("100000000000", line=7, column="Clicks")
    assert number_cell("99999999999.9999", line=7, column="Clicks") == Decimal(
        "99999999999.9999"
    )


def test_a_value_with_too_many_decimals_is_rejected_not_rounded() -> None:
    with pytest.raises(RowError, match="trop précise dans la colonne Cost"):
        number_cell("0.12345", line=3, column="Cost")
    assert number_cell("0.12340", line=3, column="Cost") == Decimal("0.1234")


def test_full_precision_floats_are_quantized_when_asked() -> None:
    value = number_cell("2.0749874182184196", line=1, column="x", quantize=True)
    assert value == Decimal("2.0750")


def test_negative_counts_are_rejected_with_line_and_column() -> None:
    with pytest.raises(RowError) as error:
        number_cell("-4", line=12, column="Clicks")
    assert str(error.value) == (
        "Ligne 12, colonne Clicks, « -4 » : Valeur négative refusée : ce nombre se "
        "compte à partir de 0."
    )


def test_unreadable_value_message_names_line_value_and_column() -> None:
    with pytest.raises(RowError) as error:
        number_cell("abc", line=14, column="Clicks")
    assert (
        str(error.value)
        == "Ligne 14 : valeur « abc » illisible dans la colonne Clicks."
    )
