"""Refreshing the rollups the dashboards read (PITFALLS §4).

Two tables, written only here: :class:`IndicatorLatest` (each indicator's latest
measured period and value) and :class:`ScoreMonth` (scored answers counted per
member, month, question, commitment and value). Each refresh is a fixed number
of statements computed by the database, whatever the number of rows.

* :func:`refresh_indicators` runs inside every KPI write (manual entry, API,
  file import, deletion, undoing an import, a change of definition): the KPI
  services send :data:`kpi.signals.measurements_changed` with the indicators
  they touched just before they commit, and :func:`refresh_after_kpi_write`
  rebuilds those indicators' rows in that transaction (once the rollups exist).
  A member's indicator status is therefore current as soon as the value is
  saved.
* :func:`refresh_all` rebuilds both rollups (the demo loaders, an empty state);
* :func:`refresh_changed` — the first step of the ``dashboards.rollups`` job
  (:func:`dashboards.services.snapshot.refresh_figures`), every
  :data:`JOB_MINUTES` — rebuilds what changed since the watermark: indicators
  with a measurement or a definition updated after it (a deletion or an undone
  import touches its indicator's ``updated_at``, so the job is right on its own
  even for a write that did not signal), and the (member, month ≥ earliest
  changed month) buckets of responses submitted after it. The watermark is
  taken back by :data:`OVERLAP` so that a transaction that committed late is
  not missed (recomputing twice is harmless: the rebuild is idempotent). Scores
  are not refreshed when an answer is submitted (that path is kept at its
  floor): they are at most one job period old. Ids are bound :data:`BATCH` at
  a time (PostgreSQL refuses more than 65,535 parameters in a statement), and
  the job commits after each batch of indicators with the watermark moved to
  the batch's latest change: a run that fails keeps what it did and the next
  one goes on from there.

The job then stores the board's quality reviews
(:func:`dashboards.services.snapshot.refresh_board`: of the default period for
the association, each department and each service type, and of each year with
answers — the association's figures per quarter, per service type, the
members' quartiles and one row per member of the compliance table, in the
``dashboards_board_*`` tables), so that neither the board's pages (filtered or
not, the annual report) nor a member's comparison reads every member's rows on
a request, in any worker — unless today's stored review is younger than
:data:`BOARD_MAX_AGE` and nothing it reads changed since it was computed
(:func:`board_inputs_changed`: no measurement, indicator, response, no
campaign run, closed alert, agreement, new member, project or client, change of
mark or complaint, charter record added), which makes an idle run a handful of
small queries. Inputs without a timestamp (a project's status, a member's name
or department, an item received, a client told of a component) reach
the stored review within :data:`BOARD_MAX_AGE`. Responses, answers, members and
projects are never deleted by the application (drafts of answers are, before
submission; unverified complaints are purged: neither is counted).

The pages say as of when the job last ran (:func:`as_of`). Nothing here commits
nor reads the services: the services that call these functions commit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from core.database import dialect_module
from core.extensions import db
from dashboards.models import IndicatorLatest, RollupState, ScoreMonth
from kpi.models import Agreement, Indicator, Measurement
from mediation.models import Complaint
from members.models import Client, Member, Project
from records.models import (
    BackupPlan,
    Budget,
    Change,
    ClientItem,
    Delivery,
    FollowUp,
    Handover,
    Licence,
    LicenceReminder,
    Technology,
)
from satisfaction import scoring
from satisfaction.models import (
    Alert,
    Answer,
    Campaign,
    Question,
    QuestionType,
    Response,
)

STATE = "dashboards"
JOB_MINUTES = 1
OVERLAP = timedelta(minutes=5)
#: The board's stored review is computed again at least this often, even when
#: nothing the job can see changed: a few of its inputs leave no timestamp (a
#: project's status, a member's name or department).
BOARD_MAX_AGE = timedelta(minutes=10)
#: The charter's records the commitment lights read (each has ``created_at``).
RECORD_MODELS: tuple[Any, ...] = (
    ClientItem,
    Change,
    FollowUp,
    Delivery,
    Handover,
    Technology,
    BackupPlan,
    Licence,
)
SCORED = [QuestionType(kind) for kind in sorted(scoring.SCORED_TYPES)]


def _month_of(column: Any) -> ColumnElement[Any]:
    """The first day of the UTC month of a timestamp column."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.date_trunc("month", func.timezone("UTC", column)), db.Date)
    return func.date(column, "start of month")


def as_of() -> datetime | None:
    """When the rollups were last refreshed (None: never — read the raw rows)."""
    return db.session.scalar(
        select(RollupState.refreshed_at).where(RollupState.name == STATE)
    )


# ---------------------------------------------------------------- indicators


