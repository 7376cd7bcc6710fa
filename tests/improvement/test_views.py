"""The register's pages as a member and the board use them: lists and filters,
deciding and closing through the forms, refusals in both languages, the CSV,
another member's action not found, the board's counts without contact data."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.extensions import db
from core.security import Role
from improvement import services
from improvement.models import ActionState, ImprovementAction
from tests.improvement.conftest import NOW


@pytest.fixture()
def opened(detractor):
    """A member with one detractor's action to decide."""
    w = detractor("2", name="Agence Écoute")
    services.open_actions(NOW)
    w.action = db.session.scalars(select(ImprovementAction)).one()
    return w


def _late(w) -> None:
    services.decide_action(
        w.admin,
        w.action,
        cause="Relances oubliées.",
        plan="Un point écrit chaque quinzaine.",
        owner_id=w.user.id,
        due_on=date(2026, 7, 1),
        now=NOW + timedelta(hours=1),
    )


def test_the_register_lists_open_actions_and_filters_the_late_ones(
    client, auth, opened
) -> None:
    auth.login(opened.admin)
    page = client.get("/space/improvement").get_data(as_text=True)
    assert "Réponse détractrice (recommandation 2 sur 10)" in page
    assert "À décider" in page
    assert "Ouvertes : 1, dont 1 à décider et 0 en retard." in page
    assert "Aucune action dans cette liste." in client.get(
        "/space/improvement?which=late"
    ).get_data(as_text=True)
    _late(opened)
    late = client.get("/space/improvement?which=late").get_data(as_text=True)
    assert 'data-testid="late"' in late and "En cours" in late
    closed = client.get("/space/improvement?which=closed").get_data(as_text=True)
    assert "Aucune action dans cette liste." in closed


def test_an_unknown_filter_is_a_400_in_the_users_language(
    client, auth, opened, make_member_user
) -> None:
    auth.login(opened.admin)
    response = client.get("/space/improvement?which=everything")
    assert response.status_code == 400
    assert "Filtre inconnu" in response.get_data(as_text=True)
    auth.logout()
    auth.login(make_member_user(opened.member, locale="en"))
    response = client.get("/space/improvement/export.csv?which=x")
    assert response.status_code == 400
    assert "Unknown filter" in response.get_data(as_text=True)


