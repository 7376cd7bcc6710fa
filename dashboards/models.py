"""The client portal's magic links and the rollups the dashboards read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.database import UTCDateTime, utcnow
from core.extensions import Model
from kpi.models import Measurement
from satisfaction.models import Response


class PortalLink(Model):
    """A sign-in link e-mailed to a client contact: single use, short-lived.

    Bound to the e-mail address (lower-cased), not to one contact row: the same
    person may be a contact of several clients, and proving control of the
    address is what the link does. Only the token's SHA-256 is stored.
    """

    __tablename__ = "dashboards_portal_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # The per-address rate limit counts recent links.
    __table_args__ = (Index("ix_dashboards_portal_link_email", "email", "created_at"),)


# ---------------------------------------------------------------- rollups
#
# Ordinary tables the pages read instead of the raw rows when the period allows
# (PITFALLS §4). The latest values are refreshed in every KPI write's own
# transaction; the ``dashboards.rollups`` job (every minute) rebuilds what changed
# since its watermark, and the demo loaders everything (see dashboards.rollups).


class IndicatorLatest(Model):
    """Per indicator, its latest measured period (at its own frequency) and value."""

    __tablename__ = "dashboards_indicator_latest"

    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("kpi_indicator.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[date] = mapped_column(Date)
    #: A ratio's value is Σnumerator ÷ Σdenominator of that period (None on 0).
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))


class ScoreMonth(Model):
    """Per member and calendar month (of submission, UTC): how many scored answers
    had each value — the input of the scores, already grouped."""

    __tablename__ = "dashboards_score_month"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    question_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The charter commitment, "" for none (a key column cannot be NULL).
    commitment: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int]

    __table_args__ = (Index("ix_dashboards_score_month_month", "month"),)


class RollupState(Model):
    """The watermark of each rollup: rows changed after it are not in it yet."""

    __tablename__ = "dashboards_rollup_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    watermark: Mapped[datetime] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())


# ---------------------------------------------------------------- the board's review
#
# The quality review's association-level figures, stored by the rollup job for a
# period (the page's default: the last twelve months, for the association, each
# department and each service type; each year with answers) so that the pages
# read a few indexed rows instead of aggregating every member's rows on a request.
# Every figure is what :func:`dashboards.services.board_review` computes from the
# raw rows and rollups at ``computed_at`` (the same functions: traceable).


class BoardSnapshot(Model):
    """One stored review: the period it covers and its headline counts."""

    __tablename__ = "dashboards_board_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    #: The day the compliance criteria were judged on ("sent in the last 12 months").
    on_date: Mapped[date] = mapped_column(Date)
    #: The review's department and service type filters ("" for all): the job
    #: stores the association's review and one per department and service type.
    department: Mapped[str] = mapped_column(String(8), default="", server_default="")
    service_type: Mapped[str] = mapped_column(String(32), default="", server_default="")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    members: Mapped[int]
    active_projects: Mapped[int]
    clients: Mapped[int]
    members_with_projects: Mapped[int]

    __table_args__ = (
        UniqueConstraint(
            "since",
            "until",
            "on_date",
            "department",
            "service_type",
            name="uq_dashboards_board_snapshot_review",
        ),
    )


class BoardScore(Model):
    """Scored answers of the association per quarter (the trend and heat map)."""

    __tablename__ = "dashboards_board_score"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("dashboards_board_snapshot.id", ondelete="CASCADE"),
        primary_key=True,
    )
    quarter: Mapped[str] = mapped_column(String(8), primary_key=True)
    question_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The charter commitment, "" for none.
    commitment: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int]


class BoardRate(Model):
    """Invitations sent per quarter and answered (response rates)."""

    __tablename__ = "dashboards_board_rate"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("dashboards_board_snapshot.id", ondelete="CASCADE"),
        primary_key=True,
    )
    quarter: Mapped[str] = mapped_column(String(8), primary_key=True)
    sent: Mapped[int]
    answered: Mapped[int]


class BoardStatus(Model):
    """Indicators per service type and status."""

    __tablename__ = "dashboards_board_status"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("dashboards_board_snapshot.id", ondelete="CASCADE"),
        primary_key=True,
    )
    service_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int]


class BoardSpread(Model):
    """The members' median and quartiles per score (and share on target), with
    how many members contribute and the histogram of the members' scores."""

    __tablename__ = "dashboards_board_spread"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("dashboards_board_snapshot.id", ondelete="CASCADE"),
        primary_key=True,
    )
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The charter commitment of a rating, "" for none.
    commitment: Mapped[str] = mapped_column(String(32), primary_key=True)
    contributors: Mapped[int]
    q1: Mapped[float | None] = mapped_column(Float)
    median: Mapped[float | None] = mapped_column(Float)
    q3: Mapped[float | None] = mapped_column(Float)
    #: Members per band of :data:`dashboards.services.SCORE_BINS` (NPS only).
    bins: Mapped[list[int] | None] = mapped_column(JSON)


