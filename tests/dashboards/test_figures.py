"""Every chart the pages embed is a figure plotly accepts: the builders write
plotly's JSON by hand (fast), so plotly's own schema checks them here."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go

from core.security import Role
from dashboards import services
from tests.dashboards.test_dashboards import FILTERS, NOW

FIGURE = re.compile(
    r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.DOTALL
)


def _figures(client, path: str) -> dict[str, dict]:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    ids = set(re.findall(r'data-figure="([^"]+)"', html))
    found = {key: json.loads(body) for key, body in FIGURE.findall(html)}
    assert ids and ids <= set(found), path  # each drawn chart has its figure
    return {key: found[key] for key in ids}


def test_every_chart_of_the_pages_is_valid_for_plotly(
    client, auth, make_staff, member_with_data
) -> None:
    member, user, *_ = member_with_data(name="Alpha")
    project_id = services.member_dashboard(member.id, FILTERS, now=NOW).projects[0][
        "id"
    ]
    auth.login(user)
    pages = {
        path: _figures(client, path)
        for path in ("/dashboard", f"/dashboard/projects/{project_id}")
    }
    auth.logout()
    auth.login(make_staff(Role.BOARD))
    pages["/board/review"] = _figures(client, "/board/review")
    checked = 0
    for path, figures in pages.items():
        for key, figure in figures.items():
            try:
                go.Figure(figure)
            except ValueError as error:  # pragma: no cover - the message is the point
                raise AssertionError(f"{path} {key}: {error}") from None
            assert figure["data"], (path, key)
            checked += 1
    assert any(
        k.startswith("fig-indicator-")
        for k in pages[f"/dashboard/projects/{project_id}"]
    )
    assert checked >= 5
