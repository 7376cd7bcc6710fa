"""What the dashboards' use cases share: the default period, scores of answer
counts, the association's spread, indicator statuses, labels and export frames.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from dashboards.errors import DashboardError
from dashboards.queries import association as association_queries
from dashboards.queries import common as common_queries
from dashboards.queries.common import STATUSES, Filters
from kpi.periods import last_complete_period
from mediation.services import complaint_figures as mediation_complaint_figures
from satisfaction import scoring

if TYPE_CHECKING:
    import pandas as pd

#: The association's figures are shown beside a member's only when at least this
#: many members contribute (each with a reliable score, i.e. ≥ 5 answers).
MIN_MEMBERS = 5
#: Response-rate thresholds of the compliance table (%).
RATE_GOOD, RATE_FAIR = 30.0, 15.0
HEADLINE_METRICS = ("nps", "csat")


# ---------------------------------------------------------------- periods


def default_period(today: date) -> tuple[date, date]:
    """The last twelve calendar months up to ``today`` (the current one included):
    whole months, so that the pages read the monthly rollups."""
    months = today.year * 12 + today.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), today


def check_period(since: date, until: date) -> None:
    """:raises DashboardError: an empty or absurd period."""
    if since > until:
        raise DashboardError(_l("La date de début suit la date de fin."), field="since")
    if (until - since).days > 366 * 10:
        raise DashboardError(
            _l("Choisissez une période de dix ans au plus."), field="since"
        )


# ---------------------------------------------------------------- scores


def scores_by(
    counts: pd.DataFrame, metric: str, *, commitment: str | None = None
) -> dict[Any, scoring.Score]:
    """Per ``period`` key, the score of ``metric`` (``commitment`` for ratings)."""
    if metric == "rating_1_5" and commitment is None:
        return {}
    key = (metric, commitment if metric == "rating_1_5" else None)
    return scores_of_counts(counts, only=key).get(key, {})


def scores_of_counts(
    counts: pd.DataFrame, *, only: tuple[str, str | None] | None = None
) -> dict[tuple[str, str | None], dict[Any, scoring.Score]]:
    """Every score of ``counts`` in one pass: {(metric, commitment): {period:
    score}} — the commitment only for ratings (or only the ``only`` key)."""
    distributions: dict[tuple[str, str | None], dict[Any, dict[int, int]]] = (
        defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    )
    for period, kind, commitment, value, n in zip(
        counts["period"],
        counts["question_type"],
        counts["commitment"],
        counts["value"],
        counts["count"],
        strict=True,
    ):
        key = (kind, commitment if kind == "rating_1_5" else None)
        if only is not None and key != only:
            continue
        distributions[key][period][int(value)] += int(n)
    return {
        key: {
            period: scoring.score_from_counts(key[0], dist)
            for period, dist in sorted(per.items(), key=lambda item: str(item[0]))
        }
        for key, per in distributions.items()
    }


def score_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """The exportable table of scores (scoring.scores_from_count_frame)."""
    return scoring.scores_from_count_frame(counts)


def commitments_of(counts: pd.DataFrame) -> list[str]:
    part = counts[
        (counts["question_type"] == "rating_1_5") & counts["commitment"].notna()
    ]
    return sorted({str(c) for c in part["commitment"]})


@dataclass(frozen=True)
class Spread:
    """The association's median and quartiles over its contributing members."""

    contributors: int
    q1: float | None = None
    median: float | None = None
    q3: float | None = None

    @property
    def is_shown(self) -> bool:
        return self.contributors >= MIN_MEMBERS


def spread(values: list[float]) -> Spread:
    if len(values) < MIN_MEMBERS:
        return Spread(len(values))
    q1, median, q3 = statistics.quantiles(sorted(values), n=4, method="inclusive")
    return Spread(len(values), round(q1, 1), round(median, 1), round(q3, 1))


# ---------------------------------------------------------------- indicators