def refresh_indicators(
    *, today: date, indicator_ids: Collection[int] | None = None
) -> None:
    """Rebuild the latest value of the given indicators (all when None).

    The given indicators' rows are upserted and those left without a value
    deleted, :data:`BATCH` indicators per statement (PostgreSQL refuses more
    than 65,535 bound parameters, PITFALLS §11) — a fixed number of statements
    per batch, whatever the number of rows — so that a KPI write and the job
    refreshing the same indicator at the same time do not collide on the
    primary key."""
    if indicator_ids is None:
        db.session.execute(delete(IndicatorLatest))
        db.session.execute(
            insert(IndicatorLatest).from_select(LATEST_COLUMNS, _latest_rows(today))
        )
        return
    for chunk in batches(sorted(set(indicator_ids))):
        _refresh_some_indicators(today, chunk)


#: Ids bound in one statement (each at most twice: 2 × 5,000 parameters).
BATCH = 5000
LATEST_COLUMNS = ["indicator_id", "member_id", "period_start", "value"]


def batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """``ids`` in slices of at most :data:`BATCH`."""
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _latest_of(today: date, only: list[ColumnElement[bool]]) -> Any:
    """Each indicator's latest measured period up to ``today`` (a subquery)."""
    return (
        select(
            Measurement.indicator_id.label("indicator_id"),
            func.max(Measurement.period_start).label("period_start"),
        )
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .where(
            Measurement.granularity == Indicator.frequency,
            Measurement.period_start <= today,
            or_(Measurement.value.is_not(None), Measurement.denominator.is_not(None)),
            *only,
        )
        .group_by(Measurement.indicator_id)
        .subquery("latest")
    )


def _latest_rows(today: date, latest: Any = None) -> Any:
    """(indicator, member, period, value) of each indicator's latest period."""
    latest = _latest_of(today, []) if latest is None else latest
    value = case(
        (
            Indicator.is_ratio.is_(True),
            Measurement.numerator / func.nullif(Measurement.denominator, 0),
        ),
        else_=Measurement.value,
    )
    return (
        select(Indicator.id, Indicator.member_id, latest.c.period_start, value)
        .select_from(latest)
        .join(Indicator, Indicator.id == latest.c.indicator_id)
        .join(
            Measurement,
            and_(
                Measurement.indicator_id == latest.c.indicator_id,
                Measurement.period_start == latest.c.period_start,
                Measurement.granularity == Indicator.frequency,
            ),
        )
        # SQLite reads "ON CONFLICT" after a join as the join's ON without it.
        .where(true())
    )


def _refresh_some_indicators(today: date, indicator_ids: Sequence[int]) -> None:
    """Upsert one batch of indicators' rows, delete those left without a value."""
    latest = _latest_of(today, [Measurement.indicator_id.in_(indicator_ids)])
    db.session.execute(
        delete(IndicatorLatest).where(
            IndicatorLatest.indicator_id.in_(indicator_ids),
            IndicatorLatest.indicator_id.not_in(select(latest.c.indicator_id)),
        )
    )
    upsert = (
        dialect_module(db.engine)
        .insert(IndicatorLatest)
        .from_select(LATEST_COLUMNS, _latest_rows(today, latest))
    )
    db.session.execute(
        upsert.on_conflict_do_update(
            index_elements=["indicator_id"],
            set_={
                name: upsert.excluded[name]
                for name in ("member_id", "period_start", "value")
            },
        )
    )


def refresh_after_kpi_write(
    _sender: object, *, indicator_ids: Collection[int], now: datetime
) -> None:
    """Receiver of :data:`kpi.signals.measurements_changed`: the indicators'
    latest values, in the KPI write's own transaction (no commit). Nothing to do
    before the rollups exist: the pages read the raw rows then."""
    if as_of() is not None:
        refresh_indicators(today=now.date(), indicator_ids=indicator_ids)


# ---------------------------------------------------------------- scores


def refresh_scores(
    *, member_ids: Collection[int] | None = None, since_month: date | None = None
) -> None:
    """Rebuild the answer counts of the given members from ``since_month`` on
    (everything when both are None), :data:`BATCH` members per statement."""
    if member_ids is None:
        _refresh_some_scores(None, since_month)
        return
    for chunk in batches(sorted(set(member_ids))):
        _refresh_some_scores(chunk, since_month)


def _refresh_some_scores(
    member_ids: Sequence[int] | None, since_month: date | None
) -> None:
    month = _month_of(Response.submitted_at)
    conditions: list[ColumnElement[bool]] = [
        Response.submitted_at.is_not(None),
        Question.type.in_(SCORED),
        Answer.value.is_not(None),
    ]
    clear = delete(ScoreMonth)
    if member_ids is not None:
        conditions.append(Project.member_id.in_(member_ids))
        clear = clear.where(ScoreMonth.member_id.in_(member_ids))
    if since_month is not None:
        conditions.append(month >= since_month)
        clear = clear.where(ScoreMonth.month >= since_month)
    commitment = func.coalesce(cast(Question.commitment, String), "")
    rows = (
        select(
            Project.member_id,
            month,
            cast(Question.type, String),
            commitment,
            Answer.value,
            func.count(),
        )
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(Project, Project.id == Campaign.project_id)
        .join(Question, Question.id == Answer.question_id)
        .where(*conditions)
        .group_by(Project.member_id, month, Question.type, commitment, Answer.value)
    )
    db.session.execute(clear)
    db.session.execute(
        insert(ScoreMonth).from_select(
            ["member_id", "month", "question_type", "commitment", "value", "count"],
            rows,
        )
    )


