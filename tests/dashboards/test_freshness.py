"""The dashboards' figures after every write: a KPI write refreshes its
indicators' latest values in its own transaction (no job run needed), the
rollup job alone catches what a write did not signal (an undone import), and
the job stores the board's review again only when something it reads changed."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.database import utcnow
from core.extensions import db
from dashboards import jobs, rollups, services
from dashboards.models import BoardSnapshot, IndicatorLatest
from dashboards.queries import common as common_queries
from dashboards.queries.common import Filters
from kpi import services as kpi_services
from kpi.importers import ColumnMapping, parse_export
from kpi.models import Indicator
from kpi.signals import measurements_changed
from members.models import ClientContact, Project, ServiceType
from tests.dashboards.conftest import NOW
from tests.statements import statements

FILTERS = Filters(since=date(2026, 1, 1), until=date(2026, 6, 30))


def _build_rollups(now: datetime = NOW) -> None:
    services.rebuild_figures(now=now)
    db.session.commit()


def _dashboard_row(member_id: int) -> tuple[date | None, Decimal | None, str]:
    [row] = services.member_dashboard(member_id, FILTERS, now=NOW).indicators
    return row["period_start"], row["value"], row["status"]


def _latest(indicator_id: int) -> tuple[date, Decimal] | None:
    db.session.expire_all()
    row = db.session.get(IndicatorLatest, indicator_id)
    return None if row is None else (row.period_start, Decimal(row.value))


def _import(
    project: Project, csv: str, targets: dict[str, int], *, now: datetime
) -> Any:
    data = csv.encode()
    export = parse_export(
        data,
        "values.csv",
        mapping=ColumnMapping(
            date_column="date",
            value_columns=list(targets),
            decimal_separator=".",
            granularity="month",
        ),
    )
    by_label = {series.label: series.key for series in export.series}
    batch, _preview = kpi_services.store_import(
        None,
        project,
        export,
        {by_label[label]: indicator_id for label, indicator_id in targets.items()},
        file_name="values.csv",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        now=now,
    )
    return batch


# ---------------------------------------------------------------- KPI writes


def _tomorrow_noon() -> datetime:
    """A run "tomorrow", far from midnight: the reviews stored depend on the day
    (the default twelve months end today), so a run crossing midnight would store
    another set."""
    return (utcnow() + timedelta(days=1)).replace(hour=12, minute=0, second=0)


def test_a_value_entered_by_hand_changes_the_dashboard_at_once(
    member_with_data,
) -> None:
    member, user, _client, _contact = member_with_data(name="Alpha")
    _build_rollups()
    assert common_queries.indicator_rollup_usable(FILTERS)
    # February's CPC 60 ÷ 40 = 1.5 against 1.40 (lower is better): at risk.
    assert _dashboard_row(member.id) == (date(2026, 2, 1), Decimal("1.5000"), "at_risk")
    indicator = db.session.scalar(select(Indicator))
    later = NOW + timedelta(minutes=3)

    measurement, changed = kpi_services.record_measurement(
        user,
        indicator,
        day=date(2026, 3, 10),
        numerator="30",
        denominator="25",
        now=later,
    )

    assert changed
    # March's 30 ÷ 25 = 1.2 meets the target — with no job run since.
    assert _dashboard_row(member.id) == (
        date(2026, 3, 1),
        Decimal("1.2000"),
        "on_track",
    )
    assert rollups.as_of() == NOW
    kpi_services.delete_measurement(user, indicator, measurement, now=later)
    assert _dashboard_row(member.id) == (date(2026, 2, 1), Decimal("1.5000"), "at_risk")
    # The deletion left no row behind: the indicator carries it for the job.
    assert db.session.get(Indicator, indicator.id).updated_at == later


def test_a_value_entered_in_the_form_shows_on_the_dashboard_page_at_once(
    client, auth, member_with_data
) -> None:
    _member, user, _client, _contact = member_with_data(name="Beta")
    _build_rollups()
    auth.login(user)
    indicator_id = db.session.scalar(select(Indicator.id))
    period = {"since": "2026-01-01", "until": "2026-12-31"}
    html = client.get("/dashboard", query_string=period).get_data(as_text=True)
    assert "dash-status-at_risk" in html and "(2026-02-01)" in html
    assert 'data-testid="as-of"' in html

    response = client.post(
        f"/space/indicators/{indicator_id}/measurements",
        data={"day": "2026-03-10", "numerator": "30", "denominator": "25"},
    )

    assert response.status_code == 302
    html = client.get("/dashboard", query_string=period).get_data(as_text=True)
    assert "dash-status-on_track" in html and "(2026-03-01)" in html
    assert "dash-status-at_risk" not in html
    assert "(2026-02-01)" not in html


def test_an_api_batch_refreshes_every_indicator_it_wrote(
    member_with_data, add_indicator
) -> None:
    member, _user, _client, _contact = member_with_data(name="Gamma")
    project = db.session.scalar(select(Project))
    visits = add_indicator(project, values={date(2026, 1, 1): "100"})
    cpc = db.session.scalar(select(Indicator.id).where(Indicator.is_ratio.is_(True)))
    _build_rollups()

    kpi_services.write_measurements(
        member.id,
        [
            kpi_services.MeasurementInput(visits.id, date(2026, 4, 1), Decimal("90")),
            kpi_services.MeasurementInput(
                cpc,
                date(2026, 4, 1),
                numerator=Decimal("10"),
                denominator=Decimal("20"),
            ),
        ],
        now=NOW,
    )

    assert _latest(visits.id) == (date(2026, 4, 1), Decimal("90"))
    assert _latest(cpc) == (date(2026, 4, 1), Decimal("0.5"))


def test_an_indicator_archived_or_given_another_target_shows_at_once(
    member_with_data,
) -> None:
    member, user, _client, _contact = member_with_data(name="Delta")
    _build_rollups()
    indicator = db.session.scalar(select(Indicator))
    fields = kpi_services.IndicatorFields(
        kind=indicator.kind,
        name=indicator.name,
        unit=indicator.unit,
        direction=indicator.direction,
        frequency=indicator.frequency,
        target_value=Decimal("1.60"),
    )
    kpi_services.update_indicator(user, indicator, fields, now=NOW)
    assert _dashboard_row(member.id)[2] == "on_track"
    kpi_services.update_indicator(user, indicator, fields, is_active=False, now=NOW)
    assert services.member_dashboard(member.id, FILTERS, now=NOW).indicators == []


def test_without_rollups_a_kpi_write_leaves_them_absent(member_with_data) -> None:
    _member, user, _client, _contact = member_with_data(name="Epsilon")
    indicator = db.session.scalar(select(Indicator))
    kpi_services.record_measurement(
        user, indicator, day=date(2026, 3, 1), numerator="1", denominator="2", now=NOW
    )
    assert db.session.scalar(select(func.count()).select_from(IndicatorLatest)) == 0


# ---------------------------------------------------------------- imports and undo


def test_undoing_an_import_puts_the_previous_latest_value_back(
    member_with_data, add_indicator
) -> None:
    _member, _user, _client, _contact = member_with_data(name="Zeta")
    project = db.session.scalar(select(Project))
    visits = add_indicator(
        project, values={date(2026, 1, 1): "100", date(2026, 2, 1): "120"}
    )
    _build_rollups()
    assert _latest(visits.id) == (date(2026, 2, 1), Decimal("120"))
    csv = "date,visits\n2026-02-01,150\n2026-03-01,170\n"
    batch = _import(project, csv, {"visits": visits.id}, now=NOW)
    assert _latest(visits.id) == (date(2026, 3, 1), Decimal("170"))

    kpi_services.undo_import(None, batch, now=NOW + timedelta(minutes=1))

    # March (created by the import) is gone, February has its 120 again.
    assert _latest(visits.id) == (date(2026, 2, 1), Decimal("120"))


def test_the_job_alone_catches_an_undone_import(
    member_with_data, add_indicator
) -> None:
    """The undo restores February with its previous (old) ``updated_at`` and
    deletes March: only the indicator's own ``updated_at`` tells the job."""
    _member, _user, _client, _contact = member_with_data(name="Eta")
    project = db.session.scalar(select(Project))
    visits = add_indicator(
        project, values={date(2026, 1, 1): "100", date(2026, 2, 1): "120"}
    )
    _build_rollups()
    batch = _import(
        project,
        "date,visits\n2026-02-01,150\n2026-03-01,170\n",
        {"visits": visits.id},
        now=NOW + timedelta(minutes=1),
    )
    # The job has run well after the import: its watermark is past it.
    jobs.refresh_rollups(NOW + timedelta(minutes=2))
    jobs.refresh_rollups(NOW + timedelta(minutes=30))
    assert _latest(visits.id) == (date(2026, 3, 1), Decimal("170"))

    with measurements_changed.muted():
        kpi_services.undo_import(None, batch, now=NOW + timedelta(minutes=40))
    assert _latest(visits.id) == (date(2026, 3, 1), Decimal("170"))  # not signalled
    summary = jobs.refresh_rollups(NOW + timedelta(minutes=41))

    assert summary.startswith("1 indicators, 0 members")
    assert _latest(visits.id) == (date(2026, 2, 1), Decimal("120"))


