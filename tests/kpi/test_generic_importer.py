"""The generic importer (explicit column mapping), pure tests."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from kpi.errors import ImportRefused
from kpi.importers import (
    ColumnMapping,
    iter_generic_points,
    open_generic_stream,
    parse_export,
)
from kpi.importers.generic_fast import CHUNK_ROWS
from kpi.importers.generic_stream import detect_date_format

MAPPING = ColumnMapping(
    date_column="date", value_columns=["value"], decimal_separator="."
)


def test_good_rows_are_kept_and_bad_rows_rejected_with_their_line() -> None:
    text = (
        "date,value\n2024-03-01,12.5\n2024-03-02,abc\n2024-03-01,1\n\n"
        '2024-99-01,3\n2024-03-04,"1,234.5"\n2024-03-05,-2\n2024-03-06,0.12345\n'
        "2024-03-07,100000000000000\n2024-03-08,1e5\n2024-03-09,\n"
    )
    export = parse_export(text.encode(), "data.csv", mapping=MAPPING)
    assert export.format == "generic"
    (series,) = export.series
    assert [(p.period_start, p.value, p.lines) for p in series.points] == [
        (date(2024, 3, 1), Decimal("13.5"), (2, 4)),
        (date(2024, 3, 4), Decimal("1234.5"), (7,)),
    ]
    reasons = {row.line: row.reason for row in export.rejected}
    assert reasons[3] == "Ligne 3 : valeur « abc » illisible dans la colonne value."
    assert reasons[6] == "Ligne 6 : date illisible « 2024-99-01 »."
    assert "négative" in reasons[8]
    assert "trop précise" in reasons[9]
    assert "trop grande" in reasons[10]
    assert "illisible" in reasons[11]
    assert "manquante" in reasons[12]
    assert set(reasons) == {3, 6, 8, 9, 10, 11, 12}
    assert any("additionnées" in warning for warning in export.warnings)


def test_french_layout_with_preamble_and_multiline_cells() -> None:
    text = (
        "# export maison\nJour;Valeur;Note\n01/03/2024;1 234,5;a\n"
        '02/03/2024;12,25;"deux\nlignes"\n03/03/2024;x;b\n04/03/2024;7;c\n'
    )
    mapping = ColumnMapping("Jour", ["Valeur"], decimal_separator=",")
    export = parse_export(text.encode("cp1252"), mapping=mapping)
    points = export.series[0].points
    assert [(p.period_start.day, p.value, p.lines) for p in points] == [
        (1, Decimal("1234.5"), (3,)),
        (2, Decimal("12.25"), (4,)),
        (4, Decimal(7), (7,)),
    ]
    assert [row.line for row in export.rejected] == [6]


def test_granularity_month_sums_days_into_months() -> None:
    text = "d,v\n20240301,1\n20240315,2\n20240401,4\n"
    mapping = ColumnMapping("d", ["v"], granularity="month", decimal_separator=".")
    export = parse_export(text.encode(), mapping=mapping)
    points = export.series[0].points
    assert [(p.period_start, p.value) for p in points] == [
        (date(2024, 3, 1), 3),
        (date(2024, 4, 1), 4),
    ]
    assert export.period == (date(2024, 3, 1), date(2024, 4, 30))


def test_week_granularity_starts_on_monday() -> None:
    mapping = ColumnMapping("d", ["v"], granularity="week", decimal_separator=".")
    export = parse_export(b"d,v\n2024-03-06,1\n2024-03-10,2\n", mapping=mapping)
    assert [(p.period_start, p.value) for p in export.series[0].points] == [
        (date(2024, 3, 4), 3)
    ]


def test_negative_values_only_when_allowed() -> None:
    mapping = ColumnMapping("d", ["v"], decimal_separator=".", allow_negative=True)
    export = parse_export(b"d,v\n2024-03-06,-1.5\n", mapping=mapping)
    assert export.series[0].points[0].value == Decimal("-1.5")


def test_missing_columns_are_refused_listing_the_columns_found() -> None:
    with pytest.raises(ImportRefused) as error:
        parse_export(b"day,count\n2024-03-01,1\n", mapping=MAPPING)
    assert error.value.columns == ["day", "count"]
    assert "date, value" in str(error.value)


def test_xlsx_through_a_mapping() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Mois", "Ventes"])
    sheet.append([date(2024, 3, 1), 0.1 + 0.2])
    sheet.append([date(2024, 4, 1), "n/a"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    mapping = ColumnMapping("Mois", ["Ventes"], decimal_separator=".")
    export = parse_export(buffer.getvalue(), "whatever.csv", mapping=mapping)
    assert [(p.period_start, p.value) for p in export.series[0].points] == [
        (date(2024, 3, 1), Decimal("0.3"))
    ]
    assert [row.line for row in export.rejected] == [3]


def test_large_file_goes_through_chunks_with_exact_lines_and_sums() -> None:
    rows = CHUNK_ROWS + 1000
    days = [date(2024, 1, 1).toordinal() + i % 60 for i in range(rows)]
    lines = ["date,value"] + [
        f"{date.fromordinal(d).isoformat()},{i % 7}.25" for i, d in enumerate(days)
    ]
    lines[100_001] = "2024-01-01,oops"
    data = ("\n".join(lines) + "\n").encode()
    stream = open_generic_stream(data, mapping=MAPPING, max_bytes=100 * 1024 * 1024)
    assert [row.line for row in stream.rejected] == [100_002]
    points = [point for _, point in stream]
    assert len(points) == 60
    assert sum(len(p.lines) for p in points) == rows - 1
    expected = sum(Decimal(f"{i % 7}.25") for i in range(rows)) - Decimal(
        f"{100_000 % 7}.25"
    )
    assert sum(p.value for p in points if p.value is not None) == expected
    assert points[0].lines[:2] == (2, 62)
    lazy = list(iter_generic_points(data, mapping=MAPPING, max_bytes=100 * 1024 * 1024))
    assert [point for _, point in lazy] == points
    assert {item.column for item in lazy} == {"value"}


def test_too_many_decimals_hidden_in_a_large_float_file_are_rejected() -> None:
    body = "\n".join(f"2024-01-{1 + i % 28:02d},{i}.5" for i in range(1000))
    data = f"date,value\n{body}\n2024-01-02,1.00000000000000001\n".encode()
    export = parse_export(data, mapping=MAPPING)
    assert [row.line for row in export.rejected] == [1002]


@pytest.mark.parametrize(
    ("samples", "fmt"),
    [
        (["2024-03-01", "2024-03-31"], "ISO8601"),
        (["01/03/2024", "31/03/2024"], "%d/%m/%Y"),
        (["03/31/2024", "03/01/2024"], "%m/%d/%Y"),
        (["20240301"], "ISO8601"),
        (["01.03.2024"], "%d.%m.%Y"),
    ],
)
def test_date_format_detection(samples: list[str], fmt: str) -> None:
    assert detect_date_format(samples) == fmt


def test_rows_sharing_a_period_are_summed_and_a_period_too_large_is_dropped() -> None:
    rows = ["date,value"] + ["2024-01-01,99999999999"] * 1000
    rows += ["2024-01-02,1.5", "2024-01-02,2"]
    data = ("\n".join(rows) + "\n").encode()
    stream = open_generic_stream(data, mapping=MAPPING, max_bytes=10**8)
    assert stream.warnings == [
        "1000 ligne(s) partagent une période avec une autre : leurs valeurs ont "
        "été additionnées.",
        "Périodes ignorées, total trop grand pour être enregistré : 2024-01-01.",
    ]
    [item] = list(stream)
    assert item.point.period_start == date(2024, 1, 2)
    assert item.point.value == Decimal("3.5")
    assert item.point.lines == (1002, 1003)
