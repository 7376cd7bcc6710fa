"""complaint_figures: the board's complaint figures, against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.extensions import db
from mediation.models import Complaint
from mediation.services import complaint_figures
from mediation.workflow import Decision, Status

pytestmark = pytest.mark.usefixtures("app")


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def add(
    member,
    verified,
    *,
    status,
    admitted=False,
    referred=False,
    decision=None,
    closed=None,
    until=None,
) -> None:
    db.session.add(
        Complaint(
            complainant_name="X",
            complainant_company="Y",
            complainant_email="x@y.example",
            member_id=member.id,
            facts="…",
            expectations="…",
            status=status,
            decision=decision,
            suspension_until=until,
            verified_at=verified,
            admitted_at=verified if admitted and verified else None,
            referred_at=verified if referred and verified else None,
            closed_at=closed,
            created_at=verified or at(3, 3),
            updated_at=verified or at(3, 3),
        )
    )


@pytest.fixture()
def two_members(make_member):
    m1, m2 = make_member(name="Un"), make_member(name="Deux")
    D, S = Status.DECIDED, Status.SUBMITTED
    # 1: resolved by agreement in 12 days
    add(m1, at(3, 2), status=Status.RESOLVED, admitted=True, closed=at(3, 14))
    # 2: warning after 30 days
    add(
        m1,
        at(3, 5),
        status=D,
        admitted=True,
        referred=True,
        decision=Decision.WARNING,
        closed=at(4, 4),
    )
    # 3: exclusion after 35 days
    add(
        m2,
        at(3, 10),
        status=D,
        admitted=True,
        referred=True,
        decision=Decision.EXCLUSION,
        closed=at(4, 14),
    )
    # 4: inadmissible (not a resolution)
    add(m2, at(3, 15), status=Status.INADMISSIBLE, closed=at(3, 16))
    # 5: open, awaiting the member
    add(m1, at(3, 20), status=Status.AWAITING_MEMBER, admitted=True)
    # 6: registered on the last evening of the period: counted
    add(m1, at(3, 31, 23), status=S)
    # 7, 8: outside the period; 9: never confirmed
    add(m2, at(4, 1, 0), status=S)
    add(m1, at(2, 28), status=S)
    add(m1, None, status=S)
    # 10: suspension after 4 days
    add(
        m2,
        at(3, 12),
        status=D,
        admitted=True,
        referred=True,
        decision=Decision.SUSPENSION,
        until=date(2026, 6, 1),
        closed=at(3, 16),
    )
    # 11: withdrawn
    add(m1, at(3, 13), status=Status.WITHDRAWN, closed=at(3, 14))
    # 12: resolved by agreement in 1 day
    add(m1, at(3, 16), status=Status.RESOLVED, admitted=True, closed=at(3, 17))
    db.session.commit()
    return m1, m2


def test_figures_for_the_whole_association(two_members) -> None:
    figures = complaint_figures(since=date(2026, 3, 1), until=date(2026, 3, 31))

    assert figures == {
        "since": date(2026, 3, 1),
        "until": date(2026, 3, 31),
        "member_id": None,
        "received": 9,
        "admissible": 6,
        "inadmissible": 1,
        "resolved_by_mediation": 2,
        "sent_to_commission": 3,
        "withdrawn": 1,
        "open": 2,
        "decisions": {"none": 0, "warning": 1, "suspension": 1, "exclusion": 1},
        "sanctions": 3,
        # durations 1, 4, 12, 30, 35 days: the median is 12
        "median_days_to_resolution": 12.0,
    }


def test_figures_for_one_member(two_members) -> None:
    _m1, m2 = two_members

    figures = complaint_figures(
        since=date(2026, 3, 1), until=date(2026, 3, 31), member_id=m2.id
    )

    assert figures["received"] == 3
    assert figures["admissible"] == 2
    assert figures["inadmissible"] == 1
    assert figures["resolved_by_mediation"] == 0
    assert figures["sent_to_commission"] == 2
    assert figures["decisions"] == {
        "none": 0,
        "warning": 0,
        "suspension": 1,
        "exclusion": 1,
    }
    # durations 4 and 35 days: the median of an even count is the mean of the two
    assert figures["median_days_to_resolution"] == 19.5


def test_a_period_without_complaints_gives_zeros(two_members) -> None:
    figures = complaint_figures(since=date(2025, 1, 1), until=date(2025, 12, 31))

    assert figures["received"] == 0
    assert figures["sanctions"] == 0
    assert figures["median_days_to_resolution"] is None
