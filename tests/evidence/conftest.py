"""A member's year of records, built through the real services of each feature
(records, indicators, answers, a complaint, an improvement action), and a second
member whose records must never show in the first one's pack."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from core.extensions import db
from core.security import Role
from tests.dashboards.conftest import (  # noqa: F401
    add_answers,
    add_indicator,
    charter_version,
)
from tests.mediation.conftest import _attachment_dir, make_case  # noqa: F401

#: The day the service tests pretend it is: mid-2026, the pack's year.
TODAY = date(2026, 6, 15)
YEAR = 2026
CONTACT_NAME = "Élise Dupont-Vasseur"
CONTACT_EMAIL = "elise.dupont@mairie-gap.example"
#: A follow-up's summary naming the client's contact: never in the pack.
FOLLOW_UP_SUMMARY = f"Réunion avec {CONTACT_NAME} sur le planning"
FREE_TEXT = "Mme Dupont-Vasseur trouve le site trop lent"


@dataclass
class Seeded:
    member: Any
    admin: Any
    user: Any
    project: Any
    other_member: Any
    other_admin: Any
    complaint: Any
    action_id: int


@pytest.fixture()
def seeded(
    make_member: Callable[..., Any],
    make_member_user: Callable[..., Any],
    make_client: Callable[..., Any],
    make_contact: Callable[..., Any],
    make_project: Callable[..., Any],
    add_indicator: Callable[..., Any],  # noqa: F811
    add_answers: Callable[..., Any],  # noqa: F811
    make_case: Callable[..., Any],  # noqa: F811
) -> Seeded:
    from improvement.models import ActionState, ImprovementAction, SourceType
    from records import services as records
    from records.models import (
        BackupFrequency,
        ChangeKind,
        FollowUpKind,
        Payer,
        RecurringPeriod,
    )

    member = make_member("Agence Preuves")
    admin = make_member_user(member, Role.MEMBER_ADMIN)
    user = make_member_user(member, Role.MEMBER_USER)
    client = make_client(member, name="Mairie de Gap")
    contact = make_contact(client, name=CONTACT_NAME, email=CONTACT_EMAIL)
    project = make_project(member, client=client, title="Site de la mairie")
    t = {"today": TODAY}
    records.add_client_item(
        admin,
        project,
        label="Textes de la page d'accueil",
        due_on=date(2026, 5, 1),
        is_critical=True,
        **t,
    )
    records.set_budget(
        admin,
        project,
        setup_cost=Decimal("3000"),
        recurring_cost=Decimal("50"),
        recurring_period=RecurringPeriod.MONTH,
        third_party_cost=Decimal("0"),
        deadline_on=date(2026, 9, 30),
        **t,
    )
    records.record_change(
        admin,
        project,
        kind=ChangeKind.PRICE,
        summary="Hausse de l'hébergement",
        announced_on=date(2026, 6, 1),
        effective_on=date(2026, 6, 10),
        **t,
    )
    records.record_change(
        admin,
        project,
        kind=ChangeKind.DEADLINE,
        summary="Mise en ligne décalée",
        announced_on=date(2026, 3, 1),
        effective_on=date(2026, 5, 1),
        **t,
    )
    records.log_follow_up(
        admin,
        project,
        kind=FollowUpKind.REPORT,
        held_on=date(2026, 4, 2),
        summary=FOLLOW_UP_SUMMARY,
        send=False,
        **t,
    )
    records.add_delivery(
        admin, project, label="Maquettes", delivered_on=date(2026, 3, 15), **t
    )
    records.add_technology(
        admin,
        project,
        name="PHP",
        version="7.4",
        end_of_support_on=date(2022, 11, 28),
        **t,
    )
    records.add_backup_plan(
        admin,
        project,
        scope="Base de données",
        frequency=BackupFrequency.DAILY,
        location="OVH Roubaix",
        restore_hours=4,
    )
    records.add_licence(
        admin,
        project,
        name="Licence WordPress Pro",
        renews_on=date(2026, 7, 10),
        paid_by=Payer.CLIENT,
        **t,
    )
    add_indicator(
        project,
        target="100",
        values={date(2026, 1, 1): "120", date(2026, 2, 1): "80"},
        agreed_with=contact,
    )
    add_answers(
        project,
        contact,
        nps=[10, 10, 9, 7, 3, 0],
        csat=[5, 4, 4, 2, 1, 5],
        sent=8,
        text=FREE_TEXT,
    )
    case = make_case("resolved", member=member)
    action = ImprovementAction(
        member_id=member.id,
        project_id=project.id,
        source_type=SourceType.COMPLAINT,
        source_id=case.complaint.id,
        source_detail={"reference": case.complaint.reference, "project": project.title},
        state=ActionState.IN_PROGRESS,
        cause="Planning non partagé",
        action="Un planning partagé chaque semaine",
        due_on=date(2026, 4, 30),
        opened_at=datetime(2026, 3, 5, 9, 0, tzinfo=UTC),
    )
    db.session.add(action)
    db.session.commit()

    other = make_member("Agence Voisine")
    other_admin = make_member_user(other, Role.MEMBER_ADMIN)
    other_project = make_project(other, title="Boutique voisine")
    records.add_licence(
        other_admin,
        other_project,
        name="Licence de la voisine",
        renews_on=date(2026, 8, 1),
        paid_by=Payer.MEMBER,
        **t,
    )
    return Seeded(
        member=member,
        admin=admin,
        user=user,
        project=project,
        other_member=other,
        other_admin=other_admin,
        complaint=case.complaint,
        action_id=action.id,
    )
