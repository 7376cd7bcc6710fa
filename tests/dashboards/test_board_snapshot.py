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
from dashboards.commitments import counted
from dashboards.models import BoardCompliance, BoardSnapshot
from dashboards.queries.common import Filters
from members.models import ServiceType
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


def _stored_reviews() -> dict[tuple[object, ...], BoardSnapshot]:
    db.session.expire_all()
    return {
        (s.since, s.until, s.on_date, s.department, s.service_type): s
        for s in db.session.scalars(select(BoardSnapshot))
    }


def test_the_job_stores_the_reviews_the_board_opens(association) -> None:
    """The default period for the association, per department and per service
    type; each year with answers (2025, 2026) as the annual report judges it
    (on its last day) and as the review does (today)."""
    association(count=3)  # the third member has answers in 2025
    assert jobs.refresh_rollups(NOW) == "full"
    since, until = services.default_period(TODAY)
    year_2025 = (date(2025, 1, 1), date(2025, 12, 31))
    year_2026 = (date(2026, 1, 1), date(2026, 12, 31))
    kinds = [k.value for k in ServiceType]
    stored = _stored_reviews()
    assert sorted(stored, key=str) == sorted(
        [
            (since, until, TODAY, "", ""),
            (since, until, TODAY, "04", ""),
            *[(since, until, TODAY, "", kind) for kind in kinds],
            (*year_2025, date(2025, 12, 31), "", ""),
            (*year_2025, TODAY, "", ""),
            (*year_2026, TODAY, "", ""),
        ],
        key=str,
    )
    assert stored[(since, until, TODAY, "", "")].members == 5
    assert {s.computed_at for s in stored.values()} == {NOW}
    # Per service type: only the members with such a project (SEA here).
    assert stored[(since, until, TODAY, "", "sea")].members_with_projects == 3
    assert stored[(since, until, TODAY, "", "hosting")].members_with_projects == 0
    # The next run replaces them (one per review and day), the next day too.
    jobs.refresh_rollups(NOW + timedelta(minutes=10))
    jobs.refresh_rollups(NOW + timedelta(days=1))
    later = _stored_reviews()
    assert len(later) == len(stored)
    assert {key[2] for key in later} == {TODAY + timedelta(days=1), date(2025, 12, 31)}
    assert {s.computed_at for s in later.values()} == {NOW + timedelta(days=1)}
    association_rows = select(func.count()).where(
        BoardCompliance.snapshot_id
        == later[
            (since, TODAY + timedelta(days=1), TODAY + timedelta(days=1), "", "")
        ].id
    )
    assert db.session.scalar(association_rows) == 5


@pytest.fixture()
def board_page(app, client, auth, make_staff, monkeypatch):  # type: ignore[no-untyped-def]
    """The board signed in, the page's day fixed, three members per page."""
    monkeypatch.setattr(views.common, "today", lambda: TODAY)
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
    # Worst first: the most red lights, the criteria's and the commitments'.
    lights = [
        sum(v == "red" for v in [*r.lights.values(), *counted(r.commitments)])
        for r in ordered.rows
    ]
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
    monkeypatch.setattr(views.member, "utcnow", lambda: NOW)
    monkeypatch.setattr(views.common, "utcnow", lambda: NOW)
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


def test_filtered_reviews_and_the_annual_report_read_the_stored_reviews(
    association, client, auth, make_staff, monkeypatch
) -> None:
    """A department, a service type, another year and the annual report: the
    first request after the job ran reads the reviews it stored (no member's
    raw rows, nothing cached in the process) and shows the figures of a direct
    computation."""
    monkeypatch.setattr(views.common, "today", lambda: TODAY)
    members = association(count=3)
    members[1].department = "05"  # type: ignore[attr-defined]
    db.session.commit()
    assert jobs.refresh_rollups(NOW) == "full"
    auth.login(make_staff(Role.BOARD))
    since, until = services.default_period(TODAY)
    year = Filters(since=date(2025, 1, 1), until=date(2025, 12, 31))
    pages = {
        "department": (
            "/board/review",
            {"department": "05"},
            Filters(since=since, until=until, department="05"),
            TODAY,
        ),
        "service type": (
            "/board/review",
            {"service_type": "sea"},
            Filters(since=since, until=until, service_type="sea"),
            TODAY,
        ),
        "another year": (
            "/board/review",
            {"since": "2025-01-01", "until": "2025-12-31"},
            year,
            TODAY,
        ),
        "annual report": ("/board/report", {"year": "2025"}, year, date(2025, 12, 31)),
    }
    for label, (path, query, filters, day) in pages.items():
        services.forget_cached_figures()
        with statements() as seen:
            response = client.get(path, query_string=query)
        assert response.status_code == 200, label
        raw = [s for s in seen if any(f" {table}" in s for table in RAW_TABLES)]
        assert not raw, (label, raw)
        direct = services.compute_board_review(filters, today=day)
        html = response.get_data(as_text=True)
        assert f'data-testid="members">{direct.counts["members"]}</dd>' in html, label
        stored, _as_of = services.stored_board_review(filters, today=day)
        assert stored.counts == direct.counts, label
        assert stored.trend == direct.trend and stored.by_service == direct.by_service
        assert stored.member_spread == direct.member_spread, label
        assert [asdict(r) for r in stored.compliance] == [
            asdict(r) for r in direct.compliance
        ], label
    # What the pages showed: one member in the department, the 2025 answers of
    # the one member who had some, lights judged on the year's last day.
    department = services.stored_board_review(pages["department"][2], today=TODAY)[0]
    assert department.counts["members"] == 1
    assert [r.member_id for r in department.compliance] == [members[1].id]  # type: ignore[attr-defined]
    report = services.stored_board_review(year, today=date(2025, 12, 31))[0]
    assert report.trend["nps"] and set(report.quarters) == {"2025-Q4"}


def test_the_job_computes_each_review_without_holding_the_write_lock(
    association, monkeypatch
) -> None:
    """Computing a review reads every member's rows for seconds at the large
    scale: meanwhile a web worker must be able to write (on SQLite a write
    transaction would hold the database's one write lock)."""
    from dashboards.services import snapshot as snapshot_service

    association(count=1)
    compute = snapshot_service.compute_stored_review
    writes: list[int] = []

    def computing_while_a_worker_writes(filters, *, today):  # type: ignore[no-untyped-def]
        computed = compute(filters, today=today)
        with db.engine.connect() as worker:
            sqlite = db.engine.dialect.name == "sqlite"
            if sqlite:  # no waiting (restored: the connection goes back to the pool)
                waited = worker.exec_driver_sql("PRAGMA busy_timeout").scalar()
                worker.exec_driver_sql("PRAGMA busy_timeout=0")
            try:
                done = worker.exec_driver_sql(
                    "UPDATE members_member SET town = town WHERE id > 0"
                )
                writes.append(done.rowcount)
                worker.commit()
            finally:
                if sqlite:
                    worker.exec_driver_sql(f"PRAGMA busy_timeout={int(waited)}")
        return computed

    monkeypatch.setattr(
        snapshot_service, "compute_stored_review", computing_while_a_worker_writes
    )
    assert jobs.refresh_rollups(NOW) == "full"
    assert len(writes) == len(_stored_reviews()) > 1 and all(writes)
