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
