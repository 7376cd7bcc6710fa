"""Fixtures of the improvement tests: the triggers built through the real
services of the features that own them (a detractor's answers, measurements
off target, a complaint declared admissible)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.extensions import db
from tests.kpi.conftest import make_indicator  # noqa: F401
from tests.mediation.conftest import _attachment_dir, make_case  # noqa: F401
from tests.satisfaction.conftest import answer_form, world  # noqa: F401

#: The scans of these tests run at this time (a Monday in Paris, 10:00).
NOW = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)


@pytest.fixture()
def detractor(world: Callable[..., Any]) -> Callable[..., Any]:  # noqa: F811
    """``detractor(nps="2", name=…)`` — a member whose one contact answered the
    charter questionnaire with that recommendation; returns the satisfaction
    world (member, admin, user, project, contacts)."""
    from satisfaction import services
    from satisfaction.answer_form import parse_answers
    from satisfaction.models import Invitation
    from satisfaction.recurrence import Recurrence

    def make(nps: str = "2", *, name: str | None = None, now: datetime = NOW) -> Any:
        w = world(
            contacts=1,
            name=name,
            now=now - timedelta(hours=2),
            recurrence=Recurrence.once(now - timedelta(hours=1)),
        )
        services.send_due_invitations(now)
        invitation = db.session.scalars(
            select(Invitation).where(Invitation.campaign_id == w.campaign.id)
        ).one()
        questions = invitation.version.questions
        form = answer_form(
            questions, **{f"q{q.id}": nps for q in questions if q.type.value == "nps"}
        )
        for number in (1, 2):
            page = services.page_of(invitation, number)
            services.save_answers(
                invitation,
                page=page,
                answers=parse_answers(page.questions, form, require=True),
                share_with_board=False if page.is_last else None,
                submit=page.is_last,
                now=now,
            )
        return w

    return make


@pytest.fixture()
def measured(make_indicator: Callable[..., Any]) -> Callable[..., Any]:  # noqa: F811
    """``measured(project, {date: value}, target=100, direction="higher")`` — a
    monthly indicator with those values, recorded through the KPI services."""
    from kpi import services

    def make(
        project: Any,
        values: dict[date, str],
        *,
        target: str = "100",
        direction: str = "higher",
        name: str = "Visites",
    ) -> Any:
        indicator = make_indicator(
            project,
            "audience",
            name=name,
            target_value=target,
            direction=direction,
            frequency="month",
        )
        for day, value in values.items():
            services.record_measurement(
                None, indicator, day=day, value=value, now=NOW - timedelta(days=1)
            )
        return indicator

    return make
