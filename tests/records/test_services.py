"""The records' use cases: what they store, what they refuse, their audit entry."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from core.extensions import db
from core.models import AuditLog, OutboxMessage
from records import services
from records.models import (
    BackupFrequency,
    Budget,
    Change,
    ChangeKind,
    ClientItem,
    FollowUp,
    FollowUpKind,
    HandoverMode,
    Payer,
    RecurringPeriod,
)
from tests.records.conftest import TODAY


def _audit(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_a_late_critical_item_is_flagged_until_received(setting) -> None:
    item = services.add_client_item(
        setting.admin,
        setting.project,
        label="Photos de la mairie",
        due_on=TODAY - timedelta(days=3),
        is_critical=True,
        today=TODAY,
    )
    records = services.project_records(setting.project.id, is_closed=False, today=TODAY)
    assert [i.label for i in records.late_critical_items] == ["Photos de la mairie"]
    assert records.has_flags

    services.mark_item_received(
        setting.admin, setting.project, item.id, received_on=TODAY, today=TODAY
    )
    records = services.project_records(setting.project.id, is_closed=False, today=TODAY)
    assert records.late_critical_items == []
    assert records.item_late(records.items[0])  # still shown as received late
    [entry] = _audit("records.client_item.received")
    assert entry.member_id == setting.member.id
    assert entry.detail["project_id"] == setting.project.id


def test_a_non_critical_late_item_raises_no_flag(setting) -> None:
    services.add_client_item(
        setting.admin,
        setting.project,
        label="Logo",
        due_on=TODAY - timedelta(days=3),
        is_critical=False,
        today=TODAY,
    )
    records = services.project_records(setting.project.id, is_closed=False, today=TODAY)
    assert records.late_critical_items == []
    assert not records.has_flags


@pytest.mark.parametrize(
    ("due_on", "words"),
    [(date(1999, 12, 31), "2000-01-01"), (date(2040, 1, 1), "Date trop lointaine")],
)
def test_implausible_dates_are_refused_and_nothing_is_written(
    setting, due_on, words
) -> None:
    with pytest.raises(services.RecordsError) as refused:
        services.add_client_item(
            setting.admin,
            setting.project,
            label="Textes",
            due_on=due_on,
            is_critical=True,
            today=TODAY,
        )
    assert refused.value.field == "due_on"
    assert words in str(refused.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count(ClientItem.id))) == 0
    assert _audit("records.client_item.add") == []


def test_a_received_date_in_the_future_is_refused(setting) -> None:
    item = services.add_client_item(
        setting.admin,
        setting.project,
        label="Accès FTP",
        due_on=TODAY,
        is_critical=False,
        today=TODAY,
    )
    with pytest.raises(services.RecordsError) as refused:
        services.mark_item_received(
            setting.admin,
            setting.project,
            item.id,
            received_on=TODAY + timedelta(days=1),
            today=TODAY,
        )
    assert refused.value.field == "received_on"
    with force_locale("en"):
        assert str(refused.value) == "The date cannot be in the future."


def test_the_budget_is_one_per_project_and_amounts_are_checked(setting) -> None:
    for setup in (Decimal("1200"), Decimal("1500.555")):
        services.set_budget(
            setting.admin,
            setting.project,
            setup_cost=setup,
            recurring_cost=Decimal("30"),
            recurring_period=RecurringPeriod.MONTH,
            third_party_cost=None,
            deadline_on=date(2026, 9, 30),
            today=TODAY,
        )
    budgets = db.session.scalars(select(Budget)).all()
    assert len(budgets) == 1
    assert budgets[0].setup_cost == Decimal("1500.56")
    assert budgets[0].third_party_cost == Decimal("0.00")
    assert len(_audit("records.budget.set")) == 2
    with pytest.raises(services.RecordsError) as refused:
        services.set_budget(
            setting.admin,
            setting.project,
            setup_cost=Decimal("-1"),
            recurring_cost=None,
            recurring_period=RecurringPeriod.YEAR,
            third_party_cost=None,
            deadline_on=None,
            today=TODAY,
        )
    assert refused.value.field == "setup_cost"
    with force_locale("en"):
        assert str(refused.value) == "An amount cannot be negative."


def test_a_change_with_less_notice_than_the_setting_is_flagged(app, setting) -> None:
    services.record_change(
        setting.admin,
        setting.project,
        kind=ChangeKind.PRICE,
        summary="Maintenance : 90 € → 120 €",
        announced_on=TODAY - timedelta(days=5),
        effective_on=TODAY + timedelta(days=10),
        today=TODAY,
    )
    services.record_change(
        setting.admin,
        setting.project,
        kind=ChangeKind.DEADLINE,
        summary="Livraison décalée",
        announced_on=TODAY - timedelta(days=5),
        effective_on=TODAY + timedelta(days=40),
        today=TODAY,
    )
    records = services.project_records(setting.project.id, is_closed=False, today=TODAY)
    assert [c.summary for c in records.short_notice_changes] == [
        "Maintenance : 90 € → 120 €"
    ]
    app.config["PRICE_CHANGE_NOTICE_DAYS"] = 60
    try:
        records = services.project_records(
            setting.project.id, is_closed=False, today=TODAY
        )
        assert len(records.short_notice_changes) == 2
    finally:
        app.config["PRICE_CHANGE_NOTICE_DAYS"] = 30


def test_a_change_announced_to_the_client_cannot_be_deleted(setting) -> None:
    change = services.record_change(
        setting.admin,
        setting.project,
        kind=ChangeKind.PRICE,
        summary="Hausse",
        announced_on=TODAY,
        effective_on=TODAY,
        today=TODAY,
    )
    with pytest.raises(services.RecordsError):
        services.remove_record(setting.admin, setting.project, "changes", change.id)
    db.session.rollback()
    assert db.session.get(Change, change.id) is not None


def test_a_follow_up_ticked_for_the_client_is_queued_once_per_contact(
    setting, make_contact
) -> None:
    make_contact(setting.project.client, email="dg@mairie.example", locale="en")
    entry = services.log_follow_up(
        setting.admin,
        setting.project,
        kind=FollowUpKind.PLANNING,
        held_on=TODAY,
        summary="Mise en ligne le 1er juillet.",
        send=True,
        today=TODAY,
    )
    assert entry.sent_at is not None
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.to_address)
    ).all()
    assert [m.to_address for m in messages] == [
        "dg@mairie.example",
        "elu@mairie.example",
    ]
    english, french = messages
    assert "Mise en ligne le 1er juillet." in french.body_text
    assert "Planning" in french.subject and "Site de la mairie" in french.subject
    assert "sends you a follow-up" in english.body_text
    [audit] = _audit("records.follow_up.add")
    assert audit.detail["emails"] == 2


def test_a_follow_up_not_ticked_sends_nothing(setting) -> None:
    entry = services.log_follow_up(
        setting.admin,
        setting.project,
        kind=FollowUpKind.REPORT,
        held_on=TODAY,
        summary="Réunion de lancement.",
        send=False,
        today=TODAY,
    )
    assert entry.sent_at is None
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_sending_to_a_client_without_contact_is_refused_whole(
    make_member, make_member_user, make_project
) -> None:
    member = make_member()
    project = make_project(member)
    admin = make_member_user(member)
    with pytest.raises(services.RecordsError) as refused:
        services.log_follow_up(
            admin,
            project,
            kind=FollowUpKind.REPORT,
            held_on=TODAY,
            summary="Compte-rendu",
            send=True,
            today=TODAY,
        )
    assert refused.value.field == "send"
    db.session.rollback()
    assert db.session.scalar(select(func.count(FollowUp.id))) == 0


def test_the_handover_needs_its_date_or_the_clause(setting) -> None:
    with pytest.raises(services.RecordsError) as refused:
        services.set_handover(
            setting.admin,
            setting.project,
            mode=HandoverMode.CLIENT,
            handed_on=None,
            recipient="",
            clause="",
            today=TODAY,
        )
    assert refused.value.field == "handed_on"
    with pytest.raises(services.RecordsError) as refused:
        services.set_handover(
            setting.admin,
            setting.project,
            mode=HandoverMode.EXCLUDED,
            handed_on=None,
            recipient="",
            clause="",
            today=TODAY,
        )
    assert refused.value.field == "clause"
    handover = services.set_handover(
        setting.admin,
        setting.project,
        mode=HandoverMode.THIRD_PARTY,
        handed_on=TODAY,
        recipient="Étude de Maître Blanc, Gap",
        clause="ignored",
        today=TODAY,
    )
    assert (handover.recipient, handover.clause) == ("Étude de Maître Blanc, Gap", "")
    records = services.project_records(setting.project.id, is_closed=True, today=TODAY)
    assert not records.handover_missing


def test_a_closed_project_without_handover_is_flagged(setting) -> None:
    records = services.project_records(setting.project.id, is_closed=True, today=TODAY)
    assert records.handover_missing and records.has_flags


def test_an_obsolete_component_is_flagged_until_the_client_is_told(setting) -> None:
    technology = services.add_technology(
        setting.admin,
        setting.project,
        name="Windows Server",
        version="2012 R2",
        end_of_support_on=date(2023, 10, 10),
        today=TODAY,
    )
    services.add_technology(
        setting.admin,
        setting.project,
        name="PostgreSQL",
        version="17",
        end_of_support_on=date(2029, 11, 8),
        today=TODAY,
    )
    records = services.project_records(setting.project.id, is_closed=False, today=TODAY)
    assert [t.name for t in records.uninformed_technologies] == ["Windows Server"]
    services.record_client_informed(
        setting.admin, setting.project, technology.id, informed_on=TODAY, today=TODAY
    )
    records = services.project_records(setting.project.id, is_closed=False, today=TODAY)
    assert records.uninformed_technologies == []
    assert [t.name for t in records.ageing_technologies] == ["Windows Server"]
    assert len(_audit("records.technology.client_informed")) == 1


def test_backup_plans_check_the_restore_time_and_texts(setting) -> None:
    with pytest.raises(services.RecordsError) as refused:
        services.add_backup_plan(
            setting.admin,
            setting.project,
            scope="Site",
            frequency=BackupFrequency.DAILY,
            location="OVH Roubaix",
            restore_hours=0,
        )
    assert refused.value.field == "restore_hours"
    with pytest.raises(services.RecordsError) as refused:
        services.add_backup_plan(
            setting.admin,
            setting.project,
            scope="x" * 301,
            frequency=BackupFrequency.DAILY,
            location="OVH Roubaix",
            restore_hours=4,
        )
    assert refused.value.field == "scope"
    plan = services.add_backup_plan(
        setting.admin,
        setting.project,
        scope="  Base de données  ",
        frequency=BackupFrequency.HOURLY,
        location="OVH Roubaix",
        restore_hours=2,
    )
    assert plan.scope == "Base de données"


def test_another_projects_record_cannot_be_touched(
    setting, make_project, make_member
) -> None:
    other = make_project(make_member("Autre agence"))
    item = services.add_client_item(
        setting.admin,
        other,
        label="Accès",
        due_on=TODAY,
        is_critical=False,
        today=TODAY,
    )
    with pytest.raises(services.RecordNotFound):
        services.mark_item_received(
            setting.admin, setting.project, item.id, received_on=TODAY, today=TODAY
        )
    with pytest.raises(services.RecordNotFound):
        services.remove_record(setting.admin, setting.project, "items", item.id)


def test_a_licence_is_listed_with_its_payer(setting) -> None:
    licence = services.add_licence(
        setting.admin,
        setting.project,
        name="Antivirus",
        renews_on=TODAY + timedelta(days=20),
        paid_by=Payer.CLIENT,
        today=TODAY,
    )
    records = services.project_records(setting.project.id, is_closed=False, today=TODAY)
    assert records.licences_due == [licence]
    services.remove_record(setting.admin, setting.project, "licences", licence.id)
    records = services.project_records(setting.project.id, is_closed=False, today=TODAY)
    assert records.licences == []
    assert len(_audit("records.record.remove")) == 1
