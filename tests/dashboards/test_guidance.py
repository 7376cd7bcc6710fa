"""Dead ends become guidance on the dashboards: a refused filter is said next to
its field on the page itself; the board's heat map is drawn cell by cell."""

from __future__ import annotations

import re
from types import SimpleNamespace

from core.extensions import db
from core.security import Role
from dashboards import charts, figures


def test_a_start_after_the_end_is_said_next_to_the_field_on_the_page(
    client, auth, make_staff, member_with_data
) -> None:
    member_with_data(name="Alpha")
    auth.login(make_staff(Role.BOARD))
    response = client.get(
        "/board/review", query_string={"since": "2026-06-01", "until": "2026-01-01"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    # The page itself, with its filter form, not an error page.
    assert 'aria-label="Filtres"' in html and "Revue qualité" in html
    error = re.search(r'<div id="since-error"[^>]*>(.*?)</div>', html, re.S)
    assert error and "La date de début suit la date de fin." in error.group(1)
    assert 'aria-describedby="since-error"' in html
    # The person's values stay in the fields so they can be corrected.
    assert 'value="2026-06-01"' in html and 'value="2026-01-01"' in html


def test_a_malformed_date_is_said_next_to_its_field_in_english_too(
    client, auth, member_with_data
) -> None:
    _member, user, *_ = member_with_data(name="Alpha")
    user.locale = "en"
    db.session.commit()
    auth.login(user)
    response = client.get("/dashboard", query_string={"until": "not-a-date"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'<div id="until-error"[^>]*>(.*?)</div>', html, re.S)
    assert error and "Invalid date: use the YYYY-MM-DD form." in error.group(1)
    assert 'aria-label="Filters"' in html


def test_an_export_with_refused_filters_is_still_refused(
    client, auth, make_staff, member_with_data
) -> None:
    member_with_data(name="Alpha")
    auth.login(make_staff(Role.BOARD))
    response = client.get(
        "/board/review/export/compliance.csv",
        query_string={"since": "2026-06-01", "until": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "La date de début suit la date de fin." in response.get_data(as_text=True)


def test_the_heat_map_is_drawn_cell_by_cell() -> None:
    figure = charts.heatmap(
        ["Délais", "Prix"],
        ["2026-Q3", "2026-Q4"],
        [[4.0, None], [2.5, 3.0]],
        value_label="note",
    )
    trace = figure["data"][0]
    assert trace["type"] == "heatmap"
    assert trace["zsmooth"] is False  # no interpolation between cells
    assert trace["z"] == [[4.0, None], [2.5, 3.0]]  # an empty cell stays empty


def test_the_board_heat_map_leaves_an_unreliable_quarter_empty_not_blurred(
    app,
) -> None:
    """The board's figure: a quarter with too few answers is an empty cell, and
    no cell is interpolated from its neighbours."""
    score = SimpleNamespace
    review = SimpleNamespace(
        trend={},
        heat={
            "follow_up": {
                "2026-Q3": score(value=4.25, is_reliable=True),
                "2026-Q4": score(value=1.0, is_reliable=False),
            }
        },
        quarters=["2026-Q3", "2026-Q4"],
        member_bins={},
        rates=[],
        by_service={},
    )
    (trace,) = figures.board_figures(review)["heat"]["data"]
    assert trace["zsmooth"] is False
    assert trace["z"] == [[4.25, None]]
    assert trace["x"] == ["2026-Q3", "2026-Q4"]
