"""The client portal's magic links and the rollups the dashboards read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from core.database import UTCDateTime, utcnow
from core.extensions import db
from kpi.models import Measurement
from satisfaction.models import Response


class PortalLink(db.Model):  # type: ignore[name-defined,misc]
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
# (PITFALLS §4). They are refreshed by the ``dashboards.rollups`` job from a
# watermark (what changed since its last run) and in full by the large demo
# loader: the figures they give are at most one job period old.


class IndicatorLatest(db.Model):  # type: ignore[name-defined,misc]
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


class ScoreMonth(db.Model):  # type: ignore[name-defined,misc]
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


class RollupState(db.Model):  # type: ignore[name-defined,misc]
    """The watermark of each rollup: rows changed after it are not in it yet."""

    __tablename__ = "dashboards_rollup_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    watermark: Mapped[datetime] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())


# What the incremental refresh looks for, indexed (the other features' tables, the
# dashboards' indexes: declared here, created by the dashboards' migration).
Index("ix_dashboards_measurement_updated_at", Measurement.updated_at)
Index("ix_dashboards_response_submitted_at", Response.submitted_at)
