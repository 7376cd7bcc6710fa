"""The demo shows the register alive: actions of each origin, some to decide,
one late, some closed with their effect; loading it twice changes nothing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from core.dates import local_today
from core.extensions import db
from improvement import demo
from improvement.models import ActionState, ImprovementAction


def test_the_demo_opens_decides_and_closes_actions_once(app) -> None:
    loaders = app.extensions["qualicharte.demo"]
    assert list(loaders)[-1] == "improvement"  # after the features it reads
    for loader in loaders.values():
        loader("small")
    actions = list(db.session.scalars(select(ImprovementAction)))
    today = local_today()
    states = Counter(a.state for a in actions)
    assert {a.source_type.value for a in actions} == {
        "detractor",
        "indicator",
        "complaint",
    }
    assert states[ActionState.TO_DECIDE] >= 1
    assert states[ActionState.IN_PROGRESS] >= 2
    assert states[ActionState.CLOSED] >= 1
    assert sum(a.is_late(today) for a in actions) == 1
    assert all(a.effect and a.effect_on for a in actions if a.is_closed)
    assert len({a.member_id for a in actions}) >= 3
    assert demo.load("small") == "0 new actions"
    assert len(list(db.session.scalars(select(ImprovementAction)))) == len(actions)