def test_an_import_refreshes_its_indicators_in_a_fixed_number_of_statements(
    member_with_data, add_indicator
) -> None:
    _member, _user, _client, _contact = member_with_data(name="Theta")
    project = db.session.scalar(select(Project))
    ids = [add_indicator(project).id for _ in range(6)]
    _build_rollups()

    def refresh_statements(count: int, day: int) -> int:
        columns = [f"s{n}" for n in range(count)]
        csv = "date," + ",".join(columns) + "\n"
        csv += f"2026-0{day}-01," + ",".join(str(10 * n + day) for n in range(count))
        with statements() as seen:
            _import(project, csv + "\n", dict(zip(columns, ids, strict=False)), now=NOW)
        return sum(1 for s in seen if "dashboards_" in s)

    # One look at the rollups' state, one DELETE, one upsert — for 1 or 6.
    assert refresh_statements(1, 3) == refresh_statements(6, 4) == 3
    assert [_latest(i) for i in ids] == [
        (date(2026, 4, 1), Decimal(10 * n + 4)) for n in range(6)
    ]


# ---------------------------------------------------------------- the board's review


def _snapshots() -> list[tuple[int, datetime]]:
    db.session.expire_all()
    return [
        (s.id, s.computed_at)
        for s in db.session.scalars(select(BoardSnapshot).order_by(BoardSnapshot.id))
    ]


