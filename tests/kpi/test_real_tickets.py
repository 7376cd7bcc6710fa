"""GLPI and Jira exports found in public repositories (tests/data/kpi-exports/real),
in Spanish, Brazilian Portuguese and English, and the encodings spreadsheets
re-save them in. The figures were counted on the source files with the ``csv``
module (see the README beside them)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kpi.errors import KpiError
from kpi.importers import ParsedExport, Series, parse_export
from kpi.importers.sniff import decode_text

REAL = Path(__file__).resolve().parents[1] / "data" / "kpi-exports" / "real"


def read(name: str) -> bytes:
    return (REAL / name).read_bytes()


def parse(data: bytes) -> ParsedExport:
    return parse_export(data, "export.bin")


def total(series: Series) -> Decimal:
    return sum((p.value for p in series.points if p.value is not None), Decimal(0))


def per_day(series: Series) -> dict[date, Decimal]:
    return {p.period_start: p.value for p in series.points if p.value is not None}


def per_month(series: Series, year: int, month: int) -> Decimal:
    return sum(
        (
            value
            for day, value in per_day(series).items()
            if (day.year, day.month) == (year, month)
        ),
        Decimal(0),
    )


# --------------------------------------------------------------------------- #
# GLPI
# --------------------------------------------------------------------------- #


def test_glpi_brazilian_export_counts_16_incidents_in_august_2025() -> None:
    export = parse(read("glpi_tickets_pt-br.csv"))
    assert export.format == "glpi"
    incidents = export.series_by_key("incidents")
    assert incidents.suggested_kind == "incidents"
    assert per_month(incidents, 2025, 8) == 16
    assert total(export.series_by_key("tickets")) == 38  # 16 Incidente + 22 Requisição
    assert per_day(incidents)[date(2025, 8, 4)] == 5
    assert date(2025, 8, 22) not in per_day(incidents)  # 52 267 is a Requisição
    assert export.rejected == []
    assert export.warnings == []


@pytest.mark.parametrize("encoding", ["cp1252", "mac_roman", "cp850"])
def test_glpi_re_saved_by_a_spreadsheet_in_an_8_bit_encoding_gives_the_same_counts(
    encoding: str,
) -> None:
    text = read("glpi_tickets_pt-br.csv").decode("utf-8-sig")
    data = text.replace("\n", "\r\n").encode(encoding)
    assert decode_text(data).encoding == encoding
    assert "Requisição" in decode_text(data).text
    export = parse(data)
    assert total(export.series_by_key("incidents")) == 16
    assert total(export.series_by_key("tickets")) == 38
    assert export.rejected == []


def test_glpi_saved_as_unicode_text_utf16_with_tabs_gives_the_same_counts() -> None:
    rows = list(
        csv.reader(
            io.StringIO(read("glpi_tickets_pt-br.csv").decode("utf-8-sig")),
            delimiter=";",
        )
    )
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\r\n").writerows(rows)
    for data in (
        buffer.getvalue().encode("utf-16-le"),  # no BOM
        b"\xff\xfe" + buffer.getvalue().encode("utf-16-le"),
        b"\xfe\xff" + buffer.getvalue().encode("utf-16-be"),
        buffer.getvalue().encode("utf-16-be"),  # no BOM
    ):
        export = parse(data)
        assert total(export.series_by_key("incidents")) == 16
        assert total(export.series_by_key("tickets")) == 38


def test_glpi_excel_re_save_with_comma_and_quoted_cells_is_read() -> None:
    rows = list(
        csv.reader(
            io.StringIO(read("glpi_tickets_pt-br.csv").decode("utf-8-sig")),
            delimiter=";",
        )
    )
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerows(rows)
    export = parse(buffer.getvalue().encode())
    assert total(export.series_by_key("incidents")) == 16


def test_glpi_spanish_export_without_type_column_counts_tickets_and_says_why() -> None:
    export = parse(read("glpi_tickets_es_sin-tipo.csv"))
    assert export.format == "glpi"
    assert [s.key for s in export.series] == ["tickets"]
    assert per_day(export.series_by_key("tickets")) == {
        date(2026, 2, 2): 28,
        date(2026, 2, 3): 23,
        date(2026, 2, 4): 12,
    }
    assert len(export.warnings) == 1
    assert "pas de colonne « Type »" in export.warnings[0]
    assert export.rejected == []


def test_glpi_spanish_quoted_export_with_trailing_separator() -> None:
    export = parse(read("glpi_tickets_es_entrecomillado.csv"))
    assert per_day(export.series_by_key("tickets")) == {
        date(2023, 4, 19): 1,
        date(2023, 4, 30): 2,
        date(2023, 5, 2): 1,
    }
    assert "pas de colonne « Type »" in export.warnings[0]


# --------------------------------------------------------------------------- #
# Jira
# --------------------------------------------------------------------------- #


def test_jira_bugs_are_not_incidents_and_the_preview_says_so() -> None:
    export = parse(read("jira_all-fields_bugs_en.csv"))
    assert export.format == "jira"
    assert "incidents" not in [s.key for s in export.series]
    bugs = export.series_by_key("type-bug")
    assert bugs.label == "Tickets de type « Bug »"
    assert per_day(bugs) == {date(2023, 2, 6): 5, date(2023, 2, 9): 3}
    assert total(export.series_by_key("tickets")) == 8
    assert export.warnings == [
        "Incidents : seuls les tickets de type « Incident » sont comptés (0 sur 8). "
        "Types trouvés : Bug (8)."
    ]


def test_jira_issues_by_type_with_repeated_log_work_columns() -> None:
    data = read("jira_all-fields_log-work_en.csv")
    header = next(csv.reader(io.StringIO(data.decode())))
    assert len(header) == 92 and header.count("Log Work") == 3
    export = parse(data)
    assert total(export.series_by_key("tickets")) == 24
    assert total(export.series_by_key("type-sub-task")) == 15
    assert total(export.series_by_key("type-task")) == 7
    assert total(export.series_by_key("type-story")) == 2
    assert export.rejected == []


def _widened(data: bytes, columns: int) -> bytes:
    """The export with a BOM and repeated Watchers/Log Work/Sprint columns."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    extra = columns - len(rows[0])
    names = ["Watchers", "Log Work", "Sprint"]
    rows[0] += [names[i % 3] for i in range(extra)]
    for row in rows[1:]:
        row += [""] * extra
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode()


