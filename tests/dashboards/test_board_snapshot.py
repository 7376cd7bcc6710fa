"""The board's review stored by the rollup job: the same figures as a direct
computation, a compliance table listed by pages (sorted, filtered, searched)
that reads the stored rows only, and the exports that still give every row."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.security import Role
from dashboards import jobs, services, views
from dashboards.models import BoardCompliance, BoardSnapshot
from dashboards.queries.common import Filters
from tests.dashboards.conftest import NOW
from tests.dashboards.test_dashboards import FILTERS, PERIOD
from tests.statements import statements

TODAY = NOW.date()
#: Tables a page reading the stored review must not touch (every member's rows).
RAW_TABLES = (
    "satisfaction_answer",
    "satisfaction_invitation",
    "satisfaction_response",
    "kpi_measurement",
    "dashboards_score_month",
    "kpi_indicator",
)


@pytest.fixture()
def association(member_with_data, make_member, make_project, add_answers):  # type: ignore[no-untyped-def]
    """Six members with data (the fifth without a questionnaire), two without."""

    def build(count: int = 6) -> list[object]:
        members = []
        for n in range(count):
            member, _user, client, contact = member_with_data(
                name=f"Membre {n}",
                projects=1 + n % 2,
            )
            if n == 2:  # a third quarter, comments, another NPS band
                project = make_project(member, client=client, title="Autre")
                add_answers(
                    project,
                    contact,
                    nps=[0, 1, 2, 3, 4, 5],
                    csat=[1, 1, 2],
                    at=NOW - timedelta(days=200),
                    text="Très bien",
                    share=True,
                )
            members.append(member)
        members.append(make_member(name="Zéro projet"))
        members.append(make_member(name="Aucun envoi"))
        return members

    return build


def _listing(**values: object) -> services.Listing:
    return services.Listing(**{"per_page": 1000, **values})  # type: ignore[arg-type]


def test_the_stored_review_gives_the_figures_of_a_direct_computation(
    association,
) -> None:
    members = association()
    direct = services.compute_board_review(FILTERS, today=TODAY)
    direct_comparison = services.comparison(members[0].id, FILTERS)
    snapshot_id = services.store_board_snapshot(FILTERS, today=TODAY, now=NOW)
    db.session.commit()
    stored, page, as_of = services.board_review_page(
        FILTERS, today=TODAY, listing=_listing(order="name")
    )
    assert as_of == NOW and db.session.get(BoardSnapshot, snapshot_id)
    assert stored.counts == direct.counts
    assert stored.trend == direct.trend and stored.trend["nps"]
    assert stored.heat == direct.heat and stored.quarters == direct.quarters
    assert stored.member_spread == direct.member_spread
    assert stored.member_bins == direct.member_bins
    assert [(r["key"], r["sent"], r["answered"], r["rate"]) for r in stored.rates] == [
        (r["key"], r["sent"], r["answered"], r["rate"]) for r in direct.rates
    ]
    assert stored.rate_total["sent"] == direct.rate_total["sent"]
    assert stored.rate_total["rate"] == direct.rate_total["rate"]
    assert stored.by_service == direct.by_service
    assert stored.comments == direct.comments and stored.comments
    pd.testing.assert_frame_equal(
        stored.score_table.reset_index(drop=True),
        direct.score_table.reset_index(drop=True),
        check_dtype=False,
    )
    # Every compliance row, field by field (the NPS as a score and its answers).
    assert page.total == len(direct.compliance) == len(members)
    by_id = {r.member_id: asdict(r) for r in direct.compliance}
    assert {r.member_id: asdict(r) for r in page.rows} == by_id
    # The member's comparison: the association's quartiles, from the snapshot.
    from_snapshot = services.comparison(members[0].id, FILTERS, today=TODAY)
    assert [(c.metric, c.commitment, c.own, c.spread) for c in from_snapshot] == [
        (c.metric, c.commitment, c.own, c.spread) for c in direct_comparison
    ]
    # Hand-computed: 6 members with NPS 10,10,9,7,3,0 → (3 − 2) / 6 = 16.7.
    [nps] = [c for c in from_snapshot if c.metric == "nps"]
    assert nps.spread.contributors == 6 and nps.spread.median == 16.7


def test_the_job_stores_the_review_of_the_default_period(association) -> None:
    association(count=2)
    assert jobs.refresh_rollups(NOW) == "full"
    since, until = services.default_period(TODAY)
    snapshot = db.session.scalar(select(BoardSnapshot))
    assert (snapshot.since, snapshot.until, snapshot.on_date) == (since, until, TODAY)
    assert snapshot.members == 4
    # The next run replaces it (one per period and day), the next day too.
    jobs.refresh_rollups(NOW + timedelta(minutes=10))
    jobs.refresh_rollups(NOW + timedelta(days=1))
    snapshots = db.session.scalars(select(BoardSnapshot)).all()
    assert [s.on_date for s in snapshots] == [TODAY + timedelta(days=1)]
    assert db.session.scalar(select(func.count()).select_from(BoardCompliance)) == 4


@pytest.fixture()
def board_page(app, client, auth, make_staff, monkeypatch):  # type: ignore[no-untyped-def]
    """The board signed in, the page's day fixed, three members per page."""
    monkeypatch.setattr(views, "_today", lambda: TODAY)
    monkeypatch.setitem(app.config, "DASHBOARDS_COMPLIANCE_PER_PAGE", 3)
    auth.login(make_staff(Role.BOARD))

    def get(**query: object) -> Iterator[str]:
        response = client.get("/board/review", query_string={**PERIOD, **query})
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)  # type: ignore[return-value]

    return get


