"""Plotly figures of a campaign's scores over its cycles (pure: frames in, dicts out)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


_LINES = {"nps": "#1d4e5f", "csat": "#2a9d8f", "ces": "#e9a23b"}


def scores_over_cycles(
    by_cycle: pd.DataFrame, *, labels: Mapping[str, str], cycle_label: str, n_label: str
) -> dict[str, Any] | None:
    """NPS, CSAT and CES per cycle, from :func:`scoring.scores_from_count_frame`.

    Points computed from fewer than 5 answers are drawn hollow and their hover
    says how many answers they rest on. Returns None when there is nothing to draw.
    """
    import plotly.graph_objects as go

    if by_cycle is None or by_cycle.empty:
        return None
    rows = by_cycle[
        by_cycle["metric"].isin(list(_LINES)) & by_cycle["commitment"].isna()
    ]
    if rows.empty:
        return None
    figure = go.Figure()
    for metric, colour in _LINES.items():
        part = rows[rows["metric"] == metric].sort_values("period")
        if part.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=[f"{cycle_label} {int(p)}" for p in part["period"]],
                y=[round(float(v), 1) for v in part["value"]],
                mode="lines+markers",
                name=str(labels.get(metric, metric)),
                line={"color": colour},
                marker={
                    "size": 10,
                    "symbol": [
                        "circle" if reliable else "circle-open"
                        for reliable in part["is_reliable"]
                    ],
                },
                customdata=[int(n) for n in part["n"]],
                hovertemplate=f"%{{y}} (%{{customdata}} {n_label})<extra>%{{fullData.name}}</extra>",
            )
        )
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        height=280,
        legend={"orientation": "h"},
        yaxis={"zeroline": True},
    )
    result: dict[str, Any] = figure.to_plotly_json()
    # plotly.js has the same defaults: no need to ship plotly.py's 10 kB template.
    result["layout"].pop("template", None)
    return result
