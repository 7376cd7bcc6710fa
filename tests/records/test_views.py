"""The records page of a project, its forms, and what the client sees in the portal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.dates import local_today
from core.extensions import db
from core.models import OutboxMessage
from records import services
from records.models import Budget, ChangeKind, ClientItem, Payer


@pytest.fixture()
def signed_in(client, auth, setting):
    auth.login(setting.admin)
    return setting


def _url(setting, tail: str = "") -> str:
    return f"/space/projects/{setting.project.id}/records{tail}"


def test_the_project_page_links_to_its_records_with_their_flags(
    client, signed_in
) -> None:
    today = local_today()
    services.add_client_item(
        signed_in.admin,
        signed_in.project,
        label="Photos des élus",
        due_on=today - timedelta(days=2),
        is_critical=True,
    )
    page = client.get(f"/space/projects/{signed_in.project.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Engagements de la charte" in html
    assert _url(signed_in) in html
    assert "Élément critique en retard : « Photos des élus »" in html


def test_an_item_typed_in_the_form_is_stored_and_shown(client, signed_in) -> None:
    due = local_today() + timedelta(days=10)
    response = client.post(
        _url(signed_in, "/items"),
        data={
            "item-label": "Textes de la page d'accueil",
            "item-due_on": due.isoformat(),
            "item-is_critical": "y",
        },
    )
    assert response.status_code == 302
    page = client.get(_url(signed_in)).get_data(as_text=True)
    assert "Textes de la page d&#39;accueil" in page
    [item] = db.session.scalars(select(ClientItem)).all()
    assert item.is_critical and item.due_on == due


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item-label": "", "item-due_on": "2026-07-01"}, "Ce champ est requis"),
        ({"item-label": "Textes", "item-due_on": "0001-01-01"}, "Date peu plausible"),
        (
            {"item-label": "Textes", "item-due_on": "demain"},
            "N&#39;est pas une date valide",
        ),
        ({"item-label": "x" * 201, "item-due_on": "2026-07-01"}, "200 caractères"),
    ],
)
def test_bad_items_are_refused_with_a_message_and_a_400(
    client, signed_in, data, message
) -> None:
    response = client.post(_url(signed_in, "/items"), data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ClientItem.id))) == 0


def test_a_negative_or_huge_amount_is_refused_in_english_too(
    client, auth, signed_in
) -> None:
    client.post("/language", data={"locale": "en"})
    response = client.post(
        _url(signed_in, "/budget"),
        data={
            "budget-setup_cost": "-5",
            "budget-recurring_cost": "1e30",
            "budget-recurring_period": "month",
            "budget-third_party_cost": "0",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "An amount from €0 to €9,999,999,999.99." in html
    assert db.session.scalar(select(func.count(Budget.id))) == 0


def test_a_budget_with_an_unknown_period_is_a_400(client, signed_in) -> None:
    response = client.post(
        _url(signed_in, "/budget"),
        data={"budget-setup_cost": "10", "budget-recurring_period": "week"},
    )
    assert response.status_code == 400


def test_a_budget_and_a_short_notice_change_are_shown(client, signed_in) -> None:
    today = local_today()
    response = client.post(
        _url(signed_in, "/changes"),
        data={
            "change-kind": "price",
            "change-summary": "Hébergement : 30 € → 35 € par mois",
            "change-announced_on": today.isoformat(),
            "change-effective_on": (today + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    html = client.get(_url(signed_in)).get_data(as_text=True)
    assert "préavis court" in html
    assert "Changement annoncé avec un préavis de 7 jours (moins de 30)" in html


def test_the_budget_form_stores_decimal_amounts(client, signed_in) -> None:
    response = client.post(
        _url(signed_in, "/budget"),
        data={
            "budget-setup_cost": "4800.50",
            "budget-recurring_cost": "45",
            "budget-recurring_period": "year",
            "budget-third_party_cost": "",
        },
    )
    assert response.status_code == 302
    budget = db.session.scalar(select(Budget))
    assert budget is not None
    assert str(budget.setup_cost) == "4800.50"
    assert budget.recurring_period.value == "year"
    html = client.get(_url(signed_in)).get_data(as_text=True)
    assert "4\u202f800,50\xa0€" in html


def test_a_follow_up_ticked_is_sent_to_the_client(client, signed_in) -> None:
    response = client.post(
        _url(signed_in, "/follow-ups"),
        data={
            "follow_up-kind": "acceptance",
            "follow_up-held_on": local_today().isoformat(),
            "follow_up-summary": "Recette validée, deux corrections.",
            "follow_up-send": "y",
        },
    )
    assert response.status_code == 302
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.to_address == "elu@mairie.example"
    assert "Recette validée, deux corrections." in message.body_text


def test_every_form_refuses_an_empty_post_with_a_400(client, signed_in) -> None:
    for tail in (
        "/items",
        "/budget",
        "/changes",
        "/follow-ups",
        "/deliveries",
        "/handover",
        "/technologies",
        "/backups",
        "/licences",
        "/items/1/received",
        "/technologies/1/informed",
    ):
        response = client.post(_url(signed_in, tail), data={})
        assert response.status_code == 400, tail


def test_another_projects_item_is_a_404(
    client, signed_in, make_member, make_project
) -> None:
    other = make_project(make_member("Agence Voisine"))
    item = services.add_client_item(
        signed_in.admin,
        other,
        label="Accès",
        due_on=local_today(),
        is_critical=False,
    )
    response = client.post(
        _url(signed_in, f"/items/{item.id}/received"),
        data={"received-received_on": local_today().isoformat()},
    )
    assert response.status_code == 404
    response = client.post(_url(signed_in, f"/items/{item.id}/delete"))
    assert response.status_code == 404
    assert client.get(f"/space/projects/{other.id}/records").status_code == 404


def test_a_change_cannot_be_deleted_from_the_page(client, signed_in) -> None:
    change = services.record_change(
        signed_in.admin,
        signed_in.project,
        kind=ChangeKind.DEADLINE,
        summary="Report",
        announced_on=local_today(),
        effective_on=local_today(),
    )
    response = client.post(_url(signed_in, f"/changes/{change.id}/delete"))
    assert response.status_code == 409
    assert "reste au dossier" in response.get_data(as_text=True)


# ---------------------------------------------------------------- client portal


def _portal_login(client, app, email: str) -> None:
    from dashboards.views import PORTAL_KEY, PORTAL_STARTED

    with client.session_transaction() as session:
        session[PORTAL_KEY] = email
        session[PORTAL_STARTED] = __import__("time").time()


def test_the_portal_shows_the_clients_records_and_flags_only(
    client, app, setting, make_member, make_project, make_member_user, make_contact
) -> None:
    today = local_today()
    services.add_licence(
        setting.admin,
        setting.project,
        name="Antivirus (20 postes)",
        renews_on=today + timedelta(days=20),
        paid_by=Payer.CLIENT,
    )
    services.record_change(
        setting.admin,
        setting.project,
        kind=ChangeKind.PRICE,
        summary="Maintenance : 90 € → 120 €",
        announced_on=today,
        effective_on=today + timedelta(days=3),
    )
    other_member = make_member("Autre Agence")
    other = make_project(other_member, title="Autre projet")
    make_contact(other.client, email="quelquun@ailleurs.example")
    services.add_licence(
        make_member_user(other_member),
        other,
        name="Licence secrète",
        renews_on=today + timedelta(days=20),
        paid_by=Payer.CLIENT,
    )
    _portal_login(client, app, "elu@mairie.example")
    page = client.get(f"/portal/projects/{setting.project.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Les engagements de votre prestataire" in html
    assert "Antivirus (20 postes)" in html
    assert "Licence à renouveler le" in html
    assert "préavis court" in html
    assert "Licence secrète" not in html
    assert "Supprimer" not in html  # read-only for the client
    assert client.get(f"/portal/projects/{other.id}").status_code == 404


@pytest.mark.parametrize(
    "amount", ["NaN", "sNaN", "Infinity", "-0", "1e5000", "9" * 5000]
)
def test_amounts_that_are_no_number_of_euros_are_a_400(
    client, signed_in, amount
) -> None:
    response = client.post(
        _url(signed_in, "/budget"),
        data={"budget-setup_cost": amount, "budget-recurring_period": "month"},
    )
    if amount == "-0":
        assert response.status_code == 302  # zero, written -0
        return
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Budget.id))) == 0


def test_a_received_date_in_the_future_is_refused_on_the_page(
    client, signed_in
) -> None:
    item = services.add_client_item(
        signed_in.admin,
        signed_in.project,
        label="Accès FTP",
        due_on=local_today(),
        is_critical=True,
    )
    response = client.post(
        _url(signed_in, f"/items/{item.id}/received"),
        data={"received-received_on": (local_today() + timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 400
    assert "La date ne peut pas être dans le futur." in response.get_data(as_text=True)
    assert db.session.get(ClientItem, item.id).received_on is None
    response = client.post(
        _url(signed_in, f"/items/{item.id}/received"),
        data={"received-received_on": local_today().isoformat()},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ClientItem, item.id).received_on == local_today()


def test_the_records_page_costs_the_same_with_one_or_thirty_records(
    client, signed_in
) -> None:
    """One query per kind of record, however many there are (no N+1)."""
    from tests.statements import statements

    def add(n: int) -> None:
        for i in range(n):
            services.add_client_item(
                signed_in.admin,
                signed_in.project,
                label=f"Élément {i}",
                due_on=local_today(),
                is_critical=i % 2 == 0,
            )
            services.add_licence(
                signed_in.admin,
                signed_in.project,
                name=f"Licence {i}",
                renews_on=local_today() + timedelta(days=i),
                paid_by=Payer.CLIENT,
            )

    add(1)
    with statements() as few:
        assert client.get(_url(signed_in)).status_code == 200
    add(29)
    with statements() as many:
        assert client.get(_url(signed_in)).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 16


HOSTILE = ("9" * 5000, str(2**63), str(-(2**31) - 1), "2026-13-45", "x" * 6000)
FORM_FIELDS = {
    "/items": ("item", ["label", "due_on", "is_critical"]),
    "/budget": (
        "budget",
        ["setup_cost", "recurring_cost", "recurring_period", "third_party_cost"],
    ),
    "/changes": ("change", ["kind", "summary", "announced_on", "effective_on"]),
    "/follow-ups": ("follow_up", ["kind", "held_on", "summary", "send"]),
    "/deliveries": ("delivery", ["label", "delivered_on"]),
    "/handover": ("handover", ["mode", "handed_on", "recipient", "clause"]),
    "/technologies": ("technology", ["name", "version", "end_of_support_on"]),
    "/backups": ("backup", ["scope", "frequency", "location", "restore_hours"]),
    "/licences": ("licence", ["name", "renews_on", "paid_by"]),
}


@pytest.mark.parametrize("tail", sorted(FORM_FIELDS))
def test_hostile_values_in_any_field_are_refused_or_stored_never_a_500(
    client, signed_in, tail
) -> None:
    prefix, fields = FORM_FIELDS[tail]
    for name in fields:
        for value in HOSTILE:
            response = client.post(
                _url(signed_in, tail), data={f"{prefix}-{name}": value}
            )
            # Alone in its form a field is a 400 (others required), or a
            # valid record when it is the only one required (a technology's name).
            assert response.status_code in (302, 400), (tail, name, value[:20])
    for path in ("/items/9999999999/received", "/licences/2147483648/delete"):
        assert client.post(_url(signed_in, path)).status_code == 404
