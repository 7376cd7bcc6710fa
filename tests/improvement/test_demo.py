"""The demo shows the register alive: actions of each origin, some to decide,
one late, some closed with their effect; loading it twice changes nothing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from core.dates import local_today
from core.extensions import db
from core.security import Role
from improvement import demo
from improvement.models import ActionState, ImprovementAction
from members.models import User


def test_the_demo_opens_decides_and_closes_actions_once(app, client, auth) -> None:
    loaders = app.extensions["qualicharte.demo"]
    assert list(loaders)[-1] == "improvement"  # after the features it reads
    for loader in loaders.values():
        loader("small")
    actions = list(db.session.scalars(select(ImprovementAction)))
    today = local_today()
    states = Counter(a.state for a in actions)
    # The records' demo project in breach opens its own (its licence is due
    # next month: reminded in time, nothing to open).
    assert {a.source_type.value for a in actions} == {
        "detractor",
        "indicator",
        "complaint",
        "late_item",
        "short_notice",
        "component",
    }
    assert states[ActionState.TO_DECIDE] >= 1
    assert states[ActionState.IN_PROGRESS] >= 2
    assert states[ActionState.CLOSED] >= 1
    assert sum(a.is_late(today) for a in actions) == 1
    assert all(a.effect and a.effect_on for a in actions if a.is_closed)
    assert len({a.member_id for a in actions}) >= 3
    assert demo.load("small") == "0 new actions"
    assert len(list(db.session.scalars(select(ImprovementAction)))) == len(actions)
    # Each origin's page links to what opened it, for its member's staff.
    links = {
        "detractor": 'href="/space/responses/',
        "indicator": 'href="/space/indicators/',
        "complaint": 'href="/mediation/',
        "component": 'href="/space/projects/',
    }
    for kind, link in links.items():
        action = next(a for a in actions if a.source_type.value == kind)
        admin = db.session.scalars(
            select(User).where(
                User.member_id == action.member_id, User.role == Role.MEMBER_ADMIN
            )
        ).first()
        auth.login(admin, password="demo-qualicharte")
        page = client.get(f"/space/improvement/{action.id}")
        assert page.status_code == 200
        assert link in page.get_data(as_text=True)
        target = page.get_data(as_text=True).split(link)[1].split('"')[0]
        assert client.get(link[6:] + target).status_code == 200
        auth.logout()