def test_a_member_decides_then_closes_an_action_through_the_forms(
    client, auth, opened
) -> None:
    auth.login(opened.user)
    url = f"/space/improvement/{opened.action.id}"
    form = client.get(url).get_data(as_text=True)
    assert 'name="decide-cause"' in form and 'name="close-effect"' not in form
    response_url = f"/space/responses/{opened.action.source_detail['response_id']}"
    assert f'href="{response_url}"' in form
    assert client.get(response_url).status_code == 200
    response = client.post(
        f"{url}/decide",
        data={
            "decide-cause": "Pas de point d'avancement.",
            "decide-plan": "Un point chaque quinzaine.",
            "decide-owner_id": str(opened.user.id),
            "decide-due_on": "2030-01-15",
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "En cours" in page and 'name="close-effect"' in page
    today = date.today().isoformat()
    response = client.post(
        f"{url}/close",
        data={
            "close-result": "Points envoyés.",
            "close-effect": "Le client recommande de nouveau.",
            "close-effect_on": today,
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Le client recommande de nouveau." in page
    assert "decide-cause" not in page  # closed: no form any more
    db.session.expire_all()
    action = db.session.get(ImprovementAction, opened.action.id)
    assert action.state == ActionState.CLOSED and action.owner_id == opened.user.id


@pytest.mark.parametrize(
    ("data", "french", "english"),
    [
        (
            {"decide-due_on": "1999-05-01"},
            "Date peu plausible",
            "Implausible date",
        ),
        (
            {"decide-due_on": "2026-06-01"},
            "ne peut pas précéder",
            "cannot be before the action was opened",
        ),
        (
            {"decide-cause": "x" * 5001},
            "Pas plus de 5000 caractères.",
            "No more than 5000 characters.",
        ),
        ({"decide-cause": ""}, "Indiquez la cause.", "State the cause."),
    ],
    ids=["old-date", "before-opening", "too-long", "no-cause"],
)
def test_bad_decisions_are_400s_in_french_and_english(
    client, auth, opened, make_member_user, data, french, english
) -> None:
    url = f"/space/improvement/{opened.action.id}/decide"
    valid = {
        "decide-cause": "Cause.",
        "decide-plan": "Plan.",
        "decide-owner_id": str(opened.admin.id),
        "decide-due_on": "2030-01-15",
    }
    english_user = make_member_user(opened.member, locale="en")
    for user, text in ((opened.admin, french), (english_user, english)):
        auth.login(user)
        response = client.post(url, data={**valid, **data})
        assert response.status_code == 400
        assert text in response.get_data(as_text=True)
        auth.logout()
    db.session.expire_all()
    assert db.session.get(ImprovementAction, opened.action.id).cause == ""


def test_an_owner_from_another_member_or_a_date_that_is_no_date_is_a_400(
    client, auth, opened, make_member, make_member_user
) -> None:
    stranger = make_member_user(make_member("Agence Ailleurs"))
    auth.login(opened.admin)
    url = f"/space/improvement/{opened.action.id}/decide"
    base = {"decide-cause": "C.", "decide-plan": "P.", "decide-due_on": "2030-01-15"}
    assert (
        client.post(url, data={**base, "decide-owner_id": str(stranger.id)}).status_code
        == 400
    )
    assert client.post(url, data={**base, "decide-owner_id": "abc"}).status_code == 400
    bad_date = {
        **base,
        "decide-owner_id": str(opened.admin.id),
        "decide-due_on": "31/02/2030",
    }
    assert client.post(url, data=bad_date).status_code == 400


def test_closing_an_action_not_decided_or_with_a_future_effect_is_refused(
    client, auth, opened
) -> None:
    auth.login(opened.admin)
    url = f"/space/improvement/{opened.action.id}/close"
    later = (date.today() + timedelta(days=3)).isoformat()
    data = {"close-result": "R.", "close-effect": "E.", "close-effect_on": later}
    response = client.post(url, data=data)
    assert response.status_code == 400
    _late(opened)
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "La date ne peut pas être dans le futur." in response.get_data(as_text=True)
    db.session.expire_all()
    assert (
        db.session.get(ImprovementAction, opened.action.id).state
        == ActionState.IN_PROGRESS
    )


def test_another_members_action_is_not_found(
    client, auth, opened, make_member, make_member_user
) -> None:
    other = make_member_user(make_member("Agence Curieuse"))
    auth.login(other)
    url = f"/space/improvement/{opened.action.id}"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/decide", data={}).status_code == 404
    assert client.post(f"{url}/close", data={}).status_code == 404
    assert "Agence Écoute" not in client.get(url).get_data(as_text=True)
    assert client.get("/space/improvement/2147483648").status_code == 404


def test_the_csv_is_french_with_semicolons_or_english_with_commas(
    client, auth, opened, make_member_user
) -> None:
    _late(opened)
    auth.login(opened.admin)
    response = client.get("/space/improvement/export.csv?which=all")
    assert response.status_code == 200
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["N°", "Ouverte le", "Origine", "Déclencheur", "État"]
    assert rows[1][4:6] == ["En cours", "oui"]
    assert rows[1][1] == "15/06/2026 10:00"
    assert rows[1][9] == "01/07/2026"
    assert rows[1][7] == "Un point écrit chaque quinzaine."
    auth.logout()
    auth.login(make_member_user(opened.member, locale="en"))
    body = client.get("/space/improvement/export.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["No.", "Opened on", "Origin"]
    assert rows[1][4] == "In progress"
    assert rows[1][1] == "2026-06-15 10:00"  # opened at 8:00 UTC, in Paris time


def test_the_xlsx_keeps_dates_as_dates_and_texts_as_texts(client, auth, opened) -> None:
    from openpyxl import load_workbook

    _late(opened)
    services.decide_action(
        opened.admin,
        opened.action,
        cause='=HYPERLINK("http://evil.example")',
        plan="Un point écrit chaque quinzaine.",
        owner_id=opened.user.id,
        due_on=date(2026, 7, 1),
        now=NOW + timedelta(hours=2),
    )
    auth.login(opened.admin)
    response = client.get("/space/improvement/export.xlsx?which=late")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    headers = [cell.value for cell in sheet[1]]
    row = dict(zip(headers, (cell for cell in sheet[2]), strict=True))
    assert row["Échéance"].value.date() == date(2026, 7, 1)
    assert row["Cause"].value == '=HYPERLINK("http://evil.example")'
    assert row["Cause"].data_type == "s"
    assert client.get("/space/improvement/export.pdf").status_code == 404


def test_the_board_sees_counts_per_member_and_no_contact(
    client, auth, opened, make_staff
) -> None:
    _late(opened)
    auth.login(make_staff(Role.BOARD))
    page = client.get("/association/improvement").get_data(as_text=True)
    assert "Agence Écoute" in page
    row = page[page.index("Agence Écoute") :].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert [re.sub(r"<[^>]+>", "", cell) for cell in cells] == ["1", "0", "1", "0"]
    contact = opened.contacts[0]
    assert contact.name not in page and contact.email not in page
    assert "Relances oubliées." not in page  # the action's text stays with the member


def test_the_member_dashboard_shows_the_open_and_late_actions(
    client, auth, opened
) -> None:
    _late(opened)
    auth.login(opened.admin)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="improvement-panel"' in page
    assert "Ouvertes : 1, dont 0 à décider et 1 en retard." in page
    assert 'href="/space/improvement"' in page
