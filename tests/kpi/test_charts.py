"""Pure figure builders: values, target and baseline, not colour alone."""

from __future__ import annotations

import json
from decimal import Decimal

import plotly.graph_objects as go

from kpi.calculations import BucketRow
from kpi.charts import indicator_figure

LABELS = {
    "value": "Valeur",
    "target": "Objectif",
    "baseline": "Point de départ",
    "met": "Objectif atteint",
    "missed": "Objectif non atteint",
    "no_target": "Sans objectif",
    "no_data": "Pas de valeur",
}


def test_the_figure_has_values_target_and_baseline_with_distinct_markers() -> None:
    rows = [
        BucketRow("2024-01", 1, Decimal("0.6"), None, None, "missed"),
        BucketRow("2024-02", 1, Decimal("0.45"), None, None, "met"),
        BucketRow("2024-03", 0, None, None, None, "no_data"),
    ]
    figure = indicator_figure(
        rows, unit="€", target=Decimal("0.5"), baseline=Decimal("0.7"), labels=LABELS
    )
    json.dumps(figure)  # plain JSON, ready for the page
    go.Figure(figure)  # plotly's schema accepts every property (raises otherwise)
    values, target, baseline = figure["data"]
    assert values["x"] == ["2024-01", "2024-02", "2024-03"]
    assert values["y"] == [0.6, 0.45, None]
    assert values["marker"]["symbol"] == ["x", "circle", "circle-open"]
    assert values["customdata"] == [
        "Objectif non atteint",
        "Objectif atteint",
        "Pas de valeur",
    ]
    assert target["name"] == "Objectif" and target["line"]["dash"] == "dash"
    assert target["y"] == [0.5, 0.5, 0.5]
    assert baseline["line"]["dash"] == "dot" and baseline["y"] == [0.7] * 3
    assert figure["layout"]["yaxis"]["title"]["text"] == "€"


def test_without_target_or_baseline_only_the_values_are_drawn() -> None:
    rows = [BucketRow("2024", 1, Decimal(3), None, None, "no_target")]
    figure = indicator_figure(rows, unit="", target=None, baseline=None, labels=LABELS)
    assert len(figure["data"]) == 1
    go.Figure(figure)
    assert figure["layout"]["yaxis"]["title"]["text"] == ""
