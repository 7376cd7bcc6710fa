"""The multilingual vocabulary of column names, and the number and delimiter
sniffing the tool modules share (pure)."""

from __future__ import annotations

import pytest

from kpi.importers import vocabulary
from kpi.importers.numbers import column_decimal
from kpi.importers.sniff import sniff_delimiter


@pytest.mark.parametrize(
    ("header", "concept", "position"),
    [
        (["\ufeffID", "Título", "Data de abertura"], "ticket:opened", 2),
        (['"Fecha de Apertura"', "Tipo"], "ticket:opened", 0),
        (["Nom de la campagne", "Montant dépensé (EUR)"], "metric:spend", 1),
        (["Campaign name", "Amount spent (INR)"], "metric:spend", 1),
        (["Kampagne", "Ausgegebener Betrag (EUR)"], "metric:spend", 1),
        (
            ["Contenido", "Tiempo de visualización (horas)"],
            "metric:watch_time_hours",
            1,
        ),
        (["Metric", "Top pages", "No. of sessions"], "metric:sessions", 2),
        (["Summary", "Issue key", "Issue Type"], "ticket:type", 2),
        (["Summary", "Issue key"], "ticket:type", None),
    ],
)
def test_columns_are_found_in_any_language(header, concept, position) -> None:
    assert vocabulary.find(header, concept) == position


def test_case_accents_spaces_and_currency_do_not_matter() -> None:
    assert vocabulary.fold("  Data  de ABERTURA ") == "data de abertura"
    assert vocabulary.is_word("REQUISICAO", "type:request")  # accents dropped
    assert vocabulary.is_word("Incidencia", "type:incident")
    assert vocabulary.is_word("Requisição", "type:request")
    assert vocabulary.is_word("Bug", "type:incident") is False
    assert vocabulary.currency_of('"Amount spent (eur)"') == "EUR"
    assert vocabulary.currency_of("Link clicks") is None


@pytest.mark.parametrize(
    ("values", "separator"),
    [
        (["1.234,56", "12"], ","),  # German, Spanish, Italian, Portuguese
        (["1 234,5"], ","),  # French
        (["1,234.56"], "."),  # English
        (["33245.34"], "."),
        (["1.234"], None),  # ambiguous on its own
        (["1234", "12"], None),
    ],
)
def test_a_column_tells_its_decimal_separator(values, separator) -> None:
    assert column_decimal(values) == separator


@pytest.mark.parametrize(
    ("lines", "delimiter"),
    [
        (["ID;Título;Estado", "28 316;Ticket, urgente;Cerrado"], ";"),
        (["Summary,Issue key", '"A; B",K-1'], ","),
        (["Fecha\tVisualizaciones", "2024-03-01\t10"], "\t"),
        (['"Project name","X"', "", '"Date","Time","Device"', '"1","2","3"'], ","),
    ],
)
def test_the_delimiter_is_sniffed(lines, delimiter) -> None:
    assert sniff_delimiter(lines) == delimiter