# ---------------------------------------------------------------- state


class Changes(NamedTuple):
    """What :func:`refresh_changed` rebuilt: since when, how many indicators and
    members."""

    since: datetime
    indicators: int
    members: int


def _mark(now: datetime, *, watermark: datetime | None = None) -> None:
    """Move the watermark (to ``now`` unless given) and say refreshed at ``now``;
    a partial run (``watermark`` given) leaves the refresh time alone."""
    state = db.session.get(RollupState, STATE)
    if state is None:
        db.session.add(RollupState(name=STATE, watermark=now, refreshed_at=now))
    elif watermark is None:
        state.watermark = now
        state.refreshed_at = now
    else:
        state.watermark = max(state.watermark, watermark)
    db.session.flush()


def refresh_all(*, now: datetime) -> None:
    """Rebuild both rollups and move the watermark (the caller commits)."""
    refresh_indicators(today=now.date())
    refresh_scores()
    _mark(now)


def refresh_changed(
    now: datetime, *, commit: Callable[[], None] = lambda: None
) -> Changes | None:
    """Rebuild what changed since the watermark, then move it; None when the
    rollups were never built (nothing done). The caller commits what the last
    batch did.

    The scores first (a few statements per :data:`BATCH` members), then the
    changed indicators by :data:`BATCH`, oldest change first: after each batch
    but the last the watermark moves to the batch's latest change and
    ``commit()`` is called, so that a run that fails half-way keeps what it
    did and the next run starts after it (PITFALLS §11)."""
    state = db.session.get(RollupState, STATE)
    if state is None:
        return None
    since = state.watermark - OVERLAP
    changed = db.session.execute(
        select(Project.member_id, func.min(Response.submitted_at))
        .join(Campaign, Campaign.project_id == Project.id)
        .join(Response, Response.campaign_id == Campaign.id)
        .where(Response.submitted_at > since)
        .group_by(Project.member_id)
    ).all()
    if changed:
        earliest = min(_as_datetime(first) for _member, first in changed)
        refresh_scores(
            member_ids={member for member, _first in changed},
            since_month=earliest.date().replace(day=1),
        )
    indicators = _changed_indicators(since)
    ids = [indicator_id for indicator_id, _at in indicators]
    for start in range(0, len(ids), BATCH):
        _refresh_some_indicators(now.date(), ids[start : start + BATCH])
        if start + BATCH < len(ids):
            _mark(now, watermark=min(now, indicators[start + BATCH - 1][1]))
            commit()
    _mark(now)
    return Changes(since, len(indicators), len(changed))


def _changed_indicators(since: datetime) -> list[tuple[int, datetime]]:
    """Indicators with a measurement or a definition updated after ``since``,
    with their latest change, the oldest change first."""
    latest: dict[int, datetime] = {}
    for indicator_id, at in [
        *db.session.execute(
            select(Measurement.indicator_id, func.max(Measurement.updated_at))
            .where(Measurement.updated_at > since)
            .group_by(Measurement.indicator_id)
        ),
        *db.session.execute(
            select(Indicator.id, Indicator.updated_at).where(
                Indicator.updated_at > since
            )
        ),
    ]:
        at = _aware(_as_datetime(at))
        if indicator_id not in latest or at > latest[indicator_id]:
            latest[indicator_id] = at
    return sorted(latest.items(), key=lambda item: (item[1], item[0]))


# ---------------------------------------------------------------- the board's review


def board_inputs_changed(since: datetime) -> bool:
    """Whether something the board's review reads changed after ``since``:
    measurements, indicators, responses, campaigns run (invitations sent),
    alerts closed, agreements sent or answered, members, projects and clients
    added, a member's mark, complaints, the charter's records added (one
    statement)."""
    checks = [
        exists().where(Measurement.updated_at > since),
        exists().where(Indicator.updated_at > since),
        exists().where(Response.submitted_at > since),
        exists().where(Campaign.last_run_at > since),
        exists().where(Alert.closed_at > since),
        exists().where(
            or_(
                Agreement.sent_at > since,
                Agreement.acknowledged_at > since,
                Agreement.commented_at > since,
            )
        ),
        exists().where(or_(Member.created_at > since, Member.mark_changed_at > since)),
        exists().where(Project.created_at > since),
        exists().where(Client.created_at > since),
        exists().where(Complaint.updated_at > since),
        # The charter's records (the commitment lights): added, or a budget set.
        *(exists().where(model.created_at > since) for model in RECORD_MODELS),
        exists().where(Budget.updated_at > since),
        exists().where(LicenceReminder.sent_at > since),
    ]
    return bool(db.session.scalar(select(or_(*checks))))


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value


def _aware(value: datetime) -> datetime:
    """A UTC timestamp read through an aggregate (SQLite: naive, or a string)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
