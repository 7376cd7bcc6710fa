"""Triggers open one action each, the member decides and closes it, the
overdue reminder goes once, the board counts per member."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.mail import deliver_due
from core.models import AuditLog, OutboxMessage
from core.security import Role
from improvement import services
from improvement.models import ActionState, ImprovementAction, SourceType
from tests.improvement.conftest import NOW

MONTHS = [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)]


def _actions() -> list[ImprovementAction]:
    return list(db.session.scalars(select(ImprovementAction).order_by("id")))


def _decided(action, user, **changes):
    values = {
        "cause": "Relances oubliées.",
        "plan": "Un point écrit chaque quinzaine.",
        "owner_id": user.id,
        "due_on": date(2026, 7, 1),
        "now": NOW + timedelta(hours=1),
    }
    return services.decide_action(user, action, **{**values, **changes})


# ---------------------------------------------------------------- triggers


def test_a_detractor_response_opens_one_action_once(detractor) -> None:
    w = detractor("2")
    assert services.open_actions(NOW + timedelta(minutes=5)) == 1
    assert services.open_actions(NOW + timedelta(minutes=20)) == 0
    [action] = _actions()
    assert action.source_type == SourceType.DETRACTOR
    assert action.member_id == w.member.id
    assert action.project_id == w.project.id
    assert action.state == ActionState.TO_DECIDE
    assert action.source_detail["score"] == 2
    # The register never copies a contact's name or address.
    assert w.contacts[0].name not in str(action.source_detail)
    assert w.contacts[0].email not in str(action.source_detail)


def test_a_passive_client_opens_nothing(detractor) -> None:
    detractor("8")
    assert services.open_actions(NOW + timedelta(minutes=5)) == 0


def test_an_indicator_off_track_two_months_running_opens_one_action(
    make_member, make_project, measured
) -> None:
    project = make_project(make_member("Agence Trafic"))
    indicator = measured(project, {MONTHS[0]: "120", MONTHS[1]: "80", MONTHS[2]: "70"})
    assert services.open_actions(NOW) == 1
    [action] = _actions()
    assert action.source_type == SourceType.INDICATOR
    assert action.source_detail["indicator_id"] == indicator.id
    assert action.source_detail["periods"] == ["2026-04-01", "2026-05-01"]
    assert action.source_detail["values"] == ["80", "70"]
    assert services.open_actions(NOW + timedelta(minutes=15)) == 0


@pytest.mark.parametrize(
    "values",
    [
        {MONTHS[1]: "120", MONTHS[2]: "70"},  # one month off track
        {MONTHS[1]: "92", MONTHS[2]: "70"},  # the first is only at risk
        {MONTHS[0]: "70", MONTHS[2]: "70"},  # not consecutive
    ],
    ids=["once", "at-risk", "gap"],
)
def test_an_indicator_not_off_track_twice_running_opens_nothing(
    make_member, make_project, measured, values
) -> None:
    measured(make_project(make_member()), values)
    assert services.open_actions(NOW) == 0


def test_lower_is_better_indicators_are_off_track_above_their_target(
    make_member, make_project, measured
) -> None:
    measured(
        make_project(make_member()),
        {MONTHS[1]: "15", MONTHS[2]: "12"},
        target="10",
        direction="lower",
        name="Incidents",
    )
    assert services.open_actions(NOW) == 1


def test_an_indicator_still_off_track_waits_for_its_open_action_then_opens_again(
    make_member, make_member_user, make_project, measured
) -> None:
    from kpi import services as kpi

    member = make_member()
    admin = make_member_user(member)
    indicator = measured(make_project(member), {MONTHS[1]: "50", MONTHS[2]: "60"})
    services.open_actions(NOW)
    [first] = _actions()
    kpi.record_measurement(None, indicator, day=date(2026, 6, 1), value="40", now=NOW)
    assert services.open_actions(NOW) == 0  # the open action covers it
    _decided(first, admin)
    services.close_action(
        admin,
        first,
        result="Campagne lancée.",
        effect="Pas encore d'effet.",
        effect_on=date(2026, 6, 15),
        now=NOW + timedelta(hours=2),
    )
    assert services.open_actions(NOW + timedelta(hours=3)) == 1
    assert _actions()[1].source_detail["periods"] == ["2026-05-01", "2026-06-01"]


def test_an_admissible_complaint_opens_an_action_a_submitted_one_does_not(
    make_case,
) -> None:
    admitted = make_case("awaiting_member")
    make_case("submitted")
    assert services.open_actions(NOW) == 1
    [action] = _actions()
    assert action.source_type == SourceType.COMPLAINT
    assert action.source_id == admitted.complaint.id
    assert action.member_id == admitted.member.id
    assert action.source_detail["reference"] == admitted.complaint.reference
    assert "plaignant" not in str(action.source_detail)  # no complainant's e-mail


def test_triggers_older_than_a_year_are_left_alone(make_case) -> None:
    make_case("awaiting_member")
    assert services.open_actions(NOW + timedelta(days=400)) == 0


def test_opening_is_audited(detractor) -> None:
    detractor("0")
    services.open_actions(NOW)
    assert (
        db.session.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.action == "improvement.opened"
            )
        )
        == 1
    )


# ---------------------------------------------------------------- decide, close


def test_deciding_then_closing_records_the_cause_the_owner_and_the_effect(
    detractor,
) -> None:
    w = detractor("3")
    services.open_actions(NOW)
    [action] = _actions()
    _decided(action, w.admin, owner_id=w.user.id)
    assert action.state == ActionState.IN_PROGRESS
    assert action.owner_id == w.user.id and action.due_on == date(2026, 7, 1)
    services.close_action(
        w.user,
        action,
        result="Points quinzaine envoyés.",
        effect="Le client a répondu 8 au questionnaire suivant.",
        effect_on=date(2026, 6, 30),
        now=NOW + timedelta(days=20),
    )
    db.session.expire_all()
    [closed] = _actions()
    assert closed.state == ActionState.CLOSED
    assert closed.effect_on == date(2026, 6, 30)
    assert closed.closed_by_id == w.user.id
    actions = set(
        db.session.scalars(
            select(AuditLog.action).where(AuditLog.object_id == closed.id)
        )
    )
    assert {"improvement.decided", "improvement.closed"} <= actions


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cause": "   "}, "cause"),
        ({"plan": ""}, "plan"),
        ({"cause": "x" * 5001}, "cause"),
        ({"due_on": date(1999, 12, 31)}, "due_on"),
        ({"due_on": date(2040, 1, 1)}, "due_on"),
        ({"due_on": date(2026, 6, 1)}, "due_on"),  # before the action opened
        ({"due_on": None}, "due_on"),
        ({"owner_id": None}, "owner_id"),
    ],
)
def test_a_bad_decision_is_refused_on_its_field_and_changes_nothing(
    detractor, changes, field
) -> None:
    w = detractor("1")
    services.open_actions(NOW)
    [action] = _actions()
    with pytest.raises(services.ImprovementError) as refused:
        _decided(action, w.admin, **changes)
    assert refused.value.field == field
    db.session.rollback()
    db.session.expire_all()
    assert _actions()[0].state == ActionState.TO_DECIDE
    assert _actions()[0].cause == ""


def test_the_owner_must_be_an_active_user_of_the_member(
    detractor, make_member, make_member_user
) -> None:
    w = detractor("1")
    stranger = make_member_user(make_member("Agence Voisine"))
    services.open_actions(NOW)
    [action] = _actions()
    with pytest.raises(services.ImprovementError) as refused:
        _decided(action, w.admin, owner_id=stranger.id)
    assert refused.value.field == "owner_id"


def test_closing_needs_a_decision_an_effect_and_a_past_date(detractor) -> None:
    w = detractor("1")
    services.open_actions(NOW)
    [action] = _actions()
    close = {
        "result": "Fait.",
        "effect": "Mieux.",
        "effect_on": date(2026, 6, 20),
        "now": NOW + timedelta(days=10),
    }
    with pytest.raises(services.ImprovementError):
        services.close_action(w.admin, action, **close)  # not decided yet
    _decided(action, w.admin)
    for bad, field in (
        ({"effect": ""}, "effect"),
        ({"effect_on": date(2026, 7, 30)}, "effect_on"),  # in the future
        ({"effect_on": date(2026, 1, 1)}, "effect_on"),  # before it opened
    ):
        with pytest.raises(services.ImprovementError) as refused:
            services.close_action(w.admin, action, **{**close, **bad})
        assert refused.value.field == field
    services.close_action(w.admin, action, **close)
    with pytest.raises(services.ImprovementError):
        _decided(action, w.admin)  # closed: it no longer changes


# ---------------------------------------------------------------- reminders


def test_a_late_action_is_reminded_to_its_owner_once_per_due_date(
    detractor, mailbox
) -> None:
    w = detractor("2")
    services.open_actions(NOW)
    [action] = _actions()
    _decided(action, w.admin, owner_id=w.user.id, due_on=date(2026, 6, 20))
    assert services.remind_overdue(NOW + timedelta(days=3)) == 0  # not due yet
    late = NOW + timedelta(days=7)
    assert services.remind_overdue(late) == 1
    assert services.remind_overdue(late + timedelta(minutes=15)) == 0
    deliver_due(late)
    [message] = mailbox.to(w.user.email)
    assert "en retard" in message["Subject"]
    assert "Un point écrit chaque quinzaine." in mailbox.text_of(message)
    assert "/space/improvement/" in mailbox.text_of(message)
    # Postponed, and late again: reminded once more.
    _decided(action, w.admin, owner_id=w.user.id, due_on=date(2026, 6, 25))
    assert services.remind_overdue(late) == 0  # not due any more
    assert services.remind_overdue(late + timedelta(days=5)) == 1
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.idempotency_key.like("improvement.%")
            )
        )
        == 2
    )


def test_a_closed_action_is_never_reminded(detractor) -> None:
    w = detractor("2")
    services.open_actions(NOW)
    [action] = _actions()
    _decided(action, w.admin, due_on=date(2026, 6, 16))
    services.close_action(
        w.admin,
        action,
        result="Fait.",
        effect="Mieux.",
        effect_on=date(2026, 6, 15),
        now=NOW + timedelta(hours=3),
    )
    assert services.remind_overdue(NOW + timedelta(days=30)) == 0


def test_the_reminder_goes_to_the_admins_when_the_owner_left(
    detractor, mailbox
) -> None:
    from members import services as members

    w = detractor("2")
    services.open_actions(NOW)
    [action] = _actions()
    _decided(action, w.admin, owner_id=w.user.id, due_on=date(2026, 6, 20))
    members.set_user_active(w.admin, w.user, active=False)
    assert services.remind_overdue(NOW + timedelta(days=7)) == 1
    assert db.session.scalars(
        select(OutboxMessage.to_address).where(
            OutboxMessage.idempotency_key.like("improvement.%")
        )
    ).all() == [w.admin.email]


# ---------------------------------------------------------------- summaries


def test_the_member_summary_and_the_board_count_open_and_late_actions(
    detractor, make_member
) -> None:
    w = detractor("2")
    quiet = make_member("Agence Calme")
    services.open_actions(NOW)
    [action] = _actions()
    _decided(action, w.admin, due_on=date(2026, 6, 20))
    today = date(2026, 6, 25)
    assert services.member_summary(w.member.id, today=today) == {
        "open": 1,
        "to_decide": 0,
        "late": 1,
    }
    rows = {r["member_id"]: r for r in services.board_counts(today)}
    assert rows[w.member.id] | {"name": None} == {
        "member_id": w.member.id,
        "name": None,
        "open": 1,
        "late": 1,
        "to_decide": 0,
        "closed": 0,
    }
    assert (rows[quiet.id]["open"], rows[quiet.id]["late"]) == (0, 0)
    assert services.board_counts(today)[0]["member_id"] == w.member.id  # late first
    assert services.list_actions(w.member.id, which="late", today=today) == [action]
    assert services.list_actions(w.member.id, which="closed", today=today) == []
    assert services.list_actions(quiet.id, which="all", today=today) == []


def test_staff_roles_are_the_owners_offered(detractor, make_staff) -> None:
    w = detractor("2")
    make_staff(Role.BOARD)
    owners = dict(services.owner_choices(w.member.id))
    assert set(owners) == {w.admin.id, w.user.id}
