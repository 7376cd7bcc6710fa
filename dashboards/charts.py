"""Plotly figures of the dashboards, pure: plain values in, figure dicts out.

No chart relies on colour alone: every bar and cell carries its value as text,
series differ by marker symbol and fill pattern, and the pages print a data
table beside each chart (its text alternative). Points resting on fewer than
5 answers are not drawn as a score (the 5-answer rule): the table shows the
answers instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PALETTE = {
    "nps": "#1d4e5f",
    "csat": "#2a9d8f",
    "on_track": "#1b7f3b",
    "at_risk": "#9a6700",
    "off_track": "#b3261e",
    "no_data": "#6c757d",
    "no_target": "#1f4e79",
}
SYMBOLS = {"nps": "circle", "csat": "diamond"}
PATTERNS = {
    "on_track": "",
    "at_risk": "/",
    "off_track": "x",
    "no_data": ".",
    "no_target": "-",
}
_LAYOUT: dict[str, Any] = {
    "margin": {"l": 48, "r": 12, "t": 12, "b": 48},
    "height": 300,
    "legend": {"orientation": "h", "y": -0.2},
    "font": {"size": 13},
}


def _layout(**extra: Any) -> dict[str, Any]:
    layout = {**_LAYOUT, **extra}
    return layout


def score_trend(
    series: Mapping[str, Sequence[tuple[str, float | None, int]]],
    *,
    labels: Mapping[str, str],
    answers_label: str,
) -> dict[str, Any]:
    """Lines of scores per period; ``series`` maps a metric to (period, value or
    None when unreliable, answers). Each point is labelled with its value and
    its number of answers."""
    data = []
    for metric, points in series.items():
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "name": str(labels.get(metric, metric)),
                "x": [p[0] for p in points],
                "y": [None if p[1] is None else round(p[1], 1) for p in points],
                "text": [
                    f"{p[1]:.0f}" if p[1] is not None else f"n={p[2]}" for p in points
                ],
                "textposition": "top center",
                "customdata": [p[2] for p in points],
                "hovertemplate": f"%{{x}} : %{{y}} (%{{customdata}} {answers_label})<extra>%{{fullData.name}}</extra>",
                "marker": {
                    "symbol": SYMBOLS.get(metric, "square"),
                    "size": 10,
                    "color": PALETTE.get(metric),
                },
                "line": {
                    "color": PALETTE.get(metric),
                    "dash": "solid" if metric == "nps" else "dash",
                },
                "connectgaps": False,
                # The top point's value label stays whole above the plot area.
                "cliponaxis": False,
            }
        )
    return {"data": data, "layout": _layout(yaxis={"zeroline": True})}


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    value_label: str,
) -> dict[str, Any]:
    """Commitments × quarters; each cell shows its mean rating as text."""
    return {
        "data": [
            {
                "type": "heatmap",
                # One flat colour per cell: a smoothed heat map blurs a quarter
                # into its neighbour and fades empty cells into full ones.
                "zsmooth": False,
                "xgap": 2,
                "ygap": 2,
                "x": list(columns),
                "y": list(rows),
                "z": [list(r) for r in values],
                "zmin": 1,
                "zmax": 5,
                "colorscale": "Cividis",
                "texttemplate": "%{z:.1f}",
                "hovertemplate": f"%{{y}} · %{{x}} : %{{z:.2f}} ({value_label})<extra></extra>",
                "colorbar": {"title": {"text": value_label}},
            }
        ],
        "layout": _layout(
            height=max(260, 48 * len(rows) + 80),
            margin={"l": 260, "r": 12, "t": 12, "b": 48},
            # A long commitment name widens the margin rather than being cut.
            yaxis={"automargin": True},
        ),
    }


def histogram(
    values: Sequence[float],
    *,
    bins: Sequence[tuple[float, float]],
    label: str,
    count_label: str,
    counts: Sequence[int] | None = None,
) -> dict[str, Any]:
    """How many members fall in each score band (bars labelled with their count);
    ``counts`` gives them already counted (then ``values`` is not read)."""
    names = [f"{low:g} – {high:g}" for low, high in bins]
    if counts is None:
        counts = [
            sum(
                1
                for v in values
                if low <= v < high or (high == bins[-1][1] and v == high)
            )
            for low, high in bins
        ]
    counts = list(counts)
    return {
        "data": [
            {
                "type": "bar",
                "x": names,
                "y": counts,
                "text": [str(c) for c in counts],
                "textposition": "outside",
                "name": label,
                "marker": {"color": PALETTE["nps"], "pattern": {"shape": "/"}},
                "hovertemplate": f"%{{x}} : %{{y}} {count_label}<extra></extra>",
            }
        ],
        "layout": _layout(
            xaxis={"title": {"text": label}}, yaxis={"title": {"text": count_label}}
        ),
    }


def status_bars(
    table: Mapping[str, Mapping[str, int]],
    *,
    categories: Mapping[str, str],
    statuses: Mapping[str, str],
) -> dict[str, Any]:
    """Stacked bars of indicator statuses per category: patterns + counts as text."""
    keys = list(categories)
    data = []
    for status, name in statuses.items():
        values = [int(table.get(k, {}).get(status, 0)) for k in keys]
        data.append(
            {
                "type": "bar",
                "name": name,
                "x": [categories[k] for k in keys],
                "y": values,
                "text": [str(v) if v else "" for v in values],
                "textposition": "inside",
                "marker": {
                    "color": PALETTE[status],
                    "pattern": {"shape": PATTERNS[status]},
                },
            }
        )
    return {
        "data": data,
        "layout": _layout(
            barmode="stack",
            height=380,
            # Long category names tilt and take the room they need (a narrow
            # page, print): the legend goes above, clear of them.
            xaxis={"automargin": True},
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
            margin={"l": 48, "r": 12, "t": 48, "b": 48},
        ),
    }


def rate_bars(
    points: Sequence[tuple[str, float | None, int]], *, label: str, sent_label: str
) -> dict[str, Any]:
    """Response rate per period; each bar shows its % and the number of sends."""
    return {
        "data": [
            {
                "type": "bar",
                "name": label,
                "x": [p[0] for p in points],
                "y": [None if p[1] is None else round(p[1], 1) for p in points],
                "text": [
                    ("—" if p[1] is None else f"{p[1]:.0f} %") + f" ({p[2]})"
                    for p in points
                ],
                "textposition": "outside",
                "marker": {"color": PALETTE["csat"], "pattern": {"shape": "."}},
                "hovertemplate": f"%{{x}} : %{{y}} % (%{{text}} {sent_label})<extra></extra>",
            }
        ],
        "layout": _layout(yaxis={"range": [0, 110], "ticksuffix": " %"}),
    }
