"""A member's project page: weekly values shown per month — the table and the
chart give the same figures, computed from the sums (a ratio: Σ ÷ Σ), with the
status against the target; the statements do not grow with the indicators or
the weeks stored."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from sqlalchemy import select

from core.extensions import db
from kpi.models import (
    Direction,
    Frequency,
    Indicator,
    Source,
)
from members.models import Project, ServiceType
from tests.dashboards.test_dashboards import PERIOD, _page_statements

FIGURE = re.compile(
    r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.DOTALL
)
NARROW_SPACE = "\u202f"

#: Cost per click, week by week: (cost, clicks). January's weekly ratios
#: (1, 0.5, 0.5, 0.43) average 0.61; the month's value is Σcost ÷ Σclicks = 0.5.
WEEKLY_CPC = {
    date(2026, 1, 5): ("10", "10"),
    date(2026, 1, 12): ("30", "60"),
    date(2026, 1, 19): ("30", "60"),
    date(2026, 1, 26): ("30", "70"),
    date(2026, 2, 2): ("15", "10"),
    date(2026, 2, 9): ("15", "10"),
    date(2026, 2, 16): ("15", "10"),
    date(2026, 2, 23): ("15", "10"),
    date(2026, 3, 2): ("7", "5"),
    date(2026, 3, 9): ("7", "5"),
}
WEEKLY_VISITS = {
    date(2026, 1, 5): 20,
    date(2026, 1, 12): 30,
    date(2026, 1, 19): 25,
    date(2026, 1, 26): 25,
    date(2026, 2, 2): 10,
    date(2026, 2, 9): 20,
    date(2026, 2, 16): 30,
    date(2026, 2, 23): 30,
    date(2026, 3, 2): 600,
    date(2026, 3, 9): 500,
}


def _weekly(add_indicator, project, *, ratio: bool, values: dict) -> Indicator:
    """A weekly indicator fed by an import (a cost per click aims lower)."""
    return add_indicator(
        project,
        ratio=ratio,
        target="1.40" if ratio else "100",
        direction=Direction.LOWER if ratio else Direction.HIGHER,
        values=values,
        frequency=Frequency.WEEK,
        source=Source.IMPORT,
    )


def _figures(html: str) -> dict[str, dict]:
    return {key: json.loads(body) for key, body in FIGURE.findall(html)}


def test_weekly_values_are_shown_per_month_alike_in_the_table_and_the_chart(
    client, auth, member_with_data, make_project, add_indicator
) -> None:
    member, user, customer, _contact = member_with_data(name="Alpha")
    project = make_project(
        member, client=customer, title="Hebdo", service_type=ServiceType.SEA
    )
    cpc = _weekly(add_indicator, project, ratio=True, values=WEEKLY_CPC)
    visits = _weekly(add_indicator, project, ratio=False, values=WEEKLY_VISITS)
    auth.login(user)
    response = client.get(f"/dashboard/projects/{project.id}", query_string=PERIOD)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The table: one row a month (not a week), the ratio with its sums.
    assert html.count(f'data-testid="value-{cpc.id}-') == 3
    assert f'data-testid="value-{cpc.id}-2026-01">0,5</td><td>100</td><td>200</td>' in (
        html
    )
    assert (
        f'data-testid="value-{cpc.id}-2026-02">1,5</td><td>60</td><td>40</td>' in html
    )
    assert (
        f'data-testid="value-{cpc.id}-2026-03">1,4</td><td>14</td><td>10</td>' in html
    )
    assert f'data-testid="value-{visits.id}-2026-01">100</td>' in html
    assert f'data-testid="value-{visits.id}-2026-02">90</td>' in html
    assert f'data-testid="value-{visits.id}-2026-03">1{NARROW_SPACE}100</td>' in html
    # The charts: the same months and values, each marked met or missed, and the
    # target as a line.
    figures = _figures(html)
    values, target = figures[f"fig-indicator-{cpc.id}"]["data"]
    assert values["x"] == ["2026-01", "2026-02", "2026-03"]
    assert values["y"] == [0.5, 1.5, 1.4]
    assert values["customdata"] == ["Cible atteinte", "Cible manquée", "Cible atteinte"]
    assert values["marker"]["symbol"] == ["circle", "x", "circle"]
    assert target["y"] == [1.4, 1.4, 1.4]
    values, target = figures[f"fig-indicator-{visits.id}"]["data"]
    assert values["x"] == ["2026-01", "2026-02", "2026-03"]
    assert values["y"] == [100.0, 90.0, 1100.0]
    assert values["customdata"] == ["Cible atteinte", "Cible manquée", "Cible atteinte"]
    assert target["y"] == [100.0, 100.0, 100.0]


def test_the_project_page_reads_as_many_statements_whatever_its_weeks(
    client, auth, member_with_data, make_project, add_indicator
) -> None:
    member, user, customer, _contact = member_with_data(name="Alpha")
    auth.login(user)
    monthly = db.session.scalar(
        select(Project.id).where(Project.member_id == member.id)
    )
    one_indicator = _page_statements(client, f"/dashboard/projects/{monthly}")
    project = make_project(
        member, client=customer, title="Hebdo", service_type=ServiceType.SEA
    )
    first = date(2024, 1, 1)
    weeks = [first + timedelta(weeks=w) for w in range(125)]
    for n in range(4):
        _weekly(
            add_indicator,
            project,
            ratio=n % 2 == 0,
            values={w: ("3", "2") if n % 2 == 0 else 7 for w in weeks},
        )
    html = client.get(f"/dashboard/projects/{project.id}").get_data(as_text=True)
    assert html.count('data-figure="fig-indicator-') == 4
    assert _page_statements(client, f"/dashboard/projects/{project.id}") == (
        one_indicator
    )
