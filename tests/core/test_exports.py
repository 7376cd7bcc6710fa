"""The shared export module: each language's spreadsheet dialect, numbers and local
times as that spreadsheet reads them, formulas neutralised in CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core import exports

TABLE = exports.Table(
    name="essai",
    headers=["Projet", "Valeur", "Reçue le", "Période"],
    rows=[
        [
            "Site vitrine",
            16.666666666,
            datetime(2026, 12, 6, 13, 13, 1, 22850, tzinfo=UTC),
            date(2026, 1, 1),
        ],
        ['=HYPERLINK("http://x")', -33.3, None, None],
        ["@SUM(A1)", Decimal("1234.50"), datetime(2026, 7, 1, 8, 0), None],
    ],
)


def _rows(body: bytes, delimiter: str) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the accents
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_french_csv_is_split_on_semicolons_with_decimal_commas_and_paris_time() -> None:
    rows = _rows(exports.to_csv(TABLE, exports.dialect_for("fr")), ";")
    assert rows[0] == ["Projet", "Valeur", "Reçue le", "Période"]
    # 13:13 UTC in December is 14:13 in Paris; the first of January stays a day.
    assert rows[1] == ["Site vitrine", "16,666667", "06/12/2026 14:13", "01/01/2026"]
    # A naive timestamp is UTC, as stored: 08:00 UTC in July is 10:00 in Paris.
    assert rows[3][1:3] == ["1234,5", "01/07/2026 10:00"]


def test_english_csv_is_split_on_commas_with_decimal_points() -> None:
    rows = _rows(exports.to_csv(TABLE, exports.dialect_for("en")), ",")
    assert rows[1] == ["Site vitrine", "16.666667", "2026-12-06 14:13", "2026-01-01"]
    assert rows[3][1] == "1234.5"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_formulas_are_neutralised_in_csv_but_negative_numbers_stay_numbers(
    locale: str,
) -> None:
    dialect = exports.dialect_for(locale)
    rows = _rows(exports.to_csv(TABLE, dialect), dialect.delimiter)
    assert rows[2][0] == '\'=HYPERLINK("http://x")'
    assert rows[3][0] == "'@SUM(A1)"
    assert rows[2][1] == ("-33,3" if locale == "fr" else "-33.3")
    for text in ("+1", "-x", "\tcmd", "\rcmd"):
        assert exports.csv_text(text, dialect) == "'" + text
    assert exports.csv_text(-5, dialect) == "-5"


def test_xlsx_keeps_formula_like_text_as_text_and_numbers_as_numbers() -> None:
    book = load_workbook(io.BytesIO(exports.to_xlsx(TABLE, exports.FRENCH)))
    sheet = book["essai"]
    formula = sheet["A3"]
    assert formula.data_type == "s" and formula.value == '=HYPERLINK("http://x")'
    assert formula.quotePrefix  # edited in Excel, it stays a text
    assert sheet["A4"].data_type == "s" and sheet["A4"].quotePrefix
    assert sheet["B3"].data_type == "n" and sheet["B3"].value == -33.3
    assert sheet["B4"].value == 1234.5
    # A local time, typed as a date, shown the French way.
    assert sheet["C2"].value == datetime(2026, 12, 6, 14, 13, 1)
    assert sheet["C2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["A1"].value == "Projet" and sheet["A2"].data_type == "s"


def test_the_download_has_one_charset_and_names_the_file(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        response = exports.download(TABLE, "csv", locale="fr")
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="essai.csv"'
        )
        xlsx = exports.download(TABLE, "xlsx", locale="fr")
        assert xlsx.headers["Content-Type"] == exports.XLSX_TYPE
        with pytest.raises(ValueError):
            exports.download(TABLE, "pdf", locale="fr")


def test_yes_and_no_are_words_and_missing_values_are_empty(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        assert exports.csv_text(True, exports.FRENCH) == "oui"
        assert exports.csv_text(float("nan"), exports.FRENCH) == ""
        assert exports.csv_text(None, exports.ENGLISH) == ""
