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


def _error_bars(
    points: Sequence[tuple[str, float | None, int]],
    intervals: Sequence[tuple[float, float] | None] | None,
) -> dict[str, Any]:
    """Plotly's asymmetric error bars drawing each point's interval (none where
    the point has no interval)."""
    if not intervals:
        return {}
    above: list[float | None] = []
    below: list[float | None] = []
    for point, bounds in zip(points, intervals, strict=True):
        if point[1] is None or bounds is None:
            above.append(None)
            below.append(None)
            continue
        above.append(round(max(0.0, bounds[1] - point[1]), 1))
        below.append(round(max(0.0, point[1] - bounds[0]), 1))
    return {
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": above,
            "arrayminus": below,
            "thickness": 1.5,
        }
    }


def score_trend(
    series: Mapping[str, Sequence[tuple[str, float | None, int]]],
    *,
    labels: Mapping[str, str],
    answers_label: str,
    intervals: Mapping[str, Sequence[tuple[float, float] | None]] | None = None,
) -> dict[str, Any]:
    """Lines of scores per period; ``series`` maps a metric to (period, value or
    None when unreliable, answers). Each point is labelled with its value and
    its number of answers; ``intervals`` (per metric, one (low, high) or None
    per point) are drawn as error bars."""
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
                **_error_bars(points, (intervals or {}).get(metric)),
            }
        )
    return {"data": data, "layout": _layout(yaxis={"zeroline": True})}


#: The answer scale of each score drawn with its answers.
ANSWER_SCALES = {"nps": (0, 10), "csat": (1, 5)}
SCORE_SCALES = {"nps": (-100, 100), "csat": (0, 100)}


def answers_and_rolling_score(
    answers: Sequence[tuple[str, int]],
    rolling: Sequence[tuple[str, float | None, float | None, float | None, int]],
    *,
    metric: str,
    labels: Mapping[str, str],
) -> dict[str, Any]:
    """Each answer as a point (day, value; right axis, the answer scale) and the
    rolling score (month, value, low, high, answers; left axis) as a line in its
    95 % band, drawn only where it rests on enough answers (value not None).

    ``labels``: ``answers``, ``score``, ``interval``, ``answer_axis``,
    ``score_axis`` and ``n`` (the word after a number of answers)."""
    low_answer, high_answer = ANSWER_SCALES[metric]
    low_score, high_score = SCORE_SCALES[metric]
    months = [r[0] for r in rolling]
    values = [None if r[1] is None else round(r[1], 1) for r in rolling]
    color = PALETTE.get(metric)
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": labels["interval"],
            "x": months,
            "y": [None if r[3] is None else round(r[3], 1) for r in rolling],
            "line": {"width": 0},
            "hoverinfo": "skip",
            "showlegend": False,
            "connectgaps": False,
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": labels["interval"],
            "x": months,
            "y": [None if r[2] is None else round(r[2], 1) for r in rolling],
            "fill": "tonexty",
            "fillcolor": "rgba(29, 78, 95, 0.18)",
            "line": {"width": 0},
            "hoverinfo": "skip",
            "connectgaps": False,
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": labels["score"],
            "x": months,
            "y": values,
            "customdata": [[r[4], _bound(r[2]), _bound(r[3])] for r in rolling],
            "hovertemplate": (
                f"%{{x|%m/%Y}} : %{{y:.0f}} [%{{customdata[1]}} ; "
                f"%{{customdata[2]}}] (%{{customdata[0]}} {labels['n']})"
                "<extra></extra>"
            ),
            "line": {"color": color},
            "marker": {"symbol": SYMBOLS.get(metric, "square"), "color": color},
            "connectgaps": False,
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": labels["answers"],
            "x": [a[0] for a in answers],
            "y": [a[1] for a in answers],
            "yaxis": "y2",
            "marker": {"symbol": "circle-open", "size": 9, "color": "#6c757d"},
            "hovertemplate": "%{x|%d/%m/%Y} : %{y}<extra></extra>",
        },
    ]
    layout = _layout(
        yaxis={
            "title": {"text": labels["score_axis"]},
            "range": [low_score - 5, high_score + 5],
            "zeroline": True,
        },
        yaxis2={
            "title": {"text": labels["answer_axis"]},
            "range": [low_answer - 0.5, high_answer + 0.5],
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "dtick": 1 if metric == "csat" else 2,
        },
        xaxis={"type": "date"},
    )
    layout["margin"] = {**layout["margin"], "r": 48}
    return {"data": data, "layout": layout}


def _bound(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


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