def _names(html: str, members: list[object]) -> list[str]:
    """The members' names in the order the page lists them."""
    found = [(html.find(f">{m.name}</a>"), m.name) for m in members]  # type: ignore[attr-defined]
    return [name for at, name in sorted(found) if at >= 0]


def test_the_compliance_table_is_listed_by_pages_worst_first(
    association, board_page, client
) -> None:
    members = association()
    services.store_board_snapshot(FILTERS, today=TODAY, now=NOW)
    db.session.commit()
    worst, _page, _as_of = services.board_review_page(
        FILTERS, today=TODAY, listing=_listing()
    )
    reds = [sum(v == "red" for v in r.lights.values()) for r in worst.compliance]
    assert not reds  # the stored path does not load the whole table…
    ordered = services.board_review_page(FILTERS, today=TODAY, listing=_listing())[1]
    lights = [sum(v == "red" for v in r.lights.values()) for r in ordered.rows]
    assert lights == sorted(lights, reverse=True) and lights[0] > 0
    first = board_page()
    assert "Adhérents 1 à 3 sur 8." in first
    assert _names(first, members) == [r.name for r in ordered.rows[:3]]
    third = board_page(page=3)
    assert "Adhérents 7 à 8 sur 8." in third
    assert _names(third, members) == [r.name for r in ordered.rows[6:]]
    # Sorted by name, filtered, searched (case-insensitive, accents kept).
    by_name = board_page(order="name")
    assert _names(by_name, members) == ["Aucun envoi", "Membre 0", "Membre 1"]
    compliant = board_page(light="red", search="membre 5")
    assert "sur 1." in compliant or "Aucun adhérent ne correspond." in compliant
    assert _names(board_page(search="zéro"), members) == ["Zéro projet"]
    assert "Aucun adhérent ne correspond." in board_page(search="personne")
    assert "le tableau compte 8 adhérents sur 3 pages" in board_page(page=9)
    # Bad options: a 400 with a message, never a 500.
    for bad in ({"order": "n'importe"}, {"page": "0"}, {"light": "bleu"}):
        response = client.get("/board/review", query_string={**PERIOD, **bad})
        assert response.status_code == 400


def test_the_page_reads_the_stored_rows_only(association, board_page) -> None:
    association(count=2)
    services.store_board_snapshot(FILTERS, today=TODAY, now=NOW)
    db.session.commit()
    with statements() as small:
        board_page()
    association(count=5)
    services.store_board_snapshot(FILTERS, today=TODAY, now=NOW)
    db.session.commit()
    with statements() as large:
        html = board_page(page=2)
    assert len(large) == len(small)
    assert "Adhérents 4 à 6 sur" in html
    for statement in large:
        assert not any(f" {table}" in statement for table in RAW_TABLES), statement


def test_exports_give_every_row_of_the_stored_table(association, board_page, client):  # type: ignore[no-untyped-def]
    members = association(count=4)
    services.store_board_snapshot(FILTERS, today=TODAY, now=NOW)
    db.session.commit()
    csv = client.get("/board/review/export/compliance.csv", query_string=PERIOD)
    frame = pd.read_csv(io.BytesIO(csv.data), sep=";", encoding="utf-8-sig")
    assert sorted(frame["Adhérent"]) == sorted(m.name for m in members)  # type: ignore[attr-defined]
    live = services.compliance_frame(services.compliance(FILTERS, today=TODAY))
    assert sorted(live["member"]) == sorted(frame["Adhérent"])


def test_a_period_without_a_stored_review_is_computed_and_listed_the_same(
    association, board_page
) -> None:
    members = association(count=4)
    other = Filters(since=date(2025, 8, 1), until=date(2026, 6, 30))
    review, page, _as_of = services.board_review_page(
        other, today=TODAY, listing=_listing(order="name", per_page=2, page=2)
    )
    assert page.total == len(members) and len(page.rows) == 2
    names = sorted((m.name.lower(), m.id) for m in members)  # type: ignore[attr-defined]
    assert [r.member_id for r in page.rows] == [i for _n, i in names[2:4]]
    html = board_page(since="2025-08-01")
    assert "Adhérents 1 à 3 sur 6." in html and review.counts["members"] == 6


def test_a_member_dashboard_compares_with_the_stored_quartiles(
    association, client, auth, monkeypatch
) -> None:
    """With the review stored, a member's comparison reads the association's
    quartiles (a few rows) and its own figures: the same statements whatever the
    number of members, none grouping every member's rows."""
    monkeypatch.setattr(views, "utcnow", lambda: NOW)
    members = association(count=5)
    services.store_board_snapshot(FILTERS, today=TODAY, now=NOW)
    db.session.commit()
    from members.models import User

    user = db.session.scalar(select(User).where(User.member_id == members[0].id))
    auth.login(user)
    with statements() as small:
        html = client.get("/dashboard", query_string=PERIOD).get_data(as_text=True)
    assert "16,7" in html or "16.7" in html  # the association's median NPS
    association(count=3)
    services.store_board_snapshot(FILTERS, today=TODAY, now=NOW)
    db.session.commit()
    with statements() as large:
        assert client.get("/dashboard", query_string=PERIOD).status_code == 200
    assert len(large) == len(small)
    assert not [s for s in large if "GROUP BY members_project.member_id" in s]
    assert not [s for s in large if "GROUP BY dashboards_score_month.member_id" in s]
    assert any("dashboards_board_spread" in s for s in large)
