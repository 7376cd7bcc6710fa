"""The large demo's questionnaires: one campaign per project, its invitations
every three weeks, the responses, their answers and the alerts of the latest
low answers."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from dashboards.demo.large.plan import (
    CYCLES,
    LOW_ALERT,
    PROJECTS_PER_MEMBER,
    SEED,
    Plan,
    Row,
    TableRows,
    answered,
    is_active,
    token,
)
from satisfaction.models import (
    Alert,
    AlertItem,
    Answer,
    Campaign,
    Invitation,
    Response,
    campaign_contact,
)

CAMPAIGN_COLUMNS = [
    "id",
    "member_id",
    "project_id",
    "version_id",
    "name",
    "recurrence",
    "next_run_at",
    "cycles_run",
    "reminder_days",
    "max_reminders",
    "link_valid_days",
    "is_paused",
    "last_run_at",
    "last_run_summary",
    "created_at",
    "created_by_id",
]
INVITATION_COLUMNS = [
    "id",
    "campaign_id",
    "contact_id",
    "cycle",
    "member_id",
    "version_id",
    "token_hash",
    "created_at",
    "sent_at",
    "reminders_sent",
    "last_reminder_at",
    "next_reminder_at",
    "opened_at",
    "answered_at",
    "expires_at",
]
RESPONSE_COLUMNS = [
    "id",
    "invitation_id",
    "campaign_id",
    "started_at",
    "updated_at",
    "submitted_at",
    "share_with_board",
]
ANSWER_COLUMNS = ["id", "response_id", "question_id", "value", "text", "choices"]
ALERT_COLUMNS = [
    "id",
    "member_id",
    "response_id",
    "reason",
    "created_at",
    "follow_up",
    "closed_at",
    "closed_by_id",
]
ALERT_ITEM_COLUMNS = ["id", "alert_id", "question_id", "reason", "value"]


def survey_tables(plan: Plan) -> Iterator[TableRows]:
    """Campaigns, their contacts, invitations, responses, answers and alerts."""
    yield Campaign.__table__, CAMPAIGN_COLUMNS, campaigns(plan)
    contacts = (
        (plan.start.campaign + p, plan.contact_of(p)) for p in range(plan.n.projects)
    )
    yield campaign_contact, ["campaign_id", "contact_id"], contacts
    yield Invitation.__table__, INVITATION_COLUMNS, invitations(plan)
    yield Response.__table__, RESPONSE_COLUMNS, responses(plan)
    alerts: list[Row] = []
    items: list[Row] = []
    yield Answer.__table__, ANSWER_COLUMNS, answers(plan, alerts, items)
    # Filled while the answers were written.
    yield Alert.__table__, ALERT_COLUMNS, iter(alerts)
    yield AlertItem.__table__, ALERT_ITEM_COLUMNS, iter(items)


def campaigns(plan: Plan) -> Iterator[Row]:
    now = plan.now
    for p in range(plan.n.projects):
        yield (
            plan.start.campaign + p,
            plan.member_of(p),
            plan.start.project + p,
            plan.charter.version_id,
            "Questionnaire de suivi (grande échelle)",
            {"kind": "every_n_months", "months": 1},
            now + timedelta(days=7 + p % 20) if is_active(p) else None,
            CYCLES,
            [7],
            1,
            30,
            not is_active(p),
            now - timedelta(days=5),
            {},
            now - timedelta(days=900),
            None,
        )


def invitations(plan: Plan) -> Iterator[Row]:
    number = plan.start.invitation
    for p in range(plan.n.projects):
        for cycle in range(1, CYCLES + 1):
            at = plan.sent_at(p, cycle)
            done = answered(p, cycle)
            yield (
                number,
                plan.start.campaign + p,
                plan.contact_of(p),
                cycle,
                plan.member_of(p),
                plan.charter.version_id,
                token("invitation", number),
                at,
                at,
                0,
                None,
                None,
                at + timedelta(days=1) if done else None,
                at + timedelta(days=2) if done else None,
                at + timedelta(days=30),
            )
            number += 1


def responses(plan: Plan) -> Iterator[Row]:
    number = plan.start.response
    invitation = plan.start.invitation
    for p in range(plan.n.projects):
        for cycle in range(1, CYCLES + 1):
            if answered(p, cycle):
                at = plan.sent_at(p, cycle) + timedelta(days=2)
                campaign = plan.start.campaign + p
                yield (number, invitation, campaign, at, at, at, cycle % 3 == 0)
                number += 1
            invitation += 1


def answers(plan: Plan, alerts: list[Row], items: list[Row]) -> Iterator[Row]:
    """Every scored question of every response; appends to ``alerts`` one alert
    per response of the latest cycles with low answers (still to follow up),
    and to ``items`` those low answers."""
    rng = random.Random(SEED + 1)
    number = plan.start.answer
    response = plan.start.response
    for p in range(plan.n.projects):
        member = p // PROJECTS_PER_MEMBER
        shift = -2 if member in plan.weak else 0
        for cycle in range(1, CYCLES + 1):
            if not answered(p, cycle):
                continue
            low: list[tuple[int, str, int]] = []
            for question_id, kind, lowest, highest in plan.charter.questions:
                value = max(lowest, min(highest, _drawn(rng, kind, shift)))
                yield (number, response, question_id, value, None, None)
                number += 1
                threshold = LOW_ALERT.get(kind)
                if threshold is not None and value <= threshold and cycle > 36:
                    low.append((question_id, _reason(kind), value))
            if low:
                alert = plan.start.alert + len(alerts)
                at = plan.sent_at(p, cycle) + timedelta(days=2)
                reasons = {reason for _q, reason, _v in low}
                reason = "detractor" if "detractor" in reasons else "low_rating"
                start = plan.start.member + member
                alerts.append((alert, start, response, reason, at, "", None, None))
                for question_id, item_reason, value in low:
                    items.append(
                        (
                            plan.start.alert_item + len(items),
                            alert,
                            question_id,
                            item_reason,
                            value,
                        )
                    )
            response += 1


def _reason(kind: str) -> str:
    return "detractor" if kind == "nps" else "low_rating"


def _drawn(rng: random.Random, kind: str, shift: int) -> int:
    """A weak member's answers are ``shift`` lower (half of it on short scales)."""
    if kind == "nps":
        return int(rng.choice((6, 7, 8, 9, 9, 10, 10))) + shift
    if kind == "ces":
        return int(rng.choice((4, 5, 6, 7))) + shift // 2
    return int(rng.choice((3, 4, 4, 5, 5))) + shift // 2
