"""The demo loader adds complaints in several states, once, excluding nobody."""

from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from mediation import demo as mediation_demo
from mediation.models import Complaint
from mediation.workflow import Status
from members import demo as members_demo
from members import services as members_services


def test_the_demo_loads_complaints_in_several_states_once(app) -> None:
    members_demo.load("small")

    first = mediation_demo.load("small")
    second = mediation_demo.load("small")

    assert first == "3 new complaints"
    assert second == "0 new complaints"
    statuses = sorted(
        status.value for status in db.session.scalars(select(Complaint.status))
    )
    assert statuses == ["decided", "in_mediation", "submitted"]
    assert db.session.scalar(select(func.count(Complaint.id))) == 3
    assert len(members_services.registry_members()) == len(members_demo.MEMBERS)
    decided = db.session.scalar(
        select(Complaint).where(Complaint.status == Status.DECIDED)
    )
    assert decided.reference and decided.decision.value == "warning"


def test_the_demo_waits_for_the_members_demo(app) -> None:
    assert mediation_demo.load("small") == "skipped (load the members demo first)"
