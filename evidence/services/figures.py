"""The figures of a member's year: scores with their margin, indicators against
target (and whether the client agreed them), questionnaires sent and answered,
each also as a proof of its commitment (a fixed number of statements)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.extensions import db
from dashboards.queries import indicators as indicator_queries
from dashboards.queries import scores as score_queries
from dashboards.queries.common import Filters
from dashboards.services.common import STATUS_LABELS, scores_of_counts
from evidence.services.facts import (
    IndicatorLine,
    ProjectLine,
    Proof,
    QuestionnaireLine,
    ScoreLine,
)
from kpi.models import Agreement
from members.commitments import CommitmentCode as C
from satisfaction import margins
from satisfaction.commitments import CHARTER_CODES

SCORE_LABELS = {"nps": "NPS", "csat": "CSAT"}
#: A questionnaire's tag (stored value) -> the charter commitments it rates.
RATED = {tag.value: codes for tag, codes in CHARTER_CODES.items()}


def agreed_on(member_id: int, until: date) -> dict[int, date]:
    """Per project, the day its client last acknowledged its indicators, by the
    end of the year (one statement)."""
    end = datetime.combine(until, time.max).replace(tzinfo=UTC)
    rows = db.session.execute(
        select(Agreement.project_id, func.max(Agreement.acknowledged_at))
        .where(
            Agreement.member_id == member_id,
            Agreement.acknowledged_at.is_not(None),
            Agreement.acknowledged_at <= end,
        )
        .group_by(Agreement.project_id)
    ).all()
    return {pid: at.date() for pid, at in rows if at is not None}


def scores(filters: Filters, titles: dict[C, str]) -> list[ScoreLine]:
    """NPS and CSAT with their 95 % interval, and the mean rating per tag of the
    questionnaire, named by the commitments it rates (``titles``)."""
    counts = score_queries.score_counts(filters, by="all")
    scores = scores_of_counts(counts)
    lines = []
    for metric in ("nps", "csat"):
        score = scores.get((metric, None), {}).get("all")
        interval = margins.score_interval(metric, score)
        lines.append(
            ScoreLine(
                metric=metric,
                label=SCORE_LABELS[metric],
                n=score.n if score else 0,
                value=score.value if score else None,
                is_reliable=bool(score and score.is_reliable),
                low=interval.low if interval else None,
                high=interval.high if interval else None,
            )
        )
    for (metric, commitment), per in sorted(scores.items(), key=lambda i: str(i[0])):
        if metric != "rating_1_5" or commitment is None or "all" not in per:
            continue
        score = per["all"]
        codes = RATED.get(commitment, ())
        label = " / ".join(titles[code] for code in codes) or commitment
        lines.append(
            ScoreLine(
                metric=f"rating:{commitment}",
                commitments=codes,
                label=_("Note sur 5 — %(commitment)s", commitment=str(label)),
                n=score.n,
                value=score.value,
                is_reliable=score.is_reliable,
            )
        )
    return lines


def indicators(
    filters: Filters, agreed: dict[int, date], project_ids: set[int]
) -> list[IndicatorLine]:
    """The active indicators of the year's projects against their target."""
    return [
        IndicatorLine(
            project=row["project"],
            client=row["client"],
            name=row["name"],
            unit=row["unit"],
            direction=row["direction"],
            target=row["target"],
            period_start=row["period_start"],
            value=row["value"],
            status=row["status"],
            status_label=str(STATUS_LABELS.get(row["status"], row["status"])),
            agreed_on=agreed.get(row["project_id"]),
        )
        for row in indicator_queries.indicator_rows(filters)
        if row["project_id"] in project_ids
    ]


def questionnaires(
    filters: Filters, lines: dict[int, ProjectLine]
) -> list[QuestionnaireLine]:
    result = []
    for row in score_queries.invitation_figures(filters, by="project"):
        if not row["sent"]:
            continue
        project = lines.get(row["key"])
        result.append(
            QuestionnaireLine(
                project=project.title if project else "–",
                client=project.client if project else "–",
                sent=row["sent"],
                answered=row["answered"],
                rate=row["rate"],
            )
        )
    return result


def rating_proofs(scores: list[ScoreLine]) -> list[Proof]:
    """Each rating the clients gave, under every commitment it rates."""
    found = []
    for score in scores:
        if not score.n:
            continue
        if score.is_reliable and score.value is not None:
            detail = _(
                "Note moyenne %(value)s sur 5 (%(n)d réponses)",
                value=format_decimal(round(score.value, 1)),
                n=score.n,
            )
        else:
            detail = _("%(n)d réponses (moins de 5 : pas de note)", n=score.n)
        for code in score.commitments:
            found.append(
                Proof(code, "rating", _("Note des clients"), "–", "–", None, detail)
            )
    return found


def figure_proofs(
    indicators: list[IndicatorLine],
    questionnaires: list[QuestionnaireLine],
    agreed: dict[int, date],
    of_year: list[ProjectLine],
) -> list[Proof]:
    found = []
    for project in of_year:
        day = agreed.get(project.id)
        if day is None:
            continue
        found.append(
            Proof(
                C.EFFICIENCY,
                "agreement",
                _("Indicateurs convenus avec le client"),
                project.title,
                project.client,
                day,
                _("Jeu d'indicateurs validé par le client"),
            )
        )
    for row in indicators:
        if row.value is None:
            continue
        detail = _(
            "%(name)s : %(value)s %(unit)s pour une cible de %(target)s — %(status)s",
            name=row.name,
            value=format_decimal(row.value),
            unit=row.unit,
            target="–" if row.target is None else format_decimal(row.target),
            status=row.status_label,
        )
        flag = row.status_label if row.status == "off_track" else ""
        found.append(
            Proof(
                C.EFFICIENCY,
                "indicator",
                _("Indicateur mesuré"),
                row.project,
                row.client,
                row.period_start,
                detail,
                flag,
            )
        )
    for q in questionnaires:
        detail = _(
            "%(sent)d envoyés, %(answered)d réponses", sent=q.sent, answered=q.answered
        )
        found.append(
            Proof(
                C.QUESTIONNAIRES,
                "questionnaire",
                _("Questionnaires clients"),
                q.project,
                q.client,
                None,
                detail,
            )
        )
    return found
