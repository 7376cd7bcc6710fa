"""Pure tests of mediation.workflow: the charter's complaint procedure."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from mediation.errors import MediationError, TransitionRefused
from mediation.workflow import (
    CLOSED_STATUSES,
    TRANSITIONS,
    Action,
    Decision,
    Role,
    Status,
    allowed_actions,
    apply,
    is_closed,
    mark_status_after,
    member_reply_deadline,
)

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2025, 6, 15)

# What each action needs to succeed.
DETAILS: dict[Action, dict[str, Any]] = {
    Action.DECLARE_INADMISSIBLE: {"reason": "Le plaignant n'est pas client."},
    Action.DECIDE: {"decision": Decision.WARNING, "reason": "Délais non tenus."},
}


def test_statuses_and_decisions_have_stable_values() -> None:
    # These strings are stored in the database.
    assert [status.value for status in Status] == [
        "submitted",
        "inadmissible",
        "awaiting_member",
        "in_mediation",
        "resolved",
        "at_commission",
        "decided",
        "withdrawn",
    ]
    assert [decision.value for decision in Decision] == [
        "none",
        "warning",
        "suspension",
        "exclusion",
    ]


# --- the happy paths


def test_happy_path_to_a_warning() -> None:
    status = Status.SUBMITTED

    status = apply(status, "declare_admissible", actor_role="secretariat")
    assert status is Status.AWAITING_MEMBER
    status = apply(status, "submit_arguments", actor_role="member")
    assert status is Status.IN_MEDIATION
    status = apply(status, "refer_to_commission", actor_role="secretariat")
    assert status is Status.AT_COMMISSION
    status = apply(
        status,
        "decide",
        actor_role="board",
        decision=Decision.WARNING,
        reason="Devis non respecté à deux reprises.",
    )

    assert status is Status.DECIDED
    assert is_closed(status)
    assert mark_status_after(Decision.WARNING) == "active"
    assert all(allowed_actions(status, role) == [] for role in Role)


def test_happy_path_to_an_exclusion() -> None:
    status = apply(Status.SUBMITTED, "declare_admissible", actor_role="secretariat")
    # The member let its deadline pass: the secretariat opens the mediation.
    status = apply(status, "start_mediation", actor_role="secretariat")
    status = apply(status, "refer_to_commission", actor_role="board")
    status = apply(
        status,
        "decide",
        actor_role="board",
        decision="exclusion",
        reason="Manquements graves et répétés à la charte.",
    )

    assert status is Status.DECIDED
    assert mark_status_after("exclusion") == "withdrawn"


def test_an_agreement_in_mediation_closes_the_case_without_sanction() -> None:
    status = apply(Status.SUBMITTED, "declare_admissible", actor_role="secretariat")
    status = apply(status, "submit_arguments", actor_role="member")
    status = apply(status, "record_agreement", actor_role="secretariat")

    assert status is Status.RESOLVED
    assert is_closed(status)


def test_a_suspension_with_a_future_end_date_is_accepted() -> None:
    status = apply(
        Status.AT_COMMISSION,
        "decide",
        actor_role="board",
        decision=Decision.SUSPENSION,
        suspension_until=date(2025, 12, 31),
        reason="Absence répétée de suivi de projet.",
        today=TODAY,
    )

    assert status is Status.DECIDED
    assert mark_status_after(Decision.SUSPENSION) == "suspended"


def test_the_commission_may_decide_no_sanction_without_a_reason() -> None:
    status = apply(
        Status.AT_COMMISSION, "decide", actor_role="board", decision=Decision.NONE
    )

    assert status is Status.DECIDED
    assert mark_status_after(Decision.NONE) == "active"


def test_an_inadmissible_complaint_is_closed_with_its_reason() -> None:
    status = apply(
        Status.SUBMITTED,
        "declare_inadmissible",
        actor_role="secretariat",
        reason="Le client est une entreprise de plus de 250 salariés.",
    )

    assert status is Status.INADMISSIBLE
    assert is_closed(status)


@pytest.mark.parametrize(
    "status", [Status.SUBMITTED, Status.AWAITING_MEMBER, Status.IN_MEDIATION]
)
@pytest.mark.parametrize("role", ["complainant", "secretariat"])
def test_the_complainant_may_withdraw_before_the_commission(
    status: Status, role: str
) -> None:
    assert apply(status, "withdraw", actor_role=role) is Status.WITHDRAWN


def test_the_complainant_cannot_withdraw_once_the_commission_is_seized() -> None:
    with pytest.raises(TransitionRefused, match="n'est pas possible"):
        apply(Status.AT_COMMISSION, "withdraw", actor_role="complainant")


# --- the transition table


@pytest.mark.parametrize(
    ("source", "action"), list(TRANSITIONS), ids=lambda key: str(key)
)
def test_every_listed_transition_succeeds_for_its_roles(
    source: Status, action: Action
) -> None:
    transition = TRANSITIONS[(source, action)]

    for role in transition.roles:
        assert (
            apply(source, action, actor_role=role, **DETAILS.get(action, {}))
            is transition.target
        )


UNLISTED = [
    (status, action)
    for status in Status
    for action in Action
    if (status, action) not in TRANSITIONS
]


@pytest.mark.parametrize(("status", "action"), UNLISTED, ids=str)
def test_every_unlisted_transition_is_refused_for_every_role(
    status: Status, action: Action
) -> None:
    expected = "est clos" if status in CLOSED_STATUSES else "n'est pas possible"

    for role in Role:
        with pytest.raises(TransitionRefused, match=expected):
            apply(status, action, actor_role=role, **DETAILS.get(action, {}))


def test_every_state_and_action_is_covered() -> None:
    assert len(UNLISTED) + len(TRANSITIONS) == len(Status) * len(Action)
    assert len(TRANSITIONS) == 10


def test_closed_statuses_are_the_ends_of_the_procedure() -> None:
    sources = {source for source, _ in TRANSITIONS}
    targets = {transition.target for transition in TRANSITIONS.values()}

    assert targets - sources == CLOSED_STATUSES
    assert {
        Status.INADMISSIBLE,
        Status.RESOLVED,
        Status.DECIDED,
        Status.WITHDRAWN,
    } == CLOSED_STATUSES


def test_refusal_message_names_the_action_and_the_status_in_french() -> None:
    with pytest.raises(TransitionRefused) as caught:
        apply(Status.SUBMITTED, "decide", actor_role="board")

    assert str(caught.value) == (
        "« Rendre la décision de la commission » n'est pas possible pour une "
        "plainte au statut « Déposée »."
    )
    assert isinstance(caught.value, MediationError)


def test_a_closed_case_cannot_be_edited() -> None:
    with pytest.raises(TransitionRefused) as caught:
        apply(Status.DECIDED, "decide", actor_role="board", decision="exclusion")

    assert str(caught.value) == (
        "Ce dossier est clos (Décision rendue) : il ne peut plus être modifié."
    )


# --- roles


@pytest.mark.parametrize(
    ("source", "action"), list(TRANSITIONS), ids=lambda key: str(key)
)
def test_every_transition_is_refused_to_the_other_roles(
    source: Status, action: Action
) -> None:
    others = set(Role) - TRANSITIONS[(source, action)].roles
    assert others  # nobody may do everything

    for role in others:
        with pytest.raises(TransitionRefused, match="est réservé à"):
            apply(source, action, actor_role=role, **DETAILS.get(action, {}))


def test_role_refusal_says_who_may_act() -> None:
    with pytest.raises(TransitionRefused) as caught:
        apply(Status.SUBMITTED, "declare_admissible", actor_role="member")

    assert str(caught.value) == (
        "« Déclarer la plainte recevable » est réservé à : le secrétariat."
    )


def test_only_the_commission_decides() -> None:
    for role in ("secretariat", "member", "complainant"):
        with pytest.raises(TransitionRefused, match="la commission des plaintes"):
            apply(
                Status.AT_COMMISSION,
                "decide",
                actor_role=role,
                decision=Decision.NONE,
            )


def test_the_member_cannot_close_its_own_case() -> None:
    for action in ("record_agreement", "refer_to_commission", "withdraw"):
        with pytest.raises(TransitionRefused, match="est réservé à"):
            apply(Status.IN_MEDIATION, action, actor_role="member")


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="est réservé à"):
        apply(Status.SUBMITTED, "declare_admissible", actor_role="admin")


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(TransitionRefused) as caught:
        apply(Status.SUBMITTED, "approve", actor_role="secretariat")

    assert str(caught.value) == "Action inconnue : « approve »."


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (
            Status.SUBMITTED,
            Role.SECRETARIAT,
            ["declare_admissible", "declare_inadmissible", "withdraw"],
        ),
        (Status.SUBMITTED, Role.COMPLAINANT, ["withdraw"]),
        (Status.SUBMITTED, Role.MEMBER, []),
        (Status.SUBMITTED, Role.BOARD, []),
        (Status.AWAITING_MEMBER, Role.MEMBER, ["submit_arguments"]),
        (Status.AWAITING_MEMBER, Role.SECRETARIAT, ["start_mediation", "withdraw"]),
        (Status.IN_MEDIATION, Role.BOARD, ["record_agreement", "refer_to_commission"]),
        (
            Status.IN_MEDIATION,
            Role.SECRETARIAT,
            ["record_agreement", "refer_to_commission", "withdraw"],
        ),
        (Status.IN_MEDIATION, Role.COMPLAINANT, ["withdraw"]),
        (Status.IN_MEDIATION, Role.MEMBER, []),
        (Status.AT_COMMISSION, Role.BOARD, ["decide"]),
        (Status.AT_COMMISSION, Role.SECRETARIAT, []),
        (Status.WITHDRAWN, Role.SECRETARIAT, []),
    ],
)
def test_allowed_actions_for_the_buttons(
    status: Status, role: Role, expected: list[str]
) -> None:
    assert allowed_actions(status, role) == expected
    assert allowed_actions(status.value, role.value) == expected


def test_allowed_actions_for_an_unknown_role_is_empty() -> None:
    assert allowed_actions(Status.SUBMITTED, "admin") == []


def test_every_allowed_action_is_accepted_by_apply() -> None:
    for status in Status:
        for role in Role:
            for action in allowed_actions(status, role):
                details = DETAILS.get(Action(action), {})
                apply(status, action, actor_role=role, **details)


# --- what a decision needs


def test_inadmissible_needs_a_reason() -> None:
    for reason in (None, "", "   "):
        with pytest.raises(TransitionRefused) as caught:
            apply(
                Status.SUBMITTED,
                "declare_inadmissible",
                actor_role="secretariat",
                reason=reason,
            )
        assert str(caught.value) == "Indiquez pourquoi la plainte est irrecevable."


@pytest.mark.parametrize(
    ("status", "action", "role"),
    [
        (Status.SUBMITTED, "declare_admissible", "secretariat"),
        (Status.IN_MEDIATION, "refer_to_commission", "secretariat"),
        (Status.IN_MEDIATION, "record_agreement", "board"),
    ],
)
def test_no_sanction_outside_the_commissions_decision(
    status: Status, action: str, role: str
) -> None:
    with pytest.raises(TransitionRefused, match="Seule la commission des plaintes"):
        apply(status, action, actor_role=role, decision=Decision.EXCLUSION)
    with pytest.raises(TransitionRefused, match="Seule la commission des plaintes"):
        apply(status, action, actor_role=role, suspension_until=date(2026, 1, 1))


def test_decide_needs_a_decision() -> None:
    with pytest.raises(TransitionRefused) as caught:
        apply(Status.AT_COMMISSION, "decide", actor_role="board", reason="…")

    assert str(caught.value) == "Indiquez la décision de la commission."


def test_an_unknown_decision_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="Décision inconnue : « blame »"):
        apply(Status.AT_COMMISSION, "decide", actor_role="board", decision="blame")


@pytest.mark.parametrize(
    "decision", [Decision.WARNING, Decision.SUSPENSION, Decision.EXCLUSION]
)
def test_a_sanction_needs_a_reason(decision: Decision) -> None:
    with pytest.raises(TransitionRefused, match="Une sanction doit être motivée"):
        apply(
            Status.AT_COMMISSION,
            "decide",
            actor_role="board",
            decision=decision,
            suspension_until=date(2026, 1, 1)
            if decision is Decision.SUSPENSION
            else None,
            today=TODAY,
            reason=" ",
        )


def test_a_suspension_needs_an_end_date() -> None:
    with pytest.raises(TransitionRefused, match="jusqu'à quelle date"):
        apply(
            Status.AT_COMMISSION,
            "decide",
            actor_role="board",
            decision=Decision.SUSPENSION,
            reason="Manquements.",
            today=TODAY,
        )


@pytest.mark.parametrize("until", [TODAY, date(2025, 1, 1)])
def test_a_suspension_must_end_in_the_future(until: date) -> None:
    with pytest.raises(TransitionRefused) as caught:
        apply(
            Status.AT_COMMISSION,
            "decide",
            actor_role="board",
            decision=Decision.SUSPENSION,
            suspension_until=until,
            reason="Manquements.",
            today=TODAY,
        )

    assert str(caught.value) == (
        "La fin de la suspension doit être postérieure à aujourd'hui."
    )


def test_a_suspension_cannot_be_checked_without_today() -> None:
    with pytest.raises(ValueError, match="today"):
        apply(
            Status.AT_COMMISSION,
            "decide",
            actor_role="board",
            decision=Decision.SUSPENSION,
            suspension_until=date(2030, 1, 1),
            reason="Manquements.",
        )


@pytest.mark.parametrize("decision", [Decision.WARNING, Decision.EXCLUSION])
def test_an_end_date_only_comes_with_a_suspension(decision: Decision) -> None:
    with pytest.raises(TransitionRefused, match="que pour une suspension"):
        apply(
            Status.AT_COMMISSION,
            "decide",
            actor_role="board",
            decision=decision,
            suspension_until=date(2026, 1, 1),
            reason="Manquements.",
            today=TODAY,
        )


# --- consequences


@pytest.mark.parametrize(
    ("decision", "mark_status"),
    [
        (Decision.NONE, "active"),
        (Decision.WARNING, "active"),
        (Decision.SUSPENSION, "suspended"),
        (Decision.EXCLUSION, "withdrawn"),
    ],
)
def test_mark_status_after_each_decision(decision: Decision, mark_status: str) -> None:
    assert mark_status_after(decision) == mark_status
    assert mark_status_after(decision.value) == mark_status


def test_member_reply_deadline_is_fifteen_days_by_default() -> None:
    assert member_reply_deadline(date(2025, 6, 20)) == date(2025, 7, 5)
    assert member_reply_deadline(date(2025, 6, 20), days=30) == date(2025, 7, 20)


# --- translations


def test_every_message_has_an_english_translation() -> None:
    with (ROOT / "mediation/translations/en/LC_MESSAGES/messages.po").open(
        "rb"
    ) as file:
        catalog = read_po(file)
    assert [(message.id, errors) for message, errors in catalog.check()] == []
    translations = {str(m.id): str(m.string) for m in catalog if m.id}

    msgids = [
        str(message)
        for _, message, _, _ in extract_from_file(
            "python", ROOT / "mediation/workflow.py", keywords={"_l": None}
        )
    ]

    assert len(msgids) > 30
    assert [msgid for msgid in msgids if not translations.get(msgid)] == []