def status_table(rows: list[tuple[Any, str, int]]) -> dict[Any, dict[str, int]]:
    """{key: {status: n}} from :func:`indicators_queries.status_counts` rows."""
    table: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for key, status, n in rows:
        table[key][status] += n
    return dict(table)


def on_target_share(counts: dict[str, int]) -> float | None:
    """% of the indicators with a target and data that are on track."""
    measured = counts["on_track"] + counts["at_risk"] + counts["off_track"]
    return None if measured == 0 else round(100.0 * counts["on_track"] / measured, 1)


def is_missing(row: dict[str, Any], until: date) -> bool:
    """No value for the indicator's last complete period before ``until``."""
    expected = last_complete_period(row["frequency"], until + timedelta(days=1))
    return row["period_start"] is None or row["period_start"] < expected


def reliable_value(score: scoring.Score | None) -> float | None:
    if score is None or not score.is_reliable or score.value is None:
        return None
    return round(score.value, 1)


#: The bands of the members' NPS distribution.
SCORE_BINS: tuple[tuple[float, float], ...] = (
    (-100, -50),
    (-50, 0),
    (0, 25),
    (25, 50),
    (50, 75),
    (75, 100),
)


def bin_counts(values: list[float]) -> list[int]:
    """How many values fall in each band (the last band includes its top)."""
    top = SCORE_BINS[-1][1]
    return [
        sum(1 for v in values if low <= v < high or (high == top and v == high))
        for low, high in SCORE_BINS
    ]


def complaint_figures(
    filters: Filters, *, member_id: int | None = None
) -> dict[str, Any] | None:
    """The mediation feature's figures for the period."""
    return mediation_complaint_figures(
        since=filters.since, until=filters.until, member_id=member_id
    )


# ---------------------------------------------------------------- labels

STATUS_LABELS = {
    "on_track": _l("En bonne voie"),
    "at_risk": _l("À surveiller"),
    "off_track": _l("Hors trajectoire"),
    "no_data": _l("Sans donnée"),
    "no_target": _l("Sans cible"),
}
LIGHT_LABELS = {
    "green": _l("Conforme"),
    "amber": _l("À améliorer"),
    "red": _l("Non conforme"),
    "none": _l("Sans objet"),
}
CRITERIA_LABELS = {
    "agreed": _l("Indicateurs convenus avec le client"),
    "sent": _l("Questionnaire envoyé depuis 12 mois"),
    "rate": _l("Taux de réponse"),
    "alerts": _l("Alertes ouvertes"),
    "complaints": _l("Plaintes en cours"),
}


def status_frame(table: dict[Any, dict[str, int]], key: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        [
            {key: k, **counts, "on_target_pct": on_target_share(counts)}
            for k, counts in sorted(table.items(), key=lambda item: str(item[0]))
        ],
        columns=[key, *STATUSES, "on_target_pct"],
    )


def rates_frame(rows: list[dict[str, Any]], key: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        [
            {
                key: r["key"],
                "invitations_sent": r["sent"],
                "responses": r["answered"],
                "response_rate_pct": None if r["rate"] is None else round(r["rate"], 1),
            }
            for r in rows
        ],
        columns=[key, "invitations_sent", "responses", "response_rate_pct"],
    )


def rows_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        [
            {
                k: (v.isoformat() if isinstance(v, date | datetime) else v)
                for k, v in row.items()
            }
            for row in rows
        ]
    )


def score_of_rows(metric: str, rows: list[dict[str, Any]]) -> scoring.Score:
    """The score of the listed answers (the figure the rows explain)."""
    return scoring.score(metric, [row["value"] for row in rows])


# ---------------------------------------------------------------- freshness and filters


def figures_as_of(filters: Filters) -> datetime | None:
    """When the figures a page shows were computed, if they come from the rollups."""
    return common_queries.figures_as_of(filters)


def figures_version() -> datetime | None:
    """When the stored figures last changed (the key of in-process caches)."""
    return common_queries.figures_version()


def departments() -> list[str]:
    """The members' departments (the board's department filter)."""
    return association_queries.departments()
