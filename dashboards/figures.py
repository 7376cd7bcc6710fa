"""The figures of each page: translated labels around the pure builders of
:mod:`dashboards.charts` (and KPI's own indicator chart)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from dashboards import charts, services
from kpi.charts import indicator_figure
from members.models import SERVICE_LABELS
from satisfaction import margins, scoring
from satisfaction.commitments import commitment_labels


def metric_labels() -> dict[str, str]:
    return {k: str(v) for k, v in scoring.METRIC_LABELS.items()}


def commitment_label(key: str | None) -> str:
    if key is None:
        return ""
    return commitment_labels().get(key, key)


def _trend(trend: dict[str, dict[str, scoring.Score]]) -> dict[str, Any] | None:
    series = {
        metric: [
            (period, s.value if s.is_reliable else None, s.n)
            for period, s in sorted(points.items())
        ]
        for metric, points in trend.items()
        if points
    }
    if not series:
        return None
    intervals = {
        metric: [
            None
            if (ci := margins.score_interval(metric, s)) is None
            else (ci.low, ci.high)
            for _period, s in sorted(points.items())
        ]
        for metric, points in trend.items()
        if points
    }
    return charts.score_trend(
        series,
        labels=metric_labels(),
        answers_label=_("réponses"),
        intervals=intervals,
    )


def rolling_figures(dash: services.MemberDashboard) -> dict[str, Any]:
    """Per headline metric with answers, its answers and rolling 12-month score."""
    figures: dict[str, Any] = {}
    for metric in ("nps", "csat"):
        answers = dash.answers.get(metric, [])
        if not answers:
            continue
        name = str(scoring.METRIC_LABELS[metric])
        figures[f"rolling-{metric}"] = charts.answers_and_rolling_score(
            [(day.isoformat(), value) for day, value in answers],
            [
                (
                    p.month.isoformat(),
                    p.value,
                    None if p.interval is None else p.interval.low,
                    None if p.interval is None else p.interval.high,
                    p.n,
                )
                for p in dash.rolling.get(metric, [])
            ],
            metric=metric,
            labels={
                "answers": _("Réponses"),
                "score": _("%(score)s sur 12 mois glissants", score=name),
                "interval": _("Intervalle de confiance à 95 %"),
                "answer_axis": _("Réponse"),
                "score_axis": name,
                "n": _("réponses"),
            },
        )
    return figures


def board_figures(review: services.BoardReview) -> dict[str, Any]:
    figures: dict[str, Any] = {"trend": _trend(review.trend)}
    if review.heat:
        rows = sorted(review.heat)
        figures["heat"] = charts.heatmap(
            [commitment_label(c) for c in rows],
            review.quarters,
            [
                [
                    round(review.heat[c][p].value or 0.0, 2)
                    if p in review.heat[c]
                    and review.heat[c][p].is_reliable
                    and review.heat[c][p].value is not None
                    else None
                    for p in review.quarters
                ]
                for c in rows
            ],
            value_label=_("note moyenne sur 5"),
        )
    bins = review.member_bins.get("nps")
    if bins and any(bins):
        figures["distribution"] = charts.histogram(
            [],
            counts=bins,
            bins=list(services.SCORE_BINS),
            label=_("NPS de l'adhérent"),
            count_label=_("adhérents"),
        )
    if review.rates:
        figures["rates"] = charts.rate_bars(
            [(r["key"], r["rate"], r["sent"]) for r in review.rates],
            label=_("Taux de réponse"),
            sent_label=_("envois"),
        )
    if review.by_service:
        figures["by_service"] = charts.status_bars(
            review.by_service,
            categories={
                k.value: str(v)
                for k, v in SERVICE_LABELS.items()
                if k.value in review.by_service
            },
            statuses={k: str(v) for k, v in services.STATUS_LABELS.items()},
        )
    return {k: v for k, v in figures.items() if v}


def member_figures(dash: services.MemberDashboard) -> dict[str, Any]:
    figures: dict[str, Any] = {"trend": _trend(dash.trend), **rolling_figures(dash)}
    if dash.projects:
        figures["statuses"] = charts.status_bars(
            {str(p["id"]): p["statuses"] for p in dash.projects},
            categories={str(p["id"]): p["title"] for p in dash.projects},
            statuses={k: str(v) for k, v in services.STATUS_LABELS.items()},
        )
    return {k: v for k, v in figures.items() if v}


def indicator_figures(summaries: list[Any]) -> dict[str, Any]:
    labels = {
        "value": _("Valeur"),
        "target": _("Cible"),
        "baseline": _("Point de départ"),
        "met": _("Cible atteinte"),
        "missed": _("Cible manquée"),
        "no_target": _("Sans cible"),
        "no_data": _("Sans donnée"),
    }
    return {
        f"indicator-{s.indicator.id}": indicator_figure(
            s.rows,
            unit=s.indicator.unit,
            target=s.indicator.target_value,
            baseline=s.indicator.baseline_value,
            labels=labels,
        )
        for s in summaries
        if s.rows
    }
