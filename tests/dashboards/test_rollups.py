"""The large demo generator (a miniature of it) and the rollups the pages read:
the same figures from the rollups as from the raw rows, kept up to date by the job
from its watermark."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.extensions import db
from dashboards import jobs, rollups, services
from dashboards.demo import large as demo_large
from dashboards.models import IndicatorLatest, RollupState, ScoreMonth
from dashboards.queries import common as common_queries
from dashboards.queries.common import Filters
from kpi.models import Indicator, Measurement
from members.models import Member, Project
from satisfaction.models import Answer, Campaign, Invitation, Response
from tests.dashboards.conftest import NOW

TODAY = NOW.date()


def _count(model: object) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _raw(compute):  # type: ignore[no-untyped-def]
    """``compute()`` with the rollups switched off (no refresh state: raw rows)."""
    state = db.session.get(RollupState, rollups.STATE)
    saved = (state.watermark, state.refreshed_at)
    db.session.delete(state)
    db.session.flush()
    try:
        return compute()
    finally:
        db.session.add(
            RollupState(name=rollups.STATE, watermark=saved[0], refreshed_at=saved[1])
        )
        db.session.flush()


def test_a_miniature_large_load_is_consistent_and_loaded_once(app) -> None:
    lines: list[str] = []
    summary = demo_large.load(
        today=TODAY, now=NOW, scale_factor=0.001, echo=lines.append
    )
    expected = demo_large.expected_counts(0.001)
    assert (expected.members, expected.projects) == (1, 10)
    assert _count(Member) == expected.members
    assert _count(Project) == expected.projects
    assert _count(Indicator) == expected.indicators == 40
    assert _count(Measurement) == expected.measurements == 5000
    assert _count(Response) == expected.responses == 300
    assert _count(Invitation) == demo_large.CYCLES * expected.projects
    scored = len([q for q in demo_large.load_charter().questions])
    assert _count(Answer) == 300 * scored
    assert "5,000 measurements" in summary and lines
    # Rows hang together: indicators and campaigns of the project's member, one
    # response per answered invitation.
    mismatched = db.session.scalar(
        select(func.count())
        .select_from(Indicator)
        .join(Project, Project.id == Indicator.project_id)
        .where(Project.member_id != Indicator.member_id)
    )
    assert mismatched == 0
    answered = db.session.scalar(
        select(func.count()).where(Invitation.answered_at.is_not(None))
    )
    assert answered == 300
    paired = db.session.scalar(
        select(func.count())
        .select_from(Response)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .where(Invitation.campaign_id == Campaign.id)
    )
    assert paired == 300
    # The rollups were built in the same transaction.
    assert _count(IndicatorLatest) == 40
    assert db.session.scalar(select(func.sum(ScoreMonth.count))) == _count(Answer)
    # Deterministic and idempotent.
    first = db.session.scalar(select(Measurement.value).order_by(Measurement.id))
    assert demo_large.load(today=TODAY, scale_factor=0.001) == (
        "large data set already loaded: nothing to do"
    )
    assert _count(Measurement) == 5000
    assert first == db.session.scalar(
        select(Measurement.value).order_by(Measurement.id)
    )


def test_the_rollups_give_the_raw_figures(app) -> None:
    demo_large.load(today=TODAY, now=NOW, scale_factor=0.001, echo=lambda _line: None)
    member_id = db.session.scalar(select(Member.id))
    since, until = services.default_period(TODAY)
    assert since.day == 1
    filters = Filters(since=since, until=until)
    assert common_queries.score_rollup_usable(filters)
    assert common_queries.indicator_rollup_usable(filters)

    def figures() -> tuple[object, ...]:
        dash = services.member_dashboard(member_id, filters, now=NOW)
        board = services.board_review(filters, today=TODAY)
        return (
            {m: (s.value, s.n) for m, s in dash.latest.items()},
            dash.status_totals,
            [(r["id"], r["status"], r["value"]) for r in dash.indicators],
            {c: (s.value, s.n) for c, s in dash.commitments.items()},
            board.by_service,
            {
                m: {q: (s.value, s.n) for q, s in t.items()}
                for m, t in board.trend.items()
            },
            board.member_scores,
        )

    from_rollups = figures()
    assert from_rollups == _raw(figures)
    assert from_rollups[0]["nps"][1] > 0


def test_the_job_refreshes_what_changed_since_its_watermark(app) -> None:
    demo_large.load(today=TODAY, now=NOW, scale_factor=0.001, echo=lambda _line: None)
    state = db.session.get(RollupState, rollups.STATE)
    later = state.watermark + timedelta(minutes=10)
    indicator_id = db.session.scalar(select(Indicator.id).order_by(Indicator.id))
    latest = db.session.get(IndicatorLatest, indicator_id)
    measured = db.session.scalar(
        select(Measurement).where(
            Measurement.indicator_id == indicator_id,
            Measurement.period_start == latest.period_start,
        )
    )
    measured.value = measured.value + 1000
    measured.updated_at = later
    before = db.session.scalar(select(func.sum(ScoreMonth.count)))
    # A client answers a pending invitation after the watermark.
    invitation = db.session.scalar(
        select(Invitation)
        .where(Invitation.answered_at.is_(None))
        .order_by(Invitation.id)
    )
    response = Response(
        invitation_id=invitation.id,
        campaign_id=invitation.campaign_id,
        started_at=later,
        updated_at=later,
        submitted_at=later,
    )
    db.session.add(response)
    db.session.flush()
    nps = next(q for q in demo_large.load_charter().questions if q[1] == "nps")
    db.session.add(Answer(response_id=response.id, question_id=nps[0], value=10))
    db.session.commit()

    assert jobs.refresh_rollups(later + timedelta(minutes=1)) == (
        "1 indicators, 1 members"
    )
    db.session.expire_all()
    assert db.session.get(IndicatorLatest, indicator_id).value == measured.value
    assert db.session.scalar(select(func.sum(ScoreMonth.count))) == before + 1
    assert rollups.as_of() == later + timedelta(minutes=1)
    # Rows near the watermark are looked at again (OVERLAP), then no more.
    jobs.refresh_rollups(later + timedelta(minutes=2))
    assert db.session.scalar(select(func.sum(ScoreMonth.count))) == before + 1
    jobs.refresh_rollups(later + timedelta(hours=1))
    assert jobs.refresh_rollups(later + timedelta(hours=2)) == (
        "0 indicators, 0 members"
    )


def test_pages_say_as_of_when_they_read_the_rollups(
    client, auth, make_member, make_member_user
) -> None:
    member = make_member(name="Epsilon")
    user = make_member_user(member)
    auth.login(user)
    assert 'data-testid="as-of"' not in client.get("/dashboard").get_data(as_text=True)
    services.rebuild_figures(now=NOW)
    db.session.commit()
    html = client.get(
        "/dashboard", query_string={"since": "2026-01-01", "until": "2026-12-31"}
    ).get_data(as_text=True)
    assert 'data-testid="as-of"' in html and "09:00" in html
    # A period that ends before the refresh and mid-month: the raw rows.
    html = client.get(
        "/dashboard", query_string={"since": "2026-01-03", "until": "2026-03-15"}
    ).get_data(as_text=True)
    assert 'data-testid="as-of"' not in html
    assert date(2026, 1, 1)


# ---------------------------------------------------------------- many changes


def _changed_indicators(project, count: int, *, first_at, step=timedelta(0)):  # type: ignore[no-untyped-def]
    """``count`` monthly indicators of ``project``, each with one value (its
    number × 10, in May 2026) written ``first_at + n × step``: bulk-inserted
    (Core executemany), as a large import would leave them. Returns their ids."""
    from decimal import Decimal

    from sqlalchemy import insert

    from kpi.models import Direction, Frequency, IndicatorKind, Source

    db.session.execute(
        insert(Indicator),
        [
            {
                "member_id": project.member_id,
                "project_id": project.id,
                "kind": IndicatorKind.AUDIENCE,
                "name": f"Visites {n}",
                "unit": "visites",
                "direction": Direction.HIGHER,
                "frequency": Frequency.MONTH,
                "target_value": Decimal(100),
                "created_at": first_at + n * step,
                "updated_at": first_at + n * step,
            }
            for n in range(count)
        ],
    )
    ids = list(
        db.session.scalars(
            select(Indicator.id)
            .where(Indicator.project_id == project.id)
            .order_by(Indicator.id)
        )
    )
    db.session.execute(
        insert(Measurement),
        [
            {
                "indicator_id": indicator_id,
                "period_start": date(2026, 5, 1),
                "granularity": Frequency.MONTH,
                "value": Decimal(n * 10),
                "source": Source.IMPORT,
                "updated_at": first_at + n * step,
            }
            for n, indicator_id in enumerate(ids)
        ],
    )
    db.session.commit()
    return ids


def _start_rollups() -> None:
    """The rollups built (empty) at NOW: the job refreshes from there."""
    db.session.add(RollupState(name=rollups.STATE, watermark=NOW, refreshed_at=NOW))
    db.session.commit()


def test_the_job_refreshes_70000_changed_indicators(make_member, make_project) -> None:
    """More ids than PostgreSQL's 65,535 bound parameters (and SQLite's 32,766),
    twice over: refreshed by batches, in one run, and the watermark moves."""
    project = make_project(make_member(name="Import géant"))
    _start_rollups()
    later = NOW + timedelta(minutes=10)
    ids = _changed_indicators(project, 70_000, first_at=later)
    assert jobs.refresh_rollups(later + timedelta(minutes=1)) == (
        "70000 indicators, 0 members"
    )
    db.session.expire_all()
    assert _count(IndicatorLatest) == 70_000
    stored = {
        indicator_id: value
        for indicator_id, value in db.session.execute(
            select(IndicatorLatest.indicator_id, IndicatorLatest.value)
        )
    }
    assert stored[ids[0]] == 0 and stored[ids[-1]] == 699_990
    assert db.session.scalar(select(func.sum(IndicatorLatest.value))) == sum(
        n * 10 for n in range(70_000)
    )
    assert db.session.get(RollupState, rollups.STATE).watermark == later + timedelta(
        minutes=1
    )


def test_changes_are_refreshed_by_batches_across_their_boundaries(
    make_member, make_project, monkeypatch
) -> None:
    monkeypatch.setattr(rollups, "BATCH", 3)
    project = make_project(make_member(name="Lots"))
    _start_rollups()
    later = NOW + timedelta(minutes=10)
    ids = _changed_indicators(project, 7, first_at=later)
    sizes: list[int] = []
    refresh_some = rollups._refresh_some_indicators

    def counting(today, indicator_ids):  # type: ignore[no-untyped-def]
        sizes.append(len(indicator_ids))
        refresh_some(today, indicator_ids)

    monkeypatch.setattr(rollups, "_refresh_some_indicators", counting)
    assert jobs.refresh_rollups(later + timedelta(minutes=1)) == (
        "7 indicators, 0 members"
    )
    assert sizes == [3, 3, 1]
    db.session.expire_all()
    assert [
        (row.indicator_id, row.value)
        for row in db.session.scalars(
            select(IndicatorLatest).order_by(IndicatorLatest.indicator_id)
        )
    ] == [(indicator_id, n * 10) for n, indicator_id in enumerate(ids)]
    # Called directly (a KPI write), the same batches; an indicator left without
    # a value loses its row, in whichever batch it falls.
    db.session.execute(
        Measurement.__table__.delete().where(Measurement.indicator_id == ids[4])
    )
    sizes.clear()
    rollups.refresh_indicators(today=TODAY, indicator_ids=ids)
    assert sizes == [3, 3, 1]
    assert db.session.get(IndicatorLatest, ids[4]) is None
    assert _count(IndicatorLatest) == 6
    # The scores too are rebuilt by batches of members.
    monkeypatch.setattr(rollups, "BATCH", 1)
    other = make_member(name="Autre")
    rollups.refresh_scores(member_ids=[project.member_id, other.id])
    assert _count(ScoreMonth) == 0


def test_a_run_that_fails_half_way_keeps_its_batches_and_does_not_block(
    app, make_member, make_project, monkeypatch
) -> None:
    """The job commits after each batch and moves its watermark to the batch's
    latest change: a run that fails keeps what it did, and the next run starts
    after it (the scheduler logs the failure and carries on)."""
    from core.scheduler import JobSpec, run_job

    monkeypatch.setattr(rollups, "BATCH", 3)
    project = make_project(make_member(name="Panne"))
    _start_rollups()
    first = NOW + timedelta(minutes=10)
    step = timedelta(minutes=10)
    ids = _changed_indicators(project, 8, first_at=first, step=step)
    refresh_some = rollups._refresh_some_indicators
    calls: list[int] = []

    def failing_second(today, indicator_ids):  # type: ignore[no-untyped-def]
        calls.append(len(indicator_ids))
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        refresh_some(today, indicator_ids)

    monkeypatch.setattr(rollups, "_refresh_some_indicators", failing_second)
    run_at = first + 8 * step
    spec = JobSpec("dashboards.rollups", jobs.refresh_rollups)
    run_job(app, spec, run_at)  # logged, not raised
    db.session.expire_all()
    assert sorted(db.session.scalars(select(IndicatorLatest.indicator_id))) == ids[:3]
    state = db.session.get(RollupState, rollups.STATE)
    assert state.watermark == first + 2 * step  # the first batch's latest change
    assert state.refreshed_at == NOW  # not a complete refresh
    monkeypatch.setattr(rollups, "_refresh_some_indicators", refresh_some)
    # The next run looks from the first batch's last change (less the overlap).
    assert jobs.refresh_rollups(run_at + timedelta(minutes=1)) == (
        "6 indicators, 0 members"
    )
    db.session.expire_all()
    assert sorted(db.session.scalars(select(IndicatorLatest.indicator_id))) == ids
    assert rollups.as_of() == run_at + timedelta(minutes=1)
