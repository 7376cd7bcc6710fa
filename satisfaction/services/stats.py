"""What a project's campaigns sent and what their clients said (SQL aggregates,
scores through satisfaction.scoring)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.extensions import db
from members.models import Client, ClientContact, Member
from satisfaction import scoring
from satisfaction.models import (
    Alert,
    Answer,
    Campaign,
    Commitment,
    Invitation,
    Question,
    QuestionType,
    Response,
)

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class CampaignStats:
    campaign: Campaign
    invited: int = 0
    reminders: int = 0
    opened: int = 0
    answered: int = 0
    rate: float | None = None
    # metric -> Score over every cycle ("nps", "csat", "ces")
    scores: dict[str, scoring.Score] = field(default_factory=dict)
    # commitment -> Score of its 1–5 ratings
    commitments: dict[str, scoring.Score] = field(default_factory=dict)
    # rows of scoring.scores_from_count_frame, period = cycle number
    by_cycle: pd.DataFrame | None = None
    cycles: dict[int, dict[str, Any]] = field(default_factory=dict)


_Totals = dict[int, dict[tuple[str, str | None], dict[int, int]]]


def campaign_stats(campaigns: Sequence[Campaign]) -> list[CampaignStats]:
    """Sends, reminders, answers, response rate and scores of each campaign, in
    two grouped queries whatever the number of answers."""
    if not campaigns:
        return []
    ids = [c.id for c in campaigns]
    stats = {c.id: CampaignStats(c) for c in campaigns}
    _add_sends(stats, ids)
    totals, frames = _answer_counts(ids)
    for campaign_id, item in stats.items():
        _add_scores(item, totals[campaign_id], frames[campaign_id])
    return [stats[c.id] for c in campaigns]


def _add_sends(stats: dict[int, CampaignStats], ids: Sequence[int]) -> None:
    """Count each campaign's invitations, reminders, openings and answers, per
    cycle and in all (one grouped query)."""
    sends = db.session.execute(
        select(
            Invitation.campaign_id,
            Invitation.cycle,
            func.min(Invitation.sent_at),
            func.count(),
            func.coalesce(func.sum(Invitation.reminders_sent), 0),
            func.count(Invitation.opened_at),
            func.count(Invitation.answered_at),
        )
        .where(Invitation.campaign_id.in_(ids))
        .group_by(Invitation.campaign_id, Invitation.cycle)
    ).all()
    for campaign_id, cycle, sent_at, invited, reminders, opened, answered in sends:
        item = stats[campaign_id]
        item.invited += invited
        item.reminders += int(reminders)
        item.opened += opened
        item.answered += answered
        item.cycles[cycle] = {
            "sent_at": sent_at,
            "invited": invited,
            "answered": answered,
            "rate": scoring.response_rate(answered, invited),
        }


def _answer_counts(
    ids: Sequence[int],
) -> tuple[_Totals, dict[int, list[dict[str, Any]]]]:
    """The submitted scored answers counted by value: per campaign and (metric,
    commitment), and as rows of ``scoring.COUNT_COLUMNS`` (one grouped query)."""
    counts = db.session.execute(
        select(
            Response.campaign_id,
            Invitation.cycle,
            Question.type,
            Question.commitment,
            Answer.value,
            func.count(),
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.campaign_id.in_(ids),
            Response.submitted_at.is_not(None),
            Question.type.in_([QuestionType(t) for t in sorted(scoring.SCORED_TYPES)]),
            Answer.value.is_not(None),
        )
        .group_by(
            Response.campaign_id,
            Invitation.cycle,
            Question.type,
            Question.commitment,
            Answer.value,
        )
    ).all()
    totals: _Totals = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    frames: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for campaign_id, cycle, question_type, tag, value, n in counts:
        if value is None:
            continue
        key = (question_type.value, tag.value if tag else None)
        totals[campaign_id][key][value] += n
        frames[campaign_id].append(
            {
                "period": cycle,
                "question_type": key[0],
                "commitment": key[1],
                "value": value,
                "count": n,
            }
        )
    return totals, frames


def _add_scores(
    item: CampaignStats,
    totals: dict[tuple[str, str | None], dict[int, int]],
    rows: list[dict[str, Any]],
) -> None:
    """A campaign's response rate, scores, commitments' scores and scores by cycle."""
    import pandas as pd

    item.rate = scoring.response_rate(item.answered, item.invited)
    merged: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (metric, commitment), distribution in totals.items():
        if metric == "rating_1_5":
            if commitment:
                item.commitments[commitment] = scoring.score_from_counts(
                    metric, distribution
                )
            continue
        for value, n in distribution.items():
            merged[metric][value] += n
    order = [c.value for c in Commitment]
    item.commitments = dict(
        sorted(item.commitments.items(), key=lambda kv: order.index(kv[0]))
    )
    item.scores = {
        kind: scoring.score_from_counts(kind, distribution)
        for kind, distribution in merged.items()
    }
    item.by_cycle = scoring.scores_from_count_frame(
        pd.DataFrame(rows, columns=list(scoring.COUNT_COLUMNS))
    )


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    response_id: int | None
    submitted_at: datetime | None


def invitations_of(campaign: Campaign, *, limit: int = 500) -> list[InvitationRow]:
    rows = db.session.execute(
        select(Invitation, Response.id, Response.submitted_at)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.campaign_id == campaign.id)
        .order_by(Invitation.cycle.desc(), Invitation.id)
        .limit(limit)
    ).all()
    return [InvitationRow(inv, rid, submitted) for inv, rid, submitted in rows]


def get_response(member_id: int, response_id: int) -> Response | None:
    """A submitted response of the member's campaigns, or None."""
    return db.session.scalar(
        select(Response)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .where(
            Response.id == response_id,
            Campaign.member_id == member_id,
            Response.submitted_at.is_not(None),
        )
    )


def board_comments(*, limit: int = 200) -> list[dict[str, Any]]:
    """Free-text answers the clients agreed to show to the association's board."""
    rows = db.session.execute(
        select(
            Answer.text,
            Response.submitted_at,
            Member.name,
            Client.name,
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Member, Member.id == Invitation.member_id)
        .join(ClientContact, ClientContact.id == Invitation.contact_id)
        .join(Client, Client.id == ClientContact.client_id)
        .where(
            Response.share_with_board.is_(True),
            Response.submitted_at.is_not(None),
            Answer.text.is_not(None),
        )
        .order_by(Response.submitted_at.desc())
        .limit(limit)
    ).all()
    return [
        {"text": text, "submitted_at": at, "member": member, "client": client}
        for text, at, member, client in rows
    ]


def open_alert_count(member_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(
                Alert.member_id == member_id, Alert.closed_at.is_(None)
            )
        )
        or 0
    )