class BoardComment(Model):
    """The latest free-text answers the clients allowed the board to read."""

    __tablename__ = "dashboards_board_comment"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("dashboards_board_snapshot.id", ondelete="CASCADE"),
        primary_key=True,
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(4000))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    member: Mapped[str] = mapped_column(String(200))
    service_type: Mapped[str] = mapped_column(String(32))


class BoardCompliance(Model):
    """One row of the charter compliance table (one per signatory member)."""

    __tablename__ = "dashboards_board_compliance"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("dashboards_board_snapshot.id", ondelete="CASCADE"),
        primary_key=True,
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members_member.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200))
    #: ``name`` lower-cased, for the search.
    search_name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(8))
    mark_status: Mapped[str] = mapped_column(String(32))
    projects: Mapped[int]
    agreed: Mapped[int]
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_recently: Mapped[int]
    sent: Mapped[int]
    answered: Mapped[int]
    rate: Mapped[float | None] = mapped_column(Float)
    open_alerts: Mapped[int]
    complaints: Mapped[int | None]
    nps_value: Mapped[float | None] = mapped_column(Float)
    nps_n: Mapped[int]
    nps_reliable: Mapped[bool]
    nps_distribution: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    light_agreed: Mapped[str] = mapped_column(String(8))
    light_sent: Mapped[str] = mapped_column(String(8))
    light_rate: Mapped[str] = mapped_column(String(8))
    light_alerts: Mapped[str] = mapped_column(String(8))
    light_complaints: Mapped[str | None] = mapped_column(String(8))
    #: One light per charter commitment, by code (``members.commitments``);
    #: None in the rows stored before the commitments had lights.
    commitments: Mapped[dict[str, str] | None] = mapped_column(JSON)
    #: Red and amber lights (the filter): the criteria's and the commitments'
    #: not made from them.
    reds: Mapped[int]
    ambers: Mapped[int]
    #: The row's place in each order of the table, computed when stored (ties
    #: and missing values settled once, the same on every database): worst
    #: first (most red, then amber lights, then by name), by name, by response
    #: rate (lowest first), by open alerts (most first), by NPS (lowest first).
    worst_rank: Mapped[int]
    name_rank: Mapped[int]
    rate_rank: Mapped[int]
    alerts_rank: Mapped[int]
    nps_rank: Mapped[int]

    __table_args__ = (
        *(
            Index(f"ix_dashboards_board_compliance_{order}", "snapshot_id", column)
            for order, column in (
                ("worst", "worst_rank"),
                ("name", "name_rank"),
                ("rate", "rate_rank"),
                ("alerts", "alerts_rank"),
                ("nps", "nps_rank"),
            )
        ),
        Index(
            "ix_dashboards_board_compliance_department",
            "snapshot_id",
            "department",
            "worst_rank",
        ),
    )


# What the incremental refresh looks for, indexed (the other features' tables, the
# dashboards' indexes: declared here, created by the dashboards' migration).
Index("ix_dashboards_measurement_updated_at", Measurement.updated_at)
Index("ix_dashboards_response_submitted_at", Response.submitted_at)
