"""Plotly figures of indicators (pure: an indicator's bucket rows in, a figure dict out).

The dict is written directly in plotly's figure format, as in
:mod:`dashboards.charts`: building it through ``plotly.graph_objects`` validated
every property on each request (about 20 ms a chart, the bulk of a project page
with a few indicators) and embedded plotly's 7 KB default template in the page
each time. The tests check every figure against plotly's own schema.

The figure never relies on colour alone: values that meet the target are drawn as
filled circles, those that miss it as crosses, the target as a dashed line with
diamond markers and the baseline as a dotted line; each has a legend entry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from kpi.calculations import BucketRow

#: Marker per status (shape first, colour second).
STATUS_MARKERS = {
    "met": ("circle", "#1b7f3b"),
    "missed": ("x", "#b3261e"),
    "no_target": ("circle", "#1f4e79"),
    "no_data": ("circle-open", "#6c757d"),
}


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(Decimal(value)) if not isinstance(value, float) else value


def indicator_figure(
    rows: Sequence[BucketRow],
    *,
    unit: str,
    target: Decimal | None,
    baseline: Decimal | None,
    labels: Mapping[str, str],
) -> dict[str, Any]:
    """A plotly figure dict for one indicator.

    ``rows`` are its buckets in order, each with its ``bucket`` label, ``value``
    and ``status`` (see :func:`kpi.calculations.bucket_rows`); ``labels`` holds
    the translated ``value``, ``target``, ``baseline`` and one label per status.
    """
    buckets = [str(r.bucket) for r in rows]
    values = [_number(r.value) for r in rows]
    statuses = [str(r.status) for r in rows]
    colours = [STATUS_MARKERS[s][1] for s in statuses]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": buckets,
            "y": values,
            "name": labels["value"],
            "mode": "lines+markers",
            "line": {"color": "#1f4e79", "width": 2},
            "marker": {
                "size": 10,
                "symbol": [STATUS_MARKERS[s][0] for s in statuses],
                "color": colours,
                "line": {"width": 2, "color": colours},
            },
            "customdata": [labels.get(s, s) for s in statuses],
            "hovertemplate": "%{x} : %{y}"
            + (f" {unit}" if unit else "")
            + "<br>%{customdata}<extra></extra>",
            "connectgaps": False,
        }
    ]
    if target is not None and buckets:
        data.append(
            {
                "type": "scatter",
                "x": buckets,
                "y": [float(target)] * len(buckets),
                "name": labels["target"],
                "mode": "lines+markers",
                "line": {"color": "#8a5a00", "dash": "dash", "width": 2},
                "marker": {"symbol": "diamond", "size": 7, "color": "#8a5a00"},
                "hovertemplate": labels["target"] + " : %{y}<extra></extra>",
            }
        )
    if baseline is not None and buckets:
        data.append(
            {
                "type": "scatter",
                "x": buckets,
                "y": [float(baseline)] * len(buckets),
                "name": labels["baseline"],
                "mode": "lines",
                "line": {"color": "#555555", "dash": "dot", "width": 1.5},
                "hovertemplate": labels["baseline"] + " : %{y}<extra></extra>",
            }
        )
    layout = {
        "height": 320,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        "xaxis": {"type": "category", "title": {"text": ""}, "showgrid": False},
        "yaxis": {
            "title": {"text": unit},
            "rangemode": "tozero",
            "gridcolor": "#e5e5e5",
        },
        "plot_bgcolor": "#ffffff",
        "separators": labels.get("separators", ", "),
    }
    return {"data": data, "layout": layout}
