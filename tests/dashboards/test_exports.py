"""The dashboards' files as their readers open them: French Excel (``;``, decimal
commas, words, Paris time), English (``,``, points), projects named, formulas
harmless, and each export of clients' or members' data in the audit log."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from core.extensions import db
from core.models import AuditLog
from core.security import Role
from dashboards import services
from tests.dashboards.conftest import NOW
from tests.dashboards.test_dashboards import FILTERS

PERIOD = {"since": "2025-07-01", "until": "2026-06-30"}


def _csv(response: Any, delimiter: str = ";") -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def _audit(action: str = "dashboards.exported") -> list[AuditLog]:
    return list(
        db.session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        )
    )


def test_the_boards_compliance_file_reads_in_french_words(
    client, auth, make_staff, member_with_data
) -> None:
    member_with_data(name="Alpha")
    board = make_staff(Role.BOARD)
    auth.login(board)
    rows = _csv(client.get("/board/review/export/compliance.csv", query_string=PERIOD))
    header = rows[0]
    assert header[:3] == ["Adhérent", "Département", "Marque"]
    assert "Indicateurs convenus avec le client" in header
    assert not [h for h in header if "_" in h]  # no code such as light_agreed
    alpha = dict(zip(header, rows[1], strict=True))
    assert alpha["Adhérent"] == "Alpha" and alpha["Marque"] == "Marque active"
    assert alpha["Indicateurs convenus avec le client"] in {
        "Conforme",
        "À améliorer",
        "Non conforme",
    }
    # NPS of 10,10,9,7,3,0: (3 - 2) / 6 → 16,7 with a decimal comma.
    assert alpha["NPS"] == "16,7"
    [entry] = _audit()
    assert entry.actor_id == board.id and entry.member_id is None
    assert entry.detail["export"] == "compliance" and entry.detail["format"] == "csv"


def test_an_english_reader_gets_commas_points_and_english_words(
    client, auth, make_member_user, member_with_data
) -> None:
    member, _user, *_ = member_with_data(name="Alpha")
    auth.login(make_member_user(member, locale="en"))
    rows = _csv(
        client.get("/dashboard/export/indicators.csv", query_string=PERIOD), ","
    )
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Project"] == "Campagne Alpha 0"
    assert record["Service type"] == "Search engine advertising (SEA)"
    assert record["Direction"] == "The lower, the better"
    assert record["Target"] == "1.4" and record["Latest value"] == "1.5"
    assert record["Latest period"] == "2026-02-01"
    # 1.5 against a target of 1.4, lower is better: within 10 % of it.
    assert record["Status"] == "At risk"


def test_a_member_file_names_its_projects_and_is_logged(
    client, auth, member_with_data
) -> None:
    member, user, *_ = member_with_data(name="Alpha", projects=2)
    auth.login(user)
    rows = _csv(client.get("/dashboard/export/response_rates.csv", query_string=PERIOD))
    assert rows[0] == [
        "Projet",
        "Questionnaires envoyés",
        "Réponses",
        "Taux de réponse (%)",
    ]
    assert sorted(r[0] for r in rows[1:]) == ["Campagne Alpha 0", "Campagne Alpha 1"]
    assert rows[1][1:] == ["8", "6", "75"]
    [entry] = _audit()
    assert entry.member_id == member.id and entry.detail["export"] == "response_rates"


def test_a_project_titled_as_a_formula_stays_text_in_csv_and_xlsx(
    client, auth, make_project, add_indicator, member_with_data
) -> None:
    member, user, client_record, _contact = member_with_data(name="Alpha")
    evil = '=HYPERLINK("http://evil.example","Cliquez")'
    add_indicator(make_project(member, client=client_record, title=evil))
    auth.login(user)
    rows = _csv(client.get("/dashboard/export/indicators.csv", query_string=PERIOD))
    assert "'" + evil in [r[0] for r in rows[1:]]
    xlsx = client.get("/dashboard/export/indicators.xlsx", query_string=PERIOD)
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:2] == ["Projet", "Client"]
    [cell] = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == evil]
    assert cell.data_type == "s" and cell.quotePrefix  # a text, not a live formula


def test_a_negative_score_stays_a_number(
    client,
    auth,
    make_member,
    make_member_user,
    make_client,
    make_contact,
    make_project,
    add_answers,
) -> None:
    member = make_member(name="Gamma")
    contact = make_contact(make_client(member))
    add_answers(make_project(member), contact, nps=[0, 0, 0, 3, 9, 10])
    auth.login(make_member_user(member))
    rows = _csv(client.get("/dashboard/export/scores.csv", query_string=PERIOD))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Score"] == "Recommandation (NPS)"
    # (2 promoters - 4 detractors) / 6 = -33,3…: a number, not "'-33,3".
    assert record["Valeur"].startswith("-33,3")
    assert record["Trimestre"].startswith("T") and " 2026" in record["Trimestre"]
    xlsx = client.get("/dashboard/export/scores.xlsx", query_string=PERIOD)
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    value = sheet.cell(row=2, column=headers.index("Valeur") + 1)
    assert value.data_type == "n" and round(value.value, 1) == -33.3


def test_the_measurements_file_is_french_and_logged_with_its_project(
    client, auth, member_with_data
) -> None:
    member, user, *_ = member_with_data(name="Alpha")
    auth.login(user)
    indicator = services.member_dashboard(member.id, FILTERS, now=NOW).indicators[0]
    rows = _csv(
        client.get(
            f"/dashboard/indicators/{indicator['id']}/rows",
            query_string={**PERIOD, "format": "csv"},
        )
    )
    assert rows[0][:4] == ["Projet", "Indicateur", "Début de la période", "Période"]
    # A cost per click's parts under their names, not "numerator".
    assert rows[0][5:7] == ["Coût (€)", "Clics"]
    january = dict(zip(rows[0], rows[1], strict=True))
    assert january["Projet"] == "Campagne Alpha 0"
    assert january["Début de la période"] == "01/01/2026"
    assert january["Période"] == "Par mois" and january["Source"] == "Saisie"
    assert (january["Valeur"], january["Coût (€)"], january["Clics"]) == (
        "0,5",
        "100",
        "200",
    )
    assert january["Mise à jour le"] == "15/06/2026 11:00"  # 09:00 UTC, summer time
    [entry] = _audit()
    assert entry.object_type == "indicator" and entry.object_id == indicator["id"]
    assert entry.member_id == member.id
    assert entry.detail["project"] == "Campagne Alpha 0"
    assert entry.detail["export"] == "measurements"


def test_the_answers_file_is_logged_and_an_unknown_format_is_not(
    client, auth, member_with_data
) -> None:
    member, user, *_ = member_with_data(name="Alpha")
    auth.login(user)
    rows = _csv(
        client.get(
            "/dashboard/answers",
            query_string={**PERIOD, "metric": "nps", "format": "csv"},
        )
    )
    assert rows[0] == [
        "Réponse n°",
        "Reçue le",
        "Projet",
        "Campagne",
        "Engagement de la charte",
        "Note",
    ]
    assert sorted(int(r[5]) for r in rows[1:]) == [0, 3, 7, 9, 10, 10]
    assert all(r[2] == "Campagne Alpha 0" for r in rows[1:])
    [entry] = _audit()
    assert entry.detail["export"] == "answers" and entry.member_id == member.id
    assert (
        client.get(
            "/dashboard/answers", query_string={**PERIOD, "format": "pdf"}
        ).status_code
        == 404
    )
    assert len(_audit()) == 1


def test_every_column_of_the_pages_tables_is_exported_with_a_word(
    client, auth, make_staff, member_with_data
) -> None:
    """A column added to a table without its header would vanish from the file."""
    from datetime import date

    member, user, *_ = member_with_data(name="Alpha")
    today = date(2026, 6, 30)
    board = make_staff(Role.BOARD)
    for name in ("compliance", "scores", "indicators_by_service", "response_rates"):
        frame = services.board_table(FILTERS, name, today=today)
        table = services.export_board_table(
            board, FILTERS, name, fmt="csv", today=today
        )
        assert len(table.headers) == len(frame.columns), (name, list(frame.columns))
        assert not [h for h in table.headers if "_" in h], table.headers
    for name in ("indicators", "scores", "response_rates"):
        frame = services.member_table(member.id, FILTERS, name)
        table = services.export_member_table(user, member.id, FILTERS, name, fmt="csv")
        assert len(table.headers) == len(frame.columns), (name, list(frame.columns))
