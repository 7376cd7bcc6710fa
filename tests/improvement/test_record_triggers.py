"""Each missed commitment the records show opens an improvement action: a late
critical client item, a change announced at short notice, a component at its
end of support the client was not told of, a licence renewed without a
reminder — one action per flagged record, once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.extensions import db
from core.security import Role
from improvement import services
from improvement.describe import describe
from improvement.models import ImprovementAction, SourceType
from records import services as records
from records.models import ChangeKind, Payer, RecurringPeriod
from tests.improvement.conftest import NOW

TODAY = NOW.date()  # 2026-06-15


@pytest.fixture()
def kept(make_member, make_member_user, make_project, make_contact) -> dict[str, Any]:
    """A member's project with one flagged record of each kind, and the same
    records kept as the charter asks (none flagged)."""
    member = make_member("Agence Registre")
    admin = make_member_user(member, Role.MEMBER_ADMIN)
    project = make_project(member, title="Parc informatique")
    make_contact(project.client, email="dsi@client.example")
    records.set_budget(
        admin,
        project,
        setup_cost=Decimal("100"),
        recurring_cost=None,
        recurring_period=RecurringPeriod.MONTH,
        third_party_cost=None,
        deadline_on=date(2026, 12, 31),
        today=TODAY,
    )
    flagged = {
        SourceType.LATE_ITEM: records.add_client_item(
            admin,
            project,
            label="Comptes utilisateurs",
            due_on=TODAY - timedelta(days=12),
            is_critical=True,
            today=TODAY,
        ),
        SourceType.SHORT_NOTICE: records.record_change(
            admin,
            project,
            kind=ChangeKind.PRICE,
            summary="Maintenance : 90 € → 120 €",
            announced_on=TODAY - timedelta(days=5),
            effective_on=TODAY + timedelta(days=10),
            today=TODAY,
        ),
        SourceType.COMPONENT: records.add_technology(
            admin,
            project,
            name="Windows Server",
            version="2012 R2",
            end_of_support_on=date(2023, 10, 10),
            today=TODAY,
        ),
        SourceType.LICENCE: records.add_licence(
            admin,
            project,
            name="Antivirus",
            renews_on=TODAY - timedelta(days=3),
            paid_by=Payer.CLIENT,
            today=TODAY - timedelta(days=60),
        ),
    }
    # The same kinds of record, kept: nothing to open.
    records.add_client_item(
        admin,
        project,
        label="Textes",
        due_on=TODAY - timedelta(days=20),
        is_critical=True,
        received_on=TODAY - timedelta(days=25),
        today=TODAY,
    )
    records.add_client_item(
        admin,
        project,
        label="Photos (non critique)",
        due_on=TODAY - timedelta(days=20),
        is_critical=False,
        today=TODAY,
    )
    records.record_change(
        admin,
        project,
        kind=ChangeKind.DEADLINE,
        summary="Report annoncé à temps",
        announced_on=TODAY - timedelta(days=2),
        effective_on=TODAY + timedelta(days=60),
        today=TODAY,
    )
    records.add_technology(
        admin,
        project,
        name="Debian",
        version="10",
        end_of_support_on=date(2024, 6, 30),
        client_informed_on=date(2024, 1, 10),
        today=TODAY,
    )
    reminded = records.add_licence(
        admin,
        project,
        name="Suite bureautique",
        renews_on=TODAY - timedelta(days=1),
        paid_by=Payer.CLIENT,
        today=TODAY - timedelta(days=60),
    )
    assert records.remind_licence(reminded, now=NOW - timedelta(days=20)) == 1
    return {"member": member, "admin": admin, "project": project, "flagged": flagged}


def _actions() -> list[ImprovementAction]:
    return list(
        db.session.scalars(select(ImprovementAction).order_by(ImprovementAction.id))
    )


def test_each_flagged_record_opens_one_action_once(kept) -> None:
    assert services.open_actions(NOW) == 4
    actions = _actions()
    assert {(a.source_type, a.source_id) for a in actions} == {
        (source, record.id) for source, record in kept["flagged"].items()
    }
    assert {a.member_id for a in actions} == {kept["member"].id}
    assert {a.project_id for a in actions} == {kept["project"].id}
    # A second scan, the next day or later, opens nothing more.
    assert services.open_actions(NOW) == 0
    assert services.open_actions(NOW + timedelta(days=1)) == 0
    assert len(_actions()) == 4


def test_each_action_says_what_was_missed(kept) -> None:
    services.open_actions(NOW)
    sentences = {a.source_type: describe(a) for a in _actions()}
    assert sentences[SourceType.LATE_ITEM] == (
        "Élément critique « Comptes utilisateurs » attendu du client le "
        "3 juin 2026, non fourni — projet Parc informatique"
    )
    assert sentences[SourceType.SHORT_NOTICE] == (
        "Changement « Maintenance : 90 € → 120 € » annoncé le 10 juin 2026 pour "
        "le 25 juin 2026 (15 jours de préavis) — projet Parc informatique"
    )
    assert sentences[SourceType.COMPONENT] == (
        "Windows Server 2012 R2 : fin de support le 10 oct. 2023, client non "
        "prévenu — projet Parc informatique"
    )
    assert sentences[SourceType.LICENCE] == (
        "Licence « Antivirus » renouvelée le 12 juin 2026 sans rappel au client "
        "— projet Parc informatique"
    )


def test_a_record_put_right_after_its_action_opened_opens_no_other(kept) -> None:
    services.open_actions(NOW)
    item = kept["flagged"][SourceType.LATE_ITEM]
    records.mark_item_received(
        kept["admin"], kept["project"], item.id, received_on=TODAY, today=TODAY
    )
    assert services.open_actions(NOW + timedelta(days=2)) == 0
    assert len(_actions()) == 4


def test_the_action_page_shows_the_record_and_links_to_the_projects_records(
    kept, client, auth
) -> None:
    services.open_actions(NOW)
    action = next(a for a in _actions() if a.source_type == SourceType.COMPONENT)
    auth.login(kept["admin"])
    html = client.get(f"/space/improvement/{action.id}").get_data(as_text=True)
    assert "Composant en fin de support, client non prévenu" in html
    assert "Windows Server 2012 R2" in html
    assert f'href="/space/projects/{kept["project"].id}/records"' in html