@pytest.mark.parametrize("columns", [92, 379])
def test_jira_all_fields_export_with_a_bom_and_379_columns_is_not_called_empty(
    columns: int,
) -> None:
    export = parse(_widened(read("jira_all-fields_log-work_en.csv"), columns))
    assert total(export.series_by_key("tickets")) == 24


def test_jira_spanish_export_lists_its_service_desk_types() -> None:
    export = parse(read("jira_all-fields_es.csv"))
    assert per_day(export.series_by_key("tickets")) == {date(2026, 7, 18): 3}
    assert {s.key for s in export.series} == {
        "tickets",
        "type-software-access-issue",
        "type-network-problem",
        "type-hardware-issue",
    }
    assert "(0 sur 3)" in export.warnings[0]


def test_jira_incident_type_feeds_the_incidents_series_in_any_language() -> None:
    data = read("jira_all-fields_es.csv").decode()
    data = data.replace("Software/Access Issue", "Incidente", 1)
    export = parse(data.encode())
    assert total(export.series_by_key("incidents")) == 1
    assert total(export.series_by_key("tickets")) == 3


# --------------------------------------------------------------------------- #
# The command line
# --------------------------------------------------------------------------- #


def test_inspect_json_gives_the_incidents_of_the_brazilian_export(runner) -> None:
    result = runner.invoke(
        args=["kpi", "inspect", str(REAL / "glpi_tickets_pt-br.csv"), "--json"]
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    incidents = next(s for s in output["series"] if s["key"] == "incidents")
    assert sum(int(p["value"]) for p in incidents["points"]) == 16


def test_glpi_re_saved_as_xlsx_with_text_ids_and_excel_dates() -> None:
    from datetime import datetime

    from openpyxl import Workbook

    rows = list(
        csv.reader(
            io.StringIO(read("glpi_tickets_pt-br.csv").decode("utf-8-sig")),
            delimiter=";",
        )
    )
    opened = rows[0].index("Data de abertura")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(rows[0])
    for row in rows[1:]:
        cells: list[object] = list(row)  # IDs stay text: "52 267"
        cells[opened] = datetime.strptime(row[opened], "%d/%m/%Y %H:%M")
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    export = parse(buffer.getvalue())
    assert export.format == "glpi"
    assert per_month(export.series_by_key("incidents"), 2025, 8) == 16
    assert total(export.series_by_key("tickets")) == 38


def test_glpi_spanish_type_column_names_incidents_incidencia() -> None:
    lines = read("glpi_tickets_es_sin-tipo.csv").decode("utf-8-sig").split("\r\n")
    lines[0] += ";Tipo"
    for number in range(1, len(lines)):
        if lines[number]:
            lines[number] += ";Incidencia" if number % 3 == 0 else ";Solicitud"
    export = parse("\r\n".join(lines).encode())
    assert total(export.series_by_key("incidents")) == 21  # rows 3, 6, … 63
    assert total(export.series_by_key("tickets")) == 63
    assert export.warnings == []


def test_jira_in_french_reads_its_translated_headers_and_months() -> None:
    data = (
        "Résumé,Clé de ticket,ID de ticket,Type de ticket,État,Création\n"
        "Panne,SUP-1,1,Incident,Terminé,06/mars/24 7:58 AM\n"
        "Accès,SUP-2,2,Demande de service,Terminé,14/mars/24 10:02 AM\n"
    )
    export = parse(data.encode())
    assert export.format == "jira"
    assert per_day(export.series_by_key("incidents")) == {date(2024, 3, 6): 1}
    assert total(export.series_by_key("tickets")) == 2


def test_a_list_with_a_type_and_a_date_but_no_ticket_fields_is_not_jira() -> None:
    with pytest.raises(KpiError):
        parse(b"Type,Created,Amount\nsale,2024-03-01,12\nrefund,2024-03-02,3\n")


def test_glpi_with_the_us_date_preference_reads_month_first() -> None:
    rows = list(
        csv.reader(
            io.StringIO(read("glpi_tickets_pt-br.csv").decode("utf-8-sig")),
            delimiter=";",
        )
    )
    opened = rows[0].index("Data de abertura")
    for row in rows[1:]:
        day, month, rest = row[opened].split("/")
        row[opened] = f"{month}-{day}-{rest}"  # 22/08/2025 11:49 -> 08-22-2025 11:49
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    export = parse(buffer.getvalue().encode())
    incidents = export.series_by_key("incidents")
    assert per_month(incidents, 2025, 8) == 16
    assert per_day(incidents)[date(2025, 8, 4)] == 5
    assert export.rejected == []