def test_the_job_stores_the_board_review_again_only_when_something_changed(
    member_with_data, add_answers
) -> None:
    member_with_data(name="Iota")
    member_with_data(name="Kappa")
    # The fixtures stamp members and projects with the clock: start after them.
    start = _tomorrow_noon()
    assert jobs.refresh_rollups(start) == "full"
    first = _snapshots()
    # The association's review, per department, per service type, per year.
    assert len(first) == 1 + 1 + len(ServiceType) + 1
    assert {computed_at for _sid, computed_at in first} == {start}

    assert jobs.refresh_rollups(start + timedelta(minutes=1)) == (
        "0 indicators, 0 members, board unchanged"
    )
    assert jobs.refresh_rollups(start + timedelta(minutes=2)).endswith(
        "board unchanged"
    )
    assert _snapshots() == first
    assert rollups.as_of() == start + timedelta(minutes=2)

    # A client answers: the next run stores the review again.
    project = db.session.scalar(select(Project).order_by(Project.id))
    contact = db.session.scalar(
        select(ClientContact).where(ClientContact.client_id == project.client_id)
    )
    add_answers(
        project,
        contact,
        nps=[10],
        csat=[5],
        sent=1,
        at=start + timedelta(minutes=2, seconds=30),
    )
    assert jobs.refresh_rollups(start + timedelta(minutes=3)) == (
        "0 indicators, 1 members"
    )
    again = _snapshots()
    assert len(again) == len(first)
    assert {computed_at for _sid, computed_at in again} == {
        start + timedelta(minutes=3)
    }


def test_the_figures_version_the_caches_key_on_moves_only_with_the_figures(
    app, member_with_data, add_answers
) -> None:
    """The web process caches the board's filtered reviews and the association's
    quartiles per :func:`common_queries.figures_version`: an idle run of the job (every
    minute) must not move it, a change must."""
    member_with_data(name="Lambda")
    start = _tomorrow_noon()
    jobs.refresh_rollups(start)
    with app.app_context(), app.test_request_context():  # a request of its own
        assert common_queries.figures_version() == start
    jobs.refresh_rollups(start + timedelta(minutes=1))
    with app.app_context(), app.test_request_context():  # a request of its own
        assert common_queries.figures_version() == start
        assert common_queries.rollups_as_of() == start + timedelta(minutes=1)
    project = db.session.scalar(select(Project).order_by(Project.id))
    contact = db.session.scalar(
        select(ClientContact).where(ClientContact.client_id == project.client_id)
    )
    add_answers(project, contact, nps=[9], csat=[4], sent=1, at=start)
    jobs.refresh_rollups(start + timedelta(minutes=2))
    with app.app_context(), app.test_request_context():  # a request of its own
        assert common_queries.figures_version() == start + timedelta(minutes=2)


def test_reviews_left_behind_by_a_failed_run_are_stored_by_the_next(
    app, member_with_data, monkeypatch
) -> None:
    """A run that fails half-way through the stored reviews (the default one
    already stored again) does not leave the others old until they expire: the
    next run stores them all again."""
    from core.scheduler import JobSpec, run_job
    from dashboards.services import snapshot as snapshot_service

    member_with_data(name="Mu")
    start = _tomorrow_noon()
    assert jobs.refresh_rollups(start) == "full"
    write = snapshot_service.write_board_snapshot
    calls: list[int] = []

    def failing_third(computed, *, now):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return write(computed, now=now)

    monkeypatch.setattr(snapshot_service, "write_board_snapshot", failing_third)
    # Older than BOARD_MAX_AGE: stored again, and the run fails at the third.
    failed_at = start + rollups.BOARD_MAX_AGE + timedelta(minutes=1)
    run_job(app, JobSpec("dashboards.rollups", jobs.refresh_rollups), failed_at)
    times = sorted({computed_at for _sid, computed_at in _snapshots()})
    assert times == [start, failed_at]
    monkeypatch.setattr(snapshot_service, "write_board_snapshot", write)
    later = failed_at + timedelta(minutes=1)
    assert jobs.refresh_rollups(later) == "0 indicators, 0 members"
    assert {computed_at for _sid, computed_at in _snapshots()} == {later}
    assert jobs.refresh_rollups(later + timedelta(minutes=1)).endswith(
        "board unchanged"
    )
