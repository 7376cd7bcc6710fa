"""Scores with their margin on the pages, and a small member's satisfaction drawn
as its answers and a rolling 12-month score."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest

from core.security import Role
from dashboards import charts, services
from satisfaction.margins import csat_interval, nps_interval
from tests.dashboards.test_dashboards import FILTERS, NOW, PERIOD

FIGURE = re.compile(r'<script type="application/json" id="fig-([^"]+)">(.*?)</script>')


def test_rolling_figure_carries_answers_score_and_band() -> None:
    figure = charts.answers_and_rolling_score(
        [("2026-01-10", 10), ("2026-02-03", 3)],
        [
            ("2026-01-01", None, None, None, 4),
            ("2026-02-01", 40.0, -12.3, 75.5, 5),
        ],
        metric="nps",
        labels={
            "answers": "Réponses",
            "score": "NPS sur 12 mois",
            "interval": "IC 95 %",
            "answer_axis": "Réponse",
            "score_axis": "NPS",
            "n": "réponses",
        },
    )
    high, low, line, points = figure["data"]
    assert points["x"] == ["2026-01-10", "2026-02-03"]
    assert points["y"] == [10, 3] and points["yaxis"] == "y2"
    assert line["y"] == [None, 40.0]
    assert line["customdata"][1] == [5, "-12", "76"]
    assert high["y"] == [None, 75.5] and low["y"] == [None, -12.3]
    assert low["fill"] == "tonexty"
    assert figure["layout"]["yaxis2"]["range"] == [-0.5, 10.5]
    assert figure["layout"]["yaxis"]["range"] == [-105, 105]


def test_quarterly_trend_draws_each_reliable_points_interval() -> None:
    figure = charts.score_trend(
        {"nps": [("2026-T1", 33.3, 6), ("2026-T2", None, 2)]},
        labels={"nps": "NPS"},
        answers_label="réponses",
        intervals={"nps": [(-26.7, 71.2), None]},
    )
    bars = figure["data"][0]["error_y"]
    assert bars["array"] == [37.9, None]
    assert bars["arrayminus"] == [60.0, None]


def test_member_dashboard_shows_nps_and_csat_with_their_margin(
    client, auth, member_with_data
) -> None:
    _member, user, *_ = member_with_data(name="Alpha")
    auth.login(user)
    html = client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    # NPS 10,10,9,7,3,0: (2 detractors, 1 passive, 3 promoters).
    nps = nps_interval(2, 1, 3)
    csat = csat_interval(4, 6)
    assert nps is not None and csat is not None
    margin = re.search(r'data-testid="margin-nps"[^>]*>± (\d+)', html)
    assert margin and int(margin.group(1)) == round(nps.margin)
    assert f"entre {nps.low:.0f} et {nps.high:.0f}" in html
    assert f"entre {csat.low:.0f} et {csat.high:.0f}" in html


def test_board_review_shows_the_members_nps_with_its_margin(
    client, auth, make_staff, member_with_data
) -> None:
    member_with_data(name="Alpha")
    auth.login(make_staff(Role.BOARD))
    html = client.get("/board/review", query_string=PERIOD).get_data(as_text=True)
    assert 'data-testid="margin-nps"' in html


def test_a_trend_inside_the_margin_is_said_so(
    client,
    auth,
    make_member,
    make_member_user,
    make_client,
    make_contact,
    make_project,
    add_answers,
) -> None:
    member = make_member(name="Gamma")
    user = make_member_user(member)
    contact = make_contact(make_client(member))
    project = make_project(member)
    add_answers(project, contact, nps=[10, 10, 10, 8, 3, 3], at=_at(2026, 2, 10))
    add_answers(project, contact, nps=[10, 10, 10, 10, 8, 3], at=_at(2026, 5, 10))
    auth.login(user)
    html = client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    assert "+33 points, dans la marge d'erreur" in html
    auth.logout()
    user.locale = "en"
    from core.extensions import db

    db.session.commit()
    auth.login(user)
    html = client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    assert "+33 points, within the margin of error" in html


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, tzinfo=UTC)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_a_small_member_sees_its_answers_and_a_rolling_score(
    client,
    auth,
    make_member,
    make_member_user,
    make_client,
    make_contact,
    make_project,
    add_answers,
    locale,
) -> None:
    member = make_member(name="Petite agence")
    user = make_member_user(member)
    user.locale = locale
    contact = make_contact(make_client(member))
    project = make_project(member)
    # Two answers a quarter at most: no quarter reaches 5 answers.
    for when, values in [
        (_at(2025, 8, 5), [10, 9]),
        (_at(2025, 11, 5), [8]),
        (_at(2026, 2, 5), [10, 3]),
        (_at(2026, 5, 5), [9]),
    ]:
        add_answers(project, contact, nps=values, at=when)
    dash = services.member_dashboard(member.id, FILTERS, now=NOW)
    assert all(not s.is_reliable for s in dash.trend["nps"].values())
    auth.login(user)
    html = client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    figures = {key: json.loads(body) for key, body in FIGURE.findall(html)}
    high, low, line, points = figures["rolling-nps"]["data"]
    assert len(points["x"]) == 6 and sorted(points["y"]) == [3, 8, 9, 9, 10, 10]
    months = line["x"]
    assert months[0] == "2025-07-01" and months[-1] == "2026-06-01"
    by_month = dict(zip(months, line["y"], strict=True))
    # Until January 2026 at most 3 answers: no score is drawn.
    assert by_month["2026-01-01"] is None
    # February 2026: 10, 9, 8, 10, 3 → 3 promoters, 1 detractor → NPS 40.
    assert by_month["2026-02-01"] == 40.0
    expected = nps_interval(1, 1, 3)
    assert expected is not None
    february = months.index("2026-02-01")
    assert high["y"][february] == round(expected.high, 1)
    assert low["y"][february] == round(expected.low, 1)
    # The table beside the chart gives the same figure.
    assert 'data-testid="rolling"' in html and "02/2026" in html
    assert "réponses" in html if locale == "fr" else "answers" in html
    assert date(2026, 6, 1).isoformat() in months
